//! The phone channel over Twilio's protocol: administrators connect the account's provider and numbers and draw
//! its IVRs ([`settings`]); calls walk the IVR, the queues and the agents' phones through webhooks ([`flow`]), are
//! filed on tickets ([`filing`]), and their recordings move into the region ([`recordings`]).

mod filing;
pub mod flow;
pub mod recordings;
pub mod settings;
mod speech;
pub mod twiml;

use crate::{AccountCtx, AppError};
use parley_domain::voice::signature::{verify, Signed};

pub use flow::{answer, CallRequest, Hook};

/// What the phone channel keeps per process.
pub struct Voice {
    /// Wakes the recordings worker when a recording is ready.
    pub wake: tokio::sync::Notify,
    /// Talks to the provider's REST API (recordings).
    pub http: reqwest::Client,
}

impl Default for Voice {
    fn default() -> Self {
        Voice { wake: tokio::sync::Notify::new(), http: reqwest::Client::new() }
    }
}

/// The phone calls on a ticket the caller was shown, oldest first.
pub async fn calls_on(
    ctx: &AccountCtx,
    ticket: parley_domain::ids::TicketId,
) -> Result<Vec<parley_domain::voice::Call>, AppError> {
    Ok(ctx.store.ticket_calls(ctx.account_id, ticket).await?)
}

/// Whether a webhook request was signed by the account's provider: `Forbidden` (and nothing done) when the account
/// has no credentials, or the signature is missing or wrong. `url` is the URL as the provider requested it.
pub async fn check_signature(
    ctx: &AccountCtx,
    url: &str,
    signed: Signed<'_>,
    signature: Option<&str>,
) -> Result<(), AppError> {
    let Some(creds) = ctx.store.voice_credentials(ctx.account_id).await? else {
        return Err(AppError::Forbidden("this account has no voice provider configured".into()));
    };
    match signature {
        Some(sig) if verify(&creds.auth_token, url, signed, sig) => Ok(()),
        Some(_) => Err(AppError::Forbidden("the request's X-Twilio-Signature is not the provider's".into())),
        None => Err(AppError::Forbidden("the request has no X-Twilio-Signature".into())),
    }
}

/// A short-lived access token for the signed-in agent's browser softphone, registering as
/// [`flow::agent_identity`]. `Conflict` (409) when voice is off or the account has no API key for it.
pub async fn softphone_token(ctx: &AccountCtx, caller: &crate::Caller) -> Result<SoftphoneToken, AppError> {
    let crate::Caller::Agent(agent) = caller else {
        return Err(AppError::Forbidden("only an agent has a softphone".into()));
    };
    if !crate::privacy::features::enabled(ctx).await?.contains(&parley_domain::subprocessors::Feature::Voice) {
        return Err(AppError::Conflict("voice is switched off for this account".into()));
    }
    let creds = ctx.store.voice_credentials(ctx.account_id).await?;
    let Some((creds, key, secret)) =
        creds.and_then(|c| Some((c.clone(), c.api_key_sid.clone()?, c.api_key_secret.clone()?)))
    else {
        return Err(AppError::Conflict("the account's voice settings have no API key for softphones".into()));
    };
    let identity = flow::agent_identity(agent.id);
    let now = ctx.now().millis() / 1000;
    let token = parley_domain::voice::token::access_token(&parley_domain::voice::token::Grant {
        account_sid: &creds.account_sid,
        api_key_sid: &key,
        api_key_secret: &secret,
        identity: &identity,
        now,
    });
    Ok(SoftphoneToken { token, identity, expires_at: now + parley_domain::voice::token::TTL_SECS })
}

/// An access token for a softphone, the identity it registers as, and when it runs out (seconds since the epoch).
pub struct SoftphoneToken {
    pub token: String,
    pub identity: String,
    pub expires_at: i64,
}
