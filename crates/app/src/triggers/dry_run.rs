//! Trying the account's triggers on a ticket without changing it: `POST /api/v1/triggers/test` answers which
//! would fire on an event and what the ticket would look like after.

use super::runner::{prepare, run_with_candidates};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::ids::TicketId;
use parley_domain::trigger::{Activity, Change, TriggerEvent, TriggerFacts};
use parley_store::QueuedActivity;

/// One trigger that would fire, with its actions as they would be done (an assignment by strategy shows the agent
/// it would pick now).
#[derive(Debug, Clone)]
pub struct TriedTrigger {
    pub id: parley_domain::ids::TriggerId,
    pub name: String,
    pub actions: Vec<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct TriggerTest {
    pub fired: Vec<TriedTrigger>,
    /// The fields that would change, in order.
    pub changes: Vec<Change>,
    pub after: TriggerFacts,
    pub stopped: bool,
}

/// What the account's triggers would do to the ticket on `event` now (administrators only; nothing is written).
pub async fn test_triggers(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    event: TriggerEvent,
) -> Result<TriggerTest, AppError> {
    caller.require_admin()?;
    if ctx.store.get_ticket(ctx.account_id, ticket).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let triggers = super::rules::runnable(ctx, ctx.store.list_triggers(ctx.account_id).await?).await?;
    let q = QueuedActivity {
        id: String::new(),
        account_id: ctx.account_id,
        ticket_id: ticket,
        version: 0,
        activity: Activity { events: vec![event], ..Default::default() },
        created_at: ctx.now(),
    };
    let Some(prepared) = prepare(ctx, &triggers, &q, ctx.now()).await? else {
        return Ok(TriggerTest {
            fired: Vec::new(),
            changes: Vec::new(),
            after: facts_of(ctx, ticket).await?,
            stopped: false,
        });
    };
    let list: Vec<_> = triggers.iter().map(|t| (t.id, &t.trigger)).collect();
    let (run, _) = run_with_candidates(app, ctx, &list, &q, prepared.facts).await?;
    Ok(TriggerTest {
        fired: run
            .fired
            .iter()
            .map(|f| TriedTrigger {
                id: f.id,
                name: f.name.clone(),
                actions: f.actions.iter().map(|a| a.to_json()).collect(),
            })
            .collect(),
        changes: run.facts.changes.clone(),
        after: run.facts,
        stopped: run.stopped,
    })
}

/// The ticket's facts when no trigger runs on the event (nothing changes).
async fn facts_of(ctx: &AccountCtx, ticket: TicketId) -> Result<TriggerFacts, AppError> {
    let t = ctx.store.get_ticket(ctx.account_id, ticket).await?.ok_or(AppError::NotFound)?;
    let requester = ctx.store.get_contact(ctx.account_id, t.requester_id).await?;
    Ok(TriggerFacts {
        priority: t.priority,
        status: t.status,
        channel: t.channel,
        tags: t.tags.clone(),
        department_id: t.department_id,
        company_id: requester.as_ref().and_then(|c| c.company_id),
        assignee_id: t.assignee_id,
        requester_email: requester.as_ref().and_then(|c| c.email.as_ref()).map(|e| e.to_string()).unwrap_or_default(),
        subject: t.subject,
        text: None,
        changes: Vec::new(),
        within_business_hours: true,
        words: Default::default(),
    })
}
