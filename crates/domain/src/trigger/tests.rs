//! Triggers as data: the issue's refund rule read and shown back, bad rules refused with each field named, text
//! found by its stems, and runs that follow the account's order and cannot loop.

use super::*;
use crate::event::{Actor, EventKind};
use crate::ids::{AgentId, ContactId, DepartmentId, MessageId, TriggerId};
use crate::ticket::{Channel, Priority, Status, Tag};
use crate::ticket_action::FieldDefs;
use serde_json::json;

fn trigger(v: serde_json::Value) -> Trigger {
    let input: TriggerInput = serde_json::from_value(v).unwrap();
    Trigger::new(&input, FieldDefs::Trusted).unwrap()
}

fn facts() -> TriggerFacts {
    TriggerFacts {
        priority: Priority::Normal,
        status: Status::New,
        channel: Channel::Email,
        tags: vec![],
        department_id: None,
        company_id: None,
        assignee_id: None,
        requester_email: "jane@customer.example".into(),
        subject: "Question".into(),
        text: Some("I would like my money back: a refund, please.".into()),
        changes: vec![],
        within_business_hours: true,
        words: Default::default(),
    }
}

fn refund(billing: DepartmentId) -> serde_json::Value {
    json!({"name": "Refunds", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "text", "operator": "contains", "value": "refund"}], "any": []},
        "actions": [{"action": "set", "field": "priority", "value": "high"},
                    {"action": "add_tags", "value": ["refund"]},
                    {"action": "assign", "department_id": billing.to_string(), "strategy": "round_robin"}]})
}

fn never(_: Option<DepartmentId>, _: Strategy) -> Option<AgentId> {
    None
}

#[test]
fn the_issues_refund_trigger_reads_back_as_sent_and_assigns_round_robin() {
    let billing = DepartmentId::new();
    let t = trigger(refund(billing));
    let shown = serde_json::to_value(t.to_input()).unwrap();
    let mut sent = refund(billing);
    sent["active"] = json!(true);
    sent["conditions"]["any"] = json!([]);
    assert_eq!(shown, sent);
    let ada = AgentId::new();
    let mut asked = Vec::new();
    let mut pick = |d: Option<DepartmentId>, s: Strategy| {
        asked.push((d, s));
        Some(ada)
    };
    let id = TriggerId::new();
    let r = run(&[(id, &t)], &[TriggerEvent::TicketCreated], facts(), &mut pick);
    assert_eq!(asked, [(Some(billing), Strategy::RoundRobin)], "picked among Billing's agents");
    assert_eq!(r.fired.len(), 1);
    assert_eq!(
        (r.facts.priority, r.facts.department_id, r.facts.assignee_id),
        (Priority::High, Some(billing), Some(ada))
    );
    assert_eq!(r.facts.tags, [Tag::parse("refund").unwrap()]);
    assert!(matches!(r.fired[0].actions[2], TriggerAction::Assign { agent: Some(a), .. } if a == ada));
    // Not on another event, and not when the text has no such word.
    assert!(run(&[(id, &t)], &[TriggerEvent::TicketUpdated], facts(), &mut never).fired.is_empty());
    let mut other = facts();
    other.text = Some("Where is my parcel?".into());
    assert!(run(&[(id, &t)], &[TriggerEvent::TicketCreated], other, &mut never).fired.is_empty());
}

#[test]
fn text_is_found_by_its_stems_and_phrases_in_a_row() {
    let on = |value: serde_json::Value, subject: &str, text: &str| {
        let t = trigger(json!({"name": "t", "events": ["ticket.created"],
            "conditions": {"all": [{"field": "text", "operator": "contains", "value": value}]},
            "actions": [{"action": "add_tags", "value": ["x"]}]}));
        let mut f = facts();
        f.subject = subject.into();
        f.text = Some(text.into());
        !run(&[(TriggerId::new(), &t)], &[TriggerEvent::TicketCreated], f, &mut never).fired.is_empty()
    };
    assert!(on(json!("refund"), "Refunds", ""), "in the subject, by its stem");
    assert!(on(json!("refund"), "", "two REFUNDED orders"));
    assert!(on(json!("számla"), "", "Kérem a számlát"), "Hungarian stems");
    assert!(on(json!("Rechnung"), "", "Wo sind meine Rechnungen?"), "German stems");
    assert!(on(json!(["money back", "chargeback"]), "", "I want my money back"));
    assert!(!on(json!("money back"), "", "back to the money"), "a phrase is words in a row");
    assert!(!on(json!("fund"), "", "refund"), "a word, not a part of one");
}

#[test]
fn bad_triggers_are_refused_with_every_field_named() {
    let input: TriggerInput = serde_json::from_value(json!({"name": " ", "events": ["ticket.exploded"],
        "conditions": {"all": [{"field": "colour", "operator": "is", "value": "red"},
                               {"field": "status", "operator": "changed_to", "value": "done"},
                               {"field": "business_hours", "operator": "is", "value": "sometimes"}],
                       "any": [{"field": "text", "operator": "contains", "value": "  "}]},
        "actions": [{"action": "set", "field": "assignee_id", "value": "current_agent"},
                    {"action": "assign"},
                    {"action": "send_mail", "to": "nobody", "subject": "Hi {{ticket.colour}}", "value": "x"},
                    {"action": "launch_rocket"}]}))
    .unwrap();
    let e = Trigger::new(&input, FieldDefs::Trusted).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    for f in [
        "name",
        "events[0]",
        "conditions.all[0].field",
        "conditions.all[1].value",
        "conditions.all[2].value",
        "conditions.any[0].value",
        "actions[0].value",
        "actions[1]",
        "actions[2].to",
        "actions[2].subject",
        "actions[3].action",
    ] {
        assert!(fields.contains(&f), "{f} named in {fields:?}");
    }
    let none: TriggerInput = serde_json::from_value(json!({"name": "n", "events": [], "actions": []})).unwrap();
    let e = Trigger::new(&none, FieldDefs::Trusted).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["events", "actions"]);
}

#[test]
fn later_triggers_see_earlier_changes_and_earlier_ones_answer_later_ones() {
    let escalate = trigger(json!({"name": "VIP is urgent", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "tags", "operator": "includes", "value": "vip"}]},
        "actions": [{"action": "set", "field": "priority", "value": "urgent"}]}));
    let tag = trigger(json!({"name": "Big customer", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "requester_email", "operator": "is", "value": "JANE@customer.example"}]},
        "actions": [{"action": "add_tags", "value": ["vip"]}]}));
    let notify = trigger(json!({"name": "Urgent changed", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "priority", "operator": "changed_to", "value": "urgent"}]},
        "actions": [{"action": "add_note", "value": "Urgent now"}]}));
    let (a, b, c) = (TriggerId::new(), TriggerId::new(), TriggerId::new());
    let r = run(&[(a, &escalate), (b, &tag), (c, &notify)], &[TriggerEvent::TicketCreated], facts(), &mut never);
    let names: Vec<&str> = r.fired.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Big customer", "VIP is urgent", "Urgent changed"], "the first answers the second's tag");
    assert_eq!(r.facts.priority, Priority::Urgent);
    assert!(!r.stopped);
}

#[test]
fn two_triggers_that_undo_each_other_fire_once_each() {
    let up = trigger(json!({"name": "up", "events": ["ticket.updated"],
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "low"}]},
        "actions": [{"action": "set", "field": "priority", "value": "high"}]}));
    let down = trigger(json!({"name": "down", "events": ["ticket.updated"],
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "high"}]},
        "actions": [{"action": "set", "field": "priority", "value": "low"}]}));
    let mut f = facts();
    f.priority = Priority::Low;
    let r = run(&[(TriggerId::new(), &up), (TriggerId::new(), &down)], &[TriggerEvent::TicketUpdated], f, &mut never);
    let names: Vec<&str> = r.fired.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["up", "down"]);
    assert_eq!(r.facts.priority, Priority::Low);
    assert!(!r.stopped);
}

#[test]
fn a_run_stops_after_its_bound() {
    let many: Vec<Trigger> = (0..MAX_FIRINGS + 5)
        .map(|i| {
            trigger(json!({"name": format!("t{i}"), "events": ["ticket.created"],
                "actions": [{"action": "add_tags", "value": [format!("t{i}")]}]}))
        })
        .collect();
    let list: Vec<(TriggerId, &Trigger)> = many.iter().map(|t| (TriggerId::new(), t)).collect();
    let r = run(&list, &[TriggerEvent::TicketCreated], facts(), &mut never);
    assert_eq!(r.fired.len(), MAX_FIRINGS);
    assert!(r.stopped);
}

#[test]
fn inactive_triggers_never_run() {
    let t = trigger(json!({"name": "off", "active": false, "events": ["ticket.created"],
        "actions": [{"action": "add_tags", "value": ["x"]}]}));
    assert!(run(&[(TriggerId::new(), &t)], &[TriggerEvent::TicketCreated], facts(), &mut never).fired.is_empty());
}

#[test]
fn a_change_tells_what_it_was() {
    let jane = Actor::Contact(ContactId::new());
    let agent = Actor::Agent(AgentId::new());
    let created = Activity::of(&[EventKind::Created], Some((MessageId::new(), &jane, false)));
    assert_eq!(created.events, [TriggerEvent::TicketCreated]);
    let replied = Activity::of(&[], Some((MessageId::new(), &jane, false)));
    assert_eq!(replied.events, [TriggerEvent::CustomerReplied, TriggerEvent::TicketUpdated]);
    let answered = Activity::of(
        &[EventKind::StatusChanged { from: Status::New, to: Status::Open }],
        Some((MessageId::new(), &agent, false)),
    );
    assert_eq!(answered.events, [TriggerEvent::AgentReplied, TriggerEvent::TicketUpdated]);
    assert_eq!(answered.changes, [Change::Status { from: Status::New, to: Status::Open }]);
    let note = Activity::of(&[], Some((MessageId::new(), &agent, true)));
    assert_eq!(note.events, [TriggerEvent::TicketUpdated]);
    assert!(Activity::of(&[], None).is_empty());
}
