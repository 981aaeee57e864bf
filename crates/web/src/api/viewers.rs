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
use parley_domain::Invalid;
use serde::Serialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/tickets/{id}/viewers", get(list_viewers)).route("/viewers", get(viewers_of))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TicketViewers {
    #[schema(value_type = String, format = "uuid")]
    ticket_id: String,
    viewers: Vec<Viewer>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ManyViewers {
    /// The tickets asked for that someone views (and the caller may see), in the order asked.
    tickets: Vec<TicketViewers>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ViewersQuery {
    tickets: String,
}

/// Who views each of several tickets (a list's rows): tickets nobody views, or that the caller may not see, are
/// left out.
#[utoipa::path(get, path = "/api/v1/viewers", tag = "tickets", security(("api_key" = [])),
    params(("tickets" = String, Query, description = "Ticket ids, comma-separated, at most 100 (a list's page)")),
    responses((status = 200, body = ManyViewers), (status = 422, body = Problem)))]
pub(crate) async fn viewers_of(
    api: ApiCaller,
    State(state): State<AppState>,
    q: Result<axum::extract::Query<ViewersQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ManyViewers>> {
    let axum::extract::Query(q) = q.map_err(|e| Invalid::field("query", e.body_text()))?;
    let mut ids = Vec::new();
    for s in q.tickets.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let shown: String = s.chars().take(40).collect();
        ids.push(TicketId::parse(s).ok_or_else(|| Invalid::field("tickets", format!("'{shown}' is not a ticket id")))?);
    }
    let found = viewers::viewers_of(&state.app, &api.ctx, &api.caller, &ids).await?;
    let tickets = found.into_iter().map(|(t, viewers)| TicketViewers { ticket_id: t.to_string(), viewers }).collect();
    Ok(Json(ManyViewers { tickets }))
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
