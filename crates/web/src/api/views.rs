//! `/api/v1/views`: the built-in ticket lists, saved views (private or shared), their counts and their tickets.

use super::tickets::TicketOut;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::tickets::{decode_cursor, encode_cursor};
use parley_app::views::{self as uc, ViewInput, ViewPatch, ViewSummary};
use parley_domain::error::Checker;
use parley_domain::ids::AgentId;
use parley_domain::view::{Column, Sort};
use parley_domain::Timestamp;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/views", get(list).post(create))
        .route("/views/{id}", get(show).patch(update).delete(delete))
        .route("/views/{id}/tickets", get(tickets))
}

/// A view: its filters, order and columns, and how many tickets it holds for the caller.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ViewOut {
    /// `my_open`, `unassigned`, `all_open`, `new`, `pending`, `solved`, `chats_waiting`, `chats_active`,
    /// `department:<id>`, or a saved view's id.
    id: String,
    name: String,
    /// `built_in`, `department` or `saved`.
    kind: &'static str,
    /// Tickets in the view the caller may see; exact up to 10,000.
    count: u64,
    /// `true`: there are more than `count` (10,000+).
    capped: bool,
    /// The filters, as saved: `status`, `priority`, `assignee` (`me`, `none`, `any` or an agent id), `department`,
    /// `tag`, `channel`, `requester`, `company`, `custom_fields`, `created_after`, `created_before`,
    /// `updated_after`, `updated_before`.
    #[schema(value_type = Object)]
    filters: serde_json::Value,
    /// `-updated_at` and the like.
    sort: String,
    columns: Vec<String>,
    /// Saved views: shared with the account, or their owner's alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<bool>,
    /// Saved views: the agent who saved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_id: Option<AgentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<Timestamp>,
}

impl From<ViewSummary> for ViewOut {
    fn from(v: ViewSummary) -> Self {
        let (sort, columns) = match &v.saved {
            Some(s) => (s.sort, s.columns.clone()),
            None => (Sort::default(), Column::DEFAULT.to_vec()),
        };
        ViewOut {
            id: v.id,
            name: v.name,
            kind: v.kind,
            count: v.count.count,
            capped: v.count.capped,
            filters: v.filters.to_json(),
            sort: sort.to_param(),
            columns: columns.iter().map(|c| c.as_str().to_string()).collect(),
            shared: v.saved.as_ref().map(|s| s.shared),
            owner_id: v.saved.as_ref().and_then(|s| s.owner_id),
            created_at: v.saved.as_ref().map(|s| s.created_at),
            updated_at: v.saved.as_ref().map(|s| s.updated_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ViewList {
    views: Vec<ViewOut>,
}

/// The built-in views, one per department, the shared views and the caller's own, each with its count.
#[utoipa::path(get, path = "/api/v1/views", tag = "views", security(("api_key" = [])),
    responses((status = 200, body = ViewList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<ViewList>> {
    let views = uc::list_views(&api.ctx, &api.caller).await?;
    Ok(Json(ViewList { views: views.into_iter().map(ViewOut::from).collect() }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewViewBody {
    name: String,
    /// Shared with everyone in the account (administrators only), or the caller's alone (the default).
    #[serde(default)]
    shared: bool,
    /// `{"status": ["new", "open"], "assignee": "me", "custom_fields": {"plan": "gold"}, …}`
    #[schema(value_type = Object)]
    #[serde(default = "empty_object")]
    filters: serde_json::Value,
    /// Default `-updated_at`.
    sort: Option<String>,
    /// Default `number, subject, requester, status, priority, assignee, updated_at`.
    columns: Option<Vec<String>>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// Save a view. Shared views are for administrators to make; every change to them is audited.
#[utoipa::path(post, path = "/api/v1/views", tag = "views", security(("api_key" = [])), request_body = NewViewBody,
    responses((status = 201, body = ViewOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(api: ApiCaller, ApiJson(b): ApiJson<NewViewBody>) -> ApiResult<(StatusCode, Json<ViewOut>)> {
    let input = ViewInput { name: b.name, shared: b.shared, filters: b.filters, sort: b.sort, columns: b.columns };
    let v = uc::create_view(&api.ctx, &api.caller, input).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// One view, with its count: a built-in one (`my_open`), a department's (`department:<id>`) or a saved one.
#[utoipa::path(get, path = "/api/v1/views/{id}", tag = "views", security(("api_key" = [])),
    params(("id" = String, Path, description = "A built-in view's id, `department:<id>`, or a saved view's id")),
    responses((status = 200, body = ViewOut), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<ViewOut>> {
    Ok(Json(uc::get_view(&api.ctx, &api.caller, &id).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ViewPatchBody {
    name: Option<String>,
    shared: Option<bool>,
    #[schema(value_type = Option<Object>)]
    filters: Option<serde_json::Value>,
    sort: Option<String>,
    columns: Option<Vec<String>>,
}

/// Change a saved view (its owner; a shared one, administrators).
#[utoipa::path(patch, path = "/api/v1/views/{id}", tag = "views", security(("api_key" = [])), request_body = ViewPatchBody,
    params(("id" = String, Path, description = "A saved view's id")),
    responses((status = 200, body = ViewOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ViewPatchBody>,
) -> ApiResult<Json<ViewOut>> {
    let patch = ViewPatch { name: b.name, shared: b.shared, filters: b.filters, sort: b.sort, columns: b.columns };
    Ok(Json(uc::update_view(&api.ctx, &api.caller, &id, patch).await?.into()))
}

/// Remove a saved view (its owner; a shared one, administrators).
#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "views", security(("api_key" = [])),
    params(("id" = String, Path, description = "A saved view's id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    uc::delete_view(&api.ctx, &api.caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ViewTicketPage {
    tickets: Vec<TicketOut>,
    meta: ViewPageMeta,
    links: ViewPageLinks,
}

/// As `GET /api/v1/tickets` pages, with the view's count.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ViewPageMeta {
    has_more: bool,
    /// Pass as `page[after]` for the next page.
    after_cursor: Option<String>,
    /// Tickets in the view; exact up to 10,000.
    count: u64,
    /// `true`: more than `count`.
    capped: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ViewPageLinks {
    next: Option<String>,
}

/// The view's tickets, in its order unless `sort` says otherwise, a page at a time (the same pages as
/// `GET /api/v1/tickets`), with its count.
#[utoipa::path(get, path = "/api/v1/views/{id}/tickets", tag = "views", security(("api_key" = [])),
    params(
        ("id" = String, Path, description = "A built-in view's id, `department:<id>`, or a saved view's id"),
        ("sort" = Option<String>, Query, description = "As for `GET /api/v1/tickets`; default the view's own"),
        ("page[size]" = Option<u32>, Query, description = "1 to 100, default 25"),
        ("page[after]" = Option<String>, Query, description = "The `meta.after_cursor` of the previous page"),
    ),
    responses((status = 200, body = ViewTicketPage), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn tickets(
    api: ApiCaller,
    State(state): State<crate::state::AppState>,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<ViewTicketPage>> {
    let mut errs = Checker::new();
    let (mut sort, mut limit, mut after) = (None, 25u32, None);
    for (k, v) in &params {
        match k.as_str() {
            "sort" => sort = errs.check(Sort::parse("sort", v)),
            "page[size]" => match v.parse::<u32>() {
                Ok(n) if (1..=100).contains(&n) => limit = n,
                _ => errs.add("page[size]", "must be a number from 1 to 100"),
            },
            "page[after]" => after = errs.check(decode_cursor(v)),
            other => errs.add(other.chars().take(40).collect::<String>(), "is not a parameter of this list"),
        }
    }
    errs.finish()?;
    let r = uc::view_tickets(&api.ctx, &api.caller, &id, sort, after, limit).await?;
    let after_cursor = r.page.next.as_ref().map(encode_cursor);
    let next = after_cursor.as_ref().map(|c| {
        let mut query: Vec<(String, String)> = params.iter().filter(|(k, _)| k != "page[after]").cloned().collect();
        query.push(("page[after]".into(), c.clone()));
        let qs = query
            .iter()
            .map(|(k, v)| format!("{}={}", crate::query::encode(k), crate::query::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!(
            "{}/api/v1/views/{}/tickets?{qs}",
            state.app.settings.account_url(api.ctx.slug.as_str()),
            crate::query::encode(&id)
        )
    });
    Ok(Json(ViewTicketPage {
        tickets: r.page.items.into_iter().map(TicketOut::bare).collect(),
        meta: ViewPageMeta { has_more: next.is_some(), after_cursor, count: r.count.count, capped: r.count.capped },
        links: ViewPageLinks { next },
    }))
}
