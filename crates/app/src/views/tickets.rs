//! A view's tickets, a page at a time, with the view's count.

use super::saved::get_view;
use super::{resolve, FilterNames};
use crate::tickets::{list_tickets, ListTickets, Page};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::ticket::Ticket;
use parley_domain::view::Sort;
use parley_store::{TicketCount, TicketCursor};

pub struct ViewPage {
    pub page: Page<Ticket>,
    pub count: TicketCount,
    /// The view's name and kind (`built_in`, `department`, `saved`), for the page that shows it.
    pub name: String,
    pub kind: &'static str,
    /// The saved view itself (its columns, owner, sharing), for a saved view.
    pub saved: Option<parley_domain::view::SavedView>,
    /// The order the page is in: the one asked for, else the view's own.
    pub sort: Sort,
}

/// The view's tickets in its order (or in `sort`, when given), from `after`.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn view_tickets(
    ctx: &AccountCtx,
    caller: &Caller,
    id: &str,
    sort: Option<Sort>,
    after: Option<TicketCursor>,
    limit: u32,
) -> Result<ViewPage, AppError> {
    let view = get_view(ctx, caller, id).await?;
    let sort = sort.or(view.saved.as_ref().map(|v| v.sort)).unwrap_or_default();
    let filter = match resolve(ctx, caller, &view.filters, FilterNames::Json, false).await {
        Ok(f) => f,
        // A saved filter that no longer resolves (a custom field was removed) shows nothing rather than failing.
        Err(AppError::Invalid(_)) => {
            return Ok(ViewPage {
                page: Page { items: Vec::new(), next: None },
                count: TicketCount { count: 0, capped: false },
                name: view.name,
                kind: view.kind,
                saved: view.saved,
                sort,
            })
        }
        Err(e) => return Err(e),
    };
    let page =
        list_tickets(ctx, caller, ListTickets { filter, sort: sort.key, descending: sort.descending, after, limit })
            .await?;
    Ok(ViewPage { page, count: view.count, name: view.name, kind: view.kind, saved: view.saved, sort })
}
