//! Merging tickets: each source closes, points at the target, and its messages move there.

use super::{payload, visible_ticket, RETRIES};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::ids::TicketId;
use parley_domain::message::TicketEvent;
use parley_domain::ticket::{Ticket, TicketRuleError};
use parley_domain::Invalid;
use parley_store::{StoreError, TicketChange};

#[tracing::instrument(skip_all, fields(account = %ctx.slug, target = %target))]
pub async fn merge_tickets(
    ctx: &AccountCtx,
    caller: &Caller,
    target: TicketId,
    sources: &[TicketId],
) -> Result<Ticket, AppError> {
    if sources.is_empty() || sources.len() > 20 {
        return Err(Invalid::field("ids", "give 1 to 20 tickets to merge").into());
    }
    if sources.contains(&target) {
        return Err(TicketRuleError::MergeIntoSelf.into());
    }
    let mut unique: Vec<TicketId> = Vec::with_capacity(sources.len());
    for s in sources {
        if !unique.contains(s) {
            unique.push(*s);
        }
    }
    let sources = unique;
    // Every ticket named must exist, be visible and be open to merging before anything is merged: a merge of
    // several tickets happens in full or not at all, as far as the rules go.
    let target_ticket = visible_ticket(ctx, caller, target).await?;
    target_ticket.ensure_open_for_change()?;
    for s in &sources {
        visible_ticket(ctx, caller, *s).await?.ensure_open_for_change()?;
    }
    for source in sources {
        merge_one(ctx, caller, source, target).await?;
    }
    visible_ticket(ctx, caller, target).await
}

async fn merge_one(ctx: &AccountCtx, caller: &Caller, source: TicketId, target: TicketId) -> Result<(), AppError> {
    for _ in 0..RETRIES {
        let mut s = visible_ticket(ctx, caller, source).await?;
        let mut t = visible_ticket(ctx, caller, target).await?;
        let (sv, tv) = (s.version, t.version);
        let now = ctx.now();
        let (into, from) = s.merge_into(&mut t, now)?;
        let actor = caller.actor();
        let s_change = TicketChange {
            outbox: vec![payload::updated(&s, std::slice::from_ref(&into))],
            events: vec![TicketEvent::new(ctx.account_id, s.id, actor, into, now)],
            ticket: s,
            expected_version: sv,
            message: None,
            mail: Vec::new(),
            chat: Vec::new(),
        };
        let t_change = TicketChange {
            outbox: vec![payload::updated(&t, std::slice::from_ref(&from))],
            events: vec![TicketEvent::new(ctx.account_id, t.id, actor, from, now)],
            ticket: t,
            expected_version: tv,
            message: None,
            mail: Vec::new(),
            chat: Vec::new(),
        };
        match ctx.store.save_merge(s_change, t_change).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}
