//! Worked examples with exact instants. Expected instants are written in UTC; Budapest is UTC+1 in December.

use super::*;
use crate::business_hours::{Calendar, CalendarInput, PeriodInput};
use crate::ids::{CompanyId, DepartmentId};
use crate::ticket::{Channel, Priority, Status, Tag};
use crate::Timestamp;
use serde_json::json;

use HistoryEvent::{AgentReplied, CustomerReplied, StatusChanged};

fn utc(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// The desk from the issue: Europe/Budapest, Mon–Fri 08:00–12:00 and 13:00–17:00.
fn budapest() -> Calendar {
    let days = ["mon", "tue", "wed", "thu", "fri"];
    let periods = days
        .iter()
        .flat_map(|d| {
            [("08:00", "12:00"), ("13:00", "17:00")].map(|(s, e)| PeriodInput {
                day: d.to_string(),
                start: s.into(),
                end: e.into(),
            })
        })
        .collect();
    let input = CalendarInput {
        name: "Budapest".into(),
        time_zone: "Europe/Budapest".into(),
        periods,
        holidays: vec![],
        default: true,
    };
    Calendar::new(&input).unwrap()
}

fn policy(value: serde_json::Value) -> SlaPolicy {
    let input: SlaPolicyInput = serde_json::from_value(value).unwrap();
    SlaPolicy::new(&input).unwrap()
}

/// A policy holding one urgent target.
fn one_target(metric: &str, minutes: i64, business_hours: bool) -> SlaPolicy {
    policy(json!({
        "name": "Urgent",
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []},
        "targets": [{"priority": "urgent", "metric": metric, "minutes": minutes, "business_hours": business_hours}],
    }))
}

fn history(created: &str, events: Vec<HistoryEvent>) -> TicketHistory {
    TicketHistory { created_at: utc(created), events }
}

fn agent(at: &str) -> HistoryEvent {
    AgentReplied { at: utc(at) }
}

fn customer(at: &str) -> HistoryEvent {
    CustomerReplied { at: utc(at) }
}

fn status(at: &str, to: Status) -> HistoryEvent {
    StatusChanged { at: utc(at), to }
}

/// The one target's state, as (state, due_at, breached_at, fulfilled_at) in RFC 3339.
fn only(
    policy: &SlaPolicy,
    h: &TicketHistory,
    cal: &Calendar,
    now: &str,
) -> (ClockState, Option<String>, Option<String>, Option<String>) {
    let states = measure(policy, Priority::Urgent, h, cal, utc(now));
    assert_eq!(states.len(), 1, "{states:?}");
    let s = states[0];
    let show = |t: Option<Timestamp>| t.map(Timestamp::to_rfc3339);
    (s.state, show(s.due_at), show(s.breached_at), show(s.fulfilled_at))
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn the_issues_friday_afternoon_ticket_is_due_monday_0830() {
    let cal = budapest();
    let p = one_target("first_reply", 60, true);
    // Friday 2026-12-04 16:30 in Budapest.
    let created = "2026-12-04T15:30:00Z";
    let waiting = history(created, vec![]);
    assert_eq!(
        only(&p, &waiting, &cal, "2026-12-04T16:00:00Z"),
        (ClockState::Active, some("2026-12-07T07:30:00Z"), None, None),
        "Monday 08:30"
    );
    // Measured at the very instant it was created.
    assert_eq!(only(&p, &waiting, &cal, created).1, some("2026-12-07T07:30:00Z"));
    // Answered Monday 08:10: in time.
    let answered = history(created, vec![agent("2026-12-07T07:10:00Z")]);
    assert_eq!(
        only(&p, &answered, &cal, "2026-12-07T08:00:00Z"),
        (ClockState::Fulfilled, None, None, some("2026-12-07T07:10:00Z"))
    );
    // Unanswered at Monday 09:00: breached at 08:30.
    assert_eq!(
        only(&p, &waiting, &cal, "2026-12-07T08:00:00Z"),
        (ClockState::Breached, some("2026-12-07T07:30:00Z"), some("2026-12-07T07:30:00Z"), None)
    );
    // Answered at 08:45: met, but late.
    let late = history(created, vec![agent("2026-12-07T07:45:00Z")]);
    assert_eq!(
        only(&p, &late, &cal, "2026-12-07T08:00:00Z"),
        (ClockState::Fulfilled, None, some("2026-12-07T07:30:00Z"), some("2026-12-07T07:45:00Z"))
    );
    // Answered exactly at 08:30: in time.
    let exact = history(created, vec![agent("2026-12-07T07:30:00Z")]);
    assert_eq!(only(&p, &exact, &cal, "2026-12-07T08:00:00Z").2, None);
    // A reply not yet made at `now` does not count.
    assert_eq!(only(&p, &answered, &cal, "2026-12-07T07:00:00Z").0, ClockState::Active);
}

#[test]
fn a_calendar_hours_target_runs_through_the_weekend() {
    let cal = budapest();
    let p = one_target("first_reply", 60, false);
    let h = history("2026-12-04T15:30:00Z", vec![]);
    assert_eq!(
        only(&p, &h, &cal, "2026-12-04T16:00:00Z"),
        (ClockState::Active, some("2026-12-04T16:30:00Z"), None, None)
    );
    assert_eq!(
        only(&p, &h, &cal, "2026-12-05T10:00:00Z"),
        (ClockState::Breached, some("2026-12-04T16:30:00Z"), some("2026-12-04T16:30:00Z"), None)
    );
}

#[test]
fn pending_over_a_weekend_does_not_count_in_business_hours() {
    let cal = budapest();
    let p = one_target("resolution", 8 * 60, true);
    // Thursday 09:00 to 16:00 is 6 business hours; pending from then until Monday 10:00 (Friday's hours too).
    let h = history(
        "2026-12-03T08:00:00Z",
        vec![
            status("2026-12-03T08:00:00Z", Status::Open),
            status("2026-12-03T15:00:00Z", Status::Pending),
            status("2026-12-07T09:00:00Z", Status::Open),
        ],
    );
    assert_eq!(
        only(&p, &h, &cal, "2026-12-03T14:00:00Z"),
        (ClockState::Active, some("2026-12-04T08:00:00Z"), None, None)
    );
    assert_eq!(only(&p, &h, &cal, "2026-12-05T12:00:00Z"), (ClockState::Paused, None, None, None));
    // Two hours left from Monday 10:00: due at 12:00.
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T09:30:00Z"),
        (ClockState::Active, some("2026-12-07T11:00:00Z"), None, None)
    );
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T12:00:00Z"),
        (ClockState::Breached, some("2026-12-07T11:00:00Z"), some("2026-12-07T11:00:00Z"), None)
    );
}

/// Looked at the very instant the ticket is opened again (a frozen clock, or a watch that runs in the same
/// millisecond): the clock runs from then with what was left, not from where it stopped.
#[test]
fn measured_at_the_instant_the_clock_resumes() {
    let cal = budapest();
    let p = one_target("resolution", 8 * 60, true);
    let h = history(
        "2026-12-03T08:00:00Z",
        vec![
            status("2026-12-03T08:00:00Z", Status::Open),
            status("2026-12-03T15:00:00Z", Status::Pending),
            status("2026-12-07T09:00:00Z", Status::Open),
        ],
    );
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T09:00:00Z"),
        (ClockState::Active, some("2026-12-07T11:00:00Z"), None, None)
    );
}

#[test]
fn pending_over_a_weekend_does_not_count_in_calendar_hours() {
    let cal = budapest();
    let p = one_target("resolution", 24 * 60, false);
    // One hour runs on Friday, then pending until Monday 07:00 UTC: 23 hours left from there.
    let h = history(
        "2026-12-04T15:30:00Z",
        vec![status("2026-12-04T16:30:00Z", Status::Pending), status("2026-12-07T07:00:00Z", Status::Open)],
    );
    assert_eq!(only(&p, &h, &cal, "2026-12-06T12:00:00Z"), (ClockState::Paused, None, None, None));
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T08:00:00Z"),
        (ClockState::Active, some("2026-12-08T06:00:00Z"), None, None)
    );
}

#[test]
fn a_paused_target_that_had_run_out_stays_breached() {
    let cal = budapest();
    let p = one_target("first_reply", 60, false);
    let h = history("2026-12-04T10:00:00Z", vec![status("2026-12-04T12:00:00Z", Status::Pending)]);
    assert_eq!(
        only(&p, &h, &cal, "2026-12-04T13:00:00Z"),
        (ClockState::Breached, some("2026-12-04T11:00:00Z"), some("2026-12-04T11:00:00Z"), None)
    );
}

#[test]
fn a_ticket_created_pending_starts_paused() {
    let cal = budapest();
    let p = one_target("first_reply", 60, false);
    let h = history("2026-12-04T10:00:00Z", vec![status("2026-12-04T10:00:00Z", Status::Pending)]);
    assert_eq!(only(&p, &h, &cal, "2026-12-04T13:00:00Z"), (ClockState::Paused, None, None, None));
}

#[test]
fn resolution_goes_on_from_where_it_stood_when_reopened() {
    let cal = budapest();
    let p = one_target("resolution", 4 * 60, false);
    let reopened = vec![status("2026-12-07T01:00:00Z", Status::Resolved), status("2026-12-07T05:00:00Z", Status::Open)];
    let h = history("2026-12-07T00:00:00Z", reopened.clone());
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T03:00:00Z"),
        (ClockState::Fulfilled, None, None, some("2026-12-07T01:00:00Z"))
    );
    // One hour spent before it was resolved: three left from 05:00.
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T06:00:00Z"),
        (ClockState::Active, some("2026-12-07T08:00:00Z"), None, None)
    );
    let mut again = reopened;
    again.push(status("2026-12-07T10:00:00Z", Status::Closed));
    let h = history("2026-12-07T00:00:00Z", again);
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T11:00:00Z"),
        (ClockState::Fulfilled, None, some("2026-12-07T08:00:00Z"), some("2026-12-07T10:00:00Z"))
    );
}

#[test]
fn solving_without_a_reply_meets_the_first_reply() {
    let cal = budapest();
    let p = one_target("first_reply", 60, false);
    let h = history("2026-12-07T00:00:00Z", vec![status("2026-12-07T00:20:00Z", Status::Spam)]);
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T03:00:00Z"),
        (ClockState::Fulfilled, None, None, some("2026-12-07T00:20:00Z"))
    );
}

#[test]
fn next_reply_runs_in_cycles_from_the_earliest_unanswered_customer_reply() {
    let cal = budapest();
    let p = one_target("next_reply", 30, false);
    let created = "2026-12-07T10:00:00Z";
    // A customer writing again before any agent reply is first_reply's business.
    let mut events = vec![customer("2026-12-07T10:05:00Z"), agent("2026-12-07T10:10:00Z")];
    assert!(
        measure(&p, Priority::Urgent, &history(created, events.clone()), &cal, utc("2026-12-07T10:15:00Z")).is_empty()
    );
    events.extend([customer("2026-12-07T10:20:00Z"), customer("2026-12-07T10:25:00Z")]);
    assert_eq!(
        only(&p, &history(created, events.clone()), &cal, "2026-12-07T10:40:00Z"),
        (ClockState::Active, some("2026-12-07T10:50:00Z"), None, None)
    );
    events.push(agent("2026-12-07T10:45:00Z"));
    assert_eq!(
        only(&p, &history(created, events.clone()), &cal, "2026-12-07T10:50:00Z"),
        (ClockState::Fulfilled, None, None, some("2026-12-07T10:45:00Z"))
    );
    events.push(customer("2026-12-07T11:00:00Z"));
    assert_eq!(
        only(&p, &history(created, events), &cal, "2026-12-07T12:00:00Z"),
        (ClockState::Breached, some("2026-12-07T11:30:00Z"), some("2026-12-07T11:30:00Z"), None)
    );
}

#[test]
fn periodic_update_starts_again_at_each_agent_reply() {
    let cal = budapest();
    let p = one_target("periodic_update", 60, false);
    let created = "2026-12-07T10:00:00Z";
    assert_eq!(
        only(&p, &history(created, vec![]), &cal, "2026-12-07T11:10:00Z"),
        (ClockState::Breached, some("2026-12-07T11:00:00Z"), some("2026-12-07T11:00:00Z"), None)
    );
    let h = history(created, vec![agent("2026-12-07T10:50:00Z")]);
    assert_eq!(
        only(&p, &h, &cal, "2026-12-07T11:40:00Z"),
        (ClockState::Active, some("2026-12-07T11:50:00Z"), None, None)
    );
}

#[test]
fn only_the_tickets_priority_is_measured_in_the_policys_order() {
    let cal = budapest();
    let p = policy(json!({
        "name": "All",
        "targets": [
            {"priority": "low", "metric": "first_reply", "minutes": 600},
            {"priority": "urgent", "metric": "resolution", "minutes": 120, "business_hours": false},
            {"priority": "urgent", "metric": "first_reply", "minutes": 30, "business_hours": false},
            {"priority": "urgent", "metric": "next_reply", "minutes": 30, "business_hours": false},
        ],
    }));
    let states =
        measure(&p, Priority::Urgent, &history("2026-12-07T10:00:00Z", vec![]), &cal, utc("2026-12-07T10:00:00Z"));
    let got: Vec<(Metric, Option<Timestamp>)> = states.iter().map(|s| (s.metric, s.due_at)).collect();
    assert_eq!(
        got,
        [
            (Metric::Resolution, Some(utc("2026-12-07T12:00:00Z"))),
            (Metric::FirstReply, Some(utc("2026-12-07T10:30:00Z")))
        ]
    );
    let json = serde_json::to_value(states[0]).unwrap();
    assert_eq!(
        json,
        json!({"metric": "resolution", "due_at": "2026-12-07T12:00:00Z", "state": "active", "breached_at": null, "fulfilled_at": null})
    );
}

#[test]
fn the_first_matching_policy_applies() {
    let billing = DepartmentId::new();
    let acme = CompanyId::new();
    let vip = policy(
        json!({"name": "VIP", "conditions": {"all": [{"field": "tags", "operator": "includes", "value": ["vip", "gold"]}]}}),
    );
    let urgent_mail = policy(json!({
        "name": "Urgent mail",
        "conditions": {
            "all": [
                {"field": "priority", "operator": "is", "value": ["urgent", "high"]},
                {"field": "channel", "operator": "is_not", "value": "chat"},
                {"field": "status", "operator": "is_not", "value": "spam"},
            ],
            "any": [
                {"field": "department_id", "operator": "is", "value": billing.to_string()},
                {"field": "company_id", "operator": "is", "value": acme.to_string()},
            ],
        },
    }));
    let no_company = policy(json!({
        "name": "No company, not spam-tagged",
        "conditions": {"all": [
            {"field": "company_id", "operator": "is", "value": null},
            {"field": "tags", "operator": "excludes", "value": "spammy"},
        ]},
    }));
    let rest = policy(json!({"name": "Everything else"}));
    let policies = [vip, urgent_mail, no_company, rest];
    let tags = |list: &[&str]| list.iter().map(|t| Tag::parse(t).unwrap()).collect::<Vec<_>>();
    let name = |facts: &TicketFacts<'_>| first_match(&policies, facts).map(SlaPolicy::name).unwrap_or("none");
    let plain = tags(&["refund"]);
    let gold = tags(&["gold"]);
    let spammy = tags(&["spammy"]);
    let base = TicketFacts {
        priority: Priority::Urgent,
        status: Status::Open,
        channel: Channel::Email,
        tags: &plain,
        department_id: Some(billing),
        company_id: None,
    };
    assert_eq!(name(&TicketFacts { tags: &gold, ..base.clone() }), "VIP");
    assert_eq!(name(&base), "Urgent mail");
    assert_eq!(name(&TicketFacts { department_id: None, company_id: Some(acme), ..base.clone() }), "Urgent mail");
    // Neither of `any` holds.
    assert_eq!(name(&TicketFacts { department_id: None, ..base.clone() }), "No company, not spam-tagged");
    assert_eq!(name(&TicketFacts { channel: Channel::Chat, ..base.clone() }), "No company, not spam-tagged");
    assert_eq!(name(&TicketFacts { priority: Priority::Low, tags: &spammy, ..base.clone() }), "Everything else");
    assert_eq!(first_match(&policies[..3], &TicketFacts { priority: Priority::Low, tags: &spammy, ..base }), None);
}

#[test]
fn pause_statuses_default_to_pending() {
    let p = policy(json!({"name": "Plain"}));
    assert_eq!(p.pause_statuses(), [Status::Pending]);
    let p = policy(json!({"name": "None", "pause_statuses": [], "business_hours_id": "bh-1", "position": 3}));
    assert!(p.pause_statuses().is_empty());
    assert_eq!((p.business_hours_id(), p.position()), (Some("bh-1"), Some(3)));
}

#[test]
fn bad_policies_are_refused_with_every_field_named() {
    let input: SlaPolicyInput = serde_json::from_value(json!({
        "name": " ",
        "conditions": {
            "all": [
                {"field": "mood", "operator": "is", "value": "happy"},
                {"field": "priority", "operator": "includes", "value": "urgent"},
                {"field": "tags", "operator": "includes", "value": ["two words"]},
            ],
            "any": [
                {"field": "status", "operator": "is", "value": []},
                {"field": "department_id", "operator": "is", "value": "not-an-id"},
                {"field": "company_id", "operator": "is_not", "value": 7},
                {"field": "channel", "operator": "is", "value": "fax"},
            ],
        },
        "pause_statuses": ["pending", "open", "asleep"],
        "targets": [
            {"priority": "urgent", "metric": "first_reply", "minutes": 60},
            {"priority": "urgent", "metric": "first_reply", "minutes": 30},
            {"priority": "extreme", "metric": "soon", "minutes": 0},
            {"priority": "low", "metric": "resolution", "minutes": 525_601},
        ],
    }))
    .unwrap();
    let err = SlaPolicy::new(&input).unwrap_err();
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "name",
            "conditions.all[0].field",
            "conditions.all[1].operator",
            "conditions.all[2].value",
            "conditions.any[0].value",
            "conditions.any[1].value",
            "conditions.any[2].value",
            "conditions.any[3].value",
            "pause_statuses[1]",
            "pause_statuses[2]",
            "targets[1]",
            "targets[2].priority",
            "targets[2].metric",
            "targets[2].minutes",
            "targets[3].minutes",
        ],
        "{err}"
    );
    let long = SlaPolicyInput { name: "x".repeat(201), ..input };
    assert!(SlaPolicy::new(&long).unwrap_err().0.iter().any(|e| e.field == "name"));
}

#[test]
fn a_policy_reads_back_as_it_was_sent() {
    let sent = json!({
        "name": "Urgent tickets",
        "position": 1,
        "business_hours_id": "0193a5c0-0000-7000-8000-000000000001",
        "conditions": {
            "all": [
                {"field": "priority", "operator": "is", "value": "urgent"},
                {"field": "tags", "operator": "excludes", "value": ["internal", "test"]},
            ],
            "any": [{"field": "company_id", "operator": "is_not", "value": null}],
        },
        "pause_statuses": ["pending"],
        "targets": [
            {"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": true},
            {"priority": "urgent", "metric": "resolution", "minutes": 480, "business_hours": false},
        ],
    });
    let p = policy(sent.clone());
    assert_eq!(serde_json::to_value(p.to_input()).unwrap(), sent);
    assert_eq!(SlaPolicy::new(&p.to_input()).unwrap(), p);
}
