//! `/api/v1/chats`: the chats waiting for an agent, where one stands, and taking, declining, handing on and ending
//! chats. A chat's id is its ticket's.

use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use crate::ui::transfer_target;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::chat::routing;
use parley_domain::chat_routing::{Route, RouteState};
use parley_domain::ids::{AgentId, TicketId};
use parley_domain::ticket::Ticket;
use serde::{Deserialize, Serialize};

/// `max_body`: the most a file's request may carry (the use case holds files to the attachment limit).
pub(crate) fn router(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/chats/queue", get(queue))
        .route("/chats/{id}", get(show))
        .route("/chats/{id}/accept", post(accept))
        .route("/chats/{id}/decline", post(decline))
        .route("/chats/{id}/transfer", post(transfer))
        .route("/chats/{id}/end", post(end))
        .route("/chats/{id}/files", post(share_file).layer(axum::extract::DefaultBodyLimit::max(max_body)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ChatOut {
    /// The chat's ticket id.
    id: String,
    state: RouteState,
    /// Ringing: the agent rung. Assigned: the agent holding it.
    agent_id: Option<String>,
    department_id: Option<String>,
    /// Until when it rings the agent (RFC 3339).
    ring_until: Option<String>,
    /// Its place in its team's queue while it waits (1: next).
    queue_position: Option<u32>,
    queued_at: String,
}

fn out(r: &Route, place: Option<u32>) -> ChatOut {
    ChatOut {
        id: r.ticket_id.to_string(),
        state: r.state,
        agent_id: r.agent_id.map(|a| a.to_string()),
        department_id: r.department_id.map(|d| d.to_string()),
        ring_until: r.ring_until.map(|t| t.to_rfc3339()),
        queue_position: place,
        queued_at: r.queued_at.to_rfc3339(),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct QueuedChat {
    #[serde(flatten)]
    chat: ChatOut,
    number: i64,
    subject: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Queue {
    chats: Vec<QueuedChat>,
}

/// Chats waiting for an agent that the caller may see, longest waiting first.
#[utoipa::path(get, path = "/api/v1/chats/queue", tag = "chat", security(("api_key" = [])),
    responses((status = 200, body = Queue)))]
pub(crate) async fn queue(api: ApiCaller) -> ApiResult<Json<Queue>> {
    let waiting: Vec<(Route, Ticket)> = routing::queue(&api.ctx, &api.caller).await?;
    // Places per department, in the order they wait.
    let mut seen = std::collections::HashMap::new();
    let chats = waiting
        .into_iter()
        .map(|(r, t)| {
            let place = seen.entry(r.department_id).or_insert(0u32);
            *place += 1;
            QueuedChat { chat: out(&r, Some(*place)), number: t.number.0, subject: t.subject }
        })
        .collect();
    Ok(Json(Queue { chats }))
}

/// Where the chat stands.
#[utoipa::path(get, path = "/api/v1/chats/{id}", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ChatOut), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<ChatOut>> {
    let id = path_id(&id, TicketId::parse)?;
    let (route, place) = routing::status(&api.ctx, &api.caller, id).await?;
    Ok(Json(out(&route, place)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ForAgent {
    /// The agent who acts: required when an API key calls; an agent acts for themself.
    #[serde(default)]
    agent_id: Option<String>,
}

/// The agent named by an optional JSON body (none, or `{}`: the caller themself).
fn agent_of(body: &[u8]) -> ApiResult<Option<AgentId>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let b: ForAgent = serde_json::from_slice(body)
        .map_err(|e| parley_app::AppError::Invalid(parley_domain::Invalid::field("body", e.to_string())))?;
    match b.agent_id {
        Some(a) => Ok(Some(AgentId::parse(&a).ok_or_else(|| {
            parley_app::AppError::Invalid(parley_domain::Invalid::field("agent_id", "is not an id"))
        })?)),
        None => Ok(None),
    }
}

/// Take the chat: it is assigned to the agent and the visitor sees them join. `409` when another agent took it
/// or the agent holds their limit of chats.
#[utoipa::path(post, path = "/api/v1/chats/{id}/accept", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = ForAgent,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn accept(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, TicketId::parse)?;
    routing::accept(&state.app, &api.ctx, &api.caller, id, agent_of(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pass on a chat ringing for the agent: it rings the next one.
#[utoipa::path(post, path = "/api/v1/chats/{id}/decline", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = ForAgent,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn decline(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, TicketId::parse)?;
    routing::decline(&state.app, &api.ctx, &api.caller, id, agent_of(&body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferBody {
    /// Hand it to this agent (theirs at once)…
    #[serde(default)]
    agent_id: Option<String>,
    /// …or to this team's queue.
    #[serde(default)]
    department_id: Option<String>,
}

/// Hand the chat to another agent or team.
#[utoipa::path(post, path = "/api/v1/chats/{id}/transfer", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = TransferBody,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn transfer(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TransferBody>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, TicketId::parse)?;
    let to = transfer_target(b.agent_id, b.department_id)?;
    routing::transfer(&state.app, &api.ctx, &api.caller, id, to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End the chat for both sides; the ticket stays for follow-up.
#[utoipa::path(post, path = "/api/v1/chats/{id}/end", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn end(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, TicketId::parse)?;
    routing::end(&state.app, &api.ctx, Some(&api.caller), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Share a file in the chat as the agent (an API key names no agent: the file comes from the account). The bytes
/// are the body, the type its `Content-Type`; `name` and the sender's `client_id` are in the query.
#[utoipa::path(post, path = "/api/v1/chats/{id}/files", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path), ("name" = String, Query), ("client_id" = String, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = parley_domain::chat::ChatEvent), (status = 200, body = parley_domain::chat::ChatEvent),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn share_file(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<axum::extract::Query<crate::chat::FileQuery>, axum::extract::rejection::QueryRejection>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<parley_domain::chat::ChatEvent>)> {
    let id = path_id(&id, TicketId::parse)?;
    let axum::extract::Query(q) = q.map_err(|e| {
        crate::error::ApiError::from(parley_app::AppError::Invalid(parley_domain::Invalid::field(
            "query",
            e.body_text(),
        )))
    })?;
    let file = crate::chat::shared_file(q, &headers, body);
    let sender = parley_app::chat::files::Sender::Agent(&api.caller);
    let (event, new) = parley_app::chat::files::share(&state.app, &api.ctx, sender, id, file).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(event)))
}
