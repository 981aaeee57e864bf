//! A ticket's SLA: the first of the account's policies that matches it, and how far each of its targets has run,
//! computed from the ticket's timeline when asked. The timeline is the record; what is kept with the ticket (for
//! lists and the sweep, see `sla_watch`) is derived from it.

use crate::business_hours::calendar_for;
use crate::tickets::TicketDetail;
use crate::{AccountCtx, AppError};
use parley_domain::business_hours::Calendar;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{BusinessHoursId, CompanyId, SlaPolicyId};
use parley_domain::sla::{measure, HistoryEvent, SlaPolicy, SlaPolicyRecord, TargetState, TicketFacts, TicketHistory};
use parley_domain::ticket::{Status, Ticket};
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
    sla_under(ctx, &policies, d, now, &Calendars::default()).await
}

/// Calendars read for a round of looks, by the hours a policy names and the ticket's department: a round reads
/// each once, however many looks it runs at a time.
#[derive(Default)]
pub(crate) struct Calendars(tokio::sync::Mutex<std::collections::HashMap<CalendarKey, Calendar>>);

/// The business hours a policy names (if any) and the ticket's department.
type CalendarKey = (Option<String>, Option<parley_domain::ids::DepartmentId>);

impl Calendars {
    /// The calendar of a department (else the account's default, else around the clock), read once.
    pub(crate) async fn of_department(
        &self,
        ctx: &AccountCtx,
        department: Option<parley_domain::ids::DepartmentId>,
    ) -> Result<Calendar, AppError> {
        let key = (None, department);
        let mut known = self.0.lock().await;
        if let Some(c) = known.get(&key) {
            return Ok(c.clone());
        }
        let c = calendar_for(ctx, department).await?;
        known.insert(key, c.clone());
        Ok(c)
    }
}

/// The ticket's SLA at `now` under the account's `policies` (in their order), read once for many tickets.
pub(crate) async fn sla_under(
    ctx: &AccountCtx,
    policies: &[SlaPolicyRecord],
    d: &TicketDetail,
    now: Timestamp,
    calendars: &Calendars,
) -> Result<Option<TicketSla>, AppError> {
    let company = d.requester.as_ref().and_then(|c| c.company_id);
    sla_of_ticket(ctx, policies, &d.ticket, company, &d.timeline, now, calendars).await
}

/// The SLA at `now` of a ticket with this timeline, whose requester is of `company`.
pub(crate) async fn sla_of_ticket(
    ctx: &AccountCtx,
    policies: &[SlaPolicyRecord],
    t: &Ticket,
    company: Option<CompanyId>,
    timeline: &Timeline,
    now: Timestamp,
    calendars: &Calendars,
) -> Result<Option<TicketSla>, AppError> {
    if policies.is_empty() {
        return Ok(None);
    }
    let facts = TicketFacts {
        priority: t.priority,
        status: t.status,
        channel: t.channel,
        tags: &t.tags,
        department_id: t.department_id,
        company_id: company,
    };
    // In the account's order, as `first_match` picks: the record, for its id.
    let Some(record) = policies.iter().find(|p| p.policy.matches(&facts)) else { return Ok(None) };
    let policy = &record.policy;
    let key = (policy.business_hours_id().map(str::to_string), t.department_id);
    let calendar = {
        let mut known = calendars.0.lock().await;
        match known.get(&key) {
            Some(c) => c.clone(),
            None => {
                let c = calendar_of(ctx, policy, t.department_id).await?;
                known.insert(key, c.clone());
                c
            }
        }
    };
    let history = history(t.created_at, t.status, timeline);
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
    let mut merged = false;
    for e in &timeline.events {
        match e.kind {
            EventKind::StatusChanged { from, to } => {
                first_status.get_or_insert(from);
                events.push(HistoryEvent::StatusChanged { at: e.created_at, to });
            }
            // A merge closes the ticket it merges away without a status change of its own.
            EventKind::MergedInto { .. } => {
                merged = true;
                events.push(HistoryEvent::StatusChanged { at: e.created_at, to: Status::Closed });
            }
            _ => {}
        }
    }
    // Without a change to read it from, a ticket merged away was new until the merge (its `closed` came with it).
    let opened_in = first_status.unwrap_or(if merged { Status::New } else { status_now });
    if opened_in != Status::New {
        events.insert(0, HistoryEvent::StatusChanged { at: created_at, to: opened_in });
    }
    for m in &timeline.messages {
        match m.author {
            _ if m.internal => {}
            Actor::Contact(_) => events.push(HistoryEvent::CustomerReplied { at: m.created_at }),
            // The help desk's replies, as the ticket counts its first response.
            Actor::Agent(_) | Actor::ApiKey(_) => events.push(HistoryEvent::AgentReplied { at: m.created_at }),
            // Automatic mail (an acknowledgement) answers nobody; the operator's staff work under a grant.
            Actor::System | Actor::Staff(_) => {}
        }
    }
    // Stable: a change and a message of the same instant keep the order above (changes first).
    events.sort_by_key(HistoryEvent::at);
    TicketHistory { created_at, events }
}

/// What lists show of listed tickets' SLA: the due time and state kept with each (see `sla_watch`), read in one
/// question for the page instead of measuring every ticket's timeline.
pub async fn sla_due_of(
    ctx: &AccountCtx,
    tickets: &[parley_domain::ids::TicketId],
) -> Result<Vec<parley_store::SlaDue>, AppError> {
    Ok(ctx.store.sla_due_of(ctx.account_id, tickets).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_domain::ids::{AccountId, TicketId};
    use parley_domain::message::TicketEvent;
    use parley_domain::ticket::TicketNumber;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    fn event(kind: EventKind, ms: i64) -> TicketEvent {
        TicketEvent::new(AccountId::new(), TicketId::new(), Actor::System, kind, at(ms))
    }

    fn merged(ms: i64) -> TicketEvent {
        event(EventKind::MergedInto { ticket_id: TicketId::new(), number: TicketNumber(7) }, ms)
    }

    fn history_of(status_now: Status, events: Vec<TicketEvent>) -> Vec<HistoryEvent> {
        history(at(0), status_now, &Timeline { messages: Vec::new(), events }).events
    }

    #[test]
    fn a_ticket_opened_in_another_status_has_it_from_its_creation() {
        assert_eq!(history_of(Status::Open, vec![]), [HistoryEvent::StatusChanged { at: at(0), to: Status::Open }]);
        assert!(history_of(Status::New, vec![]).is_empty());
        let changed = vec![event(EventKind::StatusChanged { from: Status::Pending, to: Status::Open }, 5)];
        assert_eq!(
            history_of(Status::Open, changed),
            [
                HistoryEvent::StatusChanged { at: at(0), to: Status::Pending },
                HistoryEvent::StatusChanged { at: at(5), to: Status::Open }
            ]
        );
    }

    /// A merge closes the ticket merged away without a status change: its clocks stop then, not at its creation
    /// (nothing met at once) and not never (nothing breached on a closed ticket).
    #[test]
    fn a_ticket_merged_away_closes_at_the_merge() {
        assert_eq!(
            history_of(Status::Closed, vec![merged(9)]),
            [HistoryEvent::StatusChanged { at: at(9), to: Status::Closed }]
        );
        let opened_then_merged =
            vec![event(EventKind::StatusChanged { from: Status::New, to: Status::Open }, 3), merged(9)];
        assert_eq!(
            history_of(Status::Closed, opened_then_merged),
            [
                HistoryEvent::StatusChanged { at: at(3), to: Status::Open },
                HistoryEvent::StatusChanged { at: at(9), to: Status::Closed }
            ]
        );
    }
}
