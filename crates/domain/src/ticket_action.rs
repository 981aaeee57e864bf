//! Ticket actions: changes to a ticket written as data, shared by macros and (later) by automation triggers.
//!
//! The shapes are those scripts send: `{"action": "set", "field": "status", "value": "pending"}`,
//! `{"action": "add_tags", "value": ["vip"]}`, `{"action": "remove_tags", "value": ["vip"]}`. They are parsed once
//! into [`TicketAction`] and folded into one [`TicketPatch`], so applying them is the same change as a `PATCH`.

use crate::custom_field::TicketField;
use crate::error::Checker;
use crate::ids::{AgentId, DepartmentId};
use crate::ticket::{parse_subject, Priority, Status, Tag, TicketPatch};
use crate::Invalid;
use serde_json::{json, Map, Value};

/// The most actions one macro or rule holds.
pub const MAX_ACTIONS: usize = 50;

/// One change to a ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketAction {
    Set(SetField),
    AddTags(Vec<Tag>),
    RemoveTags(Vec<Tag>),
}

/// A field set to a value; `None` clears the assignee or the department.
#[derive(Debug, Clone, PartialEq)]
pub enum SetField {
    Status(Status),
    Priority(Priority),
    Assignee(Option<AgentId>),
    /// The agent who applies it (`"value": "current_agent"`), as Zendesk's "(current user)": one macro "take it"
    /// for the whole team.
    AssigneeApplier,
    Department(Option<DepartmentId>),
    Subject(String),
    /// A custom field's value, checked against its definition; `null` clears it.
    Custom {
        key: String,
        value: Value,
    },
}

/// How custom field values are checked while parsing.
#[derive(Debug, Clone, Copy)]
pub enum FieldDefs<'a> {
    /// Against the account's definitions: a key the account lacks is refused.
    Checked(&'a [TicketField]),
    /// Values read back from storage were checked when saved.
    Trusted,
}

const ACTIONS: &str = "set, add_tags, remove_tags";
/// The assignee value that means whoever applies the actions.
pub const CURRENT_AGENT: &str = "current_agent";
const FIELDS: &str = "status, priority, assignee_id, department_id, subject, custom_fields.<key>";

impl TicketAction {
    /// Parse a list of actions; errors name `actions[i].field` and the like, all of them at once.
    pub fn parse_list(items: &[Value], defs: FieldDefs<'_>) -> Result<Vec<TicketAction>, Invalid> {
        if items.len() > MAX_ACTIONS {
            return Err(Invalid::field("actions", format!("at most {MAX_ACTIONS} actions")));
        }
        let mut errs = Checker::new();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(a) = errs.check(TicketAction::parse(item, defs).map_err(|e| e.within(&format!("actions[{i}]"))))
            {
                out.push(a);
            }
        }
        errs.finish()?;
        Ok(out)
    }

    /// Parse one action; error paths are relative to it (`field`, `value`).
    pub fn parse(item: &Value, defs: FieldDefs<'_>) -> Result<TicketAction, Invalid> {
        let Some(obj) = item.as_object() else {
            return Err(Invalid::field("", "must be an object with `action` and `value`"));
        };
        let mut errs = Checker::new();
        for k in obj.keys() {
            if !matches!(k.as_str(), "action" | "field" | "value") {
                errs.add(k.chars().take(40).collect::<String>(), "is not a field of an action");
            }
        }
        let value = obj.get("value");
        if value.is_none() {
            errs.add("value", "is required");
        }
        let action = match obj.get("action").map(|a| a.as_str()) {
            None => {
                errs.add("action", "is required");
                None
            }
            Some(Some("set")) => match (obj.get("field").map(Value::as_str), value) {
                (None, _) => {
                    errs.add("field", "is required");
                    None
                }
                (Some(Some(field)), Some(v)) => errs.check(set(field, v, defs)).map(TicketAction::Set),
                (Some(Some(_)), None) => None,
                (Some(None), _) => {
                    errs.add("field", format!("must be one of: {FIELDS}"));
                    None
                }
            },
            Some(Some(kind @ ("add_tags" | "remove_tags"))) => {
                if obj.contains_key("field") {
                    errs.add("field", format!("{kind} takes no field"));
                }
                let tags = value.and_then(|v| errs.check(tags(v)));
                tags.map(|t| if kind == "add_tags" { TicketAction::AddTags(t) } else { TicketAction::RemoveTags(t) })
            }
            Some(other) => {
                let shown = other.map(|s| s.chars().take(40).collect::<String>()).unwrap_or_default();
                errs.add("action", format!("'{shown}' is not one of: {ACTIONS}"));
                None
            }
        };
        errs.finish()?;
        action.ok_or_else(|| Invalid::field("", "is not a valid action"))
    }

    /// The action in the shape it was given.
    pub fn to_json(&self) -> Value {
        let tag_list = |tags: &[Tag]| Value::Array(tags.iter().map(|t| Value::String(t.as_str().into())).collect());
        match self {
            TicketAction::AddTags(t) => json!({"action": "add_tags", "value": tag_list(t)}),
            TicketAction::RemoveTags(t) => json!({"action": "remove_tags", "value": tag_list(t)}),
            TicketAction::Set(s) => {
                let (field, value) = match s {
                    SetField::Status(v) => ("status".to_string(), json!(v.as_str())),
                    SetField::Priority(v) => ("priority".to_string(), json!(v.as_str())),
                    SetField::Assignee(v) => ("assignee_id".to_string(), json!(v.map(|i| i.to_string()))),
                    SetField::AssigneeApplier => ("assignee_id".to_string(), json!(CURRENT_AGENT)),
                    SetField::Department(v) => ("department_id".to_string(), json!(v.map(|i| i.to_string()))),
                    SetField::Subject(v) => ("subject".to_string(), json!(v)),
                    SetField::Custom { key, value } => (format!("custom_fields.{key}"), value.clone()),
                };
                let mut m = Map::new();
                m.insert("action".into(), json!("set"));
                m.insert("field".into(), Value::String(field));
                m.insert("value".into(), value);
                Value::Object(m)
            }
        }
    }
}

impl serde::Serialize for TicketAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

fn set(field: &str, v: &Value, defs: FieldDefs<'_>) -> Result<SetField, Invalid> {
    let text = |what: &str| v.as_str().ok_or_else(|| Invalid::field("value", format!("must be {what}")));
    let id = |what: &str| -> Result<Option<String>, Invalid> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(Invalid::field("value", format!("must be {what} id or null"))),
        }
    };
    let bad_id = |what: &str| Invalid::field("value", format!("is not {what} id"));
    match field {
        "status" => Status::parse(text("a status")?).map(SetField::Status).map_err(|e| e.at("value")),
        "priority" => Priority::parse(text("a priority")?).map(SetField::Priority).map_err(|e| e.at("value")),
        "subject" => parse_subject(text("a subject")?).map(SetField::Subject).map_err(|e| e.at("value")),
        "assignee_id" => match id("an agent")? {
            None => Ok(SetField::Assignee(None)),
            Some(s) if s == CURRENT_AGENT => Ok(SetField::AssigneeApplier),
            Some(s) => AgentId::parse(&s).map(|a| SetField::Assignee(Some(a))).ok_or_else(|| bad_id("an agent")),
        },
        "department_id" => match id("a department")? {
            None => Ok(SetField::Department(None)),
            Some(s) => {
                DepartmentId::parse(&s).map(|d| SetField::Department(Some(d))).ok_or_else(|| bad_id("a department"))
            }
        },
        other => match other.strip_prefix("custom_fields.") {
            Some(key) if !key.is_empty() => {
                let value = match defs {
                    FieldDefs::Trusted => v.clone(),
                    FieldDefs::Checked(defs) => match defs.iter().find(|d| d.key == key) {
                        None => return Err(Invalid::field("field", format!("'{key}' is not a field of this account"))),
                        Some(d) => d.kind.check_value(key, v).map_err(|e| e.at("value"))?,
                    },
                };
                Ok(SetField::Custom { key: key.to_string(), value })
            }
            _ => Err(Invalid::field(
                "field",
                format!("'{}' is not one of: {FIELDS}", other.chars().take(80).collect::<String>()),
            )),
        },
    }
}

fn tags(v: &Value) -> Result<Vec<Tag>, Invalid> {
    let Some(items) = v.as_array() else {
        return Err(Invalid::field("value", "must be a list of tags"));
    };
    let mut words = Vec::with_capacity(items.len());
    for i in items {
        match i.as_str() {
            Some(s) => words.push(s.to_string()),
            None => return Err(Invalid::field("value", "must be a list of tags")),
        }
    }
    if words.is_empty() {
        return Err(Invalid::field("value", "name at least one tag"));
    }
    Tag::parse_list(&words).map_err(|e| e.at("value"))
}

/// Whether the actions assign to whoever applies them (the last assignment counts).
pub fn assigns_applier(actions: &[TicketAction]) -> bool {
    actions
        .iter()
        .rev()
        .find_map(|a| match a {
            TicketAction::Set(SetField::AssigneeApplier) => Some(true),
            TicketAction::Set(SetField::Assignee(_)) => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

/// All the actions as one change, applied by `applier` (the agent "current_agent" means; without one, that
/// action leaves the assignee alone): a later `set` of a field wins over an earlier one; tags added and removed
/// accumulate in order (a tag removed after it was added ends up removed).
pub fn patch_of(actions: &[TicketAction], applier: Option<AgentId>) -> TicketPatch {
    let mut p = TicketPatch::default();
    for a in actions {
        match a {
            TicketAction::Set(SetField::AssigneeApplier) => {
                if let Some(me) = applier {
                    p.assignee_id = Some(Some(me));
                }
            }
            TicketAction::Set(SetField::Status(s)) => p.status = Some(*s),
            TicketAction::Set(SetField::Priority(v)) => p.priority = Some(*v),
            TicketAction::Set(SetField::Assignee(v)) => p.assignee_id = Some(*v),
            TicketAction::Set(SetField::Department(v)) => p.department_id = Some(*v),
            TicketAction::Set(SetField::Subject(v)) => p.subject = Some(v.clone()),
            TicketAction::Set(SetField::Custom { key, value }) => {
                p.custom_fields.insert(key.clone(), value.clone());
            }
            TicketAction::AddTags(tags) => {
                p.remove_tags.retain(|t| !tags.contains(t));
                for t in tags {
                    if !p.add_tags.contains(t) {
                        p.add_tags.push(t.clone());
                    }
                }
            }
            TicketAction::RemoveTags(tags) => {
                p.add_tags.retain(|t| !tags.contains(t));
                for t in tags {
                    if !p.remove_tags.contains(t) {
                        p.remove_tags.push(t.clone());
                    }
                }
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custom_field::FieldKind;
    use crate::ids::{AccountId, TicketFieldId};
    use crate::Timestamp;

    fn defs() -> Vec<TicketField> {
        vec![TicketField {
            id: TicketFieldId::new(),
            account_id: AccountId::new(),
            key: "plan".into(),
            label: "Plan".into(),
            kind: FieldKind::Dropdown { options: vec!["gold".into(), "silver".into()] },
            created_at: Timestamp::from_millis(1),
        }]
    }

    fn fields_of(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn actions_parse_and_round_trip() {
        let d = defs();
        let items = vec![
            json!({"action": "set", "field": "status", "value": "pending"}),
            json!({"action": "set", "field": "assignee_id", "value": null}),
            json!({"action": "set", "field": "custom_fields.plan", "value": "gold"}),
            json!({"action": "add_tags", "value": ["VIP", "billing"]}),
            json!({"action": "remove_tags", "value": ["old"]}),
        ];
        let parsed = TicketAction::parse_list(&items, FieldDefs::Checked(&d)).unwrap();
        assert_eq!(parsed[0], TicketAction::Set(SetField::Status(Status::Pending)));
        assert_eq!(parsed[3].to_json(), json!({"action": "add_tags", "value": ["vip", "billing"]}));
        let again: Vec<Value> = parsed.iter().map(TicketAction::to_json).collect();
        assert_eq!(TicketAction::parse_list(&again, FieldDefs::Trusted).unwrap(), parsed);
    }

    #[test]
    fn current_agent_is_whoever_applies_it() {
        let items = vec![
            json!({"action": "set", "field": "assignee_id", "value": null}),
            json!({"action": "set", "field": "assignee_id", "value": "current_agent"}),
        ];
        let parsed = TicketAction::parse_list(&items, FieldDefs::Trusted).unwrap();
        assert_eq!(parsed[1], TicketAction::Set(SetField::AssigneeApplier));
        assert_eq!(parsed[1].to_json(), items[1]);
        assert!(assigns_applier(&parsed));
        let ann = AgentId::new();
        assert_eq!(patch_of(&parsed, Some(ann)).assignee_id, Some(Some(ann)));
        assert_eq!(patch_of(&parsed, None).assignee_id, Some(None), "the earlier set stands without an applier");
        assert!(!assigns_applier(&parsed[..1]));
    }

    #[test]
    fn errors_name_the_action_and_its_part() {
        let d = defs();
        let items = vec![
            json!({"action": "set", "field": "colour", "value": "red"}),
            json!({"action": "explode", "value": 1}),
            json!({"action": "set", "field": "status", "value": "bogus"}),
            json!({"action": "set", "field": "custom_fields.plan", "value": "bronze"}),
            json!({"action": "set", "field": "custom_fields.nope", "value": "x"}),
            json!({"action": "add_tags", "value": "vip"}),
            json!({"action": "set", "field": "status"}),
            json!("set"),
        ];
        let err = TicketAction::parse_list(&items, FieldDefs::Checked(&d)).unwrap_err();
        assert_eq!(
            fields_of(err),
            [
                "actions[0].field",
                "actions[1].action",
                "actions[2].value",
                "actions[3].value",
                "actions[4].field",
                "actions[5].value",
                "actions[6].value",
                "actions[7]"
            ]
        );
        let many = vec![json!({"action": "add_tags", "value": ["x"]}); MAX_ACTIONS + 1];
        assert_eq!(fields_of(TicketAction::parse_list(&many, FieldDefs::Trusted).unwrap_err()), ["actions"]);
    }

    #[test]
    fn actions_fold_into_one_patch() {
        let t = |s: &str| Tag::parse(s).unwrap();
        let actions = vec![
            TicketAction::Set(SetField::Status(Status::Open)),
            TicketAction::AddTags(vec![t("a"), t("b")]),
            TicketAction::RemoveTags(vec![t("b")]),
            TicketAction::Set(SetField::Status(Status::Pending)),
        ];
        let p = patch_of(&actions, None);
        assert_eq!(p.status, Some(Status::Pending));
        assert_eq!(p.add_tags, vec![t("a")]);
        assert_eq!(p.remove_tags, vec![t("b")]);
    }
}
