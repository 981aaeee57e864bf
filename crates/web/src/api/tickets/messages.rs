use crate::api::path_id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use parley_app::tickets::{
    add_message as add, add_message_after as add_after, get_ticket, NewMessage, Upload, MAX_FILES,
};
use parley_app::AppError;
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

/// The multipart form of a new message: the message as JSON, and its files.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a schema for the OpenAPI document; the handler reads the parts one by one
pub(crate) struct NewMessageUpload {
    /// The message, as the JSON body takes it.
    message: NewMessageBody,
    /// One part per file (at most 10, together within the size one attachment may have); the part's filename and
    /// type go with it.
    #[schema(value_type = Vec<String>, format = Binary)]
    attachments: Vec<Vec<u8>>,
}

/// Add a public reply or an internal note. Files go with it as `multipart/form-data`: a `message` part holding
/// the JSON, and an `attachments` part per file; they are kept in the account's region and sent with a reply by
/// mail.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "tickets",
    request_body(content((NewMessageBody = "application/json"), (NewMessageUpload = "multipart/form-data"))),
    security(("api_key" = [])), params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 201, body = Message), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn add_message(
    api: ApiCaller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let id = path_id(&id, TicketId::parse)?;
    let (b, attachments) = read_message(req, &state).await?;
    let seen = match b.after_message_id.as_deref() {
        Some(m) => Some(MessageId::parse(m).ok_or_else(|| Invalid::field("after_message_id", "is not a message id"))?),
        None => None,
    };
    let input = NewMessage { body: b.body, internal: b.internal, client_id: None, cc: b.cc, attachments };
    let (_, message) = match seen.filter(|_| !b.force) {
        Some(seen) => add_after(&state.app, &api.ctx, &api.caller, id, input, seen).await?,
        None => add(&state.app, &api.ctx, &api.caller, id, input).await?,
    };
    Ok((StatusCode::CREATED, Json(message)))
}

/// The body as JSON, or as a multipart form with the JSON in its `message` part and files in `attachments` parts.
async fn read_message(
    req: axum::extract::Request,
    state: &AppState,
) -> Result<(NewMessageBody, Vec<Upload>), ApiError> {
    use axum::extract::FromRequest;
    if !crate::json::is_multipart(req.headers()) {
        // Without files, the body is held to the API's usual limit, as every other JSON body is.
        let len =
            req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if len.is_some_and(|n| n > state.web.body_limit) {
            return Err(ApiError::PayloadTooLarge);
        }
        let ApiJson(b) = ApiJson::<NewMessageBody>::from_request(req, state).await?;
        return Ok((b, Vec::new()));
    }
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::from(AppError::Invalid(Invalid::field("body", e.body_text())))
        }
    };
    let mut parts = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| ApiError::from(AppError::Invalid(Invalid::field("body", e.body_text()))))?;
    let (mut message, mut files) = (None, Vec::new());
    while let Some(part) = parts.next_field().await.map_err(bad)? {
        match part.name().unwrap_or_default() {
            "message" => {
                let bytes = part.bytes().await.map_err(bad)?;
                message = Some(crate::json::parse::<NewMessageBody>(&bytes)?);
            }
            "attachments" => {
                if files.len() == MAX_FILES {
                    return Err(
                        AppError::Invalid(Invalid::field("attachments", format!("at most {MAX_FILES} files"))).into()
                    );
                }
                let name = part.file_name().unwrap_or("attachment").to_string();
                let content_type = part.content_type().map(str::to_string);
                let data = part.bytes().await.map_err(bad)?.to_vec();
                files.push(Upload { name, content_type, data });
            }
            other => {
                let other: String = other.chars().take(40).collect();
                let e = Invalid::field(other, "is not a part of this form: send `message` and `attachments`");
                return Err(AppError::Invalid(e).into());
            }
        }
    }
    let message = message.ok_or_else(|| AppError::Invalid(Invalid::field("message", "is required")))?;
    Ok((message, files))
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreviewBody {
    /// A reply or note as written (Markdown).
    body: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Preview {
    /// The HTML the message is shown and mailed as: sanitized, typed HTML shown as text.
    html: String,
}

/// How a reply written in Markdown will look, rendered exactly as it will be stored and mailed.
#[utoipa::path(post, path = "/api/v1/messages/preview", tag = "tickets", request_body = PreviewBody,
    security(("api_key" = [])),
    responses((status = 200, body = Preview), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn preview(_api: ApiCaller, ApiJson(b): ApiJson<PreviewBody>) -> ApiResult<Json<Preview>> {
    let body = parley_domain::message::parse_body(&b.body)?;
    Ok(Json(Preview { html: parley_domain::reply_markdown::reply_html(&body) }))
}
