//! Splitting a customer's message off into a ticket of its own: when one mail asks two things, each gets its own
//! ticket, status and agent. The new ticket starts with that message, from the same customer, on the same channel
//! (so an email reply still goes by mail); the original keeps its message and gets an internal note pointing to
//! the new ticket, so the conversation reads whole on both sides.

use super::{add_message, open_ticket, visible_ticket, NewMessage, OpenTicket, RequesterInput};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::event::Actor;
use parley_domain::ids::{MessageId, TicketId};
use parley_domain::ticket::{Channel, Ticket};
use parley_domain::Invalid;

/// The longest subject a split ticket takes over before its "(from #N)" note.
const SUBJECT_CHARS: usize = 200;

#[tracing::instrument(skip_all, fields(account = %ctx.slug, ticket = %id))]
pub async fn split_message(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    message_id: MessageId,
) -> Result<Ticket, AppError> {
    let original = visible_ticket(ctx, caller, id).await?;
    original.ensure_open_for_change()?;
    let timeline = ctx.store.timeline(ctx.account_id, id).await?;
    let message = timeline.messages.into_iter().find(|m| m.id == message_id).ok_or(AppError::NotFound)?;
    let Actor::Contact(customer) = message.author else {
        return Err(Invalid::field("message_id", "only a customer's message starts a ticket of its own").into());
    };
    if message.internal {
        return Err(Invalid::field("message_id", "an internal note starts no ticket").into());
    }
    let subject: String = original.subject.chars().take(SUBJECT_CHARS).collect();
    let open = OpenTicket {
        subject: format!("{subject} (from #{})", original.number.0),
        body: message.body.clone(),
        requester: RequesterInput::Id(customer),
        status: None,
        priority: Some(original.priority.as_str().to_string()),
        // A chat's conversation stays with its ticket; what is split off it is answered on the web.
        channel: Some(if original.channel == Channel::Chat { Channel::Web } else { original.channel }.as_str().into()),
        tags: original.tags.iter().map(|t| t.as_str().to_string()).collect(),
        assignee_id: None,
        department_id: original.department_id,
        custom_fields: Default::default(),
    };
    let (ticket, _, _) = open_ticket(app, ctx, caller, open).await?;
    let note = NewMessage {
        body: format!("Split into #{}: {}", ticket.number.0, ticket.subject),
        internal: true,
        client_id: None,
        cc: Vec::new(),
        attachments: Vec::new(),
    };
    add_message(app, ctx, caller, id, note).await?;
    Ok(ticket)
}
