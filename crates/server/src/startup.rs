//! Building and running the server: open and migrate the served regions, bind, serve, and stop cleanly.

use crate::config::Config;
use crate::mail_sink::AccountsSink;
use anyhow::Context;
use parley_app::email::{self, SendPolicy};
use parley_app::regions::Regions;
use parley_app::webhooks::{run_worker, DeliveryPolicy};
use parley_app::App;
use parley_mail::SmtpConfig;
use parley_web::{AppState, WebSettings};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long requests in flight may take to finish once the server is told to stop.
const REQUESTS_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);
/// How long sockets and background workers may then take to finish what they are doing.
const WIND_DOWN_WITHIN: std::time::Duration = std::time::Duration::from_millis(1500);

pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    smtp: TcpListener,
    smtp_address: SocketAddr,
    lmtp: Option<TcpListener>,
    smtp_tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    app: Arc<App>,
    config: Config,
}

/// Open the directory and the regions this configuration names (regions lazily), without migrating.
pub async fn open_app(config: &Config) -> anyhow::Result<Arc<App>> {
    config.check_data_dir()?;
    let regions = Regions::open(&config.directory, config.regions.clone())
        .await
        .with_context(|| format!("cannot open the directory at {}", config.directory.redacted()))?;
    // Every command reads the directory; it is small and its migrations are quick.
    regions.migrate_directory().await.context("migrating the directory failed")?;
    Ok(App::new(regions, config.settings(), config.mail_limits.clone()))
}

/// The configured subprocessor register is published when its version is new; with none configured, the shipped
/// example is, if no version is kept yet.
async fn publish_register(app: &App, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    use parley_app::privacy::subprocessors;
    let text = match file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the subprocessor register {}", path.display()))?,
        None if subprocessors::history(app).await.map_err(|e| anyhow::anyhow!("{e}"))?.is_empty() => {
            subprocessors::EXAMPLE.to_string()
        }
        None => return Ok(()),
    };
    let named = file.map(|p| p.display().to_string()).unwrap_or_else(|| "the example".into());
    let register = subprocessors::parse(&text).map_err(|e| anyhow::anyhow!("subprocessor register {named}: {e}"))?;
    subprocessors::publish(app, register).await.map_err(|e| anyhow::anyhow!("subprocessor register {named}: {e}"))?;
    Ok(())
}

/// The configured data processing agreement is published when its version is new; with none configured, the
/// shipped example is, if no version is kept yet.
async fn publish_dpa(app: &App, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    use parley_app::privacy::dpa;
    let text = match file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("cannot read the agreement {}", path.display()))?
        }
        None if dpa::current(app).await.map_err(|e| anyhow::anyhow!("{e}"))?.is_none() => dpa::EXAMPLE.to_string(),
        None => return Ok(()),
    };
    let named = file.map(|p| p.display().to_string()).unwrap_or_else(|| "the example".into());
    let parsed = dpa::parse(&text).map_err(|e| anyhow::anyhow!("agreement {named}: {e}"))?;
    dpa::publish(app, parsed).await.map_err(|e| anyhow::anyhow!("agreement {named}: {e}"))?;
    Ok(())
}

impl Application {
    /// Everything that can fail at start fails here, before anything is served: bad configuration, unreachable
    /// databases, failed migrations, a taken port.
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
        let address = listener.local_addr()?;
        if config.listen.port() == 0 && config.public_port == Some(0) {
            // Asked for any free port: links carry the one we got.
            config.public_port = Some(address.port());
        }
        let smtp = TcpListener::bind(config.smtp_listen)
            .await
            .with_context(|| format!("cannot receive mail on {}", config.smtp_listen))?;
        let smtp_address = smtp.local_addr()?;
        let lmtp = match config.lmtp_listen {
            Some(a) => Some(TcpListener::bind(a).await.with_context(|| format!("cannot receive LMTP on {a}"))?),
            None => None,
        };
        let smtp_tls = match &config.smtp_tls {
            Some((cert, key)) => Some(parley_mail::load_tls(cert, key).with_context(|| {
                format!("the mail receiver's certificate {} or key {} cannot be used", cert.display(), key.display())
            })?),
            None => None,
        };
        let app = open_app(&config).await?;
        for (db, applied) in app.regions.migrate(false).await.context("migrating the databases failed")? {
            if !applied.is_empty() {
                tracing::info!(database = %db, versions = ?applied, "migrated");
            }
        }
        publish_register(&app, config.subprocessors.as_deref()).await?;
        publish_dpa(&app, config.dpa.as_deref()).await?;
        Ok(Application { listener, address, smtp, smtp_address, lmtp, smtp_tls, app, config })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where mail is received (SMTP).
    pub fn smtp_address(&self) -> SocketAddr {
        self.smtp_address
    }

    /// Where LMTP is received, when it is.
    pub fn lmtp_address(&self) -> Option<SocketAddr> {
        self.lmtp.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn app(&self) -> Arc<App> {
        self.app.clone()
    }

    /// Serve until `shutdown` completes; then close the sockets, finish the requests in flight, stop the workers
    /// and close the databases, within a few seconds however busy the server is.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let policy = DeliveryPolicy {
            retry_delays: self.config.webhook_retry_delays.clone(),
            allow_private: self.config.webhook_allow_private,
            ..DeliveryPolicy::default()
        };
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(run_worker(self.app.clone(), policy, stop_rx.clone()));
        tasks.spawn(email::run_ingest(self.app.clone(), stop_rx.clone()));
        let send =
            SendPolicy { relay: self.config.smtp_relay.clone(), retry_delays: self.config.mail_retry_delays.clone() };
        tasks.spawn(email::run_sender(self.app.clone(), send, stop_rx.clone()));
        tasks.spawn(crate::imap_poller::run(self.app.clone(), self.config.imap_every, stop_rx.clone()));
        tasks.spawn(run_retention(self.app.clone(), self.config.retention_every, stop_rx.clone()));
        tasks.spawn(run_routing(self.app.clone(), stop_rx.clone()));
        tasks.spawn(run_indexer(self.app.clone(), stop_rx.clone()));
        tasks.spawn(parley_app::sla_watch::run_watch(self.app.clone(), stop_rx.clone()));
        tasks.spawn(parley_app::triggers::runner::run_triggers(self.app.clone(), stop_rx.clone()));
        tasks.spawn(parley_app::assignment::runner::run_assignment(self.app.clone(), stop_rx.clone()));
        tasks.spawn(parley_app::voice::recordings::run_recordings(self.app.clone(), stop_rx.clone()));
        let every = self.config.automation_every;
        tasks.spawn(parley_app::automations::runner::run_automations(self.app.clone(), every, stop_rx.clone()));
        // Only PostgreSQL carries news between processes; SQLite regions stay closed until they hold an account.
        let shared =
            self.app.regions.served().filter(|c| c.spec.database.engine() == parley_store_sql::Engine::Postgres);
        for cell in shared {
            let store = cell.store().await?;
            match store.ticket_signals().await {
                Ok(Some(signals)) => {
                    tasks.spawn(relay_ticket_signals(self.app.clone(), store.clone(), signals, stop_rx.clone()));
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(region = %cell.spec.name, error = %e, "ticket news from other processes will not show live")
                }
            }
            match store.chat_signals().await {
                Ok(Some(signals)) => {
                    tasks.spawn(relay_chat_signals(self.app.clone(), signals, stop_rx.clone()));
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(region = %cell.spec.name, error = %e, "chat news from other processes arrive by polling")
                }
            }
        }
        let mut listeners = vec![(self.smtp, false)];
        listeners.extend(self.lmtp.map(|l| (l, true)));
        for (listener, lmtp) in listeners {
            let mut smtp = SmtpConfig::new(self.config.mail_domain.clone());
            smtp.lmtp = lmtp;
            smtp.tls = self.smtp_tls.clone();
            smtp.max_message_bytes = self.app.mail.max_message_bytes;
            // RFC 5321 caps text lines at 1,000 octets, but mail from real clients (HTML above all) often has longer
            // ones; refusing it would lose customers' mail.
            smtp.max_line_bytes = 256 * 1024;
            let sink = Arc::new(AccountsSink { app: self.app.clone(), source: if lmtp { "lmtp" } else { "smtp" } });
            let stop = stop_rx.clone();
            tasks.spawn(async move {
                if let Err(e) = parley_mail::serve(listener, smtp, sink, stop).await {
                    tracing::error!(error = %e, "the mail receiver stopped");
                }
            });
        }
        let web = WebSettings { trusted_proxies: self.config.trusted_proxies.clone(), ..WebSettings::default() };
        let state = AppState::new(self.app.clone(), web);
        let router = parley_web::router(state);
        let (told_tx, mut told) = watch::channel(false);
        let app = self.app.clone();
        let shutdown = async move {
            shutdown.await;
            // Sockets and long polls would hold the stop up for as long as their clients stay: they end now (their
            // clients connect again), while the requests in flight finish.
            app.chat.stop();
            let _ = told_tx.send(true);
        };
        let serving = std::future::IntoFuture::into_future(
            axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown),
        );
        let served = tokio::select! {
            served = serving => served,
            _ = async {
                if told.wait_for(|t| *t).await.is_err() {
                    std::future::pending::<()>().await;
                }
                tokio::time::sleep(REQUESTS_WITHIN).await;
            } => {
                tracing::warn!("requests still in flight {REQUESTS_WITHIN:?} after the stop; stopping anyway");
                Ok(())
            }
        };
        let _ = stop_tx.send(true);
        // Sockets clear what they recorded (an agent's presence) and workers finish the item in hand before the
        // databases close. What has not finished by then is dropped: nothing acknowledged is lost, since a write is
        // acknowledged only once committed, and the writer commits everything queued before it stops.
        let app = &self.app;
        let wound_down = tokio::time::timeout(WIND_DOWN_WITHIN, async {
            app.chat.sockets_closed().await;
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if wound_down.is_err() {
            tracing::warn!(
                "sockets or background work still busy {WIND_DOWN_WITHIN:?} after the requests; stopping them"
            );
            tasks.shutdown().await;
        }
        self.app.regions.close().await;
        served.context("the HTTP server failed")
    }
}

/// Wakes this process's chat readers when another process sharing a region's PostgreSQL appended to a
/// conversation, moved routing, or has someone typing.
async fn relay_chat_signals(
    app: Arc<App>,
    mut signals: tokio::sync::mpsc::Receiver<parley_store_sql::ChatSignal>,
    mut stop: watch::Receiver<bool>,
) {
    use parley_store_sql::ChatSignal;
    loop {
        tokio::select! {
            s = signals.recv() => match s {
                Some(ChatSignal::Chat(account, t)) => {
                    app.chat.publish(t);
                    app.chat.publish_to_account(account, t);
                }
                Some(ChatSignal::Routing(account)) => app.chat.publish_routing(account),
                Some(ChatSignal::Typing(account, t, who)) => app.chat.typing(account, t, who),
                Some(ChatSignal::Lost) => app.chat.publish_all(),
                None => return,
            },
            _ = stop.changed() => return,
        }
    }
}

/// Tells this process's agents' sockets of tickets another process sharing a region's PostgreSQL wrote (read once
/// here for all of them) and of changed viewers.
async fn relay_ticket_signals(
    app: Arc<App>,
    store: parley_store_sql::SqlStore,
    mut signals: tokio::sync::mpsc::Receiver<parley_store_sql::TicketSignal>,
    mut stop: watch::Receiver<bool>,
) {
    use parley_store::TicketStore;
    use parley_store_sql::TicketSignal;
    loop {
        tokio::select! {
            s = signals.recv() => match s {
                Some(TicketSignal::News(mut n)) => {
                    match store.get_ticket(n.account_id, n.ticket_id).await {
                        Ok(t) => n.ticket = t.map(Arc::new),
                        Err(e) => tracing::warn!(error = %e, "could not read a ticket another process wrote"),
                    }
                    app.chat.publish_ticket(n);
                }
                Some(TicketSignal::Viewers(account, t)) => app.chat.publish_viewers(account, t),
                Some(TicketSignal::Lost) => app.chat.resync_all(),
                None => return,
            },
            _ = stop.changed() => return,
        }
    }
}

/// Applies the accounts' retention policies now and then, until told to stop.
async fn run_retention(app: Arc<App>, every: std::time::Duration, mut stop: watch::Receiver<bool>) {
    loop {
        match parley_app::privacy::retention::apply_all(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(tickets = n, "retention policies erased expired tickets"),
            Err(e) => tracing::warn!(error = %e, "could not apply retention policies"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Rings agents for waiting chats (a chat that rang out rings the next agent) and says that this process is
/// alive, so that the agents' sockets it holds keep counting, until told to stop.
async fn run_routing(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let alive_every = app.settings.chat_liveness / 3;
    let mut last_alive: Option<tokio::time::Instant> = None;
    loop {
        if last_alive.is_none_or(|t| t.elapsed() >= alive_every) {
            if let Err(e) = parley_app::chat::routing::still_alive(&app).await {
                tracing::warn!(error = %e, "could not say that this process is alive");
            }
            last_alive = Some(tokio::time::Instant::now());
        }
        if let Err(e) = parley_app::chat::routing::route_all(&app).await {
            tracing::warn!(error = %e, "could not route waiting chats");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Writes the search documents of changed tickets, a batch at a time, looking for more four times a second, until
/// told to stop: a change is searchable within a second.
async fn run_indexer(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    loop {
        let pause = match parley_app::search::index_dirty(&app).await {
            Ok(0) => std::time::Duration::from_millis(250),
            Ok(_) => std::time::Duration::ZERO,
            Err(e) => {
                tracing::warn!(error = %e, "could not index changed tickets");
                std::time::Duration::from_secs(5)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
