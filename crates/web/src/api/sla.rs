//! `/api/v1/sla-policies`: the account's SLA policies, in order (`position`, lower first; the first that matches a
//! ticket applies).

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::{double_option, ApiJson};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::sla::{self as uc, PolicyPatch};
use parley_domain::ids::SlaPolicyId;
use parley_domain::sla::{ConditionsInput, SlaPolicyInput, SlaPolicyRecord, TargetInput};
use parley_domain::Timestamp;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/sla-policies", get(list).post(create))
        .route("/sla-policies/{id}", get(show).patch(update).delete(delete))
}

/// An SLA policy as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PolicyView {
    id: String,
    name: String,
    position: i64,
    /// The business hours its business-hours targets count in; `null`: the ticket's department's, else the
    /// account's default.
    business_hours_id: Option<String>,
    conditions: ConditionsInput,
    pause_statuses: Vec<String>,
    targets: Vec<TargetInput>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<SlaPolicyRecord> for PolicyView {
    fn from(p: SlaPolicyRecord) -> Self {
        let input = p.policy.to_input();
        PolicyView {
            id: p.id.to_string(),
            name: input.name,
            position: p.position,
            business_hours_id: input.business_hours_id,
            conditions: input.conditions,
            pause_statuses: input.pause_statuses.unwrap_or_default(),
            targets: input.targets,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Create an SLA policy (administrators): `{"name", "position"?, "business_hours_id"?, "conditions": {"all": [],
/// "any": []}, "pause_statuses"?, "targets": [{"priority", "metric", "minutes", "business_hours"}]}`. Placed last
/// unless `position` says otherwise.
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "automation", security(("api_key" = [])),
    request_body = SlaPolicyInput,
    responses((status = 201, body = PolicyView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<SlaPolicyInput>,
) -> ApiResult<(StatusCode, Json<PolicyView>)> {
    let p = uc::create_sla_policy(&api.ctx, &api.caller, b).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PolicyList {
    sla_policies: Vec<PolicyView>,
}

/// The account's SLA policies in their order.
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "automation", security(("api_key" = [])),
    responses((status = 200, body = PolicyList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<PolicyList>> {
    let all = uc::list_sla_policies(&api.ctx).await?;
    Ok(Json(PolicyList { sla_policies: all.into_iter().map(PolicyView::from).collect() }))
}

#[utoipa::path(get, path = "/api/v1/sla-policies/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PolicyView), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<PolicyView>> {
    let id = path_id(&id, SlaPolicyId::parse)?;
    Ok(Json(uc::get_sla_policy(&api.ctx, id).await?.into()))
}

/// Fields to change; those left out stay. Lists are replaced whole; `"business_hours_id": null` goes back to the
/// default hours.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyPatchBody {
    name: Option<String>,
    position: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    business_hours_id: Option<Option<String>>,
    conditions: Option<ConditionsInput>,
    pause_statuses: Option<Vec<String>>,
    targets: Option<Vec<TargetInput>>,
}

/// Change an SLA policy (administrators), or move it in the order with `position`.
#[utoipa::path(patch, path = "/api/v1/sla-policies/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = PolicyPatchBody,
    responses((status = 200, body = PolicyView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PolicyPatchBody>,
) -> ApiResult<Json<PolicyView>> {
    let id = path_id(&id, SlaPolicyId::parse)?;
    let patch = PolicyPatch {
        name: b.name,
        position: b.position,
        business_hours_id: b.business_hours_id,
        conditions: b.conditions,
        pause_statuses: b.pause_statuses,
        targets: b.targets,
    };
    Ok(Json(uc::update_sla_policy(&api.ctx, &api.caller, id, patch).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/sla-policies/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, SlaPolicyId::parse)?;
    uc::delete_sla_policy(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
