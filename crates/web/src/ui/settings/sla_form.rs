//! The SLA policy form: a policy as the form's fields (condition rows, pause checkboxes, a grid of targets per
//! priority and metric) and back to the API's shape. The use case names what it refuses by the API's indexes
//! (`conditions.any[1].value`, `targets[2].minutes`); the form keeps which row and which cell each came from, so
//! that every refusal is shown beside what was typed there.

use super::condition_rows::{self as rows, ConditionRow, Named};
use super::Fields;
use parley_domain::sla::{Metric, SlaPolicyInput, TargetInput};
use parley_domain::ticket::{Priority, Status};
use parley_domain::FieldError;
use parley_i18n::Texts;

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

impl Form {
    /// The form for a stored policy, or for a new one (pending pauses the clocks, no targets yet).
    pub fn of(t: Texts, input: Option<&SlaPolicyInput>, named: &Named) -> Form {
        let conditions = rows::rows_of(input.map(|p| &p.conditions), named);
        let mut pause: Vec<String> = vec![Status::Pending.as_str().to_string()];
        let mut cells: Vec<(String, String, bool)> = Vec::new();
        if let Some(p) = input {
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
        let conditions = rows::typed_rows(f);
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

    fn build(t: Texts, name: String, hours: Option<String>, conditions: Vec<ConditionRow>) -> Form {
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
    pub fn input(&self, named: &Named) -> (SlaPolicyInput, Placing) {
        let (conditions, placed) = rows::inputs(&self.conditions, named);
        let mut placing = Placing { conditions: placed, ..Default::default() };
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
        if let Some(placed) = rows::place(&mut self.conditions, &placing.conditions, t, field, &message) {
            return placed;
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
    use serde_json::Value;

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
        let named = Named { departments: vec![("d-1".into(), "Billing".into())], ..Default::default() };
        let (input, placing) = form.input(&named);
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
