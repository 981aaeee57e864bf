//! The boundary between the receiver and the rest of Parley.
//!
//! The receiver knows protocol, not accounts: whether an address exists and where a message goes are the sink's
//! questions. Keeping that behind one narrow trait lets the SMTP edge be tested with a fake and lets the app crate
//! decide delivery without knowing SMTP.

use std::net::SocketAddr;

/// What the sink says about one `RCPT TO` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RcptVerdict {
    /// The address is ours; the message may be sent.
    Accept,
    /// Permanent refusal. `code` should be a 5xx reply code and `enhanced` an RFC 3463 code such as `"5.1.1"`;
    /// values outside those shapes are replaced by `550` / `5.1.1` so a sink cannot break the protocol.
    Reject { code: u16, enhanced: &'static str, text: String },
    /// Try again later (answered `451`), for example while the store is unreachable.
    TempFail { text: String },
}

/// The SMTP envelope of one message: who said what before `DATA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The argument of the last `EHLO`/`HELO`/`LHLO`, as the client gave it (unverified).
    pub helo: String,
    /// The reverse path with angle brackets removed; `None` for the null sender `<>` (bounces, auto-replies).
    pub mail_from: Option<String>,
    /// Accepted recipients in the order they were given, duplicates kept (LMTP answers each one).
    pub rcpt_to: Vec<String>,
    /// The client's address.
    pub peer: SocketAddr,
    /// Whether the message arrived over TLS (after `STARTTLS`).
    pub tls: bool,
}

/// The outcome of delivering one message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Stored durably under `id` (shown to the client as the queue id).
    Ok { id: String },
    /// Not stored; the client should retry later.
    TempFail(String),
    /// Not stored and never will be for this recipient.
    Reject(String),
}

/// Where received mail goes. Implemented by the app crate; tests use a fake.
#[async_trait::async_trait]
pub trait MailSink: Send + Sync + 'static {
    /// Called at RCPT TO with the address as given (angle brackets removed).
    async fn check_recipient(&self, rcpt: &str) -> RcptVerdict;
    /// The message is complete. Return one result per envelope recipient, in order, only once it is stored durably.
    ///
    /// `raw` is the message as received: dot-stuffing undone, line endings as the client sent them. A result list
    /// of the wrong length is treated as a temporary failure for the recipients it does not cover.
    async fn deliver(&self, envelope: &Envelope, raw: &[u8]) -> Vec<Delivered>;
}
