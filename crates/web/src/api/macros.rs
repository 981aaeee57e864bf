//! `/api/v1/macros`: named sets of ticket actions with an optional reply, and applying one to a ticket.

use super::path_id;
use super::tickets::TicketOut;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::{double_option, ApiJson};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::canned::{apply_macro, create_macro, delete_macro, get_macro, list_macros, update_macro};
use parley_app::canned::{MacroInput, MacroPatch};
use parley_domain::canned::{Macro, MacroReply};
use parley_domain::ids::{MacroId, TicketId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/macros", get(list).post(create))
        .route("/macros/{id}", get(show).patch(update).delete(delete))
        .route("/tickets/{id}/macros/{macro_id}", post(apply))
}

fn default_true() -> bool {
    true
}

/// The reply or internal note a macro adds; its body may hold the placeholders canned responses do.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyBody {
    body: String,
    #[serde(default)]
    internal: bool,
}

impl From<ReplyBody> for MacroReply {
    fn from(r: ReplyBody) -> Self {
        MacroReply { body: r.body, internal: r.internal }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMacroBody {
    title: String,
    /// Ticket actions, applied in order: `{"action": "set", "field": "status" | "priority" | "assignee_id" |
    /// "department_id" | "subject" | "custom_fields.<key>", "value": …}`, `{"action": "add_tags", "value":
    /// ["x"]}`, `{"action": "remove_tags", "value": ["x"]}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    actions: Vec<Value>,
    reply: Option<ReplyBody>,
    /// Seen by every agent (the default, made by administrators and API keys) or only by the agent who makes it.
    #[serde(default = "default_true")]
    shared: bool,
}

/// Create a macro.
#[utoipa::path(post, path = "/api/v1/macros", tag = "canned", security(("api_key" = [])), request_body = NewMacroBody,
    responses((status = 201, body = Macro), (status = 422, body = Problem)))]
pub(crate) async fn create(api: ApiCaller, ApiJson(b): ApiJson<NewMacroBody>) -> ApiResult<(StatusCode, Json<Macro>)> {
    let input = MacroInput { title: b.title, actions: b.actions, reply: b.reply.map(Into::into), shared: b.shared };
    Ok((StatusCode::CREATED, Json(create_macro(&api.ctx, &api.caller, input).await?)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MacroList {
    macros: Vec<Macro>,
}

/// The macros the caller sees: the shared ones and, for an agent, their own; by title.
#[utoipa::path(get, path = "/api/v1/macros", tag = "canned", security(("api_key" = [])),
    responses((status = 200, body = MacroList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<MacroList>> {
    Ok(Json(MacroList { macros: list_macros(&api.ctx, &api.caller).await? }))
}

#[utoipa::path(get, path = "/api/v1/macros/{id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Macro), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Macro>> {
    let id = path_id(&id, MacroId::parse)?;
    Ok(Json(get_macro(&api.ctx, &api.caller, id).await?))
}

/// Fields to change; those left out stay. `"reply": null` removes the reply.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MacroPatchBody {
    title: Option<String>,
    #[schema(value_type = Option<Vec<Object>>)]
    actions: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<ReplyBody>)]
    reply: Option<Option<ReplyBody>>,
    shared: Option<bool>,
}

/// Change a macro: a shared one by an administrator, a personal one by its owner.
#[utoipa::path(patch, path = "/api/v1/macros/{id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = MacroPatchBody,
    responses((status = 200, body = Macro), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MacroPatchBody>,
) -> ApiResult<Json<Macro>> {
    let id = path_id(&id, MacroId::parse)?;
    let patch =
        MacroPatch { title: b.title, actions: b.actions, reply: b.reply.map(|r| r.map(Into::into)), shared: b.shared };
    Ok(Json(update_macro(&api.ctx, &api.caller, id, patch).await?))
}

#[utoipa::path(delete, path = "/api/v1/macros/{id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, MacroId::parse)?;
    delete_macro(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Apply a macro to a ticket: its reply or note (placeholders filled; a reply on an email ticket is mailed) and
/// then its changes, each recorded as if made by hand. Answers the ticket as `GET /tickets/{id}` does.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/macros/{macro_id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id"), ("macro_id" = String, Path)),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn apply(
    api: ApiCaller,
    State(state): State<AppState>,
    Path((id, macro_id)): Path<(String, String)>,
) -> ApiResult<Json<TicketOut>> {
    let ticket = path_id(&id, TicketId::parse)?;
    let m = path_id(&macro_id, MacroId::parse)?;
    let detail = apply_macro(&state.app, &api.ctx, &api.caller, ticket, m).await?;
    Ok(Json(TicketOut::shown(&api.ctx, detail).await?))
}
