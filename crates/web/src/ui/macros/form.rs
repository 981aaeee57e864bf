//! The macro form: what a person sets with selects and comma-separated tags, turned into the actions the API takes
//! (so the app checks them as it checks the API's, and its errors apply), and a macro turned back into the form.

use parley_domain::canned::{Macro, MacroReply};
use parley_domain::ticket_action::{assigns_applier, patch_of, SetField, TicketAction, CURRENT_AGENT};
use parley_domain::{FieldError, Invalid};
use parley_i18n::Texts;
use serde::Deserialize;
use serde_json::{json, Value};

/// The select value that clears the assignee or the department; the empty value leaves them as they are.
pub(crate) const CLEAR: &str = "none";

/// What the form posts, and what it shows again when refused.
#[derive(Deserialize, Default)]
pub(crate) struct MacroForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    /// Empty, [`CLEAR`] or an agent's id.
    #[serde(default)]
    pub assignee: String,
    /// Empty, [`CLEAR`] or a department's id.
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub add_tags: String,
    #[serde(default)]
    pub remove_tags: String,
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub internal: Option<String>,
    #[serde(default)]
    pub shared: Option<String>,
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
}

/// The actions a form makes, with the text id of the field each came from, to name it in errors.
pub(crate) struct FormActions {
    pub actions: Vec<Value>,
    labels: Vec<&'static str>,
}

fn set(field: &str, value: Value) -> Value {
    json!({"action": "set", "field": field, "value": value})
}

/// `"a, b,,c "` → `["a", "b", "c"]`; the app checks each as a tag.
fn words(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

fn id_or_clear(v: &str) -> Value {
    if v == CLEAR {
        Value::Null
    } else {
        Value::String(v.to_string())
    }
}

impl MacroForm {
    /// The form as a macro shows in it, and the actions it cannot show (subject, custom fields: set through the
    /// API), which saving the form keeps. Tags are shown as their net effect, which is what applying them does.
    pub fn of(m: &Macro) -> (MacroForm, Vec<TicketAction>) {
        let p = patch_of(&m.actions, None);
        let choice = |v: Option<Option<String>>| match v {
            None => String::new(),
            Some(None) => CLEAR.to_string(),
            Some(Some(id)) => id,
        };
        let tags = |t: &[parley_domain::ticket::Tag]| t.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
        let form = MacroForm {
            title: m.title.clone(),
            status: p.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            priority: p.priority.map(|s| s.as_str().to_string()).unwrap_or_default(),
            assignee: if assigns_applier(&m.actions) {
                CURRENT_AGENT.to_string()
            } else {
                choice(p.assignee_id.map(|a| a.map(|a| a.to_string())))
            },
            department: choice(p.department_id.map(|d| d.map(|d| d.to_string()))),
            add_tags: tags(&p.add_tags),
            remove_tags: tags(&p.remove_tags),
            reply: m.reply.as_ref().map(|r| r.body.clone()).unwrap_or_default(),
            internal: m.reply.as_ref().filter(|r| r.internal).map(|_| "1".to_string()),
            shared: m.shared.then(|| "1".to_string()),
            csrf: String::new(),
        };
        let kept = m
            .actions
            .iter()
            .filter(|a| matches!(a, TicketAction::Set(SetField::Subject(_) | SetField::Custom { .. })))
            .cloned()
            .collect();
        (form, kept)
    }

    /// The form's actions, in the order of its fields, then `kept`.
    pub fn actions(&self, kept: &[TicketAction]) -> FormActions {
        let mut out = FormActions { actions: Vec::new(), labels: Vec::new() };
        let mut push = |label: &'static str, action: Value| {
            out.actions.push(action);
            out.labels.push(label);
        };
        if !self.status.is_empty() {
            push("ws-status", set("status", json!(self.status)));
        }
        if !self.priority.is_empty() {
            push("ws-priority", set("priority", json!(self.priority)));
        }
        if !self.assignee.is_empty() {
            push("ws-macros-assign-to", set("assignee_id", id_or_clear(&self.assignee)));
        }
        if !self.department.is_empty() {
            push("ws-department", set("department_id", id_or_clear(&self.department)));
        }
        let add = words(&self.add_tags);
        if !add.is_empty() {
            push("ws-macros-add-tags", json!({"action": "add_tags", "value": add}));
        }
        let remove = words(&self.remove_tags);
        if !remove.is_empty() {
            push("ws-macros-remove-tags", json!({"action": "remove_tags", "value": remove}));
        }
        for a in kept {
            push("ws-macros-does", a.to_json());
        }
        out
    }

    /// The reply, if one was written. It is kept as typed; the app checks its placeholders.
    pub fn reply(&self) -> Option<MacroReply> {
        (!self.reply.trim().is_empty())
            .then(|| MacroReply { body: self.reply.clone(), internal: self.internal.is_some() })
    }
}

impl FormActions {
    /// The app's errors as `field: message` lines, each field named by the form's label for it: `actions[2].value`
    /// means little to someone who chose from a select.
    pub fn error_lines(&self, invalid: Invalid, t: Texts) -> Vec<String> {
        let label = |field: &str| -> String {
            let id = match field {
                "title" => "ws-macros-name",
                "reply.body" => "ws-macros-reply",
                "actions" => "ws-macros-does",
                "shared" => "ws-canned-shared",
                other => {
                    let index = other
                        .strip_prefix("actions[")
                        .and_then(|rest| rest.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok());
                    match index.and_then(|i| self.labels.get(i)) {
                        Some(id) => id,
                        None => return other.to_string(),
                    }
                }
            };
            t.get(id)
        };
        Invalid(invalid.0.into_iter().map(|e| FieldError { field: label(&e.field), message: e.message }).collect())
            .lines()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_domain::ids::{AccountId, MacroId};
    use parley_domain::ticket_action::FieldDefs;
    use parley_domain::Timestamp;

    fn form() -> MacroForm {
        MacroForm {
            title: "Refund".into(),
            status: "pending".into(),
            assignee: CLEAR.into(),
            add_tags: " refund, billing ,, ".into(),
            remove_tags: "old".into(),
            reply: "Hi {{requester.first_name}}".into(),
            internal: Some("1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_form_becomes_actions_and_back() {
        let f = form();
        let made = f.actions(&[]);
        assert_eq!(
            made.actions,
            [
                json!({"action": "set", "field": "status", "value": "pending"}),
                json!({"action": "set", "field": "assignee_id", "value": null}),
                json!({"action": "add_tags", "value": ["refund", "billing"]}),
                json!({"action": "remove_tags", "value": ["old"]}),
            ]
        );
        let mut actions = TicketAction::parse_list(&made.actions, FieldDefs::Trusted).unwrap();
        let subject = TicketAction::Set(SetField::Subject("Refunds".into()));
        actions.push(subject.clone());
        let m = Macro {
            id: MacroId::new(),
            account_id: AccountId::new(),
            title: f.title.clone(),
            actions,
            reply: f.reply(),
            shared: false,
            owner_id: None,
            created_at: Timestamp::from_millis(1),
            updated_at: Timestamp::from_millis(1),
        };
        let (back, kept) = MacroForm::of(&m);
        assert_eq!(kept.as_slice(), std::slice::from_ref(&subject), "what the form cannot show is kept");
        assert_eq!((back.status.as_str(), back.assignee.as_str(), back.priority.as_str()), ("pending", CLEAR, ""));
        assert_eq!((back.add_tags.as_str(), back.remove_tags.as_str()), ("refund, billing", "old"));
        assert_eq!((back.reply.as_str(), back.internal.is_some()), ("Hi {{requester.first_name}}", true));
        assert_eq!(back.actions(&kept).actions.last(), Some(&subject.to_json()));
    }

    #[test]
    fn errors_name_the_form_field() {
        let made = form().actions(&[]);
        let invalid = Invalid(vec![
            FieldError { field: "actions[2].value".into(), message: "'a b' is not a tag".into() },
            FieldError { field: "reply.body".into(), message: "unknown placeholder {{foo}}".into() },
            FieldError { field: "actions[9].value".into(), message: "odd".into() },
        ]);
        assert_eq!(
            made.error_lines(invalid, Texts::of("en")),
            ["Add tags: 'a b' is not a tag", "Reply: unknown placeholder {{foo}}", "actions[9].value: odd"]
        );
        assert!(form().reply().is_some());
        assert!(MacroForm { reply: " \n".into(), ..Default::default() }.reply().is_none(), "no reply unless written");
    }
}
