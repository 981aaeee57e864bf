//! `/api/v1/settings/retention` and `/api/v1/settings/incidents`: how long the account keeps closed tickets and
//! ended chats, and the security incidents the operator recorded against it.

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::privacy::{incidents, retention};
use parley_domain::incident::Incident;
use parley_domain::retention::RetentionPolicy;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/settings/retention", get(show).put(replace)).route("/settings/incidents", get(list_incidents))
}

/// The account's retention policy (admins). `null` periods keep data.
#[utoipa::path(get, path = "/api/v1/settings/retention", tag = "privacy", security(("api_key" = [])),
    responses((status = 200, body = RetentionPolicy), (status = 403, body = Problem)))]
pub(crate) async fn show(api: ApiCaller) -> ApiResult<Json<RetentionPolicy>> {
    Ok(Json(retention::get(&api.ctx, &api.caller).await?))
}

/// Replace the retention policy (admins). A background job erases what is older, thoroughly, and records it in
/// the audit log.
#[utoipa::path(put, path = "/api/v1/settings/retention", tag = "privacy", security(("api_key" = [])),
    request_body = RetentionPolicy,
    responses((status = 200, body = RetentionPolicy), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn replace(api: ApiCaller, ApiJson(p): ApiJson<RetentionPolicy>) -> ApiResult<Json<RetentionPolicy>> {
    Ok(Json(retention::set(&api.ctx, &api.caller, p).await?))
}

/// Security incidents recorded against the account, newest first (admins).
#[utoipa::path(get, path = "/api/v1/settings/incidents", tag = "privacy", security(("api_key" = [])),
    responses((status = 200, body = Vec<Incident>), (status = 403, body = Problem)))]
pub(crate) async fn list_incidents(api: ApiCaller) -> ApiResult<Json<Vec<Incident>>> {
    Ok(Json(incidents::list(&api.ctx, &api.caller).await?))
}
