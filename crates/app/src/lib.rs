//! Parley's use cases. Each takes the account's context and the caller, checks what the caller may do, applies
//! the domain's rules and hands the result to the region's store. Nothing here knows HTTP or SQL.

pub mod accounts;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod business_hours;
pub mod canned;
mod channels;
pub mod chat;
mod clock;
mod context;
pub mod email;
mod error;
pub mod knowledge;
pub mod notify;
mod order;
pub mod people;
pub mod privacy;
pub mod regions;
mod rules_cache;
pub mod search;
pub mod sla;
pub mod sla_ticket;
pub mod sla_watch;
pub mod support;
pub mod tickets;
pub mod triggers;
pub mod views;
pub mod voice;
pub mod webhooks;

pub use clock::Clock;
pub use context::{AccountCtx, Caller};
pub use error::AppError;

use std::sync::Arc;

/// Settings the use cases need, fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Accounts live at `<slug>.<base_domain>`.
    pub base_domain: String,
    /// Accounts receive mail at `<anything>@<slug>.<mail_domain>`.
    pub mail_domain: String,
    /// Outgoing mail waits in the outbox until a relay is configured; this says whether one is.
    pub mail_relay_configured: bool,
    /// `https` when Parley is served over TLS (directly or behind a proxy); makes cookies `Secure`.
    pub public_scheme: String,
    /// The port public URLs carry, when not the scheme's default.
    pub public_port: Option<u16>,
    /// Let webhooks target loopback and private networks. Off by default: such targets are how a webhook is
    /// turned against the operator's own network (SSRF).
    pub webhook_allow_private: bool,
    /// How long an agent's sockets in a process count as "Parley open" after the process last said it is alive
    /// (a killed process stops saying so); processes say so three times in this span.
    pub chat_liveness: std::time::Duration,
}

impl Settings {
    /// The base URL of an account, e.g. `http://acme.localhost:8080`.
    pub fn account_url(&self, slug: &str) -> String {
        let port = self.public_port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{}.{}{}", self.public_scheme, slug, self.base_domain, port)
    }
}

/// Everything the use cases share, built once at start.
pub struct App {
    pub regions: regions::Regions,
    pub settings: Settings,
    pub limits: auth::RateLimits,
    pub mail: email::MailLimits,
    /// Wakes the mail worker when mail was stored, so it need not wait for its next round.
    pub mail_arrived: tokio::sync::Notify,
    /// Wakes readers of chat conversations in this process.
    pub chat: chat::Hub,
    /// Where the search indexer is in each region, and how far behind.
    pub indexing: search::Indexing,
    /// The rules new tickets run, per account, while they stay the account's.
    pub rules: rules_cache::RulesCache,
    /// The phone channel's worker wake-up and HTTP client.
    pub voice: voice::Voice,
}

impl App {
    pub fn new(regions: regions::Regions, settings: Settings, mail: email::MailLimits) -> Arc<Self> {
        let app = Arc::new(App {
            regions,
            settings,
            limits: auth::RateLimits::default(),
            mail,
            mail_arrived: tokio::sync::Notify::new(),
            chat: chat::Hub::default(),
            indexing: search::Indexing::default(),
            rules: rules_cache::RulesCache::default(),
            voice: voice::Voice::default(),
        });
        // Every ticket written in this process reaches its agents' sockets through the hub.
        let hub = Arc::downgrade(&app);
        app.regions.send_news_to(Arc::new(move |news| {
            if let Some(app) = hub.upgrade() {
                app.chat.publish_ticket(news);
            }
        }));
        app
    }
}
