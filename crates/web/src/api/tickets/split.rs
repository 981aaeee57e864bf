use super::TicketOut;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use parley_app::tickets::split_message;
use parley_domain::ids::{MessageId, TicketId};

/// Split a customer's message off into a new ticket of its own (same customer, channel, priority, tags and
/// department); the original keeps the message and gets an internal note naming the new ticket.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages/{message_id}/split", tag = "tickets",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id"),
        ("message_id" = String, Path, description = "A customer's message of that ticket")),
    responses((status = 201, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn split(
    api: ApiCaller,
    State(state): State<AppState>,
    Path((id, message_id)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<TicketOut>)> {
    let id = path_id(&id, TicketId::parse)?;
    let message_id = path_id(&message_id, MessageId::parse)?;
    let ticket = split_message(&state.app, &api.ctx, &api.caller, id, message_id).await?;
    Ok((StatusCode::CREATED, Json(TicketOut::bare(ticket))))
}
