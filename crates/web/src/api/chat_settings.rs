//! `/api/v1/settings/chat`: the sites that may embed the account's chat, the identity secret, and the line to put
//! on a site; and blocking a chat's visitor.

use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::chat::settings;
use parley_domain::chat::ChatSettings;
use parley_domain::ids::TicketId;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/chat", get(show).put(replace))
        .route("/tickets/{id}/block-visitor", post(block))
        .route("/agents/{id}/presence", get(presence).put(set_presence))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ChatSettingsOut {
    /// Sites (origins) whose pages may use the chat; empty: any site.
    allowed_origins: Vec<String>,
    /// Signs visitor identities: `hash` = hex HMAC-SHA256 of the user's id under this secret.
    identity_secret: String,
    /// The line to put on a site.
    embed: String,
    /// How the next agent to ring is chosen: `least_busy` or `round_robin`.
    routing: String,
    /// How long a chat rings one agent before it rings the next.
    ring_seconds: u32,
    /// How the widget looks on every site.
    look: parley_domain::chat::WidgetLook,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChatSettingsBody {
    /// Left as they are when absent.
    #[serde(default)]
    allowed_origins: Option<Vec<String>>,
    #[serde(default)]
    routing: Option<String>,
    /// 5 to 600.
    #[serde(default)]
    ring_seconds: Option<i64>,
    /// The widget's `color` (`#rrggbb`), `position` (`left`/`right`) and `greeting`; absent ones are the widget's
    /// own. Left as it is when absent.
    #[serde(default)]
    #[schema(value_type = Option<parley_domain::chat::WidgetLook>)]
    look: Option<settings::LookInput>,
    /// Make a new identity secret; identities signed with the old one are no longer believed.
    #[serde(default)]
    rotate_identity_secret: bool,
}

fn out(state: &AppState, slug: &str, s: ChatSettings) -> ChatSettingsOut {
    let url = state.app.settings.account_url(slug);
    ChatSettingsOut {
        allowed_origins: s.allowed_origins,
        identity_secret: s.identity_secret,
        embed: format!(r#"<script src="{url}/widget.js" async></script>"#),
        routing: s.routing.strategy.as_str().into(),
        ring_seconds: s.routing.ring_secs,
        look: s.look,
    }
}

/// The account's chat settings (admins).
#[utoipa::path(get, path = "/api/v1/settings/chat", tag = "chat", security(("api_key" = [])),
    responses((status = 200, body = ChatSettingsOut), (status = 403, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, State(state): State<AppState>) -> ApiResult<Json<ChatSettingsOut>> {
    let s = settings::get(&api.ctx, &api.caller).await?;
    Ok(Json(out(&state, api.ctx.slug.as_str(), s)))
}

/// Replace the sites that may embed the chat; optionally make a new identity secret (admins; audited).
#[utoipa::path(put, path = "/api/v1/settings/chat", tag = "chat", security(("api_key" = [])),
    request_body = ChatSettingsBody,
    responses((status = 200, body = ChatSettingsOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn replace(
    api: ApiCaller,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<ChatSettingsBody>,
) -> ApiResult<Json<ChatSettingsOut>> {
    let change = settings::ChatSettingsChange {
        allowed_origins: b.allowed_origins,
        rotate_secret: b.rotate_identity_secret,
        routing: b.routing,
        ring_seconds: b.ring_seconds,
        look: b.look,
    };
    let s = settings::set(&api.ctx, &api.caller, change).await?;
    Ok(Json(out(&state, api.ctx.slug.as_str(), s)))
}

/// Stop the visitor of this chat from writing again (agents who can see the ticket).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/block-visitor", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn block(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, TicketId::parse)?;
    settings::block(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PresenceBody {
    /// `available`, `away` or `offline`; left as it is when absent.
    #[serde(default)]
    status: Option<String>,
    /// The most chats the agent holds at once (1 to 50); left as it is when absent.
    #[serde(default)]
    max_chats: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct PresenceOut {
    /// `available`, `away` or `offline`, as the agent set it.
    status: String,
    max_chats: u32,
    /// Chats the agent holds now.
    chats: u32,
    /// Whether the agent has Parley open: chats ring only for agents who are available and online.
    online: bool,
}

impl From<parley_app::chat::presence::AgentPresence> for PresenceOut {
    fn from(p: parley_app::chat::presence::AgentPresence) -> Self {
        PresenceOut { status: p.status.as_str().into(), max_chats: p.max_chats, chats: p.chats, online: p.online }
    }
}

/// Whether the agent takes chats now, and how many they hold.
#[utoipa::path(get, path = "/api/v1/agents/{id}/presence", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PresenceOut), (status = 404, body = Problem)))]
pub(crate) async fn presence(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PresenceOut>> {
    let id = path_id(&id, parley_domain::ids::AgentId::parse)?;
    let p = parley_app::chat::presence::get_of(&state.app, &api.ctx, id).await?;
    Ok(Json(p.into()))
}

/// Set whether the agent takes chats and how many at once (the agent themself, or administrators).
#[utoipa::path(put, path = "/api/v1/agents/{id}/presence", tag = "chat", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = PresenceBody,
    responses((status = 200, body = PresenceOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn set_presence(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PresenceBody>,
) -> ApiResult<Json<PresenceOut>> {
    let id = path_id(&id, parley_domain::ids::AgentId::parse)?;
    let p = parley_app::chat::presence::set(&state.app, &api.ctx, &api.caller, id, b.status.as_deref(), b.max_chats)
        .await?;
    Ok(Json(p.into()))
}
