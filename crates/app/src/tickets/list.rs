//! Listing tickets a page at a time.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::ticket::Ticket;
use parley_domain::Invalid;
use parley_store::{SortKey, SortValue, TicketCursor, TicketFilter, TicketQuery};

pub struct ListTickets {
    pub filter: TicketFilter,
    pub sort: SortKey,
    pub descending: bool,
    pub after: Option<TicketCursor>,
    /// 1–100.
    pub limit: u32,
}

pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next: Option<TicketCursor>,
}

pub async fn list_tickets(ctx: &AccountCtx, caller: &Caller, q: ListTickets) -> Result<Page<Ticket>, AppError> {
    let limit = q.limit.clamp(1, 100);
    if let Some(after) = &q.after {
        // A cursor of another order would compare a number with text: the client changed `sort` between pages.
        let text = matches!(after.value, SortValue::Text(_));
        if text != q.sort.is_text() {
            return Err(Invalid::field("page[after]", "belongs to another sort order; start again without it").into());
        }
    }
    let mut filter = q.filter;
    filter.visible_departments = caller.visible_departments();
    filter.only_departments = caller.only_departments();
    filter.only_tickets = caller.only_tickets();
    let query = TicketQuery { filter, sort: q.sort, descending: q.descending, after: q.after, limit: limit + 1 };
    let mut items = ctx.store.list_tickets(ctx.account_id, &query).await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = match items.last() {
        Some(last) if more => match TicketCursor::after(last, q.sort) {
            Some(c) => Some(c),
            // Ordered by a name: the store reads it as it compared it.
            None => ctx
                .store
                .sort_value(ctx.account_id, last.id, q.sort)
                .await?
                .map(|value| TicketCursor { value, id: last.id }),
        },
        _ => None,
    };
    Ok(Page { items, next })
}
