//! `/api/v1/mailboxes`, the inbound mail webhook, and `/api/v1/attachments`.

use super::path_id;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Account, ApiCaller};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::email::{self, NewMailbox};
use parley_domain::ids::{AttachmentId, MailboxId};
use parley_domain::mailbox::{ImapSettings, Mailbox};
use serde::{Deserialize, Serialize};

/// `max_message_bytes` bounds the mail a provider may post, as it bounds mail over SMTP.
pub(crate) fn router(max_message_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/mailboxes", get(list).post(create))
        .route("/mailboxes/{id}/test", post(test_connection))
        .route("/mailboxes/{id}/inbound", post(inbound).layer(DefaultBodyLimit::max(max_message_bytes)))
        .route("/attachments/{id}", get(attachment))
        .route("/messages/{id}/original", get(original))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewMailboxBody {
    /// An address of the account's own domain that forwards to Parley or is fetched by IMAP.
    address: String,
    name: Option<String>,
    /// Fetch this mailbox from an IMAP server.
    imap: Option<ImapSettings>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct NewMailboxOut {
    mailbox: Mailbox,
    /// Where a mail provider posts raw mail for this mailbox, and the secret it signs with (shown once).
    inbound_url: String,
    inbound_secret: String,
}

/// Add a mailbox: an address the account receives mail at, optionally fetched by IMAP.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "email", security(("api_key" = [])), request_body = NewMailboxBody,
    responses((status = 201, body = NewMailboxOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<NewMailboxBody>,
) -> ApiResult<(StatusCode, Json<NewMailboxOut>)> {
    let (mailbox, secret) = email::create_mailbox(
        &state.app,
        &api.ctx,
        &api.caller,
        NewMailbox { address: b.address, name: b.name, imap: b.imap },
    )
    .await?;
    let inbound_url =
        format!("{}/api/v1/mailboxes/{}/inbound", state.app.settings.account_url(api.ctx.slug.as_str()), mailbox.id);
    Ok((StatusCode::CREATED, Json(NewMailboxOut { mailbox, inbound_url, inbound_secret: secret })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MailboxList {
    mailboxes: Vec<Mailbox>,
}

#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "email", security(("api_key" = [])), responses((status = 200, body = MailboxList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<MailboxList>> {
    Ok(Json(MailboxList { mailboxes: email::list_mailboxes(&api.ctx, &api.caller).await? }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ConnectionTest {
    /// The server took the connection and the sign-in.
    ok: bool,
    /// What happened: the server's refusal or the connection error when `ok` is false.
    detail: String,
}

/// Connect to a mailbox's IMAP server and sign in, as fetching will. A failure is a `200` with `ok: false` and the
/// reason; a mailbox without IMAP settings is a `422`.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/test", tag = "email", security(("api_key" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ConnectionTest), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn test_connection(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<ConnectionTest>> {
    let id = path_id(&id, MailboxId::parse)?;
    let check = email::test_imap(&api.ctx, &api.caller, id).await?;
    Ok(Json(ConnectionTest { ok: check.ok, detail: check.detail }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Stored {
    id: String,
}

/// A mail provider's inbound webhook: the raw message (`message/rfc822`) as the body, signed with the mailbox's
/// secret (`webhook-id`, `webhook-timestamp`, `webhook-signature`, as Parley signs its own webhooks). Answers 202
/// once the mail is stored.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/inbound", tag = "email", params(("id" = String, Path)),
    request_body(content = String, content_type = "message/rfc822"),
    responses((status = 202, body = Stored), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn inbound(
    Account(ctx): Account,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Stored>)> {
    let id = path_id(&id, MailboxId::parse)?;
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => parley_domain::Invalid::field("body", "could not be read").into(),
    })?;
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let stored = email::receive_posted(
        &state.app,
        &ctx,
        id,
        (h("webhook-id"), h("webhook-timestamp"), h("webhook-signature")),
        &body,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(Stored { id: stored.to_string() })))
}

/// The mail a message was made from, as received (`message/rfc822`, as a download).
#[utoipa::path(get, path = "/api/v1/messages/{id}/original", tag = "email", security(("api_key" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The mail as received"), (status = 404, body = Problem)))]
pub(crate) async fn original(api: ApiCaller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, parley_domain::ids::MessageId::parse)?;
    Ok(crate::files::original_response(email::original(&api.ctx, &api.caller, id).await?))
}

/// A file that came with a message.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "email", security(("api_key" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The file"), (status = 404, body = Problem)))]
pub(crate) async fn attachment(api: ApiCaller, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, AttachmentId::parse)?;
    let (info, data) = email::attachment(&api.ctx, &api.caller, id).await?;
    Ok(crate::files::attachment_response(&info, data))
}
