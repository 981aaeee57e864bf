//! One connection from greeting to close: reads commands and message text, writes replies, switches to TLS.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tracing::Instrument;

use crate::data::{self, DataLimits};
use crate::dialogue::{Dialogue, Step};
use crate::reply::Reply;
use crate::server::Shared;
use crate::wire::{Line, Wire, WireError};

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF included.
const MAX_COMMAND_LINE: usize = 512;

pub(crate) async fn run(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, shutdown: watch::Receiver<bool>) {
    let span = tracing::info_span!("mail_session", %peer, lmtp = shared.config.lmtp);
    drive(stream, peer, shared, shutdown).instrument(span).await;
}

async fn drive(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    tracing::info!("connected");
    let config = &shared.config;
    let host = config.hostname.as_str();
    let limits = DataLimits { max_bytes: config.max_message_bytes, max_line: config.max_line_bytes };
    let mut wire = Wire::new(stream, config.idle_timeout);
    let mut dialogue = Dialogue::new(shared.clone(), peer);

    let kind = if config.lmtp { "LMTP" } else { "ESMTP" };
    let greeting = Reply::new(220, format!("{host} {kind} Parley ready"));
    let end = 'session: {
        if wire.queue(&greeting).await.is_err() {
            break 'session "write failed";
        }
        loop {
            // Shutdown closes a session between transactions; one in a transaction is let finish.
            if *shutdown.borrow() && !dialogue.in_transaction() {
                let _ = wire.queue(&shutting_down(host)).await;
                break 'session "server shutting down";
            }
            let watch = if dialogue.in_transaction() { None } else { Some(&mut shutdown) };
            let step = match wire.read_line(MAX_COMMAND_LINE, watch).await {
                Ok(Line::Text(line)) => dialogue.command(&line).await,
                Ok(Line::TooLong) => dialogue.line_too_long(),
                Err(e) => break 'session farewell(&mut wire, e, host).await,
            };
            match step {
                Step::Reply(reply) => {
                    if wire.queue(&reply).await.is_err() {
                        break 'session "write failed";
                    }
                }
                Step::Close(reply) => {
                    let _ = wire.queue(&reply).await;
                    break 'session if reply.code == 221 { "quit" } else { "closed by server" };
                }
                Step::StartTls(reply) => {
                    let Some(acceptor) = shared.acceptor.as_ref() else {
                        break 'session "TLS not configured";
                    };
                    if wire.queue(&reply).await.is_err() {
                        break 'session "write failed";
                    }
                    wire = match wire.start_tls(acceptor).await {
                        Ok(wire) => wire,
                        Err(e) => {
                            tracing::info!(error = ?e, "TLS handshake failed");
                            return;
                        }
                    };
                    dialogue.tls_started();
                    tracing::debug!("TLS started");
                }
                Step::Data(reply) => {
                    if wire.queue(&reply).await.is_err() {
                        break 'session "write failed";
                    }
                    let outcome = match data::receive(&mut wire, limits).await {
                        Ok(outcome) => outcome,
                        Err(e) => {
                            tracing::info!("connection ended during DATA; nothing delivered");
                            break 'session farewell(&mut wire, e, host).await;
                        }
                    };
                    for reply in dialogue.message(outcome).await {
                        if wire.queue(&reply).await.is_err() {
                            break 'session "write failed";
                        }
                    }
                }
            }
        }
    };
    wire.close().await;
    tracing::info!(messages = dialogue.messages(), reason = end, "disconnected");
}

/// Says goodbye where there is someone to say it to, and names why the session ended.
async fn farewell(wire: &mut Wire, error: WireError, host: &str) -> &'static str {
    match error {
        WireError::Closed => "client closed the connection",
        WireError::Timeout => {
            let _ = wire.queue(&Reply::new(421, format!("4.4.2 {host} Idle timeout, closing connection"))).await;
            "idle timeout"
        }
        WireError::Shutdown => {
            let _ = wire.queue(&shutting_down(host)).await;
            "server shutting down"
        }
        WireError::Io(e) => {
            tracing::debug!(error = %e, "connection error");
            "connection error"
        }
    }
}

fn shutting_down(host: &str) -> Reply {
    Reply::new(421, format!("4.3.2 {host} Service shutting down, closing connection"))
}
