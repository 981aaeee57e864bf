//! Forgotten and changed passwords.

use super::{hash_password, tokens, verify_password};
use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError};
use parley_domain::agent::{check_password, Agent};
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::auth::secret_hash;
use parley_domain::email::EmailAddress;
use serde_json::json;

/// A reset to send: to whom, and the one-time token for the link.
pub struct ResetRequest {
    pub agent: Agent,
    pub token: String,
}

/// How long a reset link works.
const RESET_MINUTES: i64 = 60;

/// Prepare a reset: `None` when there is nobody to send it to. Not rate limited itself: see [`forgot_password`].
pub async fn request_reset(ctx: &AccountCtx, email: &str) -> Result<Option<ResetRequest>, AppError> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(None);
    };
    let Some((agent, _)) = ctx.store.agent_credentials(ctx.account_id, &email).await? else {
        return Ok(None);
    };
    if !agent.active {
        return Ok(None);
    }
    let token = tokens::random_token();
    let expires = ctx.now().plus_seconds(RESET_MINUTES * 60);
    ctx.store.create_reset_token(ctx.account_id, agent.id, &secret_hash(&token), expires).await?;
    Ok(Some(ResetRequest { agent, token }))
}

/// "Forgot my password": limited per client, then answered the same way whether or not the address belongs to an
/// agent. Looking the address up, writing the token and queueing the mail happen after the answer, in the
/// background, so neither the time taken nor an error tells anything about the address.
pub async fn forgot_password(
    app: &std::sync::Arc<App>,
    ctx: &AccountCtx,
    email: &str,
    client: &str,
) -> Result<(), AppError> {
    app.limits
        .reset_by_ip
        .hit(&format!("{}:{client}", ctx.account_id))
        .map_err(|s| AppError::RateLimited { retry_after_secs: s })?;
    let (app, ctx, email) = (app.clone(), ctx.clone(), email.to_string());
    tokio::spawn(async move {
        let sent = async {
            if let Some(req) = request_reset(&ctx, &email).await? {
                let link =
                    format!("{}/password/reset?token={}", app.settings.account_url(ctx.slug.as_str()), req.token);
                crate::notify::password_reset(&app, &ctx, &req.agent, &link).await?;
            }
            Ok::<(), AppError>(())
        };
        if let Err(e) = sent.await {
            tracing::warn!(error = %e, "a password reset could not be prepared");
        }
    });
    Ok(())
}

/// Set a new password with a reset token. Ends the agent's other sessions.
pub async fn reset_password(ctx: &AccountCtx, token: &str, new_password: &str) -> Result<Agent, AppError> {
    check_password(new_password)?;
    let agent_id =
        ctx.store.consume_reset_token(ctx.account_id, &secret_hash(token), ctx.now()).await?.ok_or_else(|| {
            AppError::Invalid(parley_domain::Invalid::field("token", "this link has expired or was used already"))
        })?;
    let hash = hash_password(new_password).await?;
    ctx.store.set_password(ctx.account_id, agent_id, &hash).await?;
    ctx.store.delete_agent_sessions(ctx.account_id, agent_id).await?;
    let reset = Record::new(AuditActor::Agent(agent_id), AuditAction::PasswordReset).detail(json!({"by": "link"}));
    audit::record(ctx, reset).await?;
    ctx.store.get_agent(ctx.account_id, agent_id).await?.ok_or(AppError::NotFound)
}

/// Change one's own password, knowing the current one. Ends the agent's sessions, including this one.
pub async fn change_password(
    ctx: &AccountCtx,
    agent: &Agent,
    current: &str,
    new_password: &str,
) -> Result<(), AppError> {
    check_password(new_password)?;
    let (_, hash) = ctx.store.agent_credentials(ctx.account_id, &agent.email).await?.ok_or(AppError::NotFound)?;
    if !verify_password(hash, current).await? {
        return Err(AppError::Invalid(parley_domain::Invalid::field(
            "current_password",
            "is not your current password",
        )));
    }
    let hash = hash_password(new_password).await?;
    ctx.store.set_password(ctx.account_id, agent.id, &hash).await?;
    ctx.store.delete_agent_sessions(ctx.account_id, agent.id).await?;
    let changed = Record::new(AuditActor::Agent(agent.id), AuditAction::PasswordReset).detail(json!({"by": "self"}));
    audit::record(ctx, changed).await?;
    Ok(())
}
