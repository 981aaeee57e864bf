//! The clocks: how far each of a ticket's targets has run, from the ticket's history alone.

use super::policy::{Metric, SlaPolicy, Target};
use crate::business_hours::Calendar;
use crate::ticket::{Priority, Status};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// What the clocks need to know of a ticket: when it was made and what happened since, oldest first. The ticket
/// starts `new`; one created in another status has a `StatusChanged` at its creation.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketHistory {
    pub created_at: Timestamp,
    pub events: Vec<HistoryEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryEvent {
    StatusChanged {
        at: Timestamp,
        to: Status,
    },
    /// A public reply by an agent (internal notes do not answer the customer).
    AgentReplied {
        at: Timestamp,
    },
    CustomerReplied {
        at: Timestamp,
    },
}

impl HistoryEvent {
    pub fn at(&self) -> Timestamp {
        match *self {
            HistoryEvent::StatusChanged { at, .. }
            | HistoryEvent::AgentReplied { at }
            | HistoryEvent::CustomerReplied { at } => at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Active,
    Paused,
    Fulfilled,
    Breached,
}

/// Where one target stands. `due_at` is when it runs out: set while it runs (`active`) and once it has run out
/// unmet (`breached`, equal to `breached_at`); none while paused or once fulfilled. A target met late is
/// `fulfilled` with `breached_at` set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetState {
    pub metric: Metric,
    pub due_at: Option<Timestamp>,
    pub state: ClockState,
    pub breached_at: Option<Timestamp>,
    pub fulfilled_at: Option<Timestamp>,
}

/// The state of each of the policy's targets for a ticket of `priority`, in the policy's order. A `next_reply`
/// target is left out until a customer first writes again after an agent's reply. Events after `now` are ignored.
pub fn measure(
    policy: &SlaPolicy,
    priority: Priority,
    history: &TicketHistory,
    calendar_for_business: &Calendar,
    now: Timestamp,
) -> Vec<TargetState> {
    let events: Vec<HistoryEvent> = history.events.iter().copied().filter(|e| e.at() <= now).collect();
    let stops = Stops::new(history.created_at, &events, policy.pause_statuses());
    let always = Calendar::always();
    policy
        .targets_for(priority)
        .filter_map(|target| {
            let (start, met) = cycle(target.metric, history.created_at, &events)?;
            let calendar = if target.business_hours { calendar_for_business } else { &always };
            Some(run(target, calendar, &stops, start, met, now))
        })
        .collect()
}

/// The current cycle of a metric: when it started and the agent reply that met it, if one did.
fn cycle(metric: Metric, created: Timestamp, events: &[HistoryEvent]) -> Option<(Timestamp, Option<Timestamp>)> {
    let mut replies = events.iter().filter_map(|e| match e {
        HistoryEvent::AgentReplied { at } => Some(*at),
        _ => None,
    });
    match metric {
        Metric::FirstReply => Some((created, replies.next())),
        Metric::Resolution => Some((created, None)),
        // Each agent reply meets the update the customer was owed and owes the next one.
        Metric::PeriodicUpdate => Some((replies.next_back().unwrap_or(created), None)),
        Metric::NextReply => {
            let mut answered_once = false;
            let mut latest: Option<(Timestamp, Option<Timestamp>)> = None;
            for e in events {
                match *e {
                    HistoryEvent::AgentReplied { at } => {
                        answered_once = true;
                        if let Some((start, None)) = latest {
                            latest = Some((start, Some(at)));
                        }
                    }
                    // Only the earliest unanswered customer reply starts a cycle; later ones wait in it.
                    HistoryEvent::CustomerReplied { at } if answered_once && !matches!(latest, Some((_, None))) => {
                        latest = Some((at, None));
                    }
                    _ => {}
                }
            }
            latest
        }
    }
}

/// When the clocks stand still: the intervals in a pause status, and in resolved, closed or spam (a ticket nobody
/// waits on). `done_since` is when the ticket became resolved, closed or spam if it still is.
struct Stops {
    /// Half-open `[from, until)`, in order; `until` is `None` for a stop still going on.
    intervals: Vec<(Timestamp, Option<Timestamp>)>,
    done_since: Option<Timestamp>,
}

fn is_done(s: Status) -> bool {
    matches!(s, Status::Resolved | Status::Closed | Status::Spam)
}

impl Stops {
    fn new(created: Timestamp, events: &[HistoryEvent], pause: &[Status]) -> Stops {
        let mut changes = vec![(created, Status::New)];
        changes.extend(events.iter().filter_map(|e| match *e {
            HistoryEvent::StatusChanged { at, to } => Some((at, to)),
            _ => None,
        }));
        let stopped = |s: Status| is_done(s) || pause.contains(&s);
        let mut intervals: Vec<(Timestamp, Option<Timestamp>)> = Vec::new();
        let mut done_since = None;
        let mut current = Status::New;
        for (at, to) in changes {
            match (stopped(current), stopped(to)) {
                (false, true) => intervals.push((at, None)),
                (true, false) => {
                    if let Some(last) = intervals.last_mut() {
                        last.1 = Some(at);
                    }
                }
                _ => {}
            }
            done_since = match (is_done(current), is_done(to)) {
                (false, true) => Some(at),
                (_, false) => None,
                (true, true) => done_since,
            };
            current = to;
        }
        Stops { intervals, done_since }
    }

    fn stopped_now(&self) -> bool {
        self.intervals.last().is_some_and(|(_, resume)| resume.is_none())
    }

    /// `[from, until)` with the stops cut out, in order.
    fn running(&self, from: Timestamp, until: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let mut out = Vec::new();
        let mut cursor = from;
        for &(stop, resume) in &self.intervals {
            if stop > cursor {
                out.push((cursor, stop.min(until)));
            }
            match resume {
                Some(resume) => cursor = cursor.max(resume),
                None => cursor = until,
            }
            if cursor >= until {
                break;
            }
        }
        if cursor < until {
            out.push((cursor, until));
        }
        out.retain(|(a, b)| a < b);
        out
    }
}

fn run(
    target: &Target,
    calendar: &Calendar,
    stops: &Stops,
    start: Timestamp,
    met: Option<Timestamp>,
    now: Timestamp,
) -> TargetState {
    // A ticket resolved, closed or marked spam meets what it still owed when it became so; reopened, it owes it again
    // with the time already spent.
    let fulfilled_at = met.or_else(|| stops.done_since.map(|d| d.max(start)));
    let end = fulfilled_at.unwrap_or(now);
    let segments = stops.running(start, end);
    let budget = target.millis();
    let mut elapsed = 0;
    let mut breached_at = None;
    let mut due_at = None;
    for &(from, until) in &segments {
        if breached_at.is_none() {
            // The target runs out `remaining` business ms after the clock last resumed.
            let due = calendar.add(from, (budget - elapsed).max(0));
            due_at = due;
            if due.is_some_and(|d| d < until) {
                breached_at = due;
            }
        }
        elapsed += calendar.between(from, until);
    }
    let running_now = fulfilled_at.is_none() && !stops.stopped_now();
    if segments.is_empty() {
        // Measured at the very instant the cycle starts.
        due_at = calendar.add(start, budget);
    } else if running_now && breached_at.is_none() && segments.last().is_some_and(|&(_, until)| until < end) {
        // Measured at the very instant the clock resumed: it runs from now with what is left.
        due_at = calendar.add(end, (budget - elapsed).max(0));
    }
    let (state, due_at) = match (fulfilled_at, breached_at) {
        (Some(_), _) => (ClockState::Fulfilled, None),
        (None, Some(b)) => (ClockState::Breached, Some(b)),
        (None, None) if running_now => (ClockState::Active, due_at),
        (None, None) => (ClockState::Paused, None),
    };
    TargetState { metric: target.metric, due_at, state, breached_at, fulfilled_at }
}
