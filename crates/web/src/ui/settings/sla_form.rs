//! The SLA policy form: a policy as the form's fields (condition rows, pause checkboxes, a grid of targets per
//! priority and metric) and back to the API's shape. The use case names what it refuses by the API's indexes
//! (`conditions.any[1].value`, `targets[2].minutes`); the form keeps which row and which cell each came from, so
//! that every refusal is shown beside what was typed there.

use super::Fields;
use parley_domain::sla::{ConditionInput, ConditionsInput, Metric, SlaPolicyInput, TargetInput};
use parley_domain::ticket::{Priority, Status};
use parley_domain::FieldError;
use parley_i18n::Texts;
use serde_json::Value;

/// Empty condition rows a form offers beyond those the policy has.
const SPARE_CONDITIONS: usize = 2;

/// The fields a condition may look at, as the API names them, and their text's key.
pub(crate) const FIELDS: [(&str, &str); 6] = [
    ("priority", "ws-slap-field-priority"),
    ("status", "ws-slap-field-status"),
    ("channel", "ws-slap-field-channel"),
    ("tags", "ws-slap-field-tags"),
    ("department_id", "ws-slap-field-department"),
    ("company_id", "ws-slap-field-company"),
];

pub(crate) const OPERATORS: [(&str, &str); 4] = [
    ("is", "ws-slap-op-is"),
    ("is_not", "ws-slap-op-is-not"),
    ("includes", "ws-slap-op-includes"),
    ("excludes", "ws-slap-op-excludes"),
];

/// Most urgent first, as people read a grid of promises.
pub(crate) const PRIORITIES: [Priority; 4] = [Priority::Urgent, Priority::High, Priority::Normal, Priority::Low];

/// One condition row as typed: `all` or `any`, the field, the operator, the values (commas between several).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConditionRow {
    pub group: String,
    pub field: String,
    pub operator: String,
    pub value: String,
    pub errors: Vec<String>,
}

/// One cell of the targets grid: minutes (empty for no target) and whether they count in business hours.
#[derive(Debug, Clone)]
pub(crate) struct TargetCell {
    /// `urgent_first_reply`: the prefix of the cell's field names and its id.
    pub key: String,
    /// "Urgent, First reply", for the cell's inputs' labels.
    pub label: String,
    pub minutes: String,
    pub business: bool,
    pub errors: Vec<String>,
}

pub(crate) struct TargetRow {
    pub label: String,
    pub cells: Vec<TargetCell>,
}

/// Everything the form shows, as typed or as stored, with the refusals placed beside their fields.
pub(crate) struct Form {
    pub name: String,
    pub name_errors: Vec<String>,
    /// Empty: the ticket's department's hours, else the account's default.
    pub hours: String,
    pub hours_errors: Vec<String>,
    pub conditions: Vec<ConditionRow>,
    /// About the conditions as a whole (too many of them).
    pub conditions_errors: Vec<String>,
    /// (status, label, ticked), for every status that may pause the clocks.
    pub pause: Vec<(&'static str, String, bool)>,
    pub pause_errors: Vec<String>,
    pub targets: Vec<TargetRow>,
    /// Every refusal, for the list above the form: (the id of the field it is about, the text).
    pub summary: Vec<(String, String)>,
}

fn cell_key(p: Priority, m: Metric) -> String {
    format!("{}_{}", p.as_str(), m.as_str())
}

/// Statuses that may pause the clocks: new and open tickets wait on the desk, so the policy refuses them.
fn pausable() -> impl Iterator<Item = Status> {
    Status::ALL.iter().copied().filter(|s| !matches!(s, Status::New | Status::Open))
}

/// A condition's value as a line of the form: several values with commas, no value (null) as empty.
fn value_line(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_line).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A line of the form as a condition's value: one value as a string, several as a list; an id field left empty
/// means "none" (null). A department is typed by its name and sent as its id; a name that is no department's is
/// sent as typed, for the policy to refuse.
fn value_of(field: &str, line: &str, departments: &[(String, String)]) -> Value {
    let parts: Vec<&str> = line.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let named = |p: &str| -> String {
        // "ügyfélszolgálat" finds "Ügyfélszolgálat": the comparison ignores case beyond ASCII too.
        let typed = p.to_lowercase();
        let department =
            departments.iter().find(|(_, name)| field == "department_id" && name.trim().to_lowercase() == typed);
        department.map_or_else(|| p.to_string(), |(id, _)| id.clone())
    };
    match (field, parts.as_slice()) {
        ("department_id" | "company_id", []) => Value::Null,
        (_, []) => Value::String(String::new()),
        (_, [one]) => Value::String(named(one)),
        (_, many) => Value::Array(many.iter().map(|p| Value::String(named(p))).collect()),
    }
}

impl Form {
    /// The form for a stored policy, or for a new one (pending pauses the clocks, no targets yet). Departments,
    /// (id, name), are shown by name.
    pub fn of(t: Texts, input: Option<&SlaPolicyInput>, departments: &[(String, String)]) -> Form {
        let mut conditions: Vec<ConditionRow> = Vec::new();
        let mut pause: Vec<String> = vec![Status::Pending.as_str().to_string()];
        let mut cells: Vec<(String, String, bool)> = Vec::new();
        if let Some(p) = input {
            for (group, list) in [("all", &p.conditions.all), ("any", &p.conditions.any)] {
                conditions.extend(list.iter().map(|c| ConditionRow {
                    group: group.into(),
                    field: c.field.clone(),
                    operator: c.operator.clone(),
                    value: match (c.field.as_str(), &c.value) {
                        ("department_id", Value::String(id)) => {
                            departments.iter().find(|(d, _)| d == id).map_or(id.clone(), |(_, name)| name.clone())
                        }
                        _ => value_line(&c.value),
                    },
                    errors: Vec::new(),
                }));
            }
            pause = p.pause_statuses.clone().unwrap_or(pause);
            cells = p
                .targets
                .iter()
                .map(|x| (format!("{}_{}", x.priority, x.metric), x.minutes.to_string(), x.business_hours))
                .collect();
        }
        let name = input.map(|p| p.name.clone()).unwrap_or_default();
        let mut form = Form::build(t, name, input.and_then(|p| p.business_hours_id.clone()), conditions);
        for (status, _, ticked) in &mut form.pause {
            *ticked = pause.iter().any(|p| p == status);
        }
        for cell in form.targets.iter_mut().flat_map(|r| r.cells.iter_mut()) {
            if let Some((_, minutes, business)) = cells.iter().find(|(k, _, _)| *k == cell.key) {
                cell.minutes = minutes.clone();
                cell.business = *business;
            }
        }
        form
    }

    /// The form as typed.
    pub fn typed(t: Texts, f: &Fields) -> Form {
        let (groups, fields, operators, values) =
            (f.all("cond_group"), f.all("cond_field"), f.all("cond_operator"), f.all("cond_value"));
        let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
        let conditions = (0..fields.len())
            .map(|i| ConditionRow {
                group: at(&groups, i),
                field: at(&fields, i),
                operator: at(&operators, i),
                value: at(&values, i),
                errors: Vec::new(),
            })
            .filter(|r| !(r.field.trim().is_empty() && r.value.trim().is_empty()))
            .collect();
        let hours = f.one("business_hours_id");
        let mut form = Form::build(t, f.one("name"), (!hours.is_empty()).then_some(hours), conditions);
        let ticked = f.all("pause");
        for (status, _, on) in &mut form.pause {
            *on = ticked.iter().any(|x| x == status);
        }
        for cell in form.targets.iter_mut().flat_map(|r| r.cells.iter_mut()) {
            cell.minutes = f.one(&format!("{}_minutes", cell.key));
            cell.business = f.one(&format!("{}_count", cell.key)) != "calendar";
        }
        form
    }

    fn build(t: Texts, name: String, hours: Option<String>, mut conditions: Vec<ConditionRow>) -> Form {
        conditions.extend((0..SPARE_CONDITIONS).map(|_| ConditionRow { group: "all".into(), ..Default::default() }));
        let targets = PRIORITIES
            .iter()
            .map(|p| {
                let label = capitalized(&t.get(&format!("ws-priority-{}", p.as_str())));
                let cells = Metric::ALL
                    .iter()
                    .map(|m| TargetCell {
                        key: cell_key(*p, *m),
                        label: format!("{label}, {}", t.get(&metric_text(*m))),
                        minutes: String::new(),
                        business: true,
                        errors: Vec::new(),
                    })
                    .collect();
                TargetRow { label, cells }
            })
            .collect();
        Form {
            name,
            name_errors: Vec::new(),
            hours: hours.unwrap_or_default(),
            hours_errors: Vec::new(),
            conditions,
            conditions_errors: Vec::new(),
            pause: pausable().map(|s| (s.as_str(), t.get(&format!("ws-status-{}", s.as_str())), false)).collect(),
            pause_errors: Vec::new(),
            targets,
            summary: Vec::new(),
        }
    }

    /// The form as the API's shape, with where each condition and target came from, to place refusals.
    /// Departments, (id, name), turn the names typed into ids.
    pub fn input(&self, departments: &[(String, String)]) -> (SlaPolicyInput, Placing) {
        let mut conditions = ConditionsInput::default();
        let mut placing = Placing::default();
        for (row, c) in self.conditions.iter().enumerate() {
            if c.field.trim().is_empty() && c.value.trim().is_empty() {
                continue;
            }
            let field = c.field.trim().to_string();
            let input =
                ConditionInput { value: value_of(&field, &c.value, departments), operator: c.operator.clone(), field };
            // Anything but "any" is "all": a row's group is a select whose default is all.
            let list = if c.group == "any" { &mut conditions.any } else { &mut conditions.all };
            let group = if c.group == "any" { "any" } else { "all" };
            placing.conditions.push((format!("conditions.{group}[{}]", list.len()), row));
            list.push(input);
        }
        let mut targets = Vec::new();
        for cell in self.targets.iter().flat_map(|r| r.cells.iter()) {
            let typed = cell.minutes.trim();
            if typed.is_empty() {
                continue;
            }
            let (priority, metric) = cell.key.split_once('_').unwrap_or((cell.key.as_str(), ""));
            placing.targets.push((format!("targets[{}]", targets.len()), cell.key.clone()));
            targets.push(TargetInput {
                priority: priority.into(),
                metric: metric.into(),
                // Not a whole number: 0, which the policy refuses as out of range, beside what was typed.
                minutes: typed.parse().unwrap_or(0),
                business_hours: cell.business,
            });
        }
        let input = SlaPolicyInput {
            name: self.name.clone(),
            position: None,
            business_hours_id: (!self.hours.is_empty()).then(|| self.hours.clone()),
            conditions,
            pause_statuses: Some(self.pause.iter().filter(|(_, _, on)| *on).map(|(s, _, _)| s.to_string()).collect()),
            targets,
        };
        (input, placing)
    }

    /// Places each refusal beside its field, and lists them all above the form.
    pub fn refused(&mut self, t: Texts, errors: &[FieldError], placing: &Placing) {
        for e in errors {
            let (id, text) = self.place(t, e, placing);
            self.summary.push((id, text));
        }
    }

    /// Puts one refusal beside its field; answers the field's id and the refusal as the list above reads it.
    fn place(&mut self, t: Texts, e: &FieldError, placing: &Placing) -> (String, String) {
        let field = e.field.as_str();
        let message = e.message.clone();
        if field == "name" {
            self.name_errors.push(message.clone());
            return ("f-name".into(), format!("{}: {message}", t.get("ws-slap-name")));
        }
        if field == "business_hours_id" {
            self.hours_errors.push(message.clone());
            return ("f-hours".into(), format!("{}: {message}", t.get("ws-slap-business-hours")));
        }
        if field.starts_with("pause_statuses") {
            self.pause_errors.push(message.clone());
            return ("f-pause".into(), format!("{}: {message}", t.get("ws-slap-pause")));
        }
        // A prefix holds its closing bracket, so `conditions.all[1]` never takes `conditions.all[10]`'s refusal.
        for (prefix, row) in &placing.conditions {
            if let Some(rest) = field.strip_prefix(prefix.as_str()).filter(|r| r.is_empty() || r.starts_with('.')) {
                let part = match rest.trim_start_matches('.') {
                    "field" => t.get("ws-slap-field"),
                    "operator" => t.get("ws-slap-operator"),
                    _ => t.get("ws-slap-value"),
                };
                let text = format!("{part}: {message}");
                if let Some(r) = self.conditions.get_mut(*row) {
                    r.errors.push(text.clone());
                }
                let row_label = t.with("ws-slap-row", &[("number", (*row as i64 + 1).into())]);
                return (format!("f-cond-{row}"), format!("{} ({row_label}): {text}", t.get("ws-slap-conditions")));
            }
        }
        if field.starts_with("conditions") {
            self.conditions_errors.push(message.clone());
            return ("f-conditions".into(), format!("{}: {message}", t.get("ws-slap-conditions")));
        }
        for (prefix, key) in &placing.targets {
            if field.strip_prefix(prefix.as_str()).is_some_and(|r| r.is_empty() || r.starts_with('.')) {
                if let Some(cell) = self.targets.iter_mut().flat_map(|r| r.cells.iter_mut()).find(|c| c.key == *key) {
                    cell.errors.push(message.clone());
                    return (format!("f-{key}"), format!("{}: {message}", cell.label));
                }
            }
        }
        ("f-name".into(), format!("{field}: {message}"))
    }
}

/// A text that starts a heading or a line: the workspace's priority names are written lowercase for use inside
/// sentences.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A metric's text (`ws-sla-first-reply`), shared with the ticket page.
pub(crate) fn metric_text(m: Metric) -> String {
    format!("ws-sla-{}", m.as_str().replace('_', "-"))
}

/// Where the API's indexes came from in the form: (`conditions.any[0]`, row), (`targets[2]`, cell key).
#[derive(Debug, Default)]
pub(crate) struct Placing {
    conditions: Vec<(String, usize)>,
    targets: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn a_typed_form_becomes_the_api_shape_and_refusals_find_their_row_and_cell() {
        let t = Texts::of("en");
        let f = fields(&[
            ("name", "Urgent"),
            ("business_hours_id", ""),
            ("cond_group", "all"),
            ("cond_field", "priority"),
            ("cond_operator", "is"),
            ("cond_value", "urgent, high"),
            ("cond_group", "all"),
            ("cond_field", ""),
            ("cond_operator", "is"),
            ("cond_value", ""),
            ("cond_group", "any"),
            ("cond_field", "department_id"),
            ("cond_operator", "is"),
            ("cond_value", ""),
            ("cond_group", "any"),
            ("cond_field", "department_id"),
            ("cond_operator", "is_not"),
            ("cond_value", "billing"),
            ("pause", "pending"),
            ("urgent_first_reply_minutes", "60"),
            ("urgent_first_reply_count", "business"),
            ("low_resolution_minutes", "soon"),
            ("low_resolution_count", "calendar"),
        ]);
        let mut form = Form::typed(t, &f);
        let (input, placing) = form.input(&[("d-1".into(), "Billing".into())]);
        assert_eq!(input.conditions.all.len(), 1);
        assert_eq!(input.conditions.any[1].value, serde_json::json!("d-1"), "a department by its name");
        assert_eq!(input.conditions.all[0].value, serde_json::json!(["urgent", "high"]));
        assert_eq!(input.conditions.any[0].value, Value::Null, "an id left empty is none");
        assert_eq!(input.pause_statuses, Some(vec!["pending".to_string()]));
        assert_eq!(input.targets.len(), 2);
        assert_eq!((input.targets[1].minutes, input.targets[1].business_hours), (0, false));
        let errors = [
            FieldError { field: "conditions.any[0].value".into(), message: "bad".into() },
            FieldError { field: "targets[1].minutes".into(), message: "must be from 1".into() },
        ];
        form.refused(t, &errors, &placing);
        // The empty middle row was dropped when typed: the `any` row is the form's second.
        assert_eq!(form.conditions[1].errors, ["Value: bad"]);
        let low = form.targets[3].cells.iter().find(|c| c.key == "low_resolution").unwrap();
        assert_eq!((low.errors.as_slice(), low.minutes.as_str()), (&["must be from 1".to_string()][..], "soon"));
        assert_eq!(form.summary[1].0, "f-low_resolution");
    }
}
