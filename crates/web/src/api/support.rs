//! `/api/v1/support-grants`: the account's grants of access to the operator's support staff.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use parley_app::support::{self, NewGrant};
use parley_domain::ids::{DepartmentId, SupportGrantId, TicketId};
use parley_domain::support::{GrantScope, SupportGrant};
use parley_domain::Timestamp;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new().route("/support-grants", get(list).post(create)).route("/support-grants/{id}", delete(revoke))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewGrantBody {
    /// `read_only` (the default) or `read_write`.
    #[serde(default)]
    scope: Option<GrantScope>,
    /// RFC 3339; at most 30 days away. Default: 48 hours from now.
    expires_at: Option<String>,
    /// Why staff need access; shown in the audit log.
    reason: String,
    /// Only tickets of these departments; all when empty.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    department_ids: Vec<DepartmentId>,
    /// Only these tickets (at most 100); all when empty.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    ticket_ids: Vec<TicketId>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct GrantList {
    grants: Vec<SupportGrant>,
}

/// Grant the operator's support staff access (admins).
#[utoipa::path(post, path = "/api/v1/support-grants", tag = "privacy", security(("api_key" = [])),
    request_body = NewGrantBody,
    responses((status = 201, body = SupportGrant), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewGrantBody>,
) -> ApiResult<(StatusCode, Json<SupportGrant>)> {
    let expires_at = match b.expires_at.as_deref() {
        Some(s) => Some(Timestamp::parse(s).ok_or_else(|| {
            parley_domain::Invalid::field("expires_at", "is not an RFC 3339 time such as 2026-11-24T10:00:00Z")
        })?),
        None => None,
    };
    let g = NewGrant {
        scope: b.scope.unwrap_or(GrantScope::ReadOnly),
        expires_at,
        reason: b.reason,
        department_ids: b.department_ids,
        ticket_ids: b.ticket_ids,
    };
    Ok((StatusCode::CREATED, Json(support::create_grant(&api.ctx, &api.caller, g).await?)))
}

/// The account's grants, newest first (admins).
#[utoipa::path(get, path = "/api/v1/support-grants", tag = "privacy", security(("api_key" = [])),
    responses((status = 200, body = GrantList), (status = 403, body = Problem)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<GrantList>> {
    Ok(Json(GrantList { grants: support::list_grants(&api.ctx, &api.caller).await? }))
}

/// Revoke a grant at once: staff sessions under it stop working with their next request (admins).
#[utoipa::path(delete, path = "/api/v1/support-grants/{id}", tag = "privacy", security(("api_key" = [])),
    params(("id" = String, Path, description = "The grant's id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn revoke(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, SupportGrantId::parse)?;
    support::revoke_grant(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
