//! Messages in a ticket's timeline: public replies and internal notes.

use crate::event::{Actor, EventKind};
use crate::ids::{AccountId, AttachmentId, MessageId, TicketEventId, TicketId};
use crate::ticket::Channel;
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

mod append;
pub use append::{append, Appended, MessageContent};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub ticket_id: TicketId,
    pub author: Actor,
    /// Internal notes are seen by agents only.
    pub internal: bool,
    pub body: String,
    pub channel: Channel,
    pub created_at: Timestamp,
    /// The HTML of an email, sanitized when it was received; shown in place of `body` when present.
    pub html: Option<String>,
    /// Quoted history and signature split off `body`, shown folded.
    pub quoted: Option<String>,
    /// For messages that arrived or left by email.
    pub email: Option<EmailInfo>,
    pub attachments: Vec<AttachmentInfo>,
}

/// What a message carried as email.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EmailInfo {
    /// The Message-ID header, without angle brackets.
    pub message_id: String,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// For mail Parley sends: queued, sent or failed.
    pub delivery: Option<Delivery>,
    /// What was dropped on the way in (oversized attachments, undecodable parts).
    pub notes: Vec<String>,
    /// Sent by a machine (an auto-responder, a bounce, a list): never answered automatically, by triggers neither.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automatic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    Queued { reason: Option<String> },
    Sent,
    Failed { reason: String },
}

/// A file that came with a message, stored in the account's region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// Shown inside the message (`cid:` images) rather than listed.
    pub inline: bool,
    #[serde(skip)]
    pub content_id: Option<String>,
}

/// A media type as `type/subtype` of plain token characters, lowercased; anything else (a header's parameters, a
/// made-up or hostile value) is a file of unknown kind. Files are served back with it, so it must be plain.
pub fn media_type(t: Option<&str>) -> String {
    let t = t.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match t.split_once('/') {
        Some((a, b)) if token(a) && token(b) => t,
        _ => "application/octet-stream".into(),
    }
}

/// The most people one reply copies.
pub const MAX_CC: usize = 20;

/// The people a reply copies, as typed: each a checked address, each once, at most [`MAX_CC`].
pub fn parse_cc(list: &[String]) -> Result<Vec<crate::email::EmailAddress>, Invalid> {
    let typed: Vec<&str> = list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    if typed.len() > MAX_CC {
        return Err(Invalid::field("cc", format!("at most {MAX_CC} addresses")));
    }
    let mut out = Vec::new();
    for s in typed {
        let a = crate::email::EmailAddress::parse(s).map_err(|e| e.at("cc"))?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

/// A message body: not empty, at most 64 KiB of text.
pub fn parse_body(s: &str) -> Result<String, Invalid> {
    let t = crate::text::checked_text("body", s, 65_536, true)?;
    if t.len() > 256 * 1024 {
        return Err(Invalid::field("body", "is too long"));
    }
    Ok(t)
}

/// One recorded change in a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TicketEvent {
    pub id: TicketEventId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub ticket_id: TicketId,
    pub actor: Actor,
    #[serde(flatten)]
    pub kind: EventKind,
    pub created_at: Timestamp,
}

impl TicketEvent {
    pub fn new(account_id: AccountId, ticket_id: TicketId, actor: Actor, kind: EventKind, at: Timestamp) -> Self {
        TicketEvent { id: TicketEventId::new(), account_id, ticket_id, actor, kind, created_at: at }
    }
}
