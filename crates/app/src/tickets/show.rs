//! One ticket with its requester and timeline.

use super::visible_ticket;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::contact::Contact;
use parley_domain::ids::TicketId;
use parley_domain::ticket::{Ticket, TicketNumber};
use parley_store::Timeline;

pub struct TicketDetail {
    pub ticket: Ticket,
    pub requester: Option<Contact>,
    pub timeline: Timeline,
}

pub async fn get_ticket(ctx: &AccountCtx, caller: &Caller, id: TicketId) -> Result<TicketDetail, AppError> {
    let ticket = visible_ticket(ctx, caller, id).await?;
    detail(ctx, ticket).await
}

pub async fn get_ticket_by_number(
    ctx: &AccountCtx,
    caller: &Caller,
    number: TicketNumber,
) -> Result<TicketDetail, AppError> {
    let ticket = ctx.store.get_ticket_by_number(ctx.account_id, number).await?.ok_or(AppError::NotFound)?;
    if !caller.can_see(&ticket) {
        return Err(AppError::NotFound);
    }
    detail(ctx, ticket).await
}

pub(crate) async fn detail(ctx: &AccountCtx, ticket: Ticket) -> Result<TicketDetail, AppError> {
    let requester = ctx.store.get_contact(ctx.account_id, ticket.requester_id).await?;
    let timeline = ctx.store.timeline(ctx.account_id, ticket.id).await?;
    Ok(TicketDetail { ticket, requester, timeline })
}

/// One entry of a ticket's timeline.
pub enum TimelineItem<'a> {
    Message(&'a parley_domain::message::Message),
    Event(&'a parley_domain::message::TicketEvent),
}

/// Messages and events in the order they happened. At the same instant the ticket's creation comes first, then
/// messages, then the changes a message caused (a reply that opens the ticket).
pub fn in_order(t: &Timeline) -> Vec<TimelineItem<'_>> {
    use parley_domain::event::EventKind;
    let mut items: Vec<(i64, u8, TimelineItem<'_>)> = Vec::new();
    for m in &t.messages {
        items.push((m.created_at.millis(), 1, TimelineItem::Message(m)));
    }
    for e in &t.events {
        let rank = if matches!(e.kind, EventKind::Created) { 0 } else { 2 };
        items.push((e.created_at.millis(), rank, TimelineItem::Event(e)));
    }
    items.sort_by_key(|(at, rank, _)| (*at, *rank));
    items.into_iter().map(|(_, _, i)| i).collect()
}

/// The ticket with this number, if the caller may see it, without its timeline.
pub async fn find_by_number(ctx: &AccountCtx, caller: &Caller, number: TicketNumber) -> Result<Ticket, AppError> {
    let ticket = ctx.store.get_ticket_by_number(ctx.account_id, number).await?.ok_or(AppError::NotFound)?;
    if caller.can_see(&ticket) {
        Ok(ticket)
    } else {
        Err(AppError::NotFound)
    }
}
