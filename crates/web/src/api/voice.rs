//! The phone channel's settings (administrators; audited): `/api/v1/settings/voice` (the Twilio credentials, never
//! shown back), `/api/v1/phone-numbers` and `/api/v1/ivrs`.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use parley_app::voice::settings::{self as uc, NumberInput, VoiceSettingsView};
use parley_domain::ids::{IvrId, PhoneNumberId};
use parley_domain::voice::{CredentialsInput, Ivr, IvrInput, PhoneNumber};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/voice", get(show_settings).put(replace_settings))
        .route("/phone-numbers", get(list_numbers).post(add_number))
        .route("/phone-numbers/{id}", delete(remove_number))
        .route("/ivrs", get(list_ivrs).post(create_ivr))
        .route("/ivrs/{id}", get(show_ivr).put(update_ivr).delete(delete_ivr))
        .route("/voice/token", post(softphone_token))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TokenOut {
    /// A JWT for Twilio's Voice SDK (`new Device(token)`), signed with the account's API key secret.
    token: String,
    /// What the softphone registers as: `agent-<id>`, the `<Client>` Parley rings.
    identity: String,
    /// Seconds since the epoch.
    expires_at: i64,
}

/// An access token for the signed-in agent's browser softphone (agents only, with voice on and an API key set).
#[utoipa::path(post, path = "/api/v1/voice/token", tag = "voice", security(("api_key" = [])),
    responses((status = 200, body = TokenOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem)))]
pub(crate) async fn softphone_token(api: ApiCaller) -> ApiResult<Json<TokenOut>> {
    let t = parley_app::voice::softphone_token(&api.ctx, &api.caller).await?;
    Ok(Json(TokenOut { token: t.token, identity: t.identity, expires_at: t.expires_at }))
}

/// The provider's credentials as shown back: never the auth token or the API key's secret.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct VoiceSettingsOut {
    configured: bool,
    account_sid: Option<String>,
    api_key_sid: Option<String>,
    /// The provider's REST API; recordings are fetched from and deleted at this host only.
    api_base: Option<String>,
}

impl From<VoiceSettingsView> for VoiceSettingsOut {
    fn from(v: VoiceSettingsView) -> Self {
        VoiceSettingsOut {
            configured: v.configured,
            account_sid: v.account_sid,
            api_key_sid: v.api_key_sid,
            api_base: v.api_base,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TwilioBody {
    /// `AC` and 32 hexadecimal digits.
    account_sid: String,
    auth_token: String,
    /// `SK` and 32 hexadecimal digits; with its secret, signs the softphone's access tokens.
    #[serde(default)]
    api_key_sid: Option<String>,
    #[serde(default)]
    api_key_secret: Option<String>,
    /// `https://api.twilio.com` when left out.
    #[serde(default)]
    api_base: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VoiceSettingsBody {
    twilio: TwilioBody,
}

/// The account's voice provider (admins).
#[utoipa::path(get, path = "/api/v1/settings/voice", tag = "voice", security(("api_key" = [])),
    responses((status = 200, body = VoiceSettingsOut), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(crate) async fn show_settings(api: ApiCaller) -> ApiResult<Json<VoiceSettingsOut>> {
    Ok(Json(uc::get(&api.ctx, &api.caller).await?.into()))
}

/// Connect the account's Twilio account (admins; audited). Webhooks are believed only when signed with its token.
#[utoipa::path(put, path = "/api/v1/settings/voice", tag = "voice", security(("api_key" = [])),
    request_body = VoiceSettingsBody,
    responses((status = 200, body = VoiceSettingsOut), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn replace_settings(
    api: ApiCaller,
    ApiJson(b): ApiJson<VoiceSettingsBody>,
) -> ApiResult<Json<VoiceSettingsOut>> {
    let t = b.twilio;
    let input = CredentialsInput {
        account_sid: t.account_sid,
        auth_token: t.auth_token,
        api_key_sid: t.api_key_sid,
        api_key_secret: t.api_key_secret,
        api_base: t.api_base,
    };
    Ok(Json(uc::set(&api.ctx, &api.caller, input).await?.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct NumberList {
    phone_numbers: Vec<PhoneNumber>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NumberBody {
    /// E.164, e.g. `+3612345678`.
    number: String,
    /// The provider's id of the number (`PN…`).
    #[serde(default)]
    provider_id: Option<String>,
    /// The IVR that answers; or `department_id` for straight to a department's queue; neither: the account's queue.
    #[serde(default)]
    ivr_id: Option<String>,
    #[serde(default)]
    department_id: Option<String>,
    /// `always`, `opt_in` or `never` (the default).
    #[serde(default)]
    recording: Option<String>,
    /// Whether calls nobody answered open tickets (default true).
    #[serde(default)]
    missed_call_tickets: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/phone-numbers", tag = "voice", security(("api_key" = [])),
    responses((status = 200, body = NumberList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(crate) async fn list_numbers(api: ApiCaller) -> ApiResult<Json<NumberList>> {
    Ok(Json(NumberList { phone_numbers: uc::list_numbers(&api.ctx, &api.caller).await? }))
}

/// Add a number of the account's provider (admins; audited). Point the number's voice URL at
/// `POST /voice/twilio/incoming` and its status callback at `POST /voice/twilio/status` on the account's host.
#[utoipa::path(post, path = "/api/v1/phone-numbers", tag = "voice", security(("api_key" = [])), request_body = NumberBody,
    responses((status = 201, body = PhoneNumber), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn add_number(
    api: ApiCaller,
    ApiJson(b): ApiJson<NumberBody>,
) -> ApiResult<(StatusCode, Json<PhoneNumber>)> {
    let input = NumberInput {
        number: b.number,
        provider_id: b.provider_id,
        ivr_id: b.ivr_id,
        department_id: b.department_id,
        recording: b.recording,
        missed_call_tickets: b.missed_call_tickets,
    };
    Ok((StatusCode::CREATED, Json(uc::add_number(&api.ctx, &api.caller, input).await?)))
}

#[utoipa::path(delete, path = "/api/v1/phone-numbers/{id}", tag = "voice", security(("api_key" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn remove_number(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, PhoneNumberId::parse)?;
    uc::remove_number(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct IvrList {
    ivrs: Vec<Ivr>,
}

#[utoipa::path(get, path = "/api/v1/ivrs", tag = "voice", security(("api_key" = [])),
    responses((status = 200, body = IvrList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub(crate) async fn list_ivrs(api: ApiCaller) -> ApiResult<Json<IvrList>> {
    Ok(Json(IvrList { ivrs: uc::list_ivrs(&api.ctx, &api.caller).await? }))
}

/// Draw an IVR (admins; audited): menus with a greeting per language and routes from keys (`0`–`9`, `*`, `#`,
/// `default`) to `queue` (of a department), `voicemail`, `forward` (a number), `menu` (another), `repeat` or
/// `hangup`. The first menu answers while the account is open; `closed_menu` while it is closed.
#[utoipa::path(post, path = "/api/v1/ivrs", tag = "voice", security(("api_key" = [])), request_body = IvrInput,
    responses((status = 201, body = Ivr), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn create_ivr(api: ApiCaller, ApiJson(b): ApiJson<IvrInput>) -> ApiResult<(StatusCode, Json<Ivr>)> {
    Ok((StatusCode::CREATED, Json(uc::create_ivr(&api.ctx, &api.caller, b).await?)))
}

#[utoipa::path(get, path = "/api/v1/ivrs/{id}", tag = "voice", security(("api_key" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Ivr), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn show_ivr(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Ivr>> {
    let id = path_id(&id, IvrId::parse)?;
    Ok(Json(uc::get_ivr(&api.ctx, &api.caller, id).await?))
}

/// Replace an IVR's menus (admins; audited); calls in it hear the new menus from their next key.
#[utoipa::path(put, path = "/api/v1/ivrs/{id}", tag = "voice", security(("api_key" = [])), params(("id" = String, Path)),
    request_body = IvrInput,
    responses((status = 200, body = Ivr), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_ivr(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<IvrInput>,
) -> ApiResult<Json<Ivr>> {
    let id = path_id(&id, IvrId::parse)?;
    Ok(Json(uc::update_ivr(&api.ctx, &api.caller, id, b).await?))
}

/// Delete an IVR no number answers with (admins; audited).
#[utoipa::path(delete, path = "/api/v1/ivrs/{id}", tag = "voice", security(("api_key" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub(crate) async fn delete_ivr(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, IvrId::parse)?;
    uc::delete_ivr(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
