//! Settings of one listener.

use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls::ServerConfig;

/// How a listener behaves. Build with [`SmtpConfig::new`] and change the fields that differ.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The name this server gives in its greeting and replies.
    pub hostname: String,
    /// Largest message accepted, after dot-stuffing is undone; advertised as `SIZE`.
    pub max_message_bytes: usize,
    /// Most recipients in one transaction; further `RCPT` get `452` (RFC 5321 asks servers to take at least 100).
    pub max_recipients: usize,
    /// How long the server waits for each command, each piece of message data, and each write to the client.
    pub idle_timeout: Duration,
    /// Speak LMTP (RFC 2033, `LHLO`, one reply per recipient after `DATA`) instead of SMTP.
    pub lmtp: bool,
    /// Certificate and key for `STARTTLS`; `None` means the extension is not offered.
    pub tls: Option<Arc<ServerConfig>>,
    /// Sessions served at once; a connection beyond this is answered `421` and closed.
    pub max_sessions: usize,
    /// Longest line of message text in octets, CRLF included (RFC 5321 §4.5.3.1.6 sets 1000). A message with a
    /// longer line is refused with `500` once its end is read.
    pub max_line_bytes: usize,
    /// After shutdown is asked for, how long sessions may take to finish the transaction they are in before they
    /// are cut off.
    pub shutdown_grace: Duration,
}

impl SmtpConfig {
    /// Defaults: 30 MiB messages, 100 recipients, 5 minute idle timeout, SMTP, no TLS, 200 sessions, 1000-octet
    /// text lines, 30 s shutdown grace.
    pub fn new(hostname: impl Into<String>) -> Self {
        Self {
            hostname: hostname.into(),
            max_message_bytes: 30 * 1024 * 1024,
            max_recipients: 100,
            idle_timeout: Duration::from_secs(5 * 60),
            lmtp: false,
            tls: None,
            max_sessions: 200,
            max_line_bytes: 1000,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self::new("localhost")
    }
}
