//! Inviting an agent from the workspace: the agent is added with a one-time setup link, and the link is mailed to
//! them through the account's mail outbox, so the admin never handles the new agent's password.

use super::agents::{add_agent, setup_link, AddAgent, Credentials};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::agent::Agent;

/// Add an agent (audited as [`add_agent`] is) and queue the mail with their set-password link.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn invite_agent(app: &App, ctx: &AccountCtx, caller: &Caller, input: AddAgent) -> Result<Agent, AppError> {
    caller.require_admin()?;
    let input = AddAgent { password: None, ..input };
    let (agent, creds) = add_agent(ctx, Some(caller), input, true).await?;
    let Credentials::SetupToken(token) = creds else {
        return Err(AppError::Internal(anyhow::anyhow!("an invited agent got a password instead of a setup link")));
    };
    let link = setup_link(app, ctx, &token);
    crate::notify::agent_invitation(app, ctx, &agent, &link).await?;
    Ok(agent)
}
