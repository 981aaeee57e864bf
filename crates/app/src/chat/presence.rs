//! Agents' presence for chats, and what a visitor gets when nobody is there: a form whose message becomes a ticket
//! answered by email.

use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::chat::{parse_chat_text, Presence};
use parley_domain::chat_routing::parse_max_chats;
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, ContactId, DepartmentId};
use parley_domain::ticket::{Channel, TicketNumber};
use parley_domain::{text, Timestamp};
use parley_store::Requester;

/// Agents set their own presence; administrators (and API keys) anyone's.
fn may_set(caller: &Caller, agent: AgentId) -> Result<(), AppError> {
    match caller {
        Caller::Agent(a) if a.id == agent => Ok(()),
        c => c.require_admin(),
    }
}

/// An agent's chat presence as others see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentPresence {
    /// As they set it.
    pub status: Presence,
    /// The most chats they hold at once.
    pub max_chats: u32,
    /// Chats they hold now.
    pub chats: u32,
    /// Whether they have Parley open (a socket in a live process): only then are chats rung for them.
    pub online: bool,
}

/// Sets the agent's presence and, when given, how many chats they hold at once. Becoming available may let a
/// waiting chat ring them; every tab of theirs hears of it.
pub async fn set(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    agent: AgentId,
    status: Option<&str>,
    max_chats: Option<i64>,
) -> Result<AgentPresence, AppError> {
    may_set(caller, agent)?;
    let mut errs = Checker::new();
    let status = status.map(|s| errs.check(Presence::parse(s)));
    let max = max_chats.map(|n| errs.check(parse_max_chats(n)));
    errs.finish()?;
    if ctx.store.get_agent(ctx.account_id, agent).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let now = ctx.now();
    if let Some(max) = max.flatten() {
        ctx.store.set_max_chats(ctx.account_id, agent, max, now).await?;
    }
    if let Some(status) = status.flatten() {
        ctx.store.set_presence(ctx.account_id, agent, status, now).await?;
    }
    super::routing::moved(app, ctx).await;
    super::routing::nudge(app, ctx).await;
    of(app, ctx, agent).await
}

/// The agent's presence; `NotFound` for an agent of no account or another.
pub async fn get_of(app: &App, ctx: &AccountCtx, agent: AgentId) -> Result<AgentPresence, AppError> {
    if ctx.store.get_agent(ctx.account_id, agent).await?.is_none() {
        return Err(AppError::NotFound);
    }
    of(app, ctx, agent).await
}

/// The agent's presence, for one known to be the account's.
/// What the agent set, alone: enough for the workspace's header, without the liveness and chat counts.
pub async fn status_of(ctx: &AccountCtx, agent: AgentId) -> Result<Presence, AppError> {
    Ok(ctx.store.presence(ctx.account_id, agent).await?)
}

pub async fn of(app: &App, ctx: &AccountCtx, agent: AgentId) -> Result<AgentPresence, AppError> {
    let now = ctx.now();
    let since = Timestamp::from_millis(now.millis() - app.settings.chat_liveness.as_millis() as i64);
    Ok(AgentPresence {
        status: ctx.store.presence(ctx.account_id, agent).await?,
        max_chats: ctx.store.max_chats(ctx.account_id, agent).await?,
        chats: ctx.store.chats_held(ctx.account_id, agent).await?,
        online: ctx.store.agent_online(ctx.account_id, agent, since).await?,
    })
}

/// Whether someone takes chats now (in the department, when one is named).
pub async fn available(ctx: &AccountCtx, department: Option<DepartmentId>) -> Result<bool, AppError> {
    Ok(ctx.store.available_agents(ctx.account_id, department).await? > 0)
}

pub struct OfflineMessage {
    /// The portal's request form has one; the chat's offline form makes one of the message's first line.
    pub subject: Option<String>,
    pub name: Option<String>,
    pub email: String,
    pub body: String,
    pub department_id: Option<DepartmentId>,
}

/// The chat's offline form and the portal's request form: the message becomes a ticket from that address,
/// answered by email. Limited per client address like new visitors.
pub async fn leave_message(
    app: &App,
    ctx: &AccountCtx,
    ip: &str,
    input: OfflineMessage,
) -> Result<TicketNumber, AppError> {
    app.chat.arrivals.hit(ip).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })?;
    let mut errs = Checker::new();
    let email = errs.check(EmailAddress::parse(&input.email));
    let body = errs.check(parse_chat_text(&input.body));
    let name = errs.check(text::optional_text("name", input.name.as_deref(), 200));
    let subject = errs.check(text::optional_text("subject", input.subject.as_deref(), 200));
    crate::tickets::check::department(ctx, &mut errs, input.department_id).await?;
    errs.finish()?;
    let (Some(email), Some(body), Some(name), Some(subject)) = (email, body, name, subject) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked offline message fields missing")));
    };
    let now = ctx.now();
    let first_line: String = body.lines().next().unwrap_or("").chars().take(80).collect();
    let requester = Requester::ByEmail { email, name, new_id: ContactId::new(), at: now };
    let subject = subject.unwrap_or_else(|| format!("Message from the chat: {first_line}"));
    let new = crate::tickets::customer_ticket(ctx, subject, Channel::Web, input.department_id, requester, body, now);
    let (ticket, _, _) = ctx.store.create_ticket(new).await?;
    Ok(ticket.number)
}
