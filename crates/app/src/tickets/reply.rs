//! Adding a public reply or an internal note to a ticket.

use super::{payload, visible_ticket, RETRIES};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::ids::{MessageId, TicketId};
use parley_domain::message::{parse_body, Message, TicketEvent};
use parley_domain::ticket::{Channel, Ticket};
use parley_domain::Timestamp;
use parley_store::{StoreError, TicketChange};

pub struct NewMessage {
    pub body: String,
    pub internal: bool,
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, ticket = %id))]
pub async fn add_message(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    input: NewMessage,
) -> Result<(Ticket, Message), AppError> {
    let body = parse_body(&input.body)?;
    for _ in 0..RETRIES {
        let mut ticket = visible_ticket(ctx, caller, id).await?;
        ticket.ensure_open_for_change()?;
        let expected_version = ticket.version;
        let now = Timestamp::now();
        let author = caller.actor();
        let kinds = ticket.on_message(&author, input.internal, now);
        let message = Message {
            id: MessageId::new(),
            account_id: ctx.account_id,
            ticket_id: id,
            author,
            internal: input.internal,
            body: body.clone(),
            // Replies go out on the channel the conversation came in on; notes never leave.
            channel: if input.internal { Channel::Web } else { ticket.channel },
            created_at: now,
        };
        let mut outbox = vec![payload::message(&ticket, &message)];
        if !kinds.is_empty() {
            outbox.push(payload::updated(&ticket, &kinds));
        }
        let events = kinds.into_iter().map(|k| TicketEvent::new(ctx.account_id, id, author, k, now)).collect();
        let change =
            TicketChange { ticket: ticket.clone(), expected_version, message: Some(message.clone()), events, outbox };
        match ctx.store.save_change(change).await {
            Ok(()) => {
                ticket.version += 1;
                return Ok((ticket, message));
            }
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}
