//! `/api/v1/settings/assignment`: whether and how new email, web and API tickets are offered to available
//! agents (administrators; audited).

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::assignment;
use parley_domain::assignment::{AssignmentInput, AssignmentSettings};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/settings/assignment", get(show).put(replace))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AssignmentOut {
    /// Off until an administrator switches it on.
    enabled: bool,
    /// `round_robin` or `least_busy`.
    strategy: String,
    /// An agent with this many open tickets is given no more.
    max_open: u32,
    /// Offer tickets only while their department's business hours (else the account's) are open.
    business_hours: bool,
}

impl From<AssignmentSettings> for AssignmentOut {
    fn from(s: AssignmentSettings) -> Self {
        AssignmentOut {
            enabled: s.enabled,
            strategy: s.strategy.as_str().into(),
            max_open: s.max_open,
            business_hours: s.business_hours,
        }
    }
}

/// What to change; absent settings stay as they are.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignmentBody {
    #[serde(default)]
    enabled: Option<bool>,
    /// `round_robin` or `least_busy`.
    #[serde(default)]
    strategy: Option<String>,
    /// 1 to 1000.
    #[serde(default)]
    max_open: Option<i64>,
    #[serde(default)]
    business_hours: Option<bool>,
}

/// How new tickets are offered to agents (admins).
#[utoipa::path(get, path = "/api/v1/settings/assignment", tag = "automation", security(("api_key" = [])),
    responses((status = 200, body = AssignmentOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(crate) async fn show(api: ApiCaller) -> ApiResult<Json<AssignmentOut>> {
    Ok(Json(assignment::get(&api.ctx, &api.caller).await?.into()))
}

/// Change how new tickets are offered to agents (admins; audited).
#[utoipa::path(put, path = "/api/v1/settings/assignment", tag = "automation", security(("api_key" = [])),
    request_body = AssignmentBody,
    responses((status = 200, body = AssignmentOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn replace(api: ApiCaller, ApiJson(b): ApiJson<AssignmentBody>) -> ApiResult<Json<AssignmentOut>> {
    let input = AssignmentInput {
        enabled: b.enabled,
        strategy: b.strategy,
        max_open: b.max_open,
        business_hours: b.business_hours,
    };
    Ok(Json(assignment::set(&api.ctx, &api.caller, input).await?.into()))
}
