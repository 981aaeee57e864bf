//! The shape of an SLA policy in the API and in storage, as scripts send it: plain strings and JSON values, so that
//! a bad value is reported by `SlaPolicy::new` with its field named instead of failing the whole body in serde.

use serde::{Deserialize, Serialize};

/// An SLA policy as sent: `{"name", "position"?, "business_hours_id"?, "conditions", "pause_statuses"?,
/// "targets"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyInput {
    pub name: String,
    /// Where the policy stands in the account's order; the first matching policy applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// The business hours its business-hours targets count in; none means the account's default hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_hours_id: Option<String>,
    #[serde(default)]
    pub conditions: ConditionsInput,
    /// Statuses in which the clocks stop; `["pending"]` when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause_statuses: Option<Vec<String>>,
    #[serde(default)]
    pub targets: Vec<TargetInput>,
}

/// Every condition in `all` must hold and, when `any` has some, at least one of `any`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionsInput {
    #[serde(default)]
    pub all: Vec<ConditionInput>,
    #[serde(default)]
    pub any: Vec<ConditionInput>,
}

/// `{"field": "priority", "operator": "is", "value": "urgent"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    /// `priority`, `status`, `channel`, `tags`, `department_id` or `company_id`.
    pub field: String,
    /// `is` or `is_not`; for `tags`, `includes` or `excludes`.
    pub operator: String,
    /// A string or a list of strings; for `department_id` and `company_id` an id or null.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

/// `{"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": true}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub priority: String,
    /// `first_reply`, `next_reply`, `periodic_update` or `resolution`.
    pub metric: String,
    /// From 1 to 525 600 (a year).
    pub minutes: i64,
    /// Count in the policy's business hours (the default) or in calendar hours.
    #[serde(default = "yes")]
    pub business_hours: bool,
}

fn yes() -> bool {
    true
}
