//! Bulk actions: one change applied to many tickets, each in its own unit of work through the same path as a
//! change to one ticket, so each is evented, sent to webhooks and versioned exactly as a single change is.

use super::actions::check_references;
use super::macros::{apply_checked, get_macro};
use crate::tickets::{change_ticket, checked_patch, merge_tickets, visible_ticket, UpdateTicket};
use crate::{AccountCtx, App, AppError, Caller};
use futures_util::stream::{self, StreamExt};
use parley_domain::ids::{MacroId, TicketId};
use parley_domain::ticket::{Status, Ticket, TicketPatch};
use parley_domain::Invalid;
use std::collections::{HashMap, HashSet};

/// The most tickets one bulk action names.
pub const MAX_BULK: usize = 1000;

/// Tickets changed at once: enough to keep SQLite's group commit and PostgreSQL's pool busy, few enough to leave
/// room for everyone else.
const CONCURRENCY: usize = 8;

/// What a bulk action does to each ticket.
pub enum BulkOperation {
    /// Field changes, as a `PATCH` of one ticket takes them.
    Change(UpdateTicket),
    /// A macro's reply and changes.
    Macro(MacroId),
    /// Merge each ticket into this one.
    MergeInto(TicketId),
    /// Mark as spam: the status `spam`.
    Spam,
}

/// A ticket that did not change, and why.
pub struct BulkFailure {
    /// As given (an id that does not parse is reported as given).
    pub id: String,
    pub error: AppError,
}

pub struct BulkOutcome {
    /// In the order given.
    pub updated: Vec<TicketId>,
    pub failed: Vec<BulkFailure>,
}

enum Prepared {
    Patch(TicketPatch),
    Macro(parley_domain::canned::Macro),
    MergeInto(TicketId),
}

/// Apply one operation to each ticket named. The request as a whole is refused (nothing changes) when it names
/// no ticket or more than [`MAX_BULK`], or when the operation itself is invalid; otherwise every ticket is tried,
/// and those that cannot change (not found or not visible to the caller, closed, merged, …) are reported.
#[tracing::instrument(skip_all, fields(account = %ctx.slug, tickets = ids.len()))]
pub async fn bulk_update(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ids: Vec<String>,
    op: BulkOperation,
) -> Result<BulkOutcome, AppError> {
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(Invalid::field("ids", format!("give 1 to {MAX_BULK} ticket ids (got {})", ids.len())).into());
    }
    let prepared = match op {
        BulkOperation::Change(u) => Prepared::Patch(checked_patch(ctx, u).await.map_err(within_changes)?),
        BulkOperation::Spam => Prepared::Patch(TicketPatch { status: Some(Status::Spam), ..Default::default() }),
        BulkOperation::Macro(id) => {
            let m = match get_macro(ctx, caller, id).await {
                Err(AppError::NotFound) => return Err(Invalid::field("macro_id", "is not a macro you can use").into()),
                other => other?,
            };
            check_references(ctx, &m.actions).await?;
            Prepared::Macro(m)
        }
        BulkOperation::MergeInto(target) => {
            match visible_ticket(ctx, caller, target).await {
                Err(AppError::NotFound) => {
                    return Err(Invalid::field("merge_into", "is not a ticket you can see").into())
                }
                other => other?,
            };
            Prepared::MergeInto(target)
        }
    };

    // Each ticket once, whatever the spelling of its id (UUIDs parse in either case).
    let mut unique = HashSet::with_capacity(ids.len());
    let seen: Vec<String> = ids
        .into_iter()
        .filter(|id| unique.insert(TicketId::parse(id).map_or_else(|| id.clone(), |t| t.to_string())))
        .collect();
    // One read for all of them.
    let parsed: Vec<TicketId> = seen.iter().filter_map(|s| TicketId::parse(s)).collect();
    let mut found: HashMap<TicketId, Ticket> = ctx
        .store
        .get_tickets(ctx.account_id, &parsed)
        .await?
        .into_iter()
        .filter(|t| caller.can_see(t))
        .map(|t| (t.id, t))
        .collect();
    let jobs: Vec<(String, Option<Ticket>)> = seen
        .into_iter()
        .map(|s| {
            let t = TicketId::parse(&s).and_then(|id| found.remove(&id));
            (s, t)
        })
        .collect();
    let prepared = &prepared;
    let results: Vec<(usize, String, Result<TicketId, AppError>)> = stream::iter(jobs.into_iter().enumerate())
        .map(|(i, (given, ticket))| async move {
            let r = match ticket {
                // Another account's, invisible, or no ticket at all: the same answer, and nothing changes.
                None => Err(AppError::NotFound),
                Some(t) => one(app, ctx, caller, prepared, t).await,
            };
            (i, given, r)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut results = results;
    results.sort_by_key(|(i, ..)| *i);
    let mut out = BulkOutcome { updated: Vec::new(), failed: Vec::new() };
    for (_, given, r) in results {
        match r {
            Ok(id) => out.updated.push(id),
            Err(error) => out.failed.push(BulkFailure { id: given, error }),
        }
    }
    Ok(out)
}

/// Field errors of the changes are reported under `changes.`.
fn within_changes(e: AppError) -> AppError {
    match e {
        AppError::Invalid(i) => AppError::Invalid(i.within("changes")),
        other => other,
    }
}

async fn one(app: &App, ctx: &AccountCtx, caller: &Caller, op: &Prepared, t: Ticket) -> Result<TicketId, AppError> {
    let id = t.id;
    match op {
        Prepared::Patch(p) => change_ticket(ctx, caller, id, p, Some(t)).await.map(|_| id),
        Prepared::Macro(m) => apply_checked(app, ctx, caller, m, t).await.map(|_| id),
        Prepared::MergeInto(target) => merge_tickets(ctx, caller, *target, &[id]).await.map(|_| id),
    }
}
