//! Following a ticket: an agent who is not its assignee (a team lead, a specialist asked in) hears of each new
//! public message by mail (customers' and agents') until they stop. Agents follow for themselves; administrators
//! add or remove anyone who may see the ticket. The mail carries the conversation, so it leaves only from accounts
//! with email on (the mail worker's rule for every such mail).

use super::{visible_ticket, TicketDetail};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::agent::Agent;
use parley_domain::event::Actor;
use parley_domain::ids::{AgentId, TicketId};
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;
use parley_domain::{Invalid, Timestamp};
use parley_store::OutboundMail;

/// A follower as pages and the API show one.
pub struct Follower {
    pub agent_id: AgentId,
    pub name: String,
    pub since: Timestamp,
}

/// The ticket's followers, in the order they started.
pub async fn followers(ctx: &AccountCtx, caller: &Caller, id: TicketId) -> Result<Vec<Follower>, AppError> {
    visible_ticket(ctx, caller, id).await?;
    named(ctx, id).await
}

/// The followers of a ticket the caller was already shown (holding its [`TicketDetail`] means they may see it),
/// named from the account's agents the caller already has: the ticket page reads neither twice.
pub async fn followers_of_shown(
    ctx: &AccountCtx,
    shown: &TicketDetail,
    agents: &[Agent],
) -> Result<Vec<Follower>, AppError> {
    Ok(with_names(ctx.store.followers(ctx.account_id, shown.ticket.id).await?, agents))
}

async fn named(ctx: &AccountCtx, id: TicketId) -> Result<Vec<Follower>, AppError> {
    let agents = ctx.store.list_agents(ctx.account_id).await?;
    Ok(with_names(ctx.store.followers(ctx.account_id, id).await?, &agents))
}

fn with_names(followers: Vec<(AgentId, Timestamp)>, agents: &[Agent]) -> Vec<Follower> {
    followers
        .into_iter()
        .map(|(agent_id, since)| Follower {
            agent_id,
            name: agents.iter().find(|a| a.id == agent_id).map(|a| a.name.clone()).unwrap_or_default(),
            since,
        })
        .collect()
}

/// Who is meant: the caller's own agent when `agent` is not given; anyone else only for an administrator.
fn whom(caller: &Caller, agent: Option<AgentId>) -> Result<AgentId, AppError> {
    let me = crate::views::me(caller);
    match agent {
        Some(a) if Some(a) == me => Ok(a),
        Some(a) => {
            caller.require_admin()?;
            Ok(a)
        }
        None => me.ok_or_else(|| Invalid::field("agent_id", "this caller is no agent: name the agent").into()),
    }
}

/// `agent` (or the caller) follows the ticket; following again changes nothing. The agent must be active and
/// allowed to see the ticket: a follower hears what it says.
pub async fn follow(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    agent: Option<AgentId>,
) -> Result<Vec<Follower>, AppError> {
    let ticket = visible_ticket(ctx, caller, id).await?;
    let who = whom(caller, agent)?;
    let Some(a) = ctx.store.get_agent(ctx.account_id, who).await? else {
        return Err(Invalid::field("agent_id", "is not an agent of this account").into());
    };
    if !a.active {
        return Err(Invalid::field("agent_id", "is deactivated").into());
    }
    if !Caller::Agent(a).can_see(&ticket) {
        return Err(Invalid::field("agent_id", "may not see this ticket (their departments)").into());
    }
    ctx.store.follow(ctx.account_id, id, who, ctx.now()).await?;
    named(ctx, id).await
}

pub async fn unfollow(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    agent: Option<AgentId>,
) -> Result<Vec<Follower>, AppError> {
    visible_ticket(ctx, caller, id).await?;
    let who = whom(caller, agent)?;
    ctx.store.unfollow(ctx.account_id, id, who).await?;
    named(ctx, id).await
}

/// The followers to tell of a new public message: active ones, not its author, not `skip` (the assignee, told
/// already). Notes are not mailed: a notification's reply address answers the customer.
pub(crate) async fn to_tell(
    ctx: &AccountCtx,
    ticket: &Ticket,
    message: &Message,
    skip: Option<AgentId>,
) -> Result<Vec<Agent>, AppError> {
    if message.internal {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (agent_id, _) in ctx.store.followers(ctx.account_id, ticket.id).await? {
        if message.author == Actor::Agent(agent_id) || Some(agent_id) == skip {
            continue;
        }
        if let Some(agent) = ctx.store.get_agent(ctx.account_id, agent_id).await?.filter(|a| a.active) {
            out.push(agent);
        }
    }
    Ok(out)
}

/// The mail that tells followers of a message, queued in the same unit of work as the message.
pub(crate) async fn follower_mails(
    app: &App,
    ctx: &AccountCtx,
    ticket: &Ticket,
    message: &Message,
    from: &str,
) -> Result<Vec<OutboundMail>, AppError> {
    let agents = to_tell(ctx, ticket, message, None).await?;
    if agents.is_empty() {
        return Ok(Vec::new());
    }
    let id = crate::email::identity(app, ctx).await?;
    Ok(agents.iter().map(|a| crate::email::compose::agent_notification(&id, ticket, a, message, from)).collect())
}
