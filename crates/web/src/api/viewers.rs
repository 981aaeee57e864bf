//! `/api/v1/tickets/{id}/viewers`: who has the ticket open now (collision detection), as any process knows it.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use parley_app::tickets::viewers;
use parley_domain::collision::Viewer;
use parley_domain::ids::TicketId;
use serde::Serialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/tickets/{id}/viewers", get(list_viewers))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Viewers {
    /// One entry per agent with the ticket open in an agent page (their tabs joined), earliest first.
    viewers: Vec<Viewer>,
}

/// Who has the ticket open now, and who is writing a reply or a note in it (for 5 s after their page last said
/// so). Pages tell it over the agents' socket; every server process answers alike.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/viewers", tag = "tickets", security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, body = Viewers), (status = 404, body = Problem)))]
pub(crate) async fn list_viewers(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Viewers>> {
    let id = path_id(&id, TicketId::parse)?;
    let (viewers, _) = viewers::viewers(&state.app, &api.ctx, &api.caller, id).await?;
    Ok(Json(Viewers { viewers }))
}
