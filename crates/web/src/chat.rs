//! The visitor side of live chat, `/chat/v1` on the account's host, called from the widget on other sites:
//! a visitor token (`Authorization: Bearer pv_…`), conversations, messages, and the conversation's numbered events
//! read with long polling. Cross-origin by design: answers carry CORS headers for the calling page's origin; no
//! cookie is ever read here, so another site cannot act with an agent's session.

use crate::error::{ApiError, ApiResult};
use crate::extract::{Account, ClientAddr};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::chat::{self, StartChat};
use parley_app::AccountCtx;
use parley_domain::chat::{ChatEvent, Visitor};
use parley_domain::ids::{DepartmentId, TicketId};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Chat bodies are small: a message is at most 4,000 characters.
const BODY_LIMIT: usize = 64 * 1024;

pub(crate) fn router(max_file_bytes: usize) -> Router<AppState> {
    // A file's bytes come as the body; a little over the limit is read so that the use case names the limit.
    let files = post(share_file).layer(axum::extract::DefaultBodyLimit::max(max_file_bytes + 1024));
    Router::new()
        .route("/chat/v1/conversations/{id}/files", files)
        .route("/chat/v1/conversations/{id}/files/{file}", get(fetch_file))
        .route("/chat/v1/visitors", post(new_visitor))
        .route("/chat/v1/conversations", post(start))
        .route("/chat/v1/conversations/{id}/messages", post(send))
        .route("/chat/v1/conversations/{id}/events", get(events))
        .route("/chat/v1/conversations/{id}/end", post(end))
        .route("/chat/v1/socket", get(crate::chat_socket::upgrade))
        .route("/widget.js", get(widget))
        .route("/chat/v1/identify", post(identify))
        .route("/chat/v1/availability", get(availability))
        .route("/chat/v1/offline", post(offline))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(cors))
}

/// The widget, for `<script src="https://<slug>.<base>/widget.js" async></script>` on any site, with the
/// account's look written in (JSON is a JavaScript expression; `<` is escaped all the same).
async fn widget(Account(ctx): Account) -> ApiResult<Response> {
    let look = chat::settings::look(&ctx).await?;
    let json = serde_json::to_string(&look).unwrap_or_else(|_| "{}".into()).replace('<', "\\u003c");
    let script = include_str!("../assets/widget.js").replacen("/*ACCOUNT_LOOK*/{}", &json, 1).replacen(
        "/*TEXTS*/{ en: {} }",
        &widget_texts(),
        1,
    );
    Ok((
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        script,
    )
        .into_response())
}

/// The widget's texts in every language, as a JavaScript object of objects; `{n}` and `{name}` stay for the
/// script to fill in.
fn widget_texts() -> String {
    let all: serde_json::Map<String, serde_json::Value> = parley_i18n::LANGUAGES
        .iter()
        .map(|l| {
            let texts = parley_i18n::Texts::of(l.code).group("widget-", &["n", "name"]);
            let obj = texts.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
            (l.code.to_string(), serde_json::Value::Object(obj))
        })
        .collect();
    serde_json::Value::Object(all).to_string().replace('<', "\\u003c")
}

/// Lets pages of the sites the account listed (any, if it listed none) call these routes, with a bearer token and
/// never cookies, and answers their preflights. Other sites get `403` and no CORS headers, on the WebSocket too.
async fn cors(req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    if let (Some(o), Some(ctx)) = (&origin, req.extensions().get::<AccountCtx>()) {
        if let Err(e) = chat::settings::check_origin(ctx, Some(o.to_str().unwrap_or("invalid"))).await {
            return ApiError::from(e).into_response();
        }
    }
    let mut res =
        if req.method() == Method::OPTIONS { StatusCode::NO_CONTENT.into_response() } else { next.run(req).await };
    if let Some(origin) = origin {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    res
}

/// The visitor a request is from, by their token, within the host's account only.
pub(crate) struct VisitorCaller {
    ctx: AccountCtx,
    visitor: Visitor,
}

impl<S: Send + Sync> FromRequestParts<S> for VisitorCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Account(ctx) = Account::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        let visitor = chat::visitor_by_token(&ctx, token).await?.ok_or(ApiError::Unauthenticated)?;
        Ok(VisitorCaller { ctx, visitor })
    }
}

#[derive(Serialize)]
struct NewVisitor {
    visitor_id: String,
    /// Kept by the visitor's browser; shown once.
    token: String,
}

async fn new_visitor(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
) -> ApiResult<(StatusCode, Json<NewVisitor>)> {
    let (visitor, token) = chat::new_visitor(&state.app, &ctx, &ip).await?;
    Ok((StatusCode::CREATED, Json(NewVisitor { visitor_id: visitor.id.to_string(), token })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    client_id: String,
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    department_id: Option<String>,
    message: MessageBody,
}

#[derive(Serialize)]
struct Conversation {
    conversation_id: String,
    events: Vec<ChatEvent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_position: Option<u32>,
}

async fn start(
    State(state): State<AppState>,
    v: VisitorCaller,
    ApiJson(b): ApiJson<StartBody>,
) -> ApiResult<(StatusCode, Json<Conversation>)> {
    let department_id = department(b.department_id.as_deref())?;
    let input = StartChat { name: b.name, department_id, client_id: b.message.client_id, body: b.message.body };
    let (id, events) = chat::start(&state.app, &v.ctx, &v.visitor, input).await?;
    let queue_position = chat::routing::place_in_queue(&state.app, &v.ctx, id).await?;
    Ok((StatusCode::CREATED, Json(Conversation { conversation_id: id.to_string(), events, queue_position })))
}

fn conversation_id(s: &str) -> Result<TicketId, ApiError> {
    crate::api::path_id(s, TicketId::parse)
}

/// `201` with the event when stored now; `200` with the same event when the client id was sent before.
async fn send(
    State(state): State<AppState>,
    v: VisitorCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MessageBody>,
) -> ApiResult<(StatusCode, Json<ChatEvent>)> {
    let id = conversation_id(&id)?;
    let (event, new) = chat::send(&state.app, &v.ctx, &v.visitor, id, &b.client_id, &b.body).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(event)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    #[serde(default)]
    after: i64,
    /// Seconds to wait for an event when there is none yet (at most 25).
    #[serde(default)]
    wait: u64,
}

#[derive(Serialize)]
struct Events {
    events: Vec<ChatEvent>,
    /// The visitor's place in the queue while no agent has taken the chat (1: next).
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_position: Option<u32>,
}

async fn events(
    State(state): State<AppState>,
    v: VisitorCaller,
    Path(id): Path<String>,
    q: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Events>> {
    let id = conversation_id(&id)?;
    let Query(q) = q.map_err(|e| {
        ApiError::from(parley_app::AppError::Invalid(parley_domain::Invalid::field("query", e.body_text())))
    })?;
    let wait = Duration::from_secs(q.wait);
    let (events, queue_position) = chat::events(&state.app, &v.ctx, &v.visitor, id, q.after, wait).await?;
    Ok(Json(Events { events, queue_position }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileQuery {
    pub(crate) client_id: String,
    pub(crate) name: String,
}

/// The visitor shares a file: its bytes are the body, its type the `Content-Type`, its name and the client's id
/// for the message in the query. `201` with the message's event; `200` with the same event for a resent id.
async fn share_file(
    State(state): State<AppState>,
    v: VisitorCaller,
    Path(id): Path<String>,
    q: Result<Query<FileQuery>, axum::extract::rejection::QueryRejection>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<ChatEvent>)> {
    let id = conversation_id(&id)?;
    let Query(q) = q.map_err(|e| {
        ApiError::from(parley_app::AppError::Invalid(parley_domain::Invalid::field("query", e.body_text())))
    })?;
    let file = shared_file(q, &headers, body);
    let sender = chat::files::Sender::Visitor(&v.visitor);
    let (event, new) = chat::files::share(&state.app, &v.ctx, sender, id, file).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(event)))
}

/// A file as the request carries it.
pub(crate) fn shared_file(
    q: FileQuery,
    headers: &axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> chat::files::SharedFile {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(String::from);
    chat::files::SharedFile { client_id: q.client_id, name: q.name, content_type, data: body.to_vec() }
}

/// A file of the visitor's own conversation, as a download (images of plain types inline).
async fn fetch_file(v: VisitorCaller, Path((id, file)): Path<(String, String)>) -> ApiResult<Response> {
    let id = conversation_id(&id)?;
    let file = crate::api::path_id(&file, parley_domain::ids::AttachmentId::parse)?;
    let (info, data) = chat::files::fetch(&v.ctx, &v.visitor, id, file).await?;
    Ok(crate::files::attachment_response(&info, data))
}

/// The visitor ends their chat.
async fn end(State(state): State<AppState>, v: VisitorCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = conversation_id(&id)?;
    chat::end_by_visitor(&state.app, &v.ctx, &v.visitor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentifyBody {
    id: String,
    email: String,
    #[serde(default)]
    name: Option<String>,
    hash: String,
}

/// The site vouches for its signed-in user: `hash` is the hex HMAC-SHA256 of `id` under the account's identity
/// secret. With a valid hash the visitor becomes the contact with that email; without, nothing changes (`403`).
async fn identify(v: VisitorCaller, ApiJson(b): ApiJson<IdentifyBody>) -> ApiResult<StatusCode> {
    let who = chat::settings::Identity { id: b.id, email: b.email, name: b.name, hash: b.hash };
    chat::settings::identify(&v.ctx, &v.visitor, who).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AvailabilityQuery {
    #[serde(default)]
    department_id: Option<String>,
}

fn department(d: Option<&str>) -> Result<Option<DepartmentId>, ApiError> {
    match d {
        None => Ok(None),
        Some(d) => DepartmentId::parse(d).map(Some).ok_or_else(|| {
            ApiError::from(parley_app::AppError::Invalid(parley_domain::Invalid::field(
                "department_id",
                "is not a department of this account",
            )))
        }),
    }
}

/// Whether an agent takes chats now: the widget shows the chat, or the offline form.
async fn availability(
    Account(ctx): Account,
    q: Result<Query<AvailabilityQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let Query(q) = q.map_err(|e| {
        ApiError::from(parley_app::AppError::Invalid(parley_domain::Invalid::field("query", e.body_text())))
    })?;
    let available = chat::presence::available(&ctx, department(q.department_id.as_deref())?).await?;
    Ok(Json(serde_json::json!({ "available": available })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfflineBody {
    #[serde(default)]
    name: Option<String>,
    email: String,
    message: String,
    #[serde(default)]
    department_id: Option<String>,
}

/// The offline form: a ticket from that address, answered by email.
async fn offline(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    ApiJson(b): ApiJson<OfflineBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let input = chat::presence::OfflineMessage {
        subject: None,
        name: b.name,
        email: b.email,
        body: b.message,
        department_id: department(b.department_id.as_deref())?,
    };
    let number = chat::presence::leave_message(&state.app, &ctx, &ip, input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "ticket": format!("#{}", number.0) }))))
}
