//! Signing in with email and password; server-side sessions.

use super::{tokens, verify_password};
use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError};
use parley_domain::agent::Agent;
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::auth::{secret_hash, Session};
use parley_domain::email::EmailAddress;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

pub struct LoginAttempt {
    pub email: String,
    pub password: String,
    /// The client's address, for rate limiting.
    pub client: String,
}

/// Sign in. Every failure looks the same (no telling whether the address exists), and takes as long.
#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn login(app: &App, ctx: &AccountCtx, attempt: LoginAttempt) -> Result<(Session, String), AppError> {
    let ip_key = format!("{}:{}", ctx.account_id, attempt.client);
    app.limits.login_by_ip.hit(&ip_key).map_err(|s| AppError::RateLimited { retry_after_secs: s })?;
    let email = EmailAddress::parse(&attempt.email).ok();
    let email_key = format!("{}:{}", ctx.account_id, email.as_ref().map(|e| e.as_str()).unwrap_or(""));
    // Counted before the (slow) password check, so concurrent guesses cannot all slip under the limit; a success
    // gives the attempt back.
    app.limits.login_by_email.hit(&email_key).map_err(|s| AppError::RateLimited { retry_after_secs: s })?;
    let found = match &email {
        Some(e) => ctx.store.agent_credentials(ctx.account_id, e).await?,
        None => None,
    };
    let (agent, hash) = match found {
        Some((agent, hash)) if agent.active => (Some(agent), hash),
        _ => (None, None),
    };
    let ok = verify_password(hash, &attempt.password).await?;
    let Some(agent) = agent.filter(|_| ok) else {
        tracing::info!("sign-in failed");
        // The address tried is kept (bounded), as typed: it tells an administrator who was being guessed.
        let tried: String = attempt.email.trim().chars().filter(|c| !c.is_control()).take(320).collect();
        let failed = Record::new(AuditActor::Anonymous, AuditAction::LoginFailed)
            .detail(serde_json::json!({ "email": tried }))
            .ip(&attempt.client);
        audit::record(ctx, failed).await?;
        return Err(AppError::Unauthenticated);
    };
    app.limits.login_by_email.clear(&email_key);
    let token = tokens::random_token();
    let now = ctx.now();
    let session = Session {
        token_hash: secret_hash(&token),
        account_id: ctx.account_id,
        agent_id: agent.id,
        csrf_token: tokens::random_token(),
        created_at: now,
        expires_at: now.plus_seconds(SESSION_HOURS * 3600),
    };
    ctx.store.create_session(&session).await?;
    audit::record(ctx, Record::new(AuditActor::Agent(agent.id), AuditAction::LoginSucceeded).ip(&attempt.client))
        .await?;
    tracing::info!(agent = %agent.id, "signed in");
    Ok((session, token))
}

/// The agent a session token belongs to, if the session is live and the agent active.
pub async fn session_agent(ctx: &AccountCtx, token: &str) -> Result<Option<(Agent, Session)>, AppError> {
    let Some(session) = ctx.store.get_session(ctx.account_id, &secret_hash(token), ctx.now()).await? else {
        return Ok(None);
    };
    let agent = ctx.store.get_agent(ctx.account_id, session.agent_id).await?;
    Ok(agent.filter(|a| a.active).map(|a| (a, session)))
}

pub async fn logout(ctx: &AccountCtx, token: &str) -> Result<(), AppError> {
    let session = ctx.store.get_session(ctx.account_id, &secret_hash(token), ctx.now()).await?;
    ctx.store.delete_session(ctx.account_id, &secret_hash(token)).await?;
    if let Some(s) = session {
        audit::record(ctx, Record::new(AuditActor::Agent(s.agent_id), AuditAction::Logout)).await?;
    }
    Ok(())
}
