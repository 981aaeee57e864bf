//! A ticket a customer opens through a channel (chat, the chat's offline form, a phone call), as opposed to one an
//! agent or the API opens for them ([`super::open`]).

use super::payload;
use crate::AccountCtx;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{ContactId, DepartmentId, TicketId};
use parley_domain::message::{MessageContent, TicketEvent};
use parley_domain::ticket::{Channel, Priority, Status, Ticket, TicketNumber};
use parley_domain::Timestamp;
use parley_store::{NewTicket, Requester};

/// A new ticket a customer opens on a channel of theirs (a chat, the offline form's message, a call) with their
/// first message; the store fills in the number and the requester, and makes the requester the message's author.
/// Created by the system, and queued for the account's triggers like any creation.
pub(crate) fn customer_ticket(
    ctx: &AccountCtx,
    subject: String,
    channel: Channel,
    department_id: Option<DepartmentId>,
    requester: Requester,
    body: String,
    at: Timestamp,
) -> NewTicket {
    let id = TicketId::new();
    let author = match &requester {
        Requester::Existing(c) => Actor::Contact(*c),
        Requester::ByEmail { new_id, .. } => Actor::Contact(*new_id),
    };
    let ticket = Ticket {
        id,
        account_id: ctx.account_id,
        number: TicketNumber(0),
        subject,
        status: Status::New,
        priority: Priority::Normal,
        channel,
        requester_id: ContactId::new(),
        assignee_id: None,
        department_id,
        tags: Vec::new(),
        custom_fields: Default::default(),
        merged_into: None,
        created_at: at,
        updated_at: at,
        first_response_at: None,
        version: 1,
    };
    NewTicket {
        message: MessageContent::new(channel, body).into_message(&ticket, author, at),
        ticket,
        requester,
        events: vec![TicketEvent::new(ctx.account_id, id, Actor::System, EventKind::Created, at)],
        outbox: payload::created,
        automated: Default::default(),
    }
}
