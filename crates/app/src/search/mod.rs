//! Searching tickets: the use case agents and the API call, and the indexer that keeps the index in step with the
//! tickets (every change marks its ticket; the indexer writes the ticket's document again within a second).

mod backlog;
mod indexer;

pub use backlog::{Backlog, Indexing, BEHIND_AT, REFUSE_AT};
pub use indexer::{index_dirty, reindex, Progress};

use crate::{AccountCtx, AppError, Caller};
use parley_domain::error::Checker;
use parley_domain::ids::AgentId;
use parley_domain::search::Query;
use parley_domain::ticket::{Status, Tag, Ticket};
use parley_domain::{Invalid, Timestamp};
use parley_store::TicketSearch;

/// A search as asked for; filters are optional.
#[derive(Default)]
pub struct SearchInput {
    pub q: String,
    /// The last word is a prefix (suggestions as the user types).
    pub as_you_type: bool,
    pub status: Vec<String>,
    /// An agent's id, or `none` for unassigned tickets.
    pub assignee: Option<String>,
    pub tag: Option<String>,
    /// `YYYY-MM-DD` or RFC 3339; `from` counts from its start, `to` to its end.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<u32>,
}

/// A ticket found, with a piece of its text around what matched (HTML-escaped, hits in `<mark>`).
pub struct Hit {
    pub ticket: Ticket,
    pub snippet: Option<String>,
}

fn day_or_time(field: &str, s: &str, end_of_day: bool) -> Result<Timestamp, Invalid> {
    if let Some(t) = Timestamp::parse(s) {
        return Ok(t);
    }
    let day = Timestamp::parse(&format!("{s}T00:00:00Z"))
        .ok_or_else(|| Invalid::field(field, "must be a date (YYYY-MM-DD) or a time (RFC 3339)"))?;
    Ok(if end_of_day { day.plus_seconds(86_400) } else { day })
}

/// The account's tickets the caller may see that match, best first.
pub async fn search_tickets(ctx: &AccountCtx, caller: &Caller, input: SearchInput) -> Result<Vec<Hit>, AppError> {
    let mut errs = Checker::new();
    let query = errs.check(Query::parse(&input.q, input.as_you_type));
    let status: Vec<Status> =
        input.status.iter().filter_map(|s| errs.check(Status::parse(s).map_err(|e| e.at("status")))).collect();
    let assignee = match input.assignee.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(a) => match AgentId::parse(a) {
            Some(a) => Some(Some(a)),
            None => {
                errs.add("assignee", "is not an agent's id (or none)");
                None
            }
        },
    };
    let tag = input.tag.as_deref().and_then(|t| errs.check(Tag::parse(t).map_err(|e| e.at("tag"))));
    let created_from = input.from.as_deref().and_then(|s| errs.check(day_or_time("from", s, false)));
    let created_to = input.to.as_deref().and_then(|s| errs.check(day_or_time("to", s, true)));
    let limit = input.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        errs.add("limit", "must be 1 to 100");
    }
    errs.finish()?;
    let Some(query) = query else { return Err(AppError::Internal(anyhow::anyhow!("checked query missing"))) };
    let search = TicketSearch {
        query: query.clone(),
        status,
        assignee,
        tag,
        created_from,
        created_to,
        departments: caller.visible_departments(),
        limit,
    };
    let found = ctx.store.search_tickets(ctx.account_id, &search).await?;
    // The page's tickets in one read rather than one per hit, put back in the order the index gave.
    let mut read = ctx.store.get_tickets(ctx.account_id, &found).await?;
    let mut tickets = Vec::with_capacity(found.len());
    for id in found {
        let Some(at) = read.iter().position(|t| t.id == id) else { continue };
        let ticket = read.swap_remove(at);
        // Found by the index, shown only if the caller may see it now (a grant limited to some tickets, say).
        if caller.can_see(&ticket) {
            tickets.push(ticket);
        }
    }
    // The messages of hits whose subject shows nothing, in one read for the page rather than one per hit.
    let need: Vec<_> = tickets.iter().filter(|t| query.snippet(&t.subject, 160).is_none()).map(|t| t.id).collect();
    let bodies = ctx.store.message_bodies(ctx.account_id, &need).await?;
    let hits = tickets
        .into_iter()
        .map(|ticket| {
            let snippet = query.snippet(&ticket.subject, 160).or_else(|| {
                bodies.iter().filter(|(t, _)| *t == ticket.id).find_map(|(_, body)| query.snippet(body, 160))
            });
            Hit { ticket, snippet }
        })
        .collect();
    Ok(hits)
}
