//! `/api/v1/settings/features`: the optional features (email relay, voice, AI, vendor support) whose providers
//! join the account's subprocessor list when switched on.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use parley_app::privacy::features;
use parley_domain::subprocessors::{Feature, FeatureState};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/settings/features", get(list)).route("/settings/features/{feature}", put(set))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FeatureList {
    features: Vec<FeatureState>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetFeature {
    enabled: bool,
}

/// The optional features, whether each is on, who would process data for it, and whether an owner consented.
#[utoipa::path(get, path = "/api/v1/settings/features", tag = "privacy", security(("api_key" = [])),
    responses((status = 200, body = FeatureList), (status = 403, body = Problem)))]
pub(crate) async fn list(api: ApiCaller, State(state): State<AppState>) -> ApiResult<Json<FeatureList>> {
    Ok(Json(FeatureList { features: features::list(&state.app, &api.ctx, &api.caller).await? }))
}

/// Switch a feature on or off. Switching on one whose providers no owner has consented to answers 409: consent is
/// given by an owner on the account's privacy page, never by a key.
#[utoipa::path(put, path = "/api/v1/settings/features/{feature}", tag = "privacy", security(("api_key" = [])),
    params(("feature" = String, Path, description = "email, voice, ai or support")),
    request_body = SetFeature,
    responses((status = 200, body = FeatureState), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn set(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(feature): Path<String>,
    ApiJson(b): ApiJson<SetFeature>,
) -> ApiResult<Json<FeatureState>> {
    let feature = path_id(&feature, Feature::parse)?;
    Ok(Json(features::set(&state.app, &api.ctx, &api.caller, feature, b.enabled, false).await?))
}
