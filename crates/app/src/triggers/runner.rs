//! The trigger runner: every serving process takes the changes waiting for triggers, oldest first, runs the
//! account's triggers over each and writes what they did in the unit of work that takes the change.

use super::effects::{effects, Parties};
use crate::assignment::candidates::Candidates;
use crate::business_hours::calendar_for;
use crate::{AccountCtx, App, AppError};
use futures_util::StreamExt;
use parley_domain::ids::{AgentId, DepartmentId};
use parley_domain::region::RegionName;
use parley_domain::trigger::{run, Fired, Run, Strategy, TriggerFacts, TriggerRecord};
use parley_domain::Timestamp;
use parley_store::{QueuedActivity, RegionStore, StoreError, TriggersApplied};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Changes taken per round and database.
const BATCH: usize = 200;
/// Tickets whose changes run at a time.
const AT_ONCE: usize = 16;

/// Run until `stop` turns true: a round on every database this process works on, ten times a second (at once
/// again while a round finds a full batch), so a change's triggers have run within a fraction of a second.
pub async fn run_triggers(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    loop {
        let mut busy = false;
        for cell in app.regions.working().await {
            let Ok(store) = cell.store().await else { continue };
            let store: Arc<dyn RegionStore> = Arc::new(store.clone());
            match run_queued(&app, &store, &cell.spec.name).await {
                Ok(n) => busy |= n >= BATCH,
                Err(e) => tracing::warn!(region = %cell.spec.name, error = %e, "trigger round failed"),
            }
        }
        let pause = if busy { Duration::ZERO } else { Duration::from_millis(100) };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round on one database. Returns how many changes were waiting.
pub async fn run_queued(app: &App, store: &Arc<dyn RegionStore>, region: &RegionName) -> Result<usize, AppError> {
    let queued = store.queued_activity(BATCH).await?;
    let n = queued.len();
    let mut contexts: HashMap<parley_domain::ids::AccountId, (AccountCtx, Vec<TriggerRecord>)> = HashMap::new();
    for q in &queued {
        if let std::collections::hash_map::Entry::Vacant(slot) = contexts.entry(q.account_id) {
            let Some(ctx) = AccountCtx::of_account(app, store, region, q.account_id).await? else { continue };
            let triggers = super::rules::runnable(&ctx, store.list_triggers(q.account_id).await?).await?;
            slot.insert((ctx, triggers));
        }
    }
    // A ticket's changes in their order; tickets several at a time (each change ends in a commit, and the
    // database commits those waiting together).
    let mut by_ticket: Vec<Vec<QueuedActivity>> = Vec::new();
    for q in queued {
        match by_ticket.iter_mut().find(|l| l[0].ticket_id == q.ticket_id && l[0].account_id == q.account_id) {
            Some(list) => list.push(q),
            None => by_ticket.push(vec![q]),
        }
    }
    let contexts = &contexts;
    futures_util::stream::iter(by_ticket)
        .for_each_concurrent(AT_ONCE, |list| async move {
            for q in list {
                let Some((ctx, triggers)) = contexts.get(&q.account_id) else { continue };
                match run_one(app, ctx, triggers, &q).await {
                    // Ran; or the ticket changed while its triggers ran, and the change stays queued to run again
                    // (the ticket's later changes wait for the next round).
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(account = %ctx.slug, ticket = %q.ticket_id, error = %e,
                            "triggers could not run; the change is dropped");
                        if let Err(e) = ctx.store.apply_triggers(taken(&q, None, Vec::new(), ctx.now())).await {
                            tracing::warn!(error = %e, "a queued change could not be dropped");
                        }
                    }
                }
            }
        })
        .await;
    Ok(n)
}

fn taken(
    q: &QueuedActivity,
    change: Option<parley_store::TicketChange>,
    turns: Vec<(Option<DepartmentId>, AgentId)>,
    at: Timestamp,
) -> TriggersApplied {
    TriggersApplied { account_id: q.account_id, queued_id: q.id.clone(), change, turns, at }
}

/// Runs the triggers over one queued change and writes what they did. Returns what fired, or `None` when the
/// ticket changed meanwhile (the change stays queued and runs again over the ticket as it is now).
pub(crate) async fn run_one(
    app: &App,
    ctx: &AccountCtx,
    triggers: &[TriggerRecord],
    q: &QueuedActivity,
) -> Result<Option<Vec<Fired>>, AppError> {
    let now = ctx.now();
    let Some(prepared) = prepare(ctx, triggers, q, now).await? else {
        ctx.store.apply_triggers(taken(q, None, Vec::new(), now)).await?;
        return Ok(Some(Vec::new()));
    };
    let Prepared { detail, facts, requester_is_machine } = prepared;
    let list: Vec<_> = triggers.iter().map(|t| (t.id, &t.trigger)).collect();
    let (outcome, turns) = run_with_candidates(app, ctx, &list, q, facts).await?;
    if outcome.stopped {
        tracing::warn!(account = %ctx.slug, ticket = %q.ticket_id, fired = outcome.fired.len(),
            "triggers stopped: a change fires at most {} of them", parley_domain::trigger::MAX_FIRINGS);
    }
    if outcome.fired.is_empty() {
        // Nothing to write but the queued change's taking.
        return match ctx.store.apply_triggers(taken(q, None, Vec::new(), now)).await {
            Ok(_) => Ok(Some(Vec::new())),
            Err(StoreError::Stale) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    let identity = crate::email::identity(app, ctx).await.ok();
    let agents = ctx.store.list_agents(ctx.account_id).await?;
    let parties = Parties { requester: detail.requester.as_ref(), agents: &agents, requester_is_machine };
    let done = effects(ctx, identity.as_ref(), detail.ticket, &outcome, &parties, now)?;
    match ctx.store.apply_triggers(taken(q, done.change, turns, now)).await {
        Ok(_) => Ok(Some(outcome.fired)),
        Err(StoreError::Stale) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Runs the triggers, answering their asks for an agent by strategy from the available agents. The run is pure:
/// the departments it asks about are read (only when a trigger assigns by a strategy) and it runs again with
/// them, until it asks about no department not yet read.
pub(super) async fn run_with_candidates(
    app: &App,
    ctx: &AccountCtx,
    list: &[(parley_domain::ids::TriggerId, &parley_domain::trigger::Trigger)],
    q: &QueuedActivity,
    facts: TriggerFacts,
) -> Result<(Run, Vec<(Option<DepartmentId>, AgentId)>), AppError> {
    until_read(app, ctx, |pick| run(list, &q.activity.events, facts.clone(), pick)).await
}

/// An automation's actions done in order on the ticket as `facts` has it, an assignment by strategy answered from
/// the available agents (read for the departments it asks about).
pub(crate) async fn resolve_actions(
    app: &App,
    ctx: &AccountCtx,
    actions: &[parley_domain::trigger::TriggerAction],
    facts: &TriggerFacts,
) -> Result<(Vec<parley_domain::trigger::TriggerAction>, Vec<(Option<DepartmentId>, AgentId)>), AppError> {
    until_read(app, ctx, |pick| parley_domain::trigger::apply_actions(actions, &mut facts.clone(), pick)).await
}

/// Runs `work` (pure) with a picker answering from the agents read so far; reads the departments it asked about
/// that were not read, and runs it again, until it asks about none new (at most a few times: a pick that moves
/// the ticket to yet another department each time keeps the last reading). Returns its outcome and the round-robin
/// turns its picks took.
pub(super) async fn until_read<T>(
    app: &App,
    ctx: &AccountCtx,
    mut work: impl FnMut(&mut dyn FnMut(Option<DepartmentId>, Strategy) -> Option<AgentId>) -> T,
) -> Result<(T, Vec<(Option<DepartmentId>, AgentId)>), AppError> {
    let mut candidates = Candidates::new(app, ctx);
    let mut attempt = 0;
    loop {
        let (mut unread, mut turns) = (Vec::new(), Vec::new());
        let mut shadow = candidates.clone_known();
        let outcome = work(&mut |d, s| {
            if !shadow.contains_key(&d) {
                unread.push(d);
                return None;
            }
            let picked = Candidates::pick_in(&mut shadow, d, s, None);
            if let (Some(a), Strategy::RoundRobin) = (picked, s) {
                turns.push((d, a));
            }
            picked
        });
        if unread.is_empty() || attempt == 4 {
            return Ok((outcome, turns));
        }
        attempt += 1;
        for d in unread {
            candidates.read(d).await?;
        }
    }
}

pub(crate) struct Prepared {
    pub detail: crate::tickets::TicketDetail,
    pub facts: TriggerFacts,
    pub requester_is_machine: bool,
}

/// The ticket and what the conditions look at; `None` when no active trigger runs on the change's events or the
/// ticket is gone.
pub(crate) async fn prepare(
    ctx: &AccountCtx,
    triggers: &[TriggerRecord],
    q: &QueuedActivity,
    now: Timestamp,
) -> Result<Option<Prepared>, AppError> {
    if !triggers.iter().any(|t| t.trigger.runs_on(&q.activity.events)) {
        return Ok(None);
    }
    let asks = triggers.iter().any(|x| x.trigger.asks_business_hours());
    prepare_ticket(ctx, q.ticket_id, &q.activity, asks, now).await
}

/// The ticket as rules see it after `activity` (its changes and message); `None` when the ticket is gone.
pub(crate) async fn prepare_ticket(
    ctx: &AccountCtx,
    ticket: parley_domain::ids::TicketId,
    activity: &parley_domain::trigger::Activity,
    asks_business_hours: bool,
    now: Timestamp,
) -> Result<Option<Prepared>, AppError> {
    let Some(ticket) = ctx.store.get_ticket(ctx.account_id, ticket).await? else { return Ok(None) };
    let detail = crate::tickets::detail(ctx, ticket).await?;
    let message = activity.message_id.and_then(|id| detail.timeline.messages.iter().find(|m| m.id == id));
    let t = &detail.ticket;
    let within_business_hours =
        if asks_business_hours { calendar_for(ctx, t.department_id).await?.is_open(now) } else { true };
    let facts = TriggerFacts {
        priority: t.priority,
        status: t.status,
        channel: t.channel,
        tags: t.tags.clone(),
        department_id: t.department_id,
        company_id: detail.requester.as_ref().and_then(|c| c.company_id),
        assignee_id: t.assignee_id,
        requester_email: detail
            .requester
            .as_ref()
            .and_then(|c| c.email.as_ref())
            .map(|e| e.to_string())
            .unwrap_or_default(),
        subject: t.subject.clone(),
        text: message.map(|m| m.body.clone()),
        changes: activity.changes.clone(),
        within_business_hours,
        words: Default::default(),
    };
    let requester_is_machine = message.and_then(|m| m.email.as_ref()).is_some_and(|e| e.automatic);
    Ok(Some(Prepared { detail, facts, requester_is_machine }))
}
