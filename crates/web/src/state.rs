use parley_app::App;
use std::sync::Arc;

/// Settings of the HTTP edge.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed: a client's address (for rate limits) is then the one
    /// the proxy saw, not the proxy's own.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings { body_limit: 1024 * 1024, trusted_proxies: Vec::new() }
    }
}

/// What every handler can reach: the use cases' shared state and the edge's settings. Built once at start.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub web: Arc<WebSettings>,
}

impl AppState {
    pub fn new(app: Arc<App>, web: WebSettings) -> Self {
        AppState { app, web: Arc::new(web) }
    }
}
