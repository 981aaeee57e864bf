//! `/api/v1/settings/mail`: whether new tickets opened by mail are acknowledged, and the account's own wording.

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::email::{self, MailSettingsView};
use parley_domain::mail_template::{MailTemplate, PLACEHOLDERS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/settings/mail", get(show).put(replace))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MailSettingsBody {
    /// Send an acknowledgement when mail opens a ticket.
    acknowledge: bool,
    /// The account's acknowledgement per language (`en`, `de`, `fr`, …). Replaces what was there; languages left
    /// out use Parley's own text.
    #[serde(default)]
    acknowledgement: BTreeMap<String, MailTemplate>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MailSettingsOut {
    acknowledge: bool,
    acknowledgement: BTreeMap<String, MailTemplate>,
    /// Parley's own acknowledgement in each language it has, to start from.
    defaults: BTreeMap<String, MailTemplate>,
    /// What `{{…}}` may name in a subject or body.
    placeholders: Vec<String>,
}

impl From<MailSettingsView> for MailSettingsOut {
    fn from(v: MailSettingsView) -> Self {
        MailSettingsOut {
            acknowledge: v.settings.acknowledge,
            acknowledgement: v.settings.acknowledgement,
            defaults: v.defaults,
            placeholders: PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect(),
        }
    }
}

/// The account's automatic-mail settings (admins).
#[utoipa::path(get, path = "/api/v1/settings/mail", tag = "email", security(("api_key" = [])),
    responses((status = 200, body = MailSettingsOut), (status = 403, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, State(state): State<AppState>) -> ApiResult<Json<MailSettingsOut>> {
    Ok(Json(email::mail_settings(&state.app, &api.ctx, &api.caller).await?.into()))
}

/// Replace the account's automatic-mail settings (admins). Subjects always keep the ticket token `[#N]`.
#[utoipa::path(put, path = "/api/v1/settings/mail", tag = "email", security(("api_key" = [])),
    request_body = MailSettingsBody,
    responses((status = 200, body = MailSettingsOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn replace(
    api: ApiCaller,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<MailSettingsBody>,
) -> ApiResult<Json<MailSettingsOut>> {
    let view = email::set_mail_settings(&state.app, &api.ctx, &api.caller, b.acknowledge, b.acknowledgement).await?;
    Ok(Json(view.into()))
}
