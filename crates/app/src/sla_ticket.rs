//! A ticket's SLA: the first of the account's policies that matches it, and how far each of its targets has run,
//! computed from the ticket's timeline when asked (nothing stored yet: the timeline is the record).

use crate::business_hours::calendar_for;
use crate::tickets::TicketDetail;
use crate::{AccountCtx, AppError};
use parley_domain::business_hours::Calendar;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{BusinessHoursId, SlaPolicyId};
use parley_domain::sla::{first_match, measure, HistoryEvent, SlaPolicy, TargetState, TicketFacts, TicketHistory};
use parley_domain::ticket::Status;
use parley_domain::Timestamp;
use parley_store::Timeline;

/// The policy a ticket is under and the state of its targets.
#[derive(Debug, Clone)]
pub struct TicketSla {
    pub policy_id: SlaPolicyId,
    pub policy_name: String,
    pub targets: Vec<TargetState>,
}

/// The ticket's SLA at `now`; `None` when no policy matches it.
pub async fn sla_of(ctx: &AccountCtx, d: &TicketDetail, now: Timestamp) -> Result<Option<TicketSla>, AppError> {
    let policies = ctx.store.list_sla_policies(ctx.account_id).await?;
    if policies.is_empty() {
        return Ok(None);
    }
    let t = &d.ticket;
    let facts = TicketFacts {
        priority: t.priority,
        status: t.status,
        channel: t.channel,
        tags: &t.tags,
        department_id: t.department_id,
        company_id: d.requester.as_ref().and_then(|c| c.company_id),
    };
    let checked: Vec<SlaPolicy> = policies.iter().map(|p| p.policy.clone()).collect();
    let Some(policy) = first_match(&checked, &facts) else { return Ok(None) };
    let Some(record) = policies.iter().find(|p| &p.policy == policy) else { return Ok(None) };
    let calendar = calendar_of(ctx, policy, t.department_id).await?;
    let history = history(t.created_at, t.status, &d.timeline);
    Ok(Some(TicketSla {
        policy_id: record.id,
        policy_name: policy.name().to_string(),
        targets: measure(policy, t.priority, &history, &calendar, now),
    }))
}

/// The hours the policy names, else the ticket's department's, else the account's default, else around the clock.
async fn calendar_of(
    ctx: &AccountCtx,
    policy: &SlaPolicy,
    department: Option<parley_domain::ids::DepartmentId>,
) -> Result<Calendar, AppError> {
    if let Some(id) = policy.business_hours_id().and_then(BusinessHoursId::parse) {
        if let Some(h) = ctx.store.get_business_hours(ctx.account_id, id).await? {
            return Ok(h.calendar);
        }
    }
    calendar_for(ctx, department).await
}

/// What the clocks need from the timeline: status changes, public agent replies and the customer's messages, in
/// the order they happened. A ticket opened in another status than `new` gets that status at its creation (the
/// first change's `from`, or the status it still has).
fn history(created_at: Timestamp, status_now: Status, timeline: &Timeline) -> TicketHistory {
    let mut events: Vec<HistoryEvent> = Vec::new();
    let mut first_status = None;
    for e in &timeline.events {
        if let EventKind::StatusChanged { from, to } = e.kind {
            first_status.get_or_insert(from);
            events.push(HistoryEvent::StatusChanged { at: e.created_at, to });
        }
    }
    let opened_in = first_status.unwrap_or(status_now);
    if opened_in != Status::New {
        events.insert(0, HistoryEvent::StatusChanged { at: created_at, to: opened_in });
    }
    for m in &timeline.messages {
        match m.author {
            _ if m.internal => {}
            Actor::Contact(_) => events.push(HistoryEvent::CustomerReplied { at: m.created_at }),
            Actor::Agent(_) | Actor::ApiKey(_) | Actor::Staff(_) => {
                events.push(HistoryEvent::AgentReplied { at: m.created_at })
            }
            // Automatic mail (an acknowledgement) answers nobody.
            Actor::System => {}
        }
    }
    // Stable: a change and a message of the same instant keep the order above (changes first).
    events.sort_by_key(HistoryEvent::at);
    TicketHistory { created_at, events }
}
