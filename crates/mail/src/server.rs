//! Accepting connections: one task per session, a cap on sessions, and an orderly shutdown.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::config::SmtpConfig;
use crate::session;
use crate::sink::MailSink;

/// What every session of one listener shares.
pub(crate) struct Shared {
    pub(crate) config: SmtpConfig,
    pub(crate) sink: Arc<dyn MailSink>,
    pub(crate) acceptor: Option<TlsAcceptor>,
}

/// Serve until `shutdown` turns true; then stop accepting, let sessions finish the transaction they are in (bounded
/// by a grace period), and return.
///
/// Sessions between transactions are told `421` and closed at once. When the grace period
/// ([`SmtpConfig::shutdown_grace`]) runs out, remaining sessions are cut off; a message whose transaction had not
/// ended was not acknowledged, so the client will send it again. If the sender of `shutdown` is dropped without
/// turning true, the server keeps serving.
pub async fn serve(
    listener: TcpListener,
    config: SmtpConfig,
    sink: Arc<dyn MailSink>,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let address = listener.local_addr()?;
    if config.hostname.is_empty() || config.hostname.contains(|c: char| c.is_whitespace() || c.is_control()) {
        let message = format!("mail hostname {:?} must be one word", config.hostname);
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    }
    let grace = config.shutdown_grace;
    let slots = Arc::new(Semaphore::new(config.max_sessions.min(Semaphore::MAX_PERMITS)));
    let acceptor = config.tls.clone().map(TlsAcceptor::from);
    let refusal = format!("421 4.3.2 {} Too many connections, try again later\r\n", config.hostname);
    tracing::info!(%address, lmtp = config.lmtp, tls = acceptor.is_some(), "mail listener started");
    let shared = Arc::new(Shared { config, sink, acceptor });
    let mut sessions = JoinSet::new();

    loop {
        tokio::select! {
            () = shutdown_requested(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                                Ok((stream, peer)) => match slots.clone().try_acquire_owned() {
                    Ok(slot) => {
                        // Replies are small and each waits for the client's next command: without this, Nagle's
                        // algorithm and the client's delayed ACK hold every reply back ~40 ms.
                        let _ = stream.set_nodelay(true);
                        let shared = shared.clone();
                        let shutdown = shutdown.clone();
                        sessions.spawn(async move {
                            session::run(stream, peer, shared, shutdown).await;
                            drop(slot);
                        });
                    }
                    Err(_) => refuse(&stream, peer, &refusal),
                },
                Err(e) => {
                    // Usually out of file descriptors: wait a little rather than spin, and keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(finished) = sessions.join_next(), if !sessions.is_empty() => report(finished),
        }
    }

    drop(listener);
    tracing::info!(%address, sessions = sessions.len(), "mail listener stopping");
    let drained = tokio::time::timeout(grace, async {
        while let Some(finished) = sessions.join_next().await {
            report(finished);
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(sessions = sessions.len(), "grace period over, cutting sessions off");
        sessions.shutdown().await;
    }
    tracing::info!(%address, "mail listener stopped");
    Ok(())
}

/// Resolves once shutdown is asked for; never, if the sender is gone without asking.
pub(crate) async fn shutdown_requested(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Tells a connection over the session cap to come back later. A fresh socket's send buffer is empty, so a
/// non-blocking write is enough and the accept loop never waits on a client.
fn refuse(stream: &TcpStream, peer: std::net::SocketAddr, refusal: &str) {
    tracing::warn!(%peer, "too many sessions, refusing connection");
    let _ = stream.try_write(refusal.as_bytes());
}

fn report(finished: Result<(), tokio::task::JoinError>) {
    if let Err(e) = finished {
        if e.is_panic() {
            tracing::error!(error = %e, "mail session panicked");
        }
    }
}
