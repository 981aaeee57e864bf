//! What changed in a ticket's SLA since it was last recorded: the events for its timeline (applied, paused,
//! resumed, fulfilled, warning, breached), what to keep with the ticket, and when to look at it again.
//!
//! The clocks ([`super::measure`]) say where each target stands at an instant; this compares that with what was
//! recorded the last time, so that each event is told once however often the ticket is looked at, by however many
//! processes (the caller stores the new record only if nobody stored another since it read the old one).

use super::clock::{ClockState, TargetState};
use super::policy::Metric;
use crate::event::EventKind;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// How long before a target runs out its warning is given.
pub const WARNING_MS: i64 = 15 * 60 * 1000;

/// What is kept with a ticket of its SLA: the policy it is under and its targets as last looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaRecord {
    pub policy_id: String,
    pub policy_name: String,
    pub targets: Vec<TargetState>,
    /// The due times a warning was given for (one warning per target and due time).
    #[serde(default)]
    pub warned: Vec<(Metric, Timestamp)>,
}

/// A ticket's SLA in one word, for lists to filter by: breached if a target ran out unmet, else running, else
/// paused, else all met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaSummary {
    Breached,
    Active,
    Paused,
    Fulfilled,
}

impl SlaSummary {
    pub const ALL: [SlaSummary; 4] =
        [SlaSummary::Breached, SlaSummary::Active, SlaSummary::Paused, SlaSummary::Fulfilled];

    pub fn as_str(self) -> &'static str {
        match self {
            SlaSummary::Breached => "breached",
            SlaSummary::Active => "active",
            SlaSummary::Paused => "paused",
            SlaSummary::Fulfilled => "fulfilled",
        }
    }

    pub fn parse(s: &str) -> Option<SlaSummary> {
        SlaSummary::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn of(targets: &[TargetState]) -> Option<SlaSummary> {
        let has = |s: ClockState| targets.iter().any(|t| t.state == s);
        if has(ClockState::Breached) {
            Some(SlaSummary::Breached)
        } else if has(ClockState::Active) {
            Some(SlaSummary::Active)
        } else if has(ClockState::Paused) {
            Some(SlaSummary::Paused)
        } else if targets.is_empty() {
            None
        } else {
            Some(SlaSummary::Fulfilled)
        }
    }
}

/// The policy a ticket is under now and where its targets stand.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentSla<'a> {
    pub policy_id: &'a str,
    pub policy_name: &'a str,
    pub targets: &'a [TargetState],
}

/// The outcome of looking at a ticket's SLA.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// What to keep with the ticket (none when no policy applies).
    pub record: Option<SlaRecord>,
    /// New timeline events, each with its instant.
    pub events: Vec<(Timestamp, EventKind)>,
    /// The soonest due time of a target still owed (running, or breached and unmet): what lists sort by.
    pub due_at: Option<Timestamp>,
    pub summary: Option<SlaSummary>,
    /// When something will happen without any change to the ticket (a warning, a breach).
    pub check_at: Option<Timestamp>,
}

/// Compares the SLA now with what was recorded. A policy newly applied tells only that it applies: breaches that
/// lie before it was applied are kept in the record (and shown) but not told as events, so that adding a policy
/// does not send a breach for every old ticket at once.
pub fn progress(before: Option<&SlaRecord>, now_sla: Option<CurrentSla<'_>>, now: Timestamp) -> Progress {
    let Some(cur) = now_sla else {
        let events =
            before.map(|b| (now, EventKind::SlaRemoved { policy: b.policy_name.clone() })).into_iter().collect();
        return Progress { record: None, events, due_at: None, summary: None, check_at: None };
    };
    let same = before.filter(|b| b.policy_id == cur.policy_id);
    let mut events = Vec::new();
    if same.is_none() {
        events.push((now, EventKind::SlaApplied { policy_id: cur.policy_id.into(), policy: cur.policy_name.into() }));
    }
    let was = |m: Metric| same.and_then(|b| b.targets.iter().find(|t| t.metric == m));
    let (mut paused, mut resumed) = (Vec::new(), Vec::new());
    let mut warned = Vec::new();
    let mut check_at: Option<Timestamp> = None;
    for t in cur.targets {
        let b = was(t.metric);
        match (b.map(|b| b.state), t.state) {
            (Some(ClockState::Active), ClockState::Paused) => paused.push(t.metric),
            (Some(ClockState::Paused), ClockState::Active) => resumed.push(t.metric),
            _ => {}
        }
        if let (Some(b), Some(at)) = (b, t.fulfilled_at) {
            if b.state != ClockState::Fulfilled || b.fulfilled_at != t.fulfilled_at {
                events.push((at, EventKind::SlaFulfilled { metric: t.metric, late: t.breached_at.is_some() }));
            }
        }
        if let Some(at) = t.breached_at {
            if same.is_some() && b.and_then(|b| b.breached_at) != Some(at) {
                events.push((at, EventKind::SlaBreached { metric: t.metric, due_at: at }));
            }
        }
        let (ClockState::Active, Some(due)) = (t.state, t.due_at) else { continue };
        let warn_at = Timestamp::from_millis(due.millis().saturating_sub(WARNING_MS));
        let given = same.is_some_and(|b| b.warned.contains(&(t.metric, due)));
        let next = if given {
            warned.push((t.metric, due));
            due
        } else if now >= warn_at {
            events.push((now, EventKind::SlaWarning { metric: t.metric, due_at: due }));
            warned.push((t.metric, due));
            due
        } else {
            warn_at
        };
        check_at = Some(check_at.map_or(next, |c| c.min(next)));
    }
    if !paused.is_empty() {
        events.push((now, EventKind::SlaPaused { metrics: paused }));
    }
    if !resumed.is_empty() {
        events.push((now, EventKind::SlaResumed { metrics: resumed }));
    }
    events.sort_by_key(|(at, _)| *at);
    // Overdue targets first: a breached target's due time has passed, so it sorts before every running one.
    let owed = |t: &&TargetState| matches!(t.state, ClockState::Active | ClockState::Breached);
    let due_at = cur.targets.iter().filter(owed).filter_map(|t| t.due_at).min();
    Progress {
        record: Some(SlaRecord {
            policy_id: cur.policy_id.into(),
            policy_name: cur.policy_name.into(),
            targets: cur.targets.to_vec(),
            warned,
        }),
        events,
        due_at,
        summary: SlaSummary::of(cur.targets),
        check_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn at(min: i64) -> Timestamp {
        Timestamp::from_millis(min * MIN)
    }

    fn target(metric: Metric, state: ClockState, due: Option<i64>) -> TargetState {
        let due_at = due.map(at);
        let breached_at = if state == ClockState::Breached { due_at } else { None };
        TargetState { metric, due_at, state, breached_at, fulfilled_at: None }
    }

    fn cur(targets: &[TargetState]) -> CurrentSla<'_> {
        CurrentSla { policy_id: "p1", policy_name: "Urgent", targets }
    }

    fn kinds(p: &Progress) -> Vec<EventKind> {
        p.events.iter().map(|(_, k)| k.clone()).collect()
    }

    #[test]
    fn a_new_policy_is_told_once_and_past_breaches_are_kept_quiet() {
        let targets = [
            target(Metric::FirstReply, ClockState::Active, Some(60)),
            target(Metric::Resolution, ClockState::Breached, Some(-5)),
        ];
        let p = progress(None, Some(cur(&targets)), at(0));
        assert_eq!(kinds(&p), [EventKind::SlaApplied { policy_id: "p1".into(), policy: "Urgent".into() }]);
        assert_eq!(p.summary, Some(SlaSummary::Breached));
        assert_eq!(p.due_at, Some(at(-5)), "the overdue target sorts first");
        assert_eq!(p.check_at, Some(at(45)), "the warning comes 15 minutes before");
        // Looked at again with nothing changed: nothing to tell.
        let again = progress(p.record.as_ref(), Some(cur(&targets)), at(1));
        assert!(again.events.is_empty(), "{:?}", again.events);
    }

    #[test]
    fn a_warning_and_a_breach_are_each_told_once() {
        let running = [target(Metric::FirstReply, ClockState::Active, Some(60))];
        let first = progress(None, Some(cur(&running)), at(0));
        let warned = progress(first.record.as_ref(), Some(cur(&running)), at(46));
        assert_eq!(kinds(&warned), [EventKind::SlaWarning { metric: Metric::FirstReply, due_at: at(60) }]);
        assert_eq!(warned.check_at, Some(at(60)));
        let still = progress(warned.record.as_ref(), Some(cur(&running)), at(50));
        assert!(still.events.is_empty());
        assert_eq!(still.check_at, Some(at(60)));
        let breached = [target(Metric::FirstReply, ClockState::Breached, Some(60))];
        let b = progress(still.record.as_ref(), Some(cur(&breached)), at(61));
        assert_eq!(b.events, [(at(60), EventKind::SlaBreached { metric: Metric::FirstReply, due_at: at(60) })]);
        assert_eq!(b.check_at, None, "nothing more happens until the ticket changes");
        assert!(progress(b.record.as_ref(), Some(cur(&breached)), at(70)).events.is_empty());
    }

    #[test]
    fn a_late_sweep_tells_the_breach_without_a_warning() {
        let running = [target(Metric::Resolution, ClockState::Active, Some(600))];
        let first = progress(None, Some(cur(&running)), at(0));
        let breached = [target(Metric::Resolution, ClockState::Breached, Some(600))];
        let p = progress(first.record.as_ref(), Some(cur(&breached)), at(900));
        assert_eq!(kinds(&p), [EventKind::SlaBreached { metric: Metric::Resolution, due_at: at(600) }]);
    }

    #[test]
    fn pausing_resuming_and_meeting_are_told() {
        let running = [
            target(Metric::FirstReply, ClockState::Active, Some(60)),
            target(Metric::Resolution, ClockState::Active, Some(480)),
        ];
        let first = progress(None, Some(cur(&running)), at(0));
        let paused = [
            target(Metric::FirstReply, ClockState::Paused, None),
            target(Metric::Resolution, ClockState::Paused, None),
        ];
        let p = progress(first.record.as_ref(), Some(cur(&paused)), at(10));
        assert_eq!(kinds(&p), [EventKind::SlaPaused { metrics: vec![Metric::FirstReply, Metric::Resolution] }]);
        assert_eq!((p.summary, p.due_at, p.check_at), (Some(SlaSummary::Paused), None, None));
        let resumed = [
            target(Metric::FirstReply, ClockState::Active, Some(90)),
            target(Metric::Resolution, ClockState::Active, Some(510)),
        ];
        let r = progress(p.record.as_ref(), Some(cur(&resumed)), at(40));
        assert_eq!(kinds(&r), [EventKind::SlaResumed { metrics: vec![Metric::FirstReply, Metric::Resolution] }]);
        let mut met = resumed;
        met[0] = TargetState {
            metric: Metric::FirstReply,
            due_at: None,
            state: ClockState::Fulfilled,
            breached_at: Some(at(90)),
            fulfilled_at: Some(at(95)),
        };
        let m = progress(r.record.as_ref(), Some(cur(&met)), at(95));
        // Nobody looked between the breach and the reply: both are told, in the order they happened.
        assert_eq!(
            m.events,
            [
                (at(90), EventKind::SlaBreached { metric: Metric::FirstReply, due_at: at(90) }),
                (at(95), EventKind::SlaFulfilled { metric: Metric::FirstReply, late: true })
            ]
        );
        assert_eq!(m.due_at, Some(at(510)));
    }

    #[test]
    fn another_policy_or_none_is_told() {
        let running = [target(Metric::FirstReply, ClockState::Active, Some(60))];
        let first = progress(None, Some(cur(&running)), at(0));
        let other = CurrentSla { policy_id: "p2", policy_name: "Normal", targets: &running };
        let p = progress(first.record.as_ref(), Some(other), at(5));
        assert_eq!(kinds(&p), [EventKind::SlaApplied { policy_id: "p2".into(), policy: "Normal".into() }]);
        let gone = progress(p.record.as_ref(), None, at(6));
        assert_eq!(kinds(&gone), [EventKind::SlaRemoved { policy: "Normal".into() }]);
        assert_eq!((gone.record, gone.check_at, gone.summary), (None, None, None));
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let running = [target(Metric::FirstReply, ClockState::Active, Some(60))];
        let p = progress(None, Some(cur(&running)), at(50));
        let json = serde_json::to_string(&p.record).unwrap();
        let back: Option<SlaRecord> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p.record);
        assert_eq!(back.unwrap().warned, [(Metric::FirstReply, at(60))]);
    }
}
