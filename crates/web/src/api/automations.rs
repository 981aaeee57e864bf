//! `/api/v1/automations`: the account's automations (time rules), in order (`position`, lower first).

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::automations::{self as uc, AutomationPatch};
use parley_domain::automation::{AfterInput, AutomationInput, AutomationRecord};
use parley_domain::ids::AutomationId;
use parley_domain::sla::ConditionsInput;
use parley_domain::Timestamp;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/automations", get(list).post(create))
        .route("/automations/{id}", get(show).patch(update).delete(delete))
}

/// An automation as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AutomationView {
    id: String,
    name: String,
    position: i64,
    active: bool,
    after: AfterInput,
    conditions: ConditionsInput,
    #[schema(value_type = Vec<Object>)]
    actions: Vec<serde_json::Value>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<AutomationRecord> for AutomationView {
    fn from(t: AutomationRecord) -> Self {
        let input = t.automation.to_input();
        AutomationView {
            id: t.id.to_string(),
            name: input.name,
            position: t.position,
            active: input.active,
            after: input.after,
            conditions: input.conditions,
            actions: input.actions,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Create an automation (administrators): `{"name", "position"?, "active"?, "after": {"hours", "since": "created" |
/// "updated" | "status_changed" | "solved", "business_hours"?}, "conditions", "actions"}` (the triggers' conditions
/// and actions). Placed last unless `position` says otherwise.
#[utoipa::path(post, path = "/api/v1/automations", tag = "automation", security(("api_key" = [])),
    request_body = AutomationInput,
    responses((status = 201, body = AutomationView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<AutomationInput>,
) -> ApiResult<(StatusCode, Json<AutomationView>)> {
    let t = uc::create_automation(&api.ctx, &api.caller, b).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AutomationList {
    automations: Vec<AutomationView>,
}

/// The account's automations in their order.
#[utoipa::path(get, path = "/api/v1/automations", tag = "automation", security(("api_key" = [])),
    responses((status = 200, body = AutomationList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<AutomationList>> {
    let all = uc::list_automations(&api.ctx).await?;
    Ok(Json(AutomationList { automations: all.into_iter().map(AutomationView::from).collect() }))
}

#[utoipa::path(get, path = "/api/v1/automations/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = AutomationView), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<AutomationView>> {
    let id = path_id(&id, AutomationId::parse)?;
    Ok(Json(uc::get_automation(&api.ctx, id).await?.into()))
}

/// Fields to change; those left out stay. Lists are replaced whole.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AutomationPatchBody {
    name: Option<String>,
    position: Option<i64>,
    active: Option<bool>,
    after: Option<AfterInput>,
    conditions: Option<ConditionsInput>,
    #[schema(value_type = Option<Vec<Object>>)]
    actions: Option<Vec<serde_json::Value>>,
}

/// Change an automation (administrators), switch it off with `"active": false`, or move it with `position`.
#[utoipa::path(patch, path = "/api/v1/automations/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = AutomationPatchBody,
    responses((status = 200, body = AutomationView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AutomationPatchBody>,
) -> ApiResult<Json<AutomationView>> {
    let id = path_id(&id, AutomationId::parse)?;
    let patch = AutomationPatch {
        name: b.name,
        position: b.position,
        active: b.active,
        after: b.after,
        conditions: b.conditions,
        actions: b.actions,
    };
    Ok(Json(uc::update_automation(&api.ctx, &api.caller, id, patch).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/automations/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, AutomationId::parse)?;
    uc::delete_automation(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
