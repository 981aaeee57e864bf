//! Messages in a ticket's timeline: public replies and internal notes.

use crate::event::{Actor, EventKind};
use crate::ids::{AccountId, MessageId, TicketEventId, TicketId};
use crate::ticket::Channel;
use crate::{Invalid, Timestamp};
use serde::Serialize;

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
