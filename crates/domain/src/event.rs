//! What happens to a ticket, as its timeline and its webhooks tell it.

use crate::ids::{AgentId, ApiKeyId, ContactId, DepartmentId, SupportGrantId, TicketId};
use crate::sla::Metric;
use crate::ticket::{Priority, Status, Tag, TicketNumber};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// Who did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Agent(AgentId),
    Contact(ContactId),
    ApiKey(ApiKeyId),
    /// The operator's support staff, under the account's grant.
    Staff(SupportGrantId),
    System,
}

impl Actor {
    /// Storage form: a kind and an optional id.
    pub fn parts(&self) -> (&'static str, Option<String>) {
        match self {
            Actor::Agent(id) => ("agent", Some(id.to_string())),
            Actor::Contact(id) => ("contact", Some(id.to_string())),
            Actor::ApiKey(id) => ("api_key", Some(id.to_string())),
            Actor::Staff(id) => ("staff", Some(id.to_string())),
            Actor::System => ("system", None),
        }
    }

    pub fn from_parts(kind: &str, id: Option<&str>) -> Option<Actor> {
        match (kind, id) {
            ("agent", Some(id)) => AgentId::parse(id).map(Actor::Agent),
            ("contact", Some(id)) => ContactId::parse(id).map(Actor::Contact),
            ("api_key", Some(id)) => ApiKeyId::parse(id).map(Actor::ApiKey),
            ("staff", Some(id)) => SupportGrantId::parse(id).map(Actor::Staff),
            ("system", _) => Some(Actor::System),
            _ => None,
        }
    }
}

/// One change to a ticket, as recorded in its timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Created,
    SubjectChanged {
        from: String,
        to: String,
    },
    StatusChanged {
        from: Status,
        to: Status,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    AssigneeChanged {
        from: Option<AgentId>,
        to: Option<AgentId>,
    },
    DepartmentChanged {
        from: Option<DepartmentId>,
        to: Option<DepartmentId>,
    },
    TagsChanged {
        added: Vec<Tag>,
        removed: Vec<Tag>,
    },
    FieldChanged {
        key: String,
        #[schema(value_type = Object)]
        from: serde_json::Value,
        #[schema(value_type = Object)]
        to: serde_json::Value,
    },
    MergedInto {
        ticket_id: TicketId,
        number: TicketNumber,
    },
    MergedFrom {
        ticket_id: TicketId,
        number: TicketNumber,
    },
    /// An SLA policy applies to the ticket from now on (the first, or another after a change).
    SlaApplied {
        policy_id: String,
        policy: String,
    },
    /// No SLA policy applies any more.
    SlaRemoved {
        policy: String,
    },
    SlaPaused {
        metrics: Vec<Metric>,
    },
    SlaResumed {
        metrics: Vec<Metric>,
    },
    /// A target was met (`late` when after its due time).
    SlaFulfilled {
        metric: Metric,
        late: bool,
    },
    /// A target runs out soon (see `sla::WARNING_MS`).
    SlaWarning {
        metric: Metric,
        due_at: Timestamp,
    },
    SlaBreached {
        metric: Metric,
        due_at: Timestamp,
    },
    /// The account's triggers changed the ticket (their changes follow as events of their own).
    TriggersFired {
        names: Vec<String>,
    },
    /// An automation (time rule) changed the ticket.
    AutomationFired {
        name: String,
    },
    /// The account's assignment of new tickets gave the ticket to an available agent (the assignment follows as
    /// an event of its own); `strategy` is how it chose.
    Offered {
        strategy: String,
    },
    /// A phone call ended on the ticket: `direction` (`inbound`, `outbound`), `outcome` (`answered`, `missed`,
    /// `voicemail`, `abandoned`, `callback`), its length, and the caller's or callee's number.
    Call {
        call_id: String,
        direction: String,
        outcome: String,
        number: String,
        duration_s: i64,
    },
}

impl EventKind {
    /// A one-line description for the timeline view.
    pub fn describe(&self) -> String {
        match self {
            EventKind::Created => "created the ticket".into(),
            EventKind::SubjectChanged { to, .. } => format!("changed the subject to “{to}”"),
            EventKind::StatusChanged { from, to } => format!("changed status from {from} to {to}"),
            EventKind::PriorityChanged { from, to } => {
                format!("changed priority from {from} to {to}")
            }
            EventKind::AssigneeChanged { to: Some(_), .. } => "assigned the ticket".into(),
            EventKind::AssigneeChanged { to: None, .. } => "unassigned the ticket".into(),
            EventKind::DepartmentChanged { .. } => "moved the ticket to another department".into(),
            EventKind::TagsChanged { added, removed } => {
                let list = |v: &[Tag]| v.iter().map(Tag::as_str).collect::<Vec<_>>().join(", ");
                match (added.is_empty(), removed.is_empty()) {
                    (false, true) => format!("added tags {}", list(added)),
                    (true, false) => format!("removed tags {}", list(removed)),
                    _ => format!("added tags {}; removed {}", list(added), list(removed)),
                }
            }
            EventKind::FieldChanged { key, .. } => format!("changed field {key}"),
            EventKind::MergedInto { number, .. } => format!("merged this ticket into {number}"),
            EventKind::MergedFrom { number, .. } => format!("merged {number} into this ticket"),
            EventKind::SlaApplied { policy, .. } => format!("SLA policy “{policy}” applies"),
            EventKind::SlaRemoved { policy } => format!("SLA policy “{policy}” no longer applies"),
            EventKind::SlaPaused { metrics } => format!("SLA paused: {}", metric_list(metrics)),
            EventKind::SlaResumed { metrics } => format!("SLA resumed: {}", metric_list(metrics)),
            EventKind::SlaFulfilled { metric, late: false } => format!("SLA {} met", metric.as_str()),
            EventKind::SlaFulfilled { metric, late: true } => format!("SLA {} met late", metric.as_str()),
            EventKind::SlaWarning { metric, due_at } => {
                format!("SLA {} due {}", metric.as_str(), due_at.to_display())
            }
            EventKind::SlaBreached { metric, .. } => format!("SLA {} breached", metric.as_str()),
            EventKind::TriggersFired { names } => format!("triggers ran: {}", names.join(", ")),
            EventKind::AutomationFired { name } => format!("automation ran: {name}"),
            EventKind::Offered { strategy } if strategy == "round_robin" => "offered by round robin".into(),
            EventKind::Offered { .. } => "offered to the least busy agent".into(),
            EventKind::Call { direction, outcome, number, duration_s, .. } => {
                let way = if direction == "outbound" { "to" } else { "from" };
                format!("phone call {way} {number}: {outcome}, {} min {} s", duration_s / 60, duration_s % 60)
            }
        }
    }
}

fn metric_list(metrics: &[Metric]) -> String {
    metrics.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}
