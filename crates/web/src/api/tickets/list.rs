use super::TicketOut;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiCaller;
use axum::extract::{Query, State};

use axum::Json;
use parley_app::tickets::{decode_cursor, encode_cursor, list_tickets, ListTickets};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, ContactId, DepartmentId};
use parley_domain::ticket::{Channel, Status, Tag};
use parley_store::{SortKey, TicketFilter};
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
        ("assignee" = Option<String>, Query, description = "An agent id, or `none`"),
        ("department" = Option<String>, Query, description = "A department id, or `none`"),
        ("tag" = Option<String>, Query, description = "Tickets with this tag"),
        ("requester" = Option<String>, Query, description = "A contact id or email address"),
        ("channel" = Option<String>, Query, description = "email, chat, phone, web or api"),
        ("sort" = Option<String>, Query, description = "`updated_at`, `created_at`, or either with `-` for newest first (default `-updated_at`)"),
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
    let mut filter = TicketFilter::default();
    let (mut sort, mut descending, mut limit, mut after) = (SortKey::UpdatedAt, true, 25u32, None);
    for (k, v) in &params {
        match k.as_str() {
            "status" => {
                for s in v.split(',').filter_map(|s| errs.check(Status::parse(s.trim()))) {
                    if !filter.status.contains(&s) {
                        filter.status.push(s);
                    }
                }
            }
            "assignee" => filter.assignee = Some(opt_id(&mut errs, "assignee", v, AgentId::parse)),
            "department" => filter.department = Some(opt_id(&mut errs, "department", v, DepartmentId::parse)),
            "tag" => filter.tag = errs.check(Tag::parse(v).map_err(|e| e.at("tag"))),
            "channel" => filter.channel = errs.check(Channel::parse(v)),
            "requester" => filter.requester = requester(&api, &mut errs, v).await?,
            "sort" => match v.as_str() {
                "updated_at" | "-updated_at" | "created_at" | "-created_at" => {
                    descending = v.starts_with('-');
                    sort = if v.ends_with("created_at") { SortKey::CreatedAt } else { SortKey::UpdatedAt };
                }
                _ => errs.add("sort", "must be updated_at, created_at, -updated_at or -created_at"),
            },
            "page[size]" => match v.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => limit = n,
                _ => errs.add("page[size]", "must be a number from 1 to 100"),
            },
            "page[after]" => after = errs.check(decode_cursor(v)),
            other => errs.add(other.chars().take(40).collect::<String>(), "is not a parameter of this list"),
        }
    }
    errs.finish()?;
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

fn opt_id<T>(errs: &mut Checker, field: &str, v: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
    if v == "none" {
        return None;
    }
    let id = parse(v);
    if id.is_none() {
        errs.add(field, "is not an id (or `none`)");
    }
    id
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
