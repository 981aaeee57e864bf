//! `/api/v1/subprocessors`: the account's effective subprocessor list and its history, public like the page.

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Account;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::privacy::subprocessors;
use parley_domain::subprocessors::AccountRegister;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/subprocessors", get(show))
}

/// Who processes this account's data: the hosting of its region and the providers of the features it switched
/// on, under the register's current version, with what each version changed for it (newest first). No key needed.
#[utoipa::path(get, path = "/api/v1/subprocessors", tag = "privacy",
    responses((status = 200, body = AccountRegister), (status = 404, body = Problem)))]
pub(crate) async fn show(State(state): State<AppState>, Account(ctx): Account) -> ApiResult<Json<AccountRegister>> {
    subprocessors::for_account(&state.app, &ctx).await?.map(Json).ok_or(ApiError::NotFound)
}
