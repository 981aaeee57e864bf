use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use parley_app::tickets::{add_message as add, add_message_after as add_after, get_ticket, NewMessage};
use parley_domain::ids::{MessageId, TicketId};
use parley_domain::message::Message;
use parley_domain::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMessageBody {
    body: String,
    /// An internal note, seen by agents only. Defaults to a public reply.
    #[serde(default)]
    internal: bool,
    /// The last message the sender saw (collision detection). When a public message, or a note by someone else,
    /// was added after it, nothing is stored: 409 `replied_meanwhile` with those messages in `messages`. Leave it
    /// out (or send `force`) to add the message whatever came meanwhile.
    #[schema(value_type = Option<String>, format = "uuid")]
    after_message_id: Option<String>,
    /// Send even if someone replied after `after_message_id`.
    #[serde(default)]
    force: bool,
    /// On an email ticket's public reply: addresses copied on this reply (at most 20), besides the people the
    /// conversation already copies. Refused on notes and on tickets of other channels.
    #[serde(default)]
    cc: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Messages {
    messages: Vec<Message>,
}

/// Add a public reply or an internal note.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "tickets", request_body = NewMessageBody,
    security(("api_key" = [])), params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 201, body = Message), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn add_message(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewMessageBody>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let id = path_id(&id, TicketId::parse)?;
    let seen = match b.after_message_id.as_deref() {
        Some(m) => Some(MessageId::parse(m).ok_or_else(|| Invalid::field("after_message_id", "is not a message id"))?),
        None => None,
    };
    let input = NewMessage { body: b.body, internal: b.internal, client_id: None, cc: b.cc };
    let (_, message) = match seen.filter(|_| !b.force) {
        Some(seen) => add_after(&state.app, &api.ctx, &api.caller, id, input, seen).await?,
        None => add(&state.app, &api.ctx, &api.caller, id, input).await?,
    };
    Ok((StatusCode::CREATED, Json(message)))
}

/// A ticket's messages, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/messages", tag = "tickets", security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, body = Messages), (status = 404, body = Problem)))]
pub(crate) async fn list_messages(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Messages>> {
    let id = path_id(&id, TicketId::parse)?;
    let detail = get_ticket(&api.ctx, &api.caller, id).await?;
    Ok(Json(Messages { messages: detail.timeline.messages }))
}
