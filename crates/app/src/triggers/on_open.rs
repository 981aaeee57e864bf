//! Triggers on a ticket being opened, run before it is written so that what they change is written with it: one
//! unit of work instead of the creation, a queued change, a second save of the ticket and a second SLA look.
//!
//! Only runs whose every action changes the ticket's fields are done here. A run that adds a note, sends mail or tells a webhook
//! needs the ticket's number and its requester of record, which only the write gives; a condition on the
//! requester's company of a new address cannot be answered before the requester is written. Those creations are
//! queued as any change is, and the runner runs the same triggers over the ticket as it was written — nothing of
//! the run here is kept, so the outcome is the same either way.

use super::effects::{change_of, Parties};
use super::runner::until_read;
use crate::rules_cache::AccountRules;
use crate::{AccountCtx, App, AppError};
use parley_domain::event::EventKind;
use parley_domain::ids::{AgentId, CompanyId, DepartmentId};
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::Ticket;
use parley_domain::trigger::{run, Activity, TriggerAction, TriggerFacts};

/// What the requester is known to be before the ticket is written.
pub(crate) struct RequesterFacts {
    pub email: String,
    /// `None` when not known yet (a new address, whose company the write finds by its domain).
    pub company: Option<Option<CompanyId>>,
}

/// The triggers' run over the opening of `ticket` with `message` and `events`: their changes applied to `ticket`
/// and their events appended. Returns the round-robin turns taken, or `None` when the run must be left to the
/// runner (then nothing was changed).
pub(crate) async fn run_on_open(
    app: &App,
    ctx: &AccountCtx,
    ticket: &mut Ticket,
    message: &Message,
    events: &mut Vec<TicketEvent>,
    requester: &RequesterFacts,
    rules: &AccountRules,
) -> Result<Option<Vec<(Option<DepartmentId>, AgentId)>>, AppError> {
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind.clone()).collect();
    let activity = Activity::of_new(ticket.channel, &kinds, (message.id, &message.author, message.internal));
    let list: Vec<_> =
        rules.triggers.iter().filter(|t| t.trigger.runs_on(&activity.events)).map(|t| (t.id, &t.trigger)).collect();
    if list.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let company = match requester.company {
        Some(c) => c,
        None if list.iter().any(|(_, t)| t.asks_company()) => return Ok(None),
        None => None,
    };
    // The instant the ticket is opened at: what the run does happens with the opening.
    let now = ticket.created_at;
    let within_business_hours = if list.iter().any(|(_, t)| t.asks_business_hours()) {
        rules.calendars.of_department(ctx, ticket.department_id).await?.is_open(now)
    } else {
        true
    };
    let facts = TriggerFacts {
        priority: ticket.priority,
        status: ticket.status,
        channel: ticket.channel,
        tags: ticket.tags.clone(),
        department_id: ticket.department_id,
        company_id: company,
        assignee_id: ticket.assignee_id,
        requester_email: requester.email.clone(),
        subject: ticket.subject.clone(),
        text: Some(message.body.clone()),
        changes: activity.changes.clone(),
        within_business_hours,
        words: Default::default(),
    };
    let (outcome, turns) = until_read(app, ctx, |pick| run(&list, &activity.events, facts.clone(), pick)).await?;
    let actions: Vec<&TriggerAction> = outcome.fired.iter().flat_map(|f| &f.actions).collect();
    let needs_number = |a: &&TriggerAction| {
        matches!(
            a,
            TriggerAction::AddNote { .. } | TriggerAction::SendMail { .. } | TriggerAction::NotifyWebhook { .. }
        )
    };
    if actions.iter().any(needs_number) {
        return Ok(None);
    }
    if outcome.stopped {
        tracing::warn!(account = %ctx.slug, fired = outcome.fired.len(),
            "triggers stopped: a change fires at most {} of them", parley_domain::trigger::MAX_FIRINGS);
    }
    if outcome.fired.is_empty() {
        return Ok(Some(turns));
    }
    let names = outcome.fired.iter().map(|f| f.name.clone()).collect();
    let parties = Parties { requester: None, agents: &[], requester_is_machine: false };
    let ran = EventKind::TriggersFired { names };
    // A ticket opened closed takes no change: its triggers are left to the runner, which refuses them alike.
    let Ok(done) = change_of(ctx, None, ticket.clone(), &actions, ran, &parties, now) else { return Ok(None) };
    if let Some(change) = done.change {
        *ticket = change.ticket;
        events.extend(change.events);
    }
    Ok(Some(turns))
}
