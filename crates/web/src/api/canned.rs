//! `/api/v1/canned-responses`: saved replies with placeholders, shared or personal, and their rendering for a
//! ticket.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::{double_option, ApiJson};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::canned::{
    create_canned, delete_canned, get_canned, list_canned, render_canned, update_canned, CannedInput, CannedPatch,
    CannedQuery,
};
use parley_domain::canned::CannedResponse;
use parley_domain::error::Checker;
use parley_domain::ids::{CannedResponseId, TicketId};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/canned-responses", get(list).post(create))
        .route("/canned-responses/{id}", get(show).patch(update).delete(delete))
        .route("/tickets/{id}/canned-responses/{canned_id}/render", get(render))
}

fn default_true() -> bool {
    true
}

/// A canned response. Placeholders: `{{requester.name}}`, `{{requester.first_name}}`, `{{requester.email}}`,
/// `{{ticket.number}}`, `{{ticket.subject}}`, `{{agent.name}}`, `{{agent.first_name}}`, `{{agent.signature}}`; any
/// other is refused.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCannedBody {
    title: String,
    body: String,
    /// Seen by every agent (the default) or only by the agent who makes it. Shared ones are made by
    /// administrators; API keys make shared ones only.
    #[serde(default = "default_true")]
    shared: bool,
    /// `#refund` or `refund`; unique among what one agent sees.
    shortcut: Option<String>,
    folder: Option<String>,
    /// A language tag such as `en` or `pt-BR`.
    language: Option<String>,
}

/// Create a canned response.
#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "canned", security(("api_key" = [])),
    request_body = NewCannedBody,
    responses((status = 201, body = CannedResponse), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewCannedBody>,
) -> ApiResult<(StatusCode, Json<CannedResponse>)> {
    let input = CannedInput {
        title: b.title,
        body: b.body,
        shared: b.shared,
        shortcut: b.shortcut,
        folder: b.folder,
        language: b.language,
    };
    Ok((StatusCode::CREATED, Json(create_canned(&api.ctx, &api.caller, input).await?)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CannedList {
    canned_responses: Vec<CannedResponse>,
}

/// The canned responses the caller sees: the shared ones and, for an agent, their own. Without a folder first,
/// then by folder and title.
#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "canned", security(("api_key" = [])),
    params(
        ("q" = Option<String>, Query, description = "Words of the title or shortcut; `#ref` matches shortcuts starting with `ref`"),
        ("language" = Option<String>, Query, description = "Only this language (`en`, `pt-BR`)"),
        ("folder" = Option<String>, Query, description = "Only this folder"),
    ),
    responses((status = 200, body = CannedList), (status = 422, body = Problem)))]
pub(crate) async fn list(api: ApiCaller, Query(params): Query<Vec<(String, String)>>) -> ApiResult<Json<CannedList>> {
    let mut errs = Checker::new();
    let mut q = CannedQuery::default();
    for (k, v) in params {
        match k.as_str() {
            "q" => q.q = Some(v),
            "language" => q.language = Some(v),
            "folder" => q.folder = Some(v),
            other => errs.add(other.chars().take(40).collect::<String>(), "is not a parameter of this list"),
        }
    }
    errs.finish()?;
    Ok(Json(CannedList { canned_responses: list_canned(&api.ctx, &api.caller, q).await? }))
}

#[utoipa::path(get, path = "/api/v1/canned-responses/{id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = CannedResponse), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<CannedResponse>> {
    let id = path_id(&id, CannedResponseId::parse)?;
    Ok(Json(get_canned(&api.ctx, &api.caller, id).await?))
}

/// Fields to change; those left out stay. `null` clears `shortcut`, `folder` and `language`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CannedPatchBody {
    title: Option<String>,
    body: Option<String>,
    shared: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    shortcut: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    folder: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    language: Option<Option<String>>,
}

/// Change a canned response: a shared one by an administrator, a personal one by its owner.
#[utoipa::path(patch, path = "/api/v1/canned-responses/{id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = CannedPatchBody,
    responses((status = 200, body = CannedResponse), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CannedPatchBody>,
) -> ApiResult<Json<CannedResponse>> {
    let id = path_id(&id, CannedResponseId::parse)?;
    let patch = CannedPatch {
        title: b.title,
        body: b.body,
        shared: b.shared,
        shortcut: b.shortcut,
        folder: b.folder,
        language: b.language,
    };
    Ok(Json(update_canned(&api.ctx, &api.caller, id, patch).await?))
}

#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "canned", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, CannedResponseId::parse)?;
    delete_canned(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Rendered {
    /// The body with its placeholders filled for the ticket and the caller.
    body: String,
}

/// A canned response's body filled for a ticket, for the composer to insert. Sending it is an ordinary reply.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/canned-responses/{canned_id}/render", tag = "canned",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id"), ("canned_id" = String, Path)),
    responses((status = 200, body = Rendered), (status = 404, body = Problem)))]
pub(crate) async fn render(api: ApiCaller, Path((id, canned_id)): Path<(String, String)>) -> ApiResult<Json<Rendered>> {
    let ticket = path_id(&id, TicketId::parse)?;
    let canned = path_id(&canned_id, CannedResponseId::parse)?;
    Ok(Json(Rendered { body: render_canned(&api.ctx, &api.caller, ticket, canned).await? }))
}
