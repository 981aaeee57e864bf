//! `/api/v1/audit-log`: the account's audit log for administrators — a page at a time, whole as JSON lines, and
//! the check of its hash chain.

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::state::AppState;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use parley_app::audit;
use parley_domain::audit::{AuditActor, AuditEntry, Verification};
use parley_domain::error::Checker;
use parley_domain::Timestamp;
use parley_store::AuditFilter;
use serde::Serialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/audit-log", get(list))
        .route("/audit-log/export", get(export))
        .route("/audit-log/verify", get(verify))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AuditPage {
    entries: Vec<AuditEntry>,
    meta: AuditMeta,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AuditMeta {
    has_more: bool,
    /// Pass as `page[before]` for the next (older) page.
    before_cursor: Option<i64>,
}

/// The filters both the list and the export take; `paged` adds the page parameters.
fn filter(params: &[(String, String)], paged: bool) -> Result<AuditFilter, parley_domain::Invalid> {
    let mut errs = Checker::new();
    let mut f = AuditFilter { limit: 50, ..Default::default() };
    let time = |errs: &mut Checker, field: &str, v: &str| {
        let t = Timestamp::parse(v);
        if t.is_none() {
            errs.add(field, "is not an RFC 3339 time such as 2026-11-22T10:00:00Z");
        }
        t
    };
    for (k, v) in params {
        match k.as_str() {
            "action" if !v.is_empty() && v.len() <= 64 => f.action_prefix = Some(v.clone()),
            "action" => errs.add("action", "must be 1 to 64 characters: an action or its start, such as `login.`"),
            "actor" => match AuditActor::parse(v) {
                Some(a) => f.actor = Some(a.as_string()),
                None => errs.add("actor", "must be agent:<id>, api_key:<id>, operator, system or anonymous"),
            },
            "since" => f.since = time(&mut errs, "since", v),
            "until" => f.until = time(&mut errs, "until", v),
            "page[size]" if paged => match v.parse::<i64>() {
                Ok(n) if (1..=200).contains(&n) => f.limit = n,
                _ => errs.add("page[size]", "must be a number from 1 to 200"),
            },
            "page[before]" if paged => match v.parse::<i64>() {
                Ok(n) if n > 0 => f.beyond_seq = Some(n),
                _ => errs.add("page[before]", "must be the before_cursor of the previous page"),
            },
            other => errs.add(other.chars().take(40).collect::<String>(), "is not a parameter of this list"),
        }
    }
    errs.finish().map(|()| f)
}

/// The account's audit log, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", security(("api_key" = [])),
    params(
        ("action" = Option<String>, Query, description = "An action or its start: `login.failed`, `login.`, `api_key.`"),
        ("actor" = Option<String>, Query, description = "`agent:<id>`, `api_key:<id>`, `operator`, `system` or `anonymous`"),
        ("since" = Option<String>, Query, description = "RFC 3339 time, inclusive"),
        ("until" = Option<String>, Query, description = "RFC 3339 time, exclusive"),
        ("page[size]" = Option<u32>, Query, description = "1 to 200, default 50"),
        ("page[before]" = Option<i64>, Query, description = "The `meta.before_cursor` of the previous page"),
    ),
    responses((status = 200, body = AuditPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn list(api: ApiCaller, Query(params): Query<Vec<(String, String)>>) -> ApiResult<Json<AuditPage>> {
    let mut f = filter(&params, true)?;
    let size = f.limit;
    // One more than asked tells whether there is another page.
    f.limit = size + 1;
    let mut entries = audit::list(&api.ctx, &api.caller, &f).await?;
    let has_more = entries.len() as i64 > size;
    entries.truncate(size as usize);
    let before_cursor = if has_more { entries.last().map(|e| e.seq) } else { None };
    Ok(Json(AuditPage { entries, meta: AuditMeta { has_more, before_cursor } }))
}

/// Every entry the filters match, oldest first, one JSON object per line (admins). The export is recorded.
#[utoipa::path(get, path = "/api/v1/audit-log/export", tag = "audit", security(("api_key" = [])),
    params(
        ("action" = Option<String>, Query, description = "As for the list"),
        ("actor" = Option<String>, Query, description = "As for the list"),
        ("since" = Option<String>, Query, description = "As for the list"),
        ("until" = Option<String>, Query, description = "As for the list"),
    ),
    responses((status = 200, description = "JSON lines", content_type = "application/jsonl"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn export(api: ApiCaller, Query(params): Query<Vec<(String, String)>>) -> ApiResult<Response> {
    let f = filter(&params, false)?;
    let entries = audit::export(&api.ctx, &api.caller, &f).await?;
    json_lines(api.ctx.slug.as_str(), &entries)
}

/// Entries as a JSON-lines download, one object a line: the API's export and the admin page's.
pub(crate) fn json_lines(slug: &str, entries: &[AuditEntry]) -> ApiResult<Response> {
    let mut body = String::new();
    for e in entries {
        body.push_str(&serde_json::to_string(e).map_err(|e| crate::error::ApiError::Internal(e.into()))?);
        body.push('\n');
    }
    let name = format!("attachment; filename=\"audit-{slug}.jsonl\"");
    Ok(([(header::CONTENT_TYPE, "application/jsonl".to_string()), (header::CONTENT_DISPOSITION, name)], body)
        .into_response())
}

/// Checks the log's hash chain and reports the first broken link, if any (admins).
#[utoipa::path(get, path = "/api/v1/audit-log/verify", tag = "audit", security(("api_key" = [])),
    responses((status = 200, body = Verification), (status = 403, body = Problem)))]
pub(crate) async fn verify(api: ApiCaller) -> ApiResult<Json<Verification>> {
    Ok(Json(audit::verify(&api.ctx, Some(&api.caller)).await?))
}
