//! Every view the caller has, with its count.

use super::{resolve, FilterNames, COUNT_CAP};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::view::{department_filters, BuiltIn, SavedView, ViewFilters};
use parley_store::TicketCount;

/// A view in the list: a built-in one (`my_open`), a department's (`department:<id>`) or a saved one.
pub struct ViewSummary {
    pub id: String,
    pub name: String,
    /// `built_in`, `department` or `saved`.
    pub kind: &'static str,
    pub count: TicketCount,
    pub filters: ViewFilters,
    pub saved: Option<SavedView>,
}

/// A view in the workspace's left column: what it is called and what it holds, not yet counted.
pub type ViewEntry = (String, String, &'static str, ViewFilters, Option<SavedView>);

/// The built-in views, one per department the caller sees, then the shared views and the caller's own — without
/// counting them, for a page that must answer before its counts (the page's script reads them after).
#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn view_entries(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<ViewEntry>, AppError> {
    let mut out = Vec::new();
    for b in BuiltIn::ALL {
        // "My open" means nothing to a caller who is no agent (an API key of nobody's, support staff).
        if b == BuiltIn::MyOpen && super::me(caller).is_none() {
            continue;
        }
        out.push((b.id().to_string(), b.name().to_string(), "built_in", b.filters(), None));
    }
    let visible = caller.visible_departments().or(caller.only_departments());
    for d in ctx.store.list_departments(ctx.account_id).await? {
        if visible.as_ref().is_none_or(|v| v.contains(&d.id)) {
            out.push((format!("department:{}", d.id), d.name.clone(), "department", department_filters(d.id), None));
        }
    }
    for v in ctx.store.list_views(ctx.account_id, super::me(caller)).await? {
        out.push((v.id.to_string(), v.name.clone(), "saved", v.filters.clone(), Some(v)));
    }
    Ok(out)
}

/// The built-in views, one per department the caller sees, then the shared views and the caller's own, each with
/// how many tickets it holds for the caller.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn list_views(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<ViewSummary>, AppError> {
    let out = view_entries(ctx, caller).await?;
    // The counts at once, each on its own connection: the list answers in about the time of its slowest count.
    let mut counting = tokio::task::JoinSet::new();
    for (i, (_, _, _, filters, _)) in out.iter().enumerate() {
        let (ctx, caller, filters) = (ctx.clone(), caller.clone(), filters.clone());
        counting.spawn(async move { (i, count(&ctx, &caller, &filters).await) });
    }
    let mut counts = vec![TicketCount { count: 0, capped: false }; out.len()];
    while let Some(done) = counting.join_next().await {
        let (i, n) = done.map_err(|e| AppError::Internal(anyhow::anyhow!("counting a view: {e}")))?;
        if let Some(slot) = counts.get_mut(i) {
            *slot = n?;
        }
    }
    Ok(out
        .into_iter()
        .zip(counts)
        .map(|((id, name, kind, filters, saved), count)| ViewSummary { id, name, kind, count, filters, saved })
        .collect())
}

/// The view's tickets the caller sees, counted up to the cap.
pub(super) async fn count(ctx: &AccountCtx, caller: &Caller, f: &ViewFilters) -> Result<TicketCount, AppError> {
    let mut filter = match resolve(ctx, caller, f, FilterNames::Json, false).await {
        Ok(f) => f,
        // A saved filter that no longer resolves (its custom field was removed) shows nothing.
        Err(AppError::Invalid(_)) => return Ok(TicketCount { count: 0, capped: false }),
        Err(e) => return Err(e),
    };
    filter.visible_departments = caller.visible_departments();
    filter.only_departments = caller.only_departments();
    filter.only_tickets = caller.only_tickets();
    Ok(ctx.store.count_tickets(ctx.account_id, &filter, COUNT_CAP).await?)
}
