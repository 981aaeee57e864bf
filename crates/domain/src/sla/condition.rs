//! Conditions over a ticket's fields: which tickets a policy applies to.

use super::input::ConditionInput;
use crate::ids::{CompanyId, DepartmentId};
use crate::ticket::{Channel, Priority, Status, Tag, MAX_TAGS};
use crate::Invalid;
use serde_json::Value;

/// What a policy's conditions look at: the ticket as it stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFacts<'a> {
    pub priority: Priority,
    pub status: Status,
    pub channel: Channel,
    pub tags: &'a [Tag],
    pub department_id: Option<DepartmentId>,
    /// The requester's company.
    pub company_id: Option<CompanyId>,
}

/// One checked condition. `is` means "is one of the values", `is_not` "is none of them"; a tag condition
/// `includes` when the ticket has at least one of the tags and `excludes` when it has none of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Priority {
        is: bool,
        values: Vec<Priority>,
    },
    Status {
        is: bool,
        values: Vec<Status>,
    },
    Channel {
        is: bool,
        values: Vec<Channel>,
    },
    Tags {
        includes: bool,
        tags: Vec<Tag>,
    },
    /// `None` is "no department".
    Department {
        is: bool,
        id: Option<DepartmentId>,
    },
    /// `None` is "the requester has no company".
    Company {
        is: bool,
        id: Option<CompanyId>,
    },
}

const FIELDS: &str = "priority, status, channel, tags, department_id, company_id";

impl Condition {
    /// Whether it asks about the requester's company (which a ticket not yet written may not know).
    pub fn asks_company(&self) -> bool {
        matches!(self, Condition::Company { .. })
    }

    pub fn holds(&self, t: &TicketFacts<'_>) -> bool {
        match self {
            Condition::Priority { is, values } => values.contains(&t.priority) == *is,
            Condition::Status { is, values } => values.contains(&t.status) == *is,
            Condition::Channel { is, values } => values.contains(&t.channel) == *is,
            Condition::Tags { includes, tags } => tags.iter().any(|tag| t.tags.contains(tag)) == *includes,
            Condition::Department { is, id } => (t.department_id == *id) == *is,
            Condition::Company { is, id } => (t.company_id == *id) == *is,
        }
    }

    /// The condition as the API shows it; `Condition::new` of it gives this condition again. A single value reads
    /// back as a string, several as a list.
    pub fn to_input(&self) -> ConditionInput {
        fn list<T>(items: &[T], name: impl Fn(&T) -> &str) -> Value {
            match items {
                [one] => Value::String(name(one).to_string()),
                _ => Value::Array(items.iter().map(|i| Value::String(name(i).to_string())).collect()),
            }
        }
        fn id<T: ToString>(id: &Option<T>) -> Value {
            id.as_ref().map_or(Value::Null, |i| Value::String(i.to_string()))
        }
        let (field, positive, value) = match self {
            Condition::Priority { is, values } => ("priority", *is, list(values, |v| v.as_str())),
            Condition::Status { is, values } => ("status", *is, list(values, |v| v.as_str())),
            Condition::Channel { is, values } => ("channel", *is, list(values, |v| v.as_str())),
            Condition::Tags { includes, tags } => ("tags", *includes, list(tags, Tag::as_str)),
            Condition::Department { is, id: d } => ("department_id", *is, id(d)),
            Condition::Company { is, id: c } => ("company_id", *is, id(c)),
        };
        let operator = match (field, positive) {
            ("tags", true) => "includes",
            ("tags", false) => "excludes",
            (_, true) => "is",
            (_, false) => "is_not",
        };
        ConditionInput { field: field.into(), operator: operator.into(), value }
    }

    /// Check one condition; errors are named relative to it (`field`, `operator`, `value`).
    pub fn new(c: &ConditionInput) -> Result<Condition, Invalid> {
        let field = c.field.trim();
        let tags = field == "tags";
        if !matches!(field, "priority" | "status" | "channel" | "tags" | "department_id" | "company_id") {
            let shown: String = field.chars().take(40).collect();
            return Err(Invalid::field("field", format!("'{shown}' is not one of: {FIELDS}")));
        }
        let is = match (tags, c.operator.trim()) {
            (false, "is") | (true, "includes") => true,
            (false, "is_not") | (true, "excludes") => false,
            (false, _) => return Err(Invalid::field("operator", "must be is or is_not")),
            (true, _) => return Err(Invalid::field("operator", "must be includes or excludes")),
        };
        let value = &c.value;
        Ok(match field {
            "priority" => Condition::Priority { is, values: parsed(value, Priority::parse)? },
            "status" => Condition::Status { is, values: parsed(value, Status::parse)? },
            "channel" => Condition::Channel { is, values: parsed(value, Channel::parse)? },
            "tags" => {
                let tags = parsed(value, Tag::parse)?;
                if tags.len() > MAX_TAGS {
                    return Err(Invalid::field("value", format!("must list at most {MAX_TAGS} tags")));
                }
                Condition::Tags { includes: is, tags }
            }
            "department_id" => Condition::Department { is, id: id(value, DepartmentId::parse)? },
            _ => Condition::Company { is, id: id(value, CompanyId::parse)? },
        })
    }
}

/// A string or a non-empty list of strings, each parsed; any error is reported on `value`.
fn parsed<T>(value: &Value, parse: impl Fn(&str) -> Result<T, Invalid>) -> Result<Vec<T>, Invalid> {
    let items: Vec<&Value> = match value {
        Value::Array(items) if !items.is_empty() => items.iter().collect(),
        Value::String(_) => vec![value],
        _ => return Err(Invalid::field("value", "must be a string or a non-empty list of strings")),
    };
    items
        .into_iter()
        .map(|v| match v {
            Value::String(s) => parse(s.trim()).map_err(|e| e.at("value")),
            _ => Err(Invalid::field("value", "must be a string or a non-empty list of strings")),
        })
        .collect()
}

/// An id or null.
fn id<T>(value: &Value, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, Invalid> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => parse(s.trim()).map(Some).ok_or_else(|| Invalid::field("value", "is not a valid id")),
        _ => Err(Invalid::field("value", "must be an id or null")),
    }
}
