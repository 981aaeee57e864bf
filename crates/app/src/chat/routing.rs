//! Routing chats to agents: ringing the next agent for each waiting chat, taking a chat, declining it, handing it
//! to another agent or team, and ending it. What may happen to a chat is the domain's [`Route`]; that two
//! processes cannot ring one agent twice or give one chat to two agents is the database's.

use crate::tickets::{payload, visible_ticket, RETRIES};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::agent::Agent;
use parley_domain::chat::{ChatEventKind, NewChatEvent};
use parley_domain::chat_routing::{pick, Candidate, Route, RouteError, RouteState};
use parley_domain::error::Checker;
use parley_domain::event::Actor;
use parley_domain::ids::{AgentId, DepartmentId, TicketId};
use parley_domain::message::TicketEvent;
use parley_domain::ticket::{Status, Ticket, TicketPatch};
use parley_domain::{Invalid, Timestamp};
use parley_store::{StoreError, TicketChange};
use std::collections::HashMap;

/// Waiting chats looked at per account and round; the rest wait for the next round.
const ROUND: u32 = 2000;

impl From<RouteError> for AppError {
    fn from(e: RouteError) -> Self {
        AppError::Conflict(e.to_string())
    }
}

/// Sockets of processes seen since then count as "Parley open".
pub(crate) fn live_since(app: &App, now: Timestamp) -> Timestamp {
    Timestamp::from_millis(now.millis() - app.settings.chat_liveness.as_millis() as i64)
}

/// Tells this process's agents' sockets and waiting visitors, and every other process sharing the region's
/// database, that the account's routing moved.
pub async fn moved(app: &App, ctx: &AccountCtx) {
    app.chat.publish_routing(ctx.account_id);
    if let Err(e) = ctx.store.signal_routing(ctx.account_id).await {
        tracing::warn!(error = %e, "could not signal other processes that routing moved");
    }
}

/// One round for the account: chats whose tickets are done stop waiting, rings that ran out (or whose ticket was
/// given to an agent meanwhile) go back to the queue, and each waiting chat rings the agent its account's
/// strategy picks, if anyone may take it now. Returns whether anything moved.
pub async fn route_account(app: &App, ctx: &AccountCtx) -> Result<bool, AppError> {
    let now = ctx.now();
    let (ended, rings) = ctx.store.settle_routes(ctx.account_id, now).await?;
    let mut moved_any = ended > 0;
    for mut route in rings {
        let rung = route.agent_id;
        route.pass(now);
        moved_any |= ctx.store.update_route(&route, &[RouteState::Ringing], rung, now).await?;
    }
    let since = live_since(app, now);
    // Nobody at all could be rung: nothing to look at (the common case of a busy queue).
    if ctx.store.chat_candidates(ctx.account_id, None, since).await?.is_empty() {
        if moved_any {
            moved(app, ctx).await;
        }
        return Ok(moved_any);
    }
    let rules = ctx.store.chat_settings(ctx.account_id).await?.map(|s| s.routing).unwrap_or_default();
    // Candidates per department, read once per round; an agent rung leaves every list.
    let mut candidates: HashMap<Option<DepartmentId>, Vec<Candidate>> = HashMap::new();
    for route in ctx.store.waiting_routes(ctx.account_id, None, ROUND).await? {
        if route.state != RouteState::Queued {
            continue;
        }
        let list = match candidates.get_mut(&route.department_id) {
            Some(l) => l,
            None => {
                let l = ctx.store.chat_candidates(ctx.account_id, route.department_id, since).await?;
                candidates.entry(route.department_id).or_insert(l)
            }
        };
        let Some(agent) = pick(rules.strategy, list, &route, rules.ring_secs, now) else { continue };
        let until = Timestamp::from_millis(now.millis() + i64::from(rules.ring_secs) * 1000);
        // Rung or not (another process rang them first), they ring for one chat at a time.
        moved_any |= ctx.store.ring(ctx.account_id, route.ticket_id, agent, until, now).await?;
        for l in candidates.values_mut() {
            l.retain(|c| c.agent_id != agent);
        }
    }
    if moved_any {
        moved(app, ctx).await;
    }
    Ok(moved_any)
}

/// Routes the account now (after something that may let a chat ring: an agent free or back, a chat handed on).
pub async fn nudge(app: &App, ctx: &AccountCtx) {
    if let Err(e) = route_account(app, ctx).await {
        tracing::warn!(account = %ctx.slug, error = %e, "could not route the account's chats");
    }
}

/// A new chat waits at the end of its team's queue (nobody else's place moves): it rings someone now, rather than
/// at the next round, if anyone who may take it has room. With nobody to ring, the account is not routed: a round
/// reads every waiting chat, and a crowd of visitors arriving while the agents are busy or away would make that a
/// read per visitor. The next round settles what needs settling.
pub(super) async fn joined(app: &App, ctx: &AccountCtx, department: Option<DepartmentId>) {
    let since = live_since(app, ctx.now());
    match ctx.store.chat_candidates(ctx.account_id, department, since).await {
        Ok(free) if free.iter().all(|c| c.holding >= c.max_chats) => {}
        Ok(_) => nudge(app, ctx).await,
        Err(e) => tracing::warn!(account = %ctx.slug, error = %e, "could not route a new chat"),
    }
}

/// One round for every account with waiting chats in the regions this process serves. Every process sharing a
/// region runs it; the database keeps their rings apart.
pub async fn route_all(app: &App) -> Result<(), AppError> {
    for cell in app.regions.working().await {
        let store = cell.store().await?;
        let accounts = parley_store::ChatRoutingStore::accounts_with_waiting_chats(store).await?;
        for (_, slug) in accounts {
            let Ok(slug) = parley_domain::account::AccountSlug::parse(&slug) else { continue };
            if let Ok(crate::regions::Resolution::Here(ctx)) = app.regions.resolve(&slug).await {
                nudge(app, &ctx).await;
            }
        }
    }
    Ok(())
}

/// Says in every served region's database that this process is alive, so its agents' sockets keep counting.
pub async fn still_alive(app: &App) -> Result<(), AppError> {
    let now = Timestamp::now();
    let forget = Timestamp::from_millis(now.millis() - 24 * 3600 * 1000);
    for cell in app.regions.working().await {
        let store = cell.store().await?;
        parley_store::ChatRoutingStore::connections_alive(store, &app.chat.process_id, now, forget).await?;
        // Views held by sockets of processes that died go with their sockets.
        parley_store::ViewerStore::forget_dead_viewers(store).await?;
    }
    Ok(())
}

/// The agent an action is for: the signed-in agent themselves, or (administrators and API keys) the agent named.
/// The operator's staff never take chats.
async fn acting_agent(ctx: &AccountCtx, caller: &Caller, named: Option<AgentId>) -> Result<Agent, AppError> {
    match (caller, named) {
        (Caller::Staff { .. }, _) => Err(AppError::Forbidden("support staff do not take chats".into())),
        (Caller::Agent(a), None) => Ok(a.clone()),
        (Caller::Agent(a), Some(id)) if id == a.id => Ok(a.clone()),
        (Caller::ApiKey(_), None) => Err(Invalid::field("agent_id", "is required when an API key acts").into()),
        (c, Some(id)) => {
            c.require_admin()?;
            let agent = ctx.store.get_agent(ctx.account_id, id).await?;
            agent.filter(|a| a.active).ok_or_else(|| Invalid::field("agent_id", "is not an active agent").into())
        }
    }
}

/// The chat's route; tickets that are not chats have none (`NotFound`).
async fn route_of(ctx: &AccountCtx, ticket: TicketId) -> Result<Route, AppError> {
    ctx.store.route(ctx.account_id, ticket).await?.ok_or(AppError::NotFound)
}

/// Saves a change to a chat's ticket together with its route, re-reading the ticket when another writer changed
/// it first. `change` says what to do to the ticket and which chat events to append.
async fn save_with_route(
    ctx: &AccountCtx,
    caller: Option<&Caller>,
    id: TicketId,
    route: &Route,
    from: &[RouteState],
    patch: TicketPatch,
    chat: Vec<ChatEventKind>,
) -> Result<(), AppError> {
    for _ in 0..RETRIES {
        let mut ticket: Ticket = match caller {
            Some(c) => visible_ticket(ctx, c, id).await?,
            None => ctx.store.get_ticket(ctx.account_id, id).await?.ok_or(AppError::NotFound)?,
        };
        let expected_version = ticket.version;
        let now = ctx.now();
        let kinds = ticket.apply(patch.clone(), now)?;
        let outbox = if kinds.is_empty() { Vec::new() } else { vec![payload::updated(&ticket, &kinds)] };
        let actor = caller.map_or(Actor::System, Caller::actor);
        let events = kinds.into_iter().map(|k| TicketEvent::new(ctx.account_id, id, actor, k, now)).collect();
        let chat = chat.iter().map(|k| NewChatEvent { kind: k.clone(), at: now }).collect();
        let change = TicketChange { ticket, expected_version, message: None, events, outbox, mail: Vec::new(), chat };
        match ctx.store.save_routed(change, route, from).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Stale) => continue,
            // The store refuses an assignment past the agent's limit (counted as it writes) as it refuses a chat
            // taken meanwhile; which one it was is read again here.
            Err(StoreError::Conflict(_)) => {
                if let (RouteState::Assigned, Some(agent)) = (route.state, route.agent_id) {
                    if let Some(max) = at_limit(ctx, agent).await? {
                        return Err(RouteError::AtLimit(max).into());
                    }
                }
                return Err(RouteError::Taken.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}

/// The agent's limit of chats when they hold that many already; `None` while they have room.
async fn at_limit(ctx: &AccountCtx, agent: AgentId) -> Result<Option<u32>, AppError> {
    let max = ctx.store.max_chats(ctx.account_id, agent).await?;
    Ok((ctx.store.chats_held(ctx.account_id, agent).await? >= max).then_some(max))
}

/// Wakes everyone who follows the chat and the account's routing.
async fn announce(app: &App, ctx: &AccountCtx, ticket: TicketId) {
    super::appended(app, ctx, ticket).await;
    moved(app, ctx).await;
}

/// The agent takes the chat (rung for it or picking it from the queue): it is assigned to them, the visitor sees
/// them join. Taking a chat one holds already changes nothing.
pub async fn accept(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    named: Option<AgentId>,
) -> Result<(), AppError> {
    let agent = acting_agent(ctx, caller, named).await?;
    let before = visible_ticket(ctx, caller, ticket).await?;
    let mut route = route_of(ctx, ticket).await?;
    if route.state == RouteState::Assigned && route.agent_id == Some(agent.id) {
        return Ok(());
    }
    if let Some(max) = at_limit(ctx, agent.id).await? {
        return Err(RouteError::AtLimit(max).into());
    }
    route.accept(agent.id)?;
    let patch = TicketPatch {
        assignee_id: Some(Some(agent.id)),
        status: (before.status == Status::New).then_some(Status::Open),
        ..TicketPatch::default()
    };
    let joined = ChatEventKind::AgentJoined { name: agent.name.clone() };
    save_with_route(ctx, Some(caller), ticket, &route, &[RouteState::Queued, RouteState::Ringing], patch, vec![joined])
        .await?;
    announce(app, ctx, ticket).await;
    Ok(())
}

/// An agent answering a chat that waits for an agent takes it first, so the visitor sees who joined and nobody
/// else is rung for it. Other tickets, and chats held already, are left as they are.
pub async fn answering(app: &App, ctx: &AccountCtx, caller: &Caller, ticket: TicketId) -> Result<(), AppError> {
    let Caller::Agent(agent) = caller else { return Ok(()) };
    match ctx.store.route(ctx.account_id, ticket).await? {
        Some(r) if r.state.waiting() => match accept(app, ctx, caller, ticket, Some(agent.id)).await {
            // Taken by someone else meanwhile, or they hold their limit: the answer still goes out.
            Ok(()) | Err(AppError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        },
        _ => Ok(()),
    }
}

/// The agent rung for the chat passes: it rings the next agent.
pub async fn decline(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    named: Option<AgentId>,
) -> Result<(), AppError> {
    let agent = acting_agent(ctx, caller, named).await?;
    visible_ticket(ctx, caller, ticket).await?;
    let mut route = route_of(ctx, ticket).await?;
    if route.state != RouteState::Ringing || route.agent_id != Some(agent.id) {
        return Err(RouteError::NotRingingForYou.into());
    }
    let now = ctx.now();
    route.pass(now);
    if !ctx.store.update_route(&route, &[RouteState::Ringing], Some(agent.id), now).await? {
        return Err(RouteError::NotRingingForYou.into());
    }
    moved(app, ctx).await;
    nudge(app, ctx).await;
    Ok(())
}

/// Where a chat is handed.
pub enum TransferTo {
    Agent(AgentId),
    Department(DepartmentId),
}

/// Hands a chat to another agent (it is theirs at once) or to a team (it waits in that team's queue and rings
/// its agents). The agent who held it leaves the conversation.
pub async fn transfer(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    to: TransferTo,
) -> Result<(), AppError> {
    if matches!(caller, Caller::Staff { .. }) {
        return Err(AppError::Forbidden("support staff do not hand chats on".into()));
    }
    visible_ticket(ctx, caller, ticket).await?;
    let mut route = route_of(ctx, ticket).await?;
    // An agent hands on a chat they hold, or one still waiting; administrators any. Taking someone else's chat
    // is not a transfer.
    if let (RouteState::Assigned, Caller::Agent(a)) = (route.state, caller) {
        if route.agent_id != Some(a.id) && !caller.is_admin() {
            return Err(AppError::Forbidden("only the agent holding a chat (or an administrator) hands it on".into()));
        }
    }
    // Saved only if nobody moved the chat meanwhile.
    let from = [route.state];
    let mut chat = Vec::new();
    if let (RouteState::Assigned, Some(holder)) = (route.state, route.agent_id) {
        if let Some(a) = ctx.store.get_agent(ctx.account_id, holder).await? {
            chat.push(ChatEventKind::AgentLeft { name: a.name });
        }
    }
    let patch = match to {
        TransferTo::Agent(id) => {
            let target = ctx.store.get_agent(ctx.account_id, id).await?.filter(|a| a.active);
            let target = target.ok_or_else(|| Invalid::field("agent_id", "is not an active agent"))?;
            if route.agent_id == Some(id) && route.state == RouteState::Assigned {
                return Ok(());
            }
            if route.state == RouteState::Ended {
                return Err(RouteError::Ended.into());
            }
            if let Some(max) = at_limit(ctx, id).await? {
                return Err(AppError::Conflict(format!("{} holds {max} chats, their limit", target.name)));
            }
            route.state = RouteState::Assigned;
            route.agent_id = Some(id);
            route.ring_until = None;
            chat.push(ChatEventKind::AgentJoined { name: target.name.clone() });
            TicketPatch { assignee_id: Some(Some(id)), ..TicketPatch::default() }
        }
        TransferTo::Department(d) => {
            let mut errs = Checker::new();
            crate::tickets::check::department(ctx, &mut errs, Some(d)).await?;
            errs.finish()?;
            route.requeue(Some(d))?;
            TicketPatch { assignee_id: Some(None), department_id: Some(Some(d)), ..TicketPatch::default() }
        }
    };
    save_with_route(ctx, Some(caller), ticket, &route, &from, patch, chat).await?;
    announce(app, ctx, ticket).await;
    nudge(app, ctx).await;
    Ok(())
}

/// Ends the chat for both sides; the ticket stays for follow-up (by email). An agent ends it (`caller`), or the
/// visitor whose chat it is (no caller; checked by the visitor's use case).
pub async fn end(app: &App, ctx: &AccountCtx, caller: Option<&Caller>, ticket: TicketId) -> Result<(), AppError> {
    if let Some(c) = caller {
        if matches!(c, Caller::Staff { .. }) {
            return Err(AppError::Forbidden("support staff do not end chats".into()));
        }
        visible_ticket(ctx, c, ticket).await?;
    }
    let mut route = route_of(ctx, ticket).await?;
    if route.state == RouteState::Ended {
        return Ok(());
    }
    let before = route.state;
    route.end();
    let from = [RouteState::Queued, RouteState::Ringing, RouteState::Assigned];
    let t = ctx.store.get_ticket(ctx.account_id, ticket).await?.ok_or(AppError::NotFound)?;
    if t.ensure_open_for_change().is_err() {
        // A closed or merged ticket takes no more events: the chat just stops.
        if ctx.store.update_route(&route, &[before], None, ctx.now()).await? {
            moved(app, ctx).await;
        }
        return Ok(());
    }
    save_with_route(ctx, caller, ticket, &route, &from, TicketPatch::default(), vec![ChatEventKind::ChatEnded]).await?;
    announce(app, ctx, ticket).await;
    nudge(app, ctx).await;
    Ok(())
}

/// Where a chat stands, for agents.
pub async fn status(ctx: &AccountCtx, caller: &Caller, ticket: TicketId) -> Result<(Route, Option<u32>), AppError> {
    visible_ticket(ctx, caller, ticket).await?;
    let route = route_of(ctx, ticket).await?;
    let place = ctx.store.queue_position(ctx.account_id, ticket).await?;
    Ok((route, place))
}

/// The account's chats waiting for an agent that the caller may see, longest waiting first.
pub async fn queue(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<(Route, Ticket)>, AppError> {
    let mut out = Vec::new();
    for route in ctx.store.waiting_routes(ctx.account_id, None, ROUND).await? {
        if let Some(t) = ctx.store.get_ticket(ctx.account_id, route.ticket_id).await? {
            if caller.can_see(&t) {
                out.push((route, t));
            }
        }
    }
    Ok(out)
}

/// Chats ringing for the agent now, with their tickets.
pub async fn ringing_for(ctx: &AccountCtx, agent: AgentId) -> Result<Vec<(Route, Ticket)>, AppError> {
    let mut out = Vec::new();
    for route in ctx.store.ringing_for(ctx.account_id, agent).await? {
        if let Some(t) = ctx.store.get_ticket(ctx.account_id, route.ticket_id).await? {
            out.push((route, t));
        }
    }
    Ok(out)
}

/// Waiting chats read at once when the queue is read.
const PLACES: u32 = 10_000;

/// A visitor's place in the queue while their chat waits for an agent (1: next), counting the chats of the same
/// team that came first. The queue is read once per routing move and account, however many visitors ask, and read
/// on from the last chat read for chats that joined since: each waiting chat is read once, not counted once per
/// visitor asking. A chat stored after others that joined after it is placed where it stands; the rest is looked up
/// alone.
pub async fn place_in_queue(app: &App, ctx: &AccountCtx, ticket: TicketId) -> Result<Option<u32>, AppError> {
    let account = ctx.account_id;
    if let Some(place) = app.chat.queue(account, |q| q.place(ticket)).flatten() {
        return Ok(Some(place));
    }
    let reader = app.chat.queue_reader(account);
    let _one_reader = reader.lock().await;
    while let Some((generation, from, place)) =
        app.chat.queue(account, |q| (q.generation(), q.read_to(), q.place(ticket)))
    {
        if place.is_some() {
            return Ok(place);
        }
        let page = ctx.store.waiting_routes(account, from, PLACES).await?;
        // Not kept: routing moved meanwhile.
        let kept = app.chat.queue(account, |q| q.read_on(generation, from, &page)) == Some(true);
        if !kept || page.len() < PLACES as usize {
            if let Some(place) = app.chat.queue(account, |q| q.place(ticket)).flatten() {
                return Ok(Some(place));
            }
            break;
        }
    }
    // Not in the queue as read: it waits no more, or it was stored after chats that joined after it.
    let Some(generation) = app.chat.queue(account, |q| q.generation()) else {
        return Ok(ctx.store.queue_position(account, ticket).await?);
    };
    let Some(route) = ctx.store.waiting_route(account, ticket).await? else { return Ok(None) };
    if app.chat.queue(account, |q| q.insert_late(generation, &route)) == Some(true) {
        if let Some(place) = app.chat.queue(account, |q| q.place(ticket)).flatten() {
            return Ok(Some(place));
        }
    }
    Ok(ctx.store.queue_position(account, ticket).await?)
}

/// One more of the agent's sockets is open in this process: they may be rung.
pub async fn connected(app: &App, ctx: &AccountCtx, agent: AgentId) -> Result<(), AppError> {
    ctx.store.agent_connected(&app.chat.process_id, ctx.account_id, agent, ctx.now()).await?;
    nudge(app, ctx).await;
    Ok(())
}

/// One of the agent's sockets closed. Their last one closing hands back a chat that rings for them.
pub async fn disconnected(app: &App, ctx: &AccountCtx, agent: AgentId) -> Result<(), AppError> {
    ctx.store.agent_disconnected(&app.chat.process_id, ctx.account_id, agent).await?;
    let now = ctx.now();
    if !ctx.store.agent_online(ctx.account_id, agent, live_since(app, now)).await? {
        for mut route in ctx.store.ringing_for(ctx.account_id, agent).await? {
            route.pass(now);
            ctx.store.update_route(&route, &[RouteState::Ringing], Some(agent), now).await?;
        }
        moved(app, ctx).await;
        nudge(app, ctx).await;
    }
    Ok(())
}
