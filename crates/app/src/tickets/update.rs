//! Changing a ticket's fields.

use super::{check, payload, visible_ticket, RETRIES};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, DepartmentId, TicketId};
use parley_domain::message::TicketEvent;
use parley_domain::ticket::{parse_subject, Priority, Status, Tag, Ticket, TicketPatch};
use parley_store::{StoreError, TicketChange};
use serde_json::Value;
use std::collections::BTreeMap;

/// A change as asked for. `None` leaves a field alone; `Some(None)` clears it.
#[derive(Default)]
pub struct UpdateTicket {
    pub subject: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee_id: Option<Option<AgentId>>,
    pub department_id: Option<Option<DepartmentId>>,
    pub tags: Option<Vec<String>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub custom_fields: BTreeMap<String, Value>,
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, ticket = %id))]
pub async fn update_ticket(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    input: UpdateTicket,
) -> Result<Ticket, AppError> {
    // Whether the ticket exists (and is visible) comes first: a foreign id is 404 whatever the body says.
    visible_ticket(ctx, caller, id).await?;
    let patch = checked_patch(ctx, input).await?;
    change_ticket(ctx, caller, id, &patch, None).await
}

/// Apply a checked patch to a ticket and save it with its events and outbox, the one path every change to a
/// ticket's fields takes (a `PATCH`, a macro, a bulk action). `known` is the ticket as the caller already read it
/// (and found visible), which saves a read; if it changed meanwhile, it is read again.
pub(crate) async fn change_ticket(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    patch: &TicketPatch,
    mut known: Option<Ticket>,
) -> Result<Ticket, AppError> {
    for _ in 0..RETRIES {
        let mut ticket = match known.take() {
            Some(t) => t,
            None => visible_ticket(ctx, caller, id).await?,
        };
        let expected_version = ticket.version;
        let now = ctx.now();
        let kinds = ticket.apply(patch.clone(), now)?;
        if kinds.is_empty() {
            return Ok(ticket);
        }
        let outbox = vec![payload::updated(&ticket, &kinds)];
        let actor = caller.actor();
        let events = kinds.into_iter().map(|k| TicketEvent::new(ctx.account_id, id, actor, k, now)).collect();
        let change = TicketChange {
            ticket: ticket.clone(),
            expected_version,
            message: None,
            events,
            outbox,
            mail: Vec::new(),
            chat: Vec::new(),
        };
        match ctx.store.save_change(change).await {
            Ok(()) => {
                ticket.version += 1;
                return Ok(ticket);
            }
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}

pub(crate) async fn checked_patch(ctx: &AccountCtx, input: UpdateTicket) -> Result<TicketPatch, AppError> {
    let mut errs = Checker::new();
    let subject = input.subject.as_deref().map(|s| errs.check(parse_subject(s)));
    let status = input.status.as_deref().map(|s| errs.check(Status::parse(s)));
    let priority = input.priority.as_deref().map(|s| errs.check(Priority::parse(s)));
    let tags = input.tags.as_deref().map(|t| errs.check(Tag::parse_list(t)));
    let add_tags = errs.check(Tag::parse_list(&input.add_tags).map_err(|e| e.at("add_tags")));
    let remove_tags = errs.check(Tag::parse_list(&input.remove_tags).map_err(|e| e.at("remove_tags")));
    if let Some(a) = input.assignee_id {
        check::assignee(ctx, &mut errs, a).await?;
    }
    if let Some(d) = input.department_id {
        check::department(ctx, &mut errs, d).await?;
    }
    let custom_fields = check::custom_fields(ctx, &mut errs, input.custom_fields).await?;
    errs.finish()?;
    Ok(TicketPatch {
        subject: subject.flatten(),
        status: status.flatten(),
        priority: priority.flatten(),
        assignee_id: input.assignee_id,
        department_id: input.department_id,
        tags: tags.flatten(),
        add_tags: add_tags.unwrap_or_default(),
        remove_tags: remove_tags.unwrap_or_default(),
        custom_fields,
    })
}
