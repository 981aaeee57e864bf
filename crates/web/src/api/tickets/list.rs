use super::TicketOut;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiCaller;
use axum::extract::{Query, State};

use axum::Json;
use parley_app::tickets::{decode_cursor, encode_cursor, list_tickets, ListTickets};
use parley_app::views::{resolve, FilterNames};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::ContactId;
use parley_domain::view::{Sort, ViewFilters};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TicketPage {
    tickets: Vec<TicketOut>,
    meta: PageMeta,
    links: PageLinks,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PageMeta {
    has_more: bool,
    /// Pass as `page[after]` for the next page.
    after_cursor: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PageLinks {
    next: Option<String>,
}

/// List tickets, newest activity first unless `sort` says otherwise, a page at a time.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("api_key" = [])),
    params(
        ("status" = Option<String>, Query, description = "One status or several, comma-separated: `open,pending`"),
        ("priority" = Option<String>, Query, description = "One priority or several, comma-separated: `high,urgent`"),
        ("assignee" = Option<String>, Query, description = "An agent id, `me` (the agent calling, or the agent the API key belongs to), `none` or `any`"),
        ("department" = Option<String>, Query, description = "A department id, or `none`"),
        ("tag" = Option<String>, Query, description = "Tickets with this tag"),
        ("requester" = Option<String>, Query, description = "A contact id or email address"),
        ("company" = Option<String>, Query, description = "A company id: tickets whose requester belongs to it"),
        ("channel" = Option<String>, Query, description = "email, chat, phone, web or api"),
        ("field[key]" = Option<String>, Query, description = "Tickets whose custom field `key` equals this value, e.g. `field[plan]=gold`"),
        ("created_after" = Option<String>, Query, description = "Created at or after this time (RFC 3339)"),
        ("created_before" = Option<String>, Query, description = "Created before this time (RFC 3339)"),
        ("updated_after" = Option<String>, Query, description = "Last changed at or after this time (RFC 3339)"),
        ("updated_before" = Option<String>, Query, description = "Last changed before this time (RFC 3339)"),
        ("sla" = Option<String>, Query, description = "Tickets whose SLA stands so, one state or several comma-separated: `breached`, `active`, `paused`, `fulfilled`"),
        ("sla_due_before" = Option<String>, Query, description = "Tickets with an SLA target still owed (running, or overdue) due before this time (RFC 3339)"),
        ("sort" = Option<String>, Query, description = "`updated_at`, `created_at`, `priority`, `status`, `number`, `subject`, `requester`, `assignee`, `department` (by name; nobody first), `channel` or `sla_due` (the soonest due SLA target; tickets without one last), with `-` in front for descending (default `-updated_at`)"),
        ("page[size]" = Option<u32>, Query, description = "1 to 100, default 25"),
        ("page[after]" = Option<String>, Query, description = "The `meta.after_cursor` of the previous page"),
    ),
    responses((status = 200, body = TicketPage), (status = 422, body = Problem)))]
pub(crate) async fn list(
    api: ApiCaller,
    State(state): State<crate::state::AppState>,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<TicketPage>> {
    let mut errs = Checker::new();
    let mut filters = ViewFilters::default();
    let (mut sort, mut limit, mut after) = (Sort::default(), 25u32, None);
    for (k, v) in &params {
        match k.as_str() {
            "requester" => filters.requester = requester(&api, &mut errs, v).await?,
            "sort" => sort = errs.check(Sort::parse("sort", v)).unwrap_or(sort),
            "page[size]" => match v.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => limit = n,
                _ => errs.add("page[size]", "must be a number from 1 to 100"),
            },
            "page[after]" => after = errs.check(decode_cursor(v)),
            key if key.starts_with("field[") && key.ends_with(']') => {
                let name = &key[6..key.len() - 1];
                errs.check(filters.set_custom_field(key, name, serde_json::Value::String(v.clone())));
            }
            other => match filters.set_text(other, other, v) {
                Ok(true) => {}
                Ok(false) => errs.add(other.chars().take(40).collect::<String>(), "is not a parameter of this list"),
                Err(e) => {
                    errs.check::<()>(Err(e));
                }
            },
        }
    }
    errs.finish()?;
    let filter = resolve(&api.ctx, &api.caller, &filters, FilterNames::Query, false).await?;
    let (sort, descending) = (sort.key, sort.descending);
    let page = list_tickets(&api.ctx, &api.caller, ListTickets { filter, sort, descending, after, limit }).await?;
    let after_cursor = page.next.as_ref().map(encode_cursor);
    let next = after_cursor.as_ref().map(|c| {
        let mut query: Vec<(String, String)> = params.iter().filter(|(k, _)| k != "page[after]").cloned().collect();
        query.push(("page[after]".into(), c.clone()));
        let qs = query
            .iter()
            .map(|(k, v)| format!("{}={}", crate::query::encode(k), crate::query::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("{}/api/v1/tickets?{qs}", state.app.settings.account_url(api.ctx.slug.as_str()))
    });
    Ok(Json(TicketPage {
        tickets: page.items.into_iter().map(TicketOut::bare).collect(),
        meta: PageMeta { has_more: next.is_some(), after_cursor },
        links: PageLinks { next },
    }))
}

async fn requester(api: &ApiCaller, errs: &mut Checker, v: &str) -> Result<Option<ContactId>, ApiError> {
    if let Some(id) = ContactId::parse(v) {
        return Ok(Some(id));
    }
    let Some(email) = errs.check(EmailAddress::parse(v).map_err(|e| e.at("requester"))) else {
        return Ok(None);
    };
    let found = parley_app::people::list_contacts(&api.ctx, Some(email.as_str()), None, 1).await?;
    // An address with no contact matches no ticket: filter on an id nobody has.
    Ok(Some(found.first().map(|c| c.id).unwrap_or_default()))
}
