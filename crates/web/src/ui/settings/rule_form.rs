//! The form of a trigger or an automation (time rule): its name, whether it is on, the events it runs on (a
//! trigger) or the time after which it runs (an automation), condition rows (see [`super::condition_rows`]) and
//! action rows. An action row holds every input an action may need and the page shows those its kind uses (CSS,
//! no script), so a row posts the same fields whatever its kind. The form is turned into the API's shape and
//! checked by the use case; each refusal is shown beside the row or field the API's index names.

use super::condition_rows::{self as rows, value_line, ConditionRow, Named};
use super::Fields;
use parley_domain::automation::{AfterInput, AutomationInput, Since};
use parley_domain::sla::ConditionsInput;
use parley_domain::trigger::{TriggerEvent, TriggerInput};
use parley_domain::FieldError;
use parley_i18n::Texts;
use serde_json::{json, Map, Value};

/// Empty action rows a form offers beyond those the rule has.
const SPARE_ACTIONS: usize = 2;

/// The kinds of action, as the API names them, and their text's key.
pub(crate) const ACTIONS: [(&str, &str); 8] = [
    ("set", "ws-rule-act-set"),
    ("add_tags", "ws-rule-act-add-tags"),
    ("remove_tags", "ws-rule-act-remove-tags"),
    ("assign", "ws-rule-act-assign"),
    ("add_note", "ws-rule-act-add-note"),
    ("send_mail", "ws-rule-act-send-mail"),
    ("notify_webhook", "ws-rule-act-notify-webhook"),
    ("apply_macro", "ws-rule-act-apply-macro"),
];

/// The ticket's fields a `set` action may change (custom fields besides).
pub(crate) const SET_FIELDS: [(&str, &str); 5] = [
    ("status", "ws-slap-field-status"),
    ("priority", "ws-slap-field-priority"),
    ("assignee_id", "ws-rule-field-assignee"),
    ("department_id", "ws-slap-field-department"),
    ("subject", "ws-rule-field-subject"),
];

/// What a trigger's or automation's condition may look at beyond an SLA policy's fields.
const MORE_FIELDS: [(&str, &str); 4] = [
    ("assignee_id", "ws-rule-field-assignee"),
    ("requester_email", "ws-rule-field-requester-email"),
    ("text", "ws-rule-field-text"),
    ("business_hours", "ws-rule-field-business-hours"),
];

/// Operators beyond an SLA policy's; an automation has the first two (it sees the ticket, never a change).
const MORE_OPERATORS: [(&str, &str); 6] = [
    ("contains", "ws-rule-op-contains"),
    ("not_contains", "ws-rule-op-not-contains"),
    ("changed", "ws-rule-op-changed"),
    ("not_changed", "ws-rule-op-not-changed"),
    ("changed_to", "ws-rule-op-changed-to"),
    ("changed_from", "ws-rule-op-changed-from"),
];

/// (key, text id) of what a form offers.
type Choices = Vec<(&'static str, &'static str)>;

/// The fields and operators a kind's conditions offer.
pub(crate) fn condition_choices(kind: Kind) -> (Choices, Choices) {
    let more = match kind {
        Kind::Trigger => &MORE_OPERATORS[..],
        Kind::Automation => &MORE_OPERATORS[..2],
    };
    let fields = super::sla_form::FIELDS.iter().chain(&MORE_FIELDS).copied().collect();
    (fields, super::sla_form::OPERATORS.iter().chain(more).copied().collect())
}

/// An event's text key: `ticket.created` → `ws-rule-event-ticket-created`.
pub(crate) fn event_text(e: &str) -> String {
    format!("ws-rule-event-{}", e.replace(['.', '_'], "-"))
}

pub(crate) fn since_text(s: &str) -> String {
    format!("ws-rule-since-{}", s.replace('_', "-"))
}

/// Triggers run on events, automations when a time has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Trigger,
    Automation,
}

/// What a trigger and an automation share, as the API shapes them: a trigger's `after` and an automation's
/// `events` are unused.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub name: String,
    pub active: bool,
    pub events: Vec<String>,
    pub after: AfterInput,
    pub conditions: ConditionsInput,
    pub actions: Vec<Value>,
}

impl From<TriggerInput> for Rule {
    fn from(t: TriggerInput) -> Rule {
        let after = AfterInput { hours: 0, since: String::new(), business_hours: false };
        Rule { name: t.name, active: t.active, events: t.events, after, conditions: t.conditions, actions: t.actions }
    }
}

impl From<AutomationInput> for Rule {
    fn from(a: AutomationInput) -> Rule {
        let (name, active, after, conditions, actions) = (a.name, a.active, a.after, a.conditions, a.actions);
        Rule { name, active, events: Vec::new(), after, conditions, actions }
    }
}

impl Rule {
    pub fn trigger(self) -> TriggerInput {
        let (name, active, events, conditions, actions) =
            (self.name, self.active, self.events, self.conditions, self.actions);
        TriggerInput { name, position: None, active, events, conditions, actions }
    }

    pub fn automation(self) -> AutomationInput {
        let (name, active, after, conditions, actions) =
            (self.name, self.active, self.after, self.conditions, self.actions);
        AutomationInput { name, position: None, active, after, conditions, actions }
    }
}

/// One action row as typed; a row keeps every input, its kind says which count.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionRow {
    pub kind: String,
    /// `set`: the field.
    pub field: String,
    /// `set`: the value; tags: the tags, with commas.
    pub value: String,
    /// `assign`: ids, or empty.
    pub department: String,
    pub agent: String,
    pub strategy: String,
    /// `send_mail`: `requester`, `assignee` or `address` (then `address` is it).
    pub to: String,
    pub address: String,
    pub subject: String,
    /// A note's, a mail's or a webhook's text.
    pub body: String,
    /// `notify_webhook`: the webhook's id.
    pub webhook: String,
    /// `apply_macro`: the macro's id.
    pub macro_id: String,
    pub errors: Vec<String>,
}

impl ActionRow {
    fn of(a: &Value, named: &Named) -> ActionRow {
        let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut row = ActionRow { kind: text("action"), ..Default::default() };
        match row.kind.as_str() {
            "set" => {
                row.field = text("field");
                row.value = value_line(&row.field, a.get("value").unwrap_or(&Value::Null), named);
            }
            "add_tags" | "remove_tags" => row.value = value_line("tags", a.get("value").unwrap_or(&Value::Null), named),
            "assign" => {
                (row.department, row.agent, row.strategy) = (text("department_id"), text("agent_id"), text("strategy"))
            }
            "add_note" => row.body = text("value"),
            "notify_webhook" => (row.webhook, row.body) = (text("webhook_id"), text("value")),
            "apply_macro" => row.macro_id = text("macro_id"),
            _ => {
                let to = text("to");
                (row.to, row.address) = match to.as_str() {
                    "requester" | "assignee" => (to, String::new()),
                    _ => ("address".into(), to),
                };
                (row.subject, row.body) = (text("subject"), text("value"));
            }
        }
        row
    }

    /// The row as the API's action; an id typed by name is sent as the id.
    fn json(&self, named: &Named) -> Value {
        let mut m = Map::new();
        m.insert("action".into(), json!(self.kind));
        let typed = self.value.trim();
        match self.kind.as_str() {
            "set" => {
                let value = match self.field.as_str() {
                    "assignee_id" | "department_id" if typed.is_empty() => Value::Null,
                    "assignee_id" | "department_id" => json!(named.id(&self.field, typed)),
                    custom if custom.starts_with("custom_fields.") => custom_value(typed),
                    _ => json!(typed),
                };
                m.insert("field".into(), json!(self.field));
                m.insert("value".into(), value);
            }
            "add_tags" | "remove_tags" => {
                let tags: Vec<&str> = typed.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
                m.insert("value".into(), json!(tags));
            }
            "assign" => {
                for (key, v) in
                    [("department_id", &self.department), ("agent_id", &self.agent), ("strategy", &self.strategy)]
                {
                    if !v.is_empty() {
                        m.insert(key.into(), json!(v));
                    }
                }
            }
            "add_note" => {
                m.insert("value".into(), json!(self.body));
            }
            "send_mail" => {
                let to = if self.to == "address" { self.address.trim() } else { self.to.as_str() };
                m.insert("to".into(), json!(to));
                m.insert("subject".into(), json!(self.subject));
                m.insert("value".into(), json!(self.body));
            }
            "notify_webhook" => {
                m.insert("webhook_id".into(), json!(self.webhook));
                m.insert("value".into(), json!(self.body));
            }
            "apply_macro" => {
                m.insert("macro_id".into(), json!(self.macro_id));
            }
            _ => {}
        }
        Value::Object(m)
    }
}

/// A custom field's value as typed: a number or yes/no as such, empty as none, anything else as text (the
/// field's definition checks it).
fn custom_value(typed: &str) -> Value {
    if typed.is_empty() {
        return Value::Null;
    }
    match serde_json::from_str::<Value>(typed) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
        _ => json!(typed),
    }
}

/// Everything the form shows, as typed or as stored, with the refusals placed beside their fields.
pub(crate) struct RuleForm {
    pub kind: Kind,
    pub name: String,
    pub name_errors: Vec<String>,
    pub active: bool,
    /// Triggers: (event, label, ticked) for every event.
    pub events: Vec<(&'static str, String, bool)>,
    pub events_errors: Vec<String>,
    /// Automations: hours after the moment `since`, counted in business hours or not.
    pub hours: String,
    pub hours_errors: Vec<String>,
    pub since: String,
    pub since_errors: Vec<String>,
    pub business: bool,
    pub conditions: Vec<ConditionRow>,
    pub conditions_errors: Vec<String>,
    pub actions: Vec<ActionRow>,
    pub actions_errors: Vec<String>,
    /// Every refusal, for the list above the form: (the id of the field it is about, the text).
    pub summary: Vec<(String, String)>,
}

/// Where the API's indexes came from in the form: (`conditions.any[0]`, row), (`actions[2]`, row).
#[derive(Debug, Default)]
pub(crate) struct Placing {
    conditions: Vec<(String, usize)>,
    actions: Vec<(String, usize)>,
}

impl RuleForm {
    /// The form for a stored rule, or a new one (on and running when a ticket is created, or 24 calendar hours
    /// after it was).
    pub fn of(t: Texts, kind: Kind, rule: Option<&Rule>, named: &Named) -> RuleForm {
        let mut actions: Vec<ActionRow> =
            rule.map(|r| r.actions.iter().map(|a| ActionRow::of(a, named)).collect()).unwrap_or_default();
        actions.extend((0..SPARE_ACTIONS).map(|_| ActionRow::default()));
        let events = rule.map_or_else(|| vec![TriggerEvent::TicketCreated.as_str().to_string()], |r| r.events.clone());
        let after = rule.map(|r| r.after.clone());
        RuleForm {
            kind,
            name: rule.map(|r| r.name.clone()).unwrap_or_default(),
            active: rule.is_none_or(|r| r.active),
            events: event_boxes(t, &events),
            hours: after.as_ref().map_or_else(|| "24".into(), |a| a.hours.to_string()),
            since: after.as_ref().map_or_else(|| Since::Created.as_str().into(), |a| a.since.clone()),
            business: after.is_some_and(|a| a.business_hours),
            conditions: rows::rows_of(rule.map(|r| &r.conditions), named),
            actions,
            ..RuleForm::empty(kind)
        }
    }

    fn empty(kind: Kind) -> RuleForm {
        RuleForm {
            kind,
            name: String::new(),
            name_errors: Vec::new(),
            active: true,
            events: Vec::new(),
            events_errors: Vec::new(),
            hours: String::new(),
            hours_errors: Vec::new(),
            since: String::new(),
            since_errors: Vec::new(),
            business: false,
            conditions: Vec::new(),
            conditions_errors: Vec::new(),
            actions: Vec::new(),
            actions_errors: Vec::new(),
            summary: Vec::new(),
        }
    }

    /// The form as typed.
    pub fn typed(t: Texts, kind: Kind, f: &Fields) -> RuleForm {
        let column = |name: &str| f.all(name);
        let (webhooks, macros) = (column("act_webhook"), column("act_macro"));
        let (kinds, fields, values, departments, agents, strategies, tos, addresses, subjects, bodies) = (
            column("act_kind"),
            column("act_field"),
            column("act_value"),
            column("act_department"),
            column("act_agent"),
            column("act_strategy"),
            column("act_to"),
            column("act_address"),
            column("act_subject"),
            column("act_body"),
        );
        let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
        let mut actions: Vec<ActionRow> = (0..kinds.len())
            .map(|i| ActionRow {
                kind: at(&kinds, i),
                field: at(&fields, i),
                value: at(&values, i),
                department: at(&departments, i),
                agent: at(&agents, i),
                strategy: at(&strategies, i),
                to: at(&tos, i),
                address: at(&addresses, i),
                subject: at(&subjects, i),
                body: at(&bodies, i),
                webhook: at(&webhooks, i),
                macro_id: at(&macros, i),
                errors: Vec::new(),
            })
            // A row whose kind is not chosen shows no input: nothing was typed in it.
            .filter(|r| !r.kind.is_empty())
            .collect();
        actions.extend((0..SPARE_ACTIONS).map(|_| ActionRow::default()));
        RuleForm {
            name: f.one("name"),
            active: f.has("active"),
            events: event_boxes(t, &f.all("events")),
            hours: f.one("after_hours"),
            since: f.one("after_since"),
            business: f.one("after_count") == "business",
            conditions: rows::typed_rows(f),
            actions,
            ..RuleForm::empty(kind)
        }
    }

    pub fn is_trigger(&self) -> bool {
        self.kind == Kind::Trigger
    }

    /// The form as the API's shape, with where each condition and action came from, to place refusals.
    pub fn input(&self, named: &Named) -> (Rule, Placing) {
        let (conditions, placed) = rows::inputs(&self.conditions, named);
        let mut placing = Placing { conditions: placed, actions: Vec::new() };
        let mut actions = Vec::new();
        for (row, a) in self.actions.iter().enumerate().filter(|(_, a)| !a.kind.is_empty()) {
            placing.actions.push((format!("actions[{}]", actions.len()), row));
            actions.push(a.json(named));
        }
        let rule = Rule {
            name: self.name.clone(),
            active: self.active,
            events: self.events.iter().filter(|(_, _, on)| *on).map(|(e, _, _)| e.to_string()).collect(),
            after: AfterInput {
                // Not a whole number: 0, which the rule refuses as out of range, beside what was typed.
                hours: self.hours.trim().parse().unwrap_or(0),
                since: self.since.clone(),
                business_hours: self.business,
            },
            conditions,
            actions,
        };
        (rule, placing)
    }

    /// Places each refusal beside its field, and lists them all above the form.
    pub fn refused(&mut self, t: Texts, errors: &[FieldError], placing: &Placing) {
        for e in errors {
            let placed = self.place(t, e, placing);
            self.summary.push(placed);
        }
    }

    fn place(&mut self, t: Texts, e: &FieldError, placing: &Placing) -> (String, String) {
        let (field, message) = (e.field.as_str(), e.message.clone());
        let beside = |errors: &mut Vec<String>, id: &str, label: &str| {
            errors.push(message.clone());
            (id.to_string(), format!("{}: {message}", t.get(label)))
        };
        match field {
            "name" => return beside(&mut self.name_errors, "f-name", "ws-slap-name"),
            "after.hours" => return beside(&mut self.hours_errors, "f-after-hours", "ws-rule-after-hours"),
            "after.since" => return beside(&mut self.since_errors, "f-after-since", "ws-rule-since"),
            "actions" => return beside(&mut self.actions_errors, "f-actions", "ws-rule-actions"),
            _ if field.starts_with("events") => return beside(&mut self.events_errors, "f-events", "ws-rule-events"),
            _ => {}
        }
        if let Some(placed) = rows::place(&mut self.conditions, &placing.conditions, t, field, &message) {
            return placed;
        }
        if field.starts_with("conditions") {
            return beside(&mut self.conditions_errors, "f-conditions", "ws-slap-conditions");
        }
        for (prefix, row) in &placing.actions {
            let Some(rest) = field.strip_prefix(prefix.as_str()).filter(|r| r.is_empty() || r.starts_with('.')) else {
                continue;
            };
            let Some(r) = self.actions.get_mut(*row) else { continue };
            let part = match (rest.trim_start_matches('.'), r.kind.as_str()) {
                ("field", _) => Some("ws-slap-field"),
                ("value", "add_note" | "send_mail") => Some("ws-rule-act-body"),
                ("value", _) => Some("ws-slap-value"),
                ("department_id", _) => Some("ws-slap-field-department"),
                ("agent_id", _) => Some("ws-rule-act-agent"),
                ("strategy", _) => Some("ws-rule-act-strategy"),
                ("to", _) => Some("ws-rule-act-to"),
                ("subject", _) => Some("ws-rule-act-subject"),
                ("action", _) => Some("ws-rule-action"),
                _ => None,
            };
            let text = part.map_or_else(|| message.clone(), |p| format!("{}: {message}", t.get(p)));
            r.errors.push(text.clone());
            let row_label = t.with("ws-slap-row", &[("number", (*row as i64 + 1).into())]);
            return (format!("f-act-{row}"), format!("{} ({row_label}): {text}", t.get("ws-rule-actions")));
        }
        ("f-name".into(), format!("{field}: {message}"))
    }
}

fn event_boxes(t: Texts, ticked: &[String]) -> Vec<(&'static str, String, bool)> {
    TriggerEvent::ALL
        .iter()
        .map(|e| (e.as_str(), t.get(&event_text(e.as_str())), ticked.iter().any(|x| x == e.as_str())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(kind: &str, more: &[(&str, &str)]) -> Vec<(String, String)> {
        let names = [
            "act_kind",
            "act_field",
            "act_value",
            "act_department",
            "act_agent",
            "act_strategy",
            "act_to",
            "act_address",
            "act_subject",
            "act_body",
        ];
        names
            .iter()
            .map(|n| {
                let v = if *n == "act_kind" { kind } else { more.iter().find(|(k, _)| k == n).map_or("", |(_, v)| v) };
                (n.to_string(), v.to_string())
            })
            .collect()
    }

    #[test]
    fn typed_actions_become_the_api_shape_and_refusals_find_their_row() {
        let t = Texts::of("en");
        let mut pairs = vec![("name".to_string(), "Refunds".to_string()), ("events".into(), "ticket.created".into())];
        pairs.extend(action("set", &[("act_field", "department_id"), ("act_value", "billing")]));
        pairs.extend(action("", &[("act_value", "ignored")]));
        pairs.extend(action("add_tags", &[("act_value", "refund, vip")]));
        pairs.extend(action("assign", &[("act_strategy", "round_robin")]));
        pairs.extend(action(
            "send_mail",
            &[("act_to", "address"), ("act_address", " a@b.example "), ("act_body", "Hi")],
        ));
        pairs.extend(action("set", &[("act_field", "custom_fields.seats"), ("act_value", "12")]));
        let f = Fields(pairs);
        let mut form = RuleForm::typed(t, Kind::Trigger, &f);
        assert!(!form.active, "unticked is off");
        let named = Named { departments: vec![("d-1".into(), "Billing".into())], ..Default::default() };
        let (rule, placing) = form.input(&named);
        assert_eq!(rule.events, ["ticket.created"]);
        assert_eq!(
            rule.actions,
            [
                json!({"action": "set", "field": "department_id", "value": "d-1"}),
                json!({"action": "add_tags", "value": ["refund", "vip"]}),
                json!({"action": "assign", "strategy": "round_robin"}),
                json!({"action": "send_mail", "to": "a@b.example", "subject": "", "value": "Hi"}),
                json!({"action": "set", "field": "custom_fields.seats", "value": 12}),
            ]
        );
        let errors = [
            FieldError { field: "actions[3].subject".into(), message: "is required".into() },
            FieldError { field: "events".into(), message: "name at least one event".into() },
        ];
        form.refused(t, &errors, &placing);
        assert_eq!(form.actions[3].errors, ["Subject: is required"]);
        assert_eq!(form.summary[0].0, "f-act-3");
        assert_eq!(form.events_errors, ["name at least one event"]);
    }

    #[test]
    fn a_stored_rule_shows_names_and_reads_back_the_same() {
        let t = Texts::of("en");
        let named =
            Named { departments: vec![("d-1".into(), "Billing".into())], agents: vec![("a-1".into(), "Ann".into())] };
        let actions = vec![
            json!({"action": "set", "field": "assignee_id", "value": "a-1"}),
            json!({"action": "remove_tags", "value": ["x", "y"]}),
            json!({"action": "assign", "department_id": "d-1", "strategy": "least_busy"}),
            json!({"action": "add_note", "value": "Look"}),
            json!({"action": "send_mail", "to": "requester", "subject": "S", "value": "B"}),
        ];
        let rule = Rule {
            name: "R".into(),
            active: true,
            events: vec!["ticket.updated".into()],
            after: AfterInput { hours: 0, since: String::new(), business_hours: false },
            conditions: ConditionsInput::default(),
            actions: actions.clone(),
        };
        let form = RuleForm::of(t, Kind::Trigger, Some(&rule), &named);
        assert_eq!(form.actions[0].value, "Ann");
        assert_eq!(form.actions.len(), 5 + SPARE_ACTIONS);
        assert!(form.events.iter().any(|(e, _, on)| *e == "ticket.updated" && *on));
        assert_eq!(form.input(&named).0.actions, actions);
    }
}
