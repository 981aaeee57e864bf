//! `/api/v1/tickets/{id}/followers`: agents who hear of a ticket's new public messages by mail.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::Path;
use axum::routing::{delete, get};
use axum::{Json, Router};
use parley_app::tickets::{self as uc, Follower};
use parley_domain::ids::{AgentId, TicketId};
use parley_domain::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets/{id}/followers", get(list).post(follow))
        .route("/tickets/{id}/followers/{agent_id}", delete(unfollow))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FollowerOut {
    #[schema(value_type = String, format = "uuid")]
    agent_id: String,
    name: String,
    since: Timestamp,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Followers {
    /// In the order they started following.
    followers: Vec<FollowerOut>,
}

fn out(list: Vec<Follower>) -> Json<Followers> {
    Json(Followers {
        followers: list
            .into_iter()
            .map(|f| FollowerOut { agent_id: f.agent_id.to_string(), name: f.name, since: f.since })
            .collect(),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FollowBody {
    /// Who follows: leave it out to follow yourself; another agent only for administrators (and API keys).
    #[schema(value_type = Option<String>, format = "uuid")]
    agent_id: Option<String>,
}

/// The ticket's followers.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/followers", tag = "tickets", security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, body = Followers), (status = 404, body = Problem)))]
pub(crate) async fn list(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Followers>> {
    let id = path_id(&id, TicketId::parse)?;
    Ok(out(uc::followers(&api.ctx, &api.caller, id).await?))
}

/// Follow the ticket (or have an agent follow it); following again changes nothing.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/followers", tag = "tickets", request_body = FollowBody,
    security(("api_key" = [])), params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, body = Followers), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn follow(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FollowBody>,
) -> ApiResult<Json<Followers>> {
    let id = path_id(&id, TicketId::parse)?;
    let agent = match b.agent_id.as_deref() {
        Some(a) => Some(AgentId::parse(a).ok_or_else(|| Invalid::field("agent_id", "is not an agent id"))?),
        None => None,
    };
    Ok(out(uc::follow(&api.ctx, &api.caller, id, agent).await?))
}

/// Stop an agent following the ticket (yourself; anyone, for administrators).
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/followers/{agent_id}", tag = "tickets",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id"), ("agent_id" = String, Path, description = "The agent")),
    responses((status = 200, body = Followers), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn unfollow(api: ApiCaller, Path((id, agent)): Path<(String, String)>) -> ApiResult<Json<Followers>> {
    let id = path_id(&id, TicketId::parse)?;
    let agent = path_id(&agent, AgentId::parse)?;
    Ok(out(uc::unfollow(&api.ctx, &api.caller, id, Some(agent)).await?))
}
