//! The shape of a trigger in the API and in storage, as scripts send it: plain strings and JSON values, so that a
//! bad value is reported by `Trigger::new` with its field named instead of failing the whole body in serde.

use crate::sla::ConditionsInput;
use serde::{Deserialize, Serialize};

/// A trigger as sent: `{"name", "position"?, "active"?, "events", "conditions", "actions"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerInput {
    pub name: String,
    /// Where the trigger stands in the account's order; triggers run in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Inactive triggers are kept but never run; active unless told.
    #[serde(default = "yes")]
    pub active: bool,
    /// What it runs on: `ticket.created`, `ticket.updated`, `customer.replied`, `agent.replied`, `chat.started`,
    /// `chat.ended`, `sla.warning`, `sla.breached`.
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub conditions: ConditionsInput,
    /// `{"action": "set", "field", "value"}`, `{"action": "add_tags" | "remove_tags", "value": [...]}`,
    /// `{"action": "assign", "department_id"?, "agent_id"?, "strategy"?: "round_robin" | "least_busy"}`,
    /// `{"action": "add_note", "value"}`, `{"action": "send_mail", "to": "requester" | "assignee" | address,
    /// "subject", "value"}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<serde_json::Value>,
}

fn yes() -> bool {
    true
}
