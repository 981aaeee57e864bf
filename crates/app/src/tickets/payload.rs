//! The events a ticket change puts in the webhook outbox, in the shape receivers get: `{type, timestamp, data}`.

use parley_domain::contact::Contact;
use parley_domain::ids::{AccountId, WebhookId};
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;
use parley_domain::webhook::EventType;
use parley_domain::Timestamp;
use parley_store::OutboxEvent;
use serde_json::{json, Value};

fn event(account: AccountId, kind: EventType, data: Value) -> OutboxEvent {
    let now = Timestamp::now();
    let id = format!("msg_{}", uuid_simple());
    let body = json!({ "type": kind.as_str(), "timestamp": now.to_rfc3339(), "data": data });
    OutboxEvent { id, account_id: account, event_type: kind, payload: body.to_string(), created_at: now, webhook: None }
}

/// A rule told a webhook about the ticket (`trigger.notified`, to that webhook alone): the ticket, which rule,
/// and the rule's message.
pub(crate) fn notified(t: &Ticket, webhook: WebhookId, rule: &str, message: &str) -> OutboxEvent {
    let data = json!({ "ticket": t, "rule": rule, "message": message });
    OutboxEvent { webhook: Some(webhook), ..event(t.account_id, EventType::TriggerNotified, data) }
}

fn uuid_simple() -> String {
    parley_domain::ids::OutboxEventId::new().to_string().replace('-', "")
}

/// A new ticket: `ticket.created`, and its first message as `message.created`.
pub(crate) fn created(t: &Ticket, requester: &Contact, m: &Message) -> Vec<OutboxEvent> {
    vec![
        event(t.account_id, EventType::TicketCreated, json!({ "ticket": t, "requester": requester, "message": m })),
        event(t.account_id, EventType::MessageCreated, json!({ "ticket": t, "message": m })),
    ]
}

pub(crate) fn updated(t: &Ticket, changes: &[parley_domain::event::EventKind]) -> OutboxEvent {
    event(t.account_id, EventType::TicketUpdated, json!({ "ticket": t, "changes": changes }))
}

pub(crate) fn message(t: &Ticket, m: &Message) -> OutboxEvent {
    event(t.account_id, EventType::MessageCreated, json!({ "ticket": t, "message": m }))
}

/// A phone call ended on the ticket (`call.ended`): the ticket and the call.
pub(crate) fn call_ended(t: &Ticket, call: Value) -> OutboxEvent {
    event(t.account_id, EventType::CallEnded, json!({ "ticket": t, "call": call }))
}

/// A ticket's SLA target runs out soon (`sla.warning`) or ran out (`sla.breached`): the ticket and the target.
pub(crate) fn sla(t: &Ticket, kind: EventType, policy: &str, target: &parley_domain::sla::TargetState) -> OutboxEvent {
    event(t.account_id, kind, json!({ "ticket": t, "policy": policy, "target": target }))
}
