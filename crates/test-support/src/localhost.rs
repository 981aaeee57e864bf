//! `*.localhost` resolves to loopback in browsers and curl, but not through the C resolver; test clients use this.

use std::net::{Ipv4Addr, SocketAddr};

/// Build an HTTP client that sends `*.localhost` to 127.0.0.1, keeps cookies when asked, and never follows
/// redirects (tests look at them).
pub fn http_client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(std::sync::Arc::new(Loopback))
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .build()
        .expect("test client")
}

struct Loopback;

impl reqwest::dns::Resolve for Loopback {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let ok = name.as_str() == "localhost" || name.as_str().ends_with(".localhost");
        Box::pin(async move {
            if !ok {
                return Err("only *.localhost resolves in tests".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))));
            Ok(addrs)
        })
    }
}
