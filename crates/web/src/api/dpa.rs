//! `/api/v1/settings/dpa`: the data processing agreement in force and the account's acceptances.

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::privacy::dpa;
use parley_domain::dpa::DpaStatus;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/settings/dpa", get(show))
}

/// The agreement in force, whether an owner accepted it, and every acceptance (admins). Owners accept in the app.
#[utoipa::path(get, path = "/api/v1/settings/dpa", tag = "privacy", security(("api_key" = [])),
    responses((status = 200, body = DpaStatus), (status = 403, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, State(state): State<AppState>) -> ApiResult<Json<DpaStatus>> {
    Ok(Json(dpa::status(&state.app, &api.ctx, &api.caller).await?))
}
