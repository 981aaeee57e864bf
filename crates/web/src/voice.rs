//! `/voice/twilio/{hook}` on the account's host: the webhooks Twilio sends for the account's calls. Each is
//! believed only when its `X-Twilio-Signature` is the account's provider's, over the URL as Twilio requested it
//! (the account's public URL, `PARLEY_PUBLIC_SCHEME` and port included, as a proxy in front of Parley receives it)
//! and its parameters; anything else is refused with 403 before anything is read or stored. The answer is TwiML.

use crate::error::{ApiError, ApiResult};
use crate::extract::Account;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use parley_app::voice::{self, CallRequest, Hook};
use parley_domain::voice::signature::Signed;
use std::collections::BTreeMap;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/voice/twilio/{hook}", post(hook))
}

fn hook_named(name: &str) -> Option<Hook> {
    Some(match name {
        "incoming" => Hook::Incoming,
        "gather" => Hook::Gather,
        "wait" => Hook::Wait,
        "queue" => Hook::Queue,
        "dial" => Hook::Dial,
        "voicemail" => Hook::Voicemail,
        "recording" => Hook::Recording,
        "status" => Hook::Status,
        _ => return None,
    })
}

/// Most parameters a webhook carries; Twilio sends a few dozen.
const MAX_PARAMS: usize = 200;

/// A JSON body's parameters: a flat object of strings (numbers and booleans as their text).
fn json_params(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let bad = || ApiError::MalformedJson("the body must be a JSON object of parameters".into());
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| bad())?;
    let obj = v.as_object().ok_or_else(bad)?;
    obj.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            serde_json::Value::Number(n) => Ok((k.clone(), n.to_string())),
            serde_json::Value::Bool(b) => Ok((k.clone(), b.to_string())),
            _ => Err(bad()),
        })
        .collect()
}

async fn hook(
    State(state): State<AppState>,
    Account(ctx): Account,
    Path(name): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let hook = hook_named(&name).ok_or(ApiError::NotFound)?;
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or(hook.path());
    let url = format!("{}{}", state.app.settings.account_url(ctx.slug.as_str()), path);
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let params: Vec<(String, String)> = if json {
        json_params(&body)?
    } else {
        url::form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    };
    if params.len() > MAX_PARAMS {
        return Err(ApiError::PayloadTooLarge);
    }
    let signed = if json { Signed::Body(&body) } else { Signed::Form(&params) };
    let signature = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok());
    voice::check_signature(&ctx, &url, signed, signature).await?;
    let mut by_name = BTreeMap::new();
    for (k, v) in params {
        by_name.entry(k).or_insert(v);
    }
    let query: BTreeMap<String, String> = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let twiml = voice::answer(&state.app, &ctx, hook, &CallRequest { params: by_name, query }).await?;
    Ok(([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response())
}
