//! The result of reading a message: what the rest of Parley needs, as owned plain data.

use crate::auto::AutoKind;
use crate::bounce::Bounce;

/// A person or system in an address header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, decoded and on one line; `None` when absent or empty.
    pub name: Option<String>,
    /// The address as written, trimmed, with its domain lowercased (the local part is case-sensitive in theory).
    pub email: String,
}

/// A file carried by the message, already decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Passed through [`crate::safe_filename`]: safe to show and to offer for download.
    pub filename: String,
    /// `type/subtype`, lowercase. Text attachments were decoded to UTF-8 by the MIME parser, so their type says
    /// `charset=utf-8` whatever the sender's charset was.
    pub content_type: String,
    /// The Content-ID without angle brackets, for `cid:` references from the HTML body.
    pub content_id: Option<String>,
    /// Meant to be shown inside the body (inline disposition, or referenced by Content-ID).
    pub inline: bool,
    pub data: Vec<u8>,
}

/// Everything Parley takes from one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    /// Without angle brackets.
    pub in_reply_to: Vec<String>,
    /// Without angle brackets, oldest first as written.
    pub references: Vec<String>,
    /// Decoded (RFC 2047), on one line, trimmed, control characters removed; empty when there is none.
    pub subject: String,
    pub from: Option<Mailbox>,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// The Date header as Unix milliseconds.
    pub date_ms: Option<i64>,
    /// The best plain-text body: text/plain when present, else text derived from the HTML; empty when neither.
    pub text: String,
    /// The HTML body as received. Not sanitized: pass it through [`crate::sanitize_html`] before showing it.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub auto: AutoKind,
    pub bounce: Option<Bounce>,
    /// The first Content-Language tag, lowercase.
    pub language: Option<String>,
    /// What was dropped or could not be decoded, in words an agent can read.
    pub notes: Vec<String>,
}
