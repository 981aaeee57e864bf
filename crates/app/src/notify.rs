//! Mail Parley sends on its own behalf, queued in the account's mail outbox.

use crate::{AccountCtx, App, AppError};
use parley_domain::agent::Agent;
use parley_domain::ids::OutboxEventId;
use parley_store::OutboundMail;

/// The link to set a new password, to the agent who asked for it.
pub async fn password_reset(app: &App, ctx: &AccountCtx, agent: &Agent, link: &str) -> Result<(), AppError> {
    let text = format!(
        "Hello {name},\n\nSomeone (we hope you) asked to reset your password for the help desk {slug}.\n\
         Set a new one here within the hour:\n\n{link}\n\nIf it wasn't you, ignore this mail; your password stays as it is.\n",
        name = agent.name,
        slug = ctx.slug,
    );
    to_agent(app, ctx, agent, "password_reset", "Reset your password", text).await
}

/// The link where an agent an admin invited sets their first password.
pub async fn agent_invitation(app: &App, ctx: &AccountCtx, agent: &Agent, link: &str) -> Result<(), AppError> {
    let text = format!(
        "Hello {name},\n\nYou have been invited to the help desk {slug}.\n\
         Set your password here within seven days, then sign in with {email}:\n\n{link}\n",
        name = agent.name,
        slug = ctx.slug,
        email = agent.email,
    );
    to_agent(app, ctx, agent, "agent_invitation", "You are invited to the help desk", text).await
}

/// Queues a mail from the account's no-reply address to one of its agents.
pub(crate) async fn to_agent(
    app: &App,
    ctx: &AccountCtx,
    agent: &Agent,
    kind: &str,
    subject: &str,
    text: String,
) -> Result<(), AppError> {
    ctx.store.queue_mail(&agent_mail(app, ctx, agent, kind, subject, text)).await?;
    Ok(())
}

/// A mail from the account's no-reply address to one of its agents, for the caller to queue (with what it tells
/// of, in one unit of work).
pub(crate) fn agent_mail(
    app: &App,
    ctx: &AccountCtx,
    agent: &Agent,
    kind: &str,
    subject: &str,
    text: String,
) -> OutboundMail {
    OutboundMail {
        id: OutboxEventId::new().to_string(),
        account_id: ctx.account_id,
        kind: kind.into(),
        to: agent.email.to_string(),
        subject: subject.into(),
        text,
        ticket_id: None,
        message_id: None,
        created_at: ctx.now(),
        meta: parley_store::MailMeta {
            from: format!("no-reply@{}.{}", ctx.slug, app.settings.mail_domain),
            from_name: Some("Parley".into()),
            automatic: true,
            ..Default::default()
        },
    }
}
