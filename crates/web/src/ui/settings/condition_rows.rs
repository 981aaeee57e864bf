//! Condition rows, shared by the forms of SLA policies, triggers and automations: `all`/`any`, a field, an
//! operator and the values typed on one line (commas between several). Departments and agents are typed by name
//! and kept by id. Each row remembers where the API's indexes (`conditions.any[1]`) came from, so that a refusal
//! is shown beside the row it is about; the same conditions read as a sentence on the lists.

use super::Fields;
use crate::ui::shell::Shell;
use parley_domain::sla::{ConditionInput, ConditionsInput};
use parley_i18n::Texts;
use serde_json::Value;

/// Empty condition rows a form offers beyond those the rule has.
const SPARE_CONDITIONS: usize = 2;

/// One condition row as typed: `all` or `any`, the field, the operator, the values (commas between several).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConditionRow {
    pub group: String,
    pub field: String,
    pub operator: String,
    pub value: String,
    pub errors: Vec<String>,
}

/// The account's departments and agents as (id, name): forms name them, rules keep their ids.
#[derive(Debug, Default)]
pub(crate) struct Named {
    pub departments: Vec<(String, String)>,
    pub agents: Vec<(String, String)>,
}

impl Named {
    fn list(&self, field: &str) -> &[(String, String)] {
        match field {
            "department_id" => &self.departments,
            "assignee_id" => &self.agents,
            _ => &[],
        }
    }

    /// The id of what `field` names `typed` ("ügyfélszolgálat" finds "Ügyfélszolgálat": case is ignored beyond
    /// ASCII too); a name that is nobody's is kept as typed, for the rule to refuse.
    pub fn id(&self, field: &str, typed: &str) -> String {
        let typed_lower = typed.to_lowercase();
        let found = self.list(field).iter().find(|(_, name)| name.trim().to_lowercase() == typed_lower);
        found.map_or_else(|| typed.to_string(), |(id, _)| id.clone())
    }

    /// The name of the department or agent `id` is, else `id`.
    pub fn name(&self, field: &str, id: &str) -> String {
        self.list(field).iter().find(|(d, _)| d == id).map_or_else(|| id.to_string(), |(_, name)| name.clone())
    }
}

/// Fields whose value is an id, left empty for none (null).
fn is_id(field: &str) -> bool {
    matches!(field, "department_id" | "company_id" | "assignee_id")
}

/// A value as a line of the form: several values with commas, no value (null) as empty; ids by name.
pub(crate) fn value_line(field: &str, v: &Value, named: &Named) -> String {
    match v {
        Value::String(s) => named.name(field, s),
        Value::Array(items) => items.iter().map(|i| value_line(field, i, named)).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A line of the form as a value: one value as a string, several as a list; an id field left empty means "none"
/// (null). Departments and agents typed by name are sent as their ids.
pub(crate) fn value_of(field: &str, line: &str, named: &Named) -> Value {
    let parts: Vec<&str> = line.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] if is_id(field) => Value::Null,
        [] => Value::String(String::new()),
        [one] => Value::String(named.id(field, one)),
        many => Value::Array(many.iter().map(|p| Value::String(named.id(field, p))).collect()),
    }
}

/// The rows of stored conditions, and the spare empty ones.
pub(crate) fn rows_of(conditions: Option<&ConditionsInput>, named: &Named) -> Vec<ConditionRow> {
    let mut rows: Vec<ConditionRow> = Vec::new();
    if let Some(c) = conditions {
        for (group, list) in [("all", &c.all), ("any", &c.any)] {
            rows.extend(list.iter().map(|c| ConditionRow {
                group: group.into(),
                field: c.field.clone(),
                operator: c.operator.clone(),
                value: value_line(&c.field, &c.value, named),
                errors: Vec::new(),
            }));
        }
    }
    with_spares(rows)
}

fn with_spares(mut rows: Vec<ConditionRow>) -> Vec<ConditionRow> {
    rows.extend((0..SPARE_CONDITIONS).map(|_| ConditionRow { group: "all".into(), ..Default::default() }));
    rows
}

/// The rows as typed (rows with neither a field nor a value dropped), and the spare empty ones.
pub(crate) fn typed_rows(f: &Fields) -> Vec<ConditionRow> {
    let (groups, fields, operators, values) =
        (f.all("cond_group"), f.all("cond_field"), f.all("cond_operator"), f.all("cond_value"));
    let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
    let rows = (0..fields.len())
        .map(|i| ConditionRow {
            group: at(&groups, i),
            field: at(&fields, i),
            operator: at(&operators, i),
            value: at(&values, i),
            errors: Vec::new(),
        })
        .filter(|r| !is_blank(r))
        .collect();
    with_spares(rows)
}

fn is_blank(r: &ConditionRow) -> bool {
    r.field.trim().is_empty() && r.value.trim().is_empty()
}

/// The rows as the API's conditions, with where each came from: (`conditions.any[0]`, row).
pub(crate) fn inputs(rows: &[ConditionRow], named: &Named) -> (ConditionsInput, Vec<(String, usize)>) {
    let mut conditions = ConditionsInput::default();
    let mut placing = Vec::new();
    for (row, c) in rows.iter().enumerate() {
        if is_blank(c) {
            continue;
        }
        let field = c.field.trim().to_string();
        let input = ConditionInput { value: value_of(&field, &c.value, named), operator: c.operator.clone(), field };
        // Anything but "any" is "all": a row's group is a select whose default is all.
        let (group, list) = if c.group == "any" { ("any", &mut conditions.any) } else { ("all", &mut conditions.all) };
        placing.push((format!("conditions.{group}[{}]", list.len()), row));
        list.push(input);
    }
    (conditions, placing)
}

/// Puts a refusal about a condition beside its row; answers the row's id and the refusal as the list above the
/// form reads it, or `None` when `field` is about no row.
pub(crate) fn place(
    rows: &mut [ConditionRow],
    placing: &[(String, usize)],
    t: Texts,
    field: &str,
    message: &str,
) -> Option<(String, String)> {
    // A prefix holds its closing bracket, so `conditions.all[1]` never takes `conditions.all[10]`'s refusal.
    for (prefix, row) in placing {
        if let Some(rest) = field.strip_prefix(prefix.as_str()).filter(|r| r.is_empty() || r.starts_with('.')) {
            let part = match rest.trim_start_matches('.') {
                "field" => t.get("ws-slap-field"),
                "operator" => t.get("ws-slap-operator"),
                _ => t.get("ws-slap-value"),
            };
            let text = format!("{part}: {message}");
            if let Some(r) = rows.get_mut(*row) {
                r.errors.push(text.clone());
            }
            let row_label = t.with("ws-slap-row", &[("number", (*row as i64 + 1).into())]);
            return Some((format!("f-cond-{row}"), format!("{} ({row_label}): {text}", t.get("ws-slap-conditions"))));
        }
    }
    None
}

/// One condition as a reader says it: "Priority is urgent, high". `fields` and `operators` are (key, text id).
pub(crate) fn condition_text(
    shell: &Shell,
    c: &ConditionInput,
    fields: &[(&str, &str)],
    operators: &[(&str, &str)],
    named: &Named,
) -> String {
    // "within business hours" says the field and the value at once.
    if let ("business_hours", Some(v @ ("within" | "outside"))) = (c.field.as_str(), c.value.as_str()) {
        return shell.tr(&format!("ws-rule-hours-{v}"));
    }
    let label = |list: &[(&str, &str)], key: &str| list.iter().find(|(k, _)| *k == key).map(|(_, text)| shell.tr(text));
    let field = label(fields, &c.field).unwrap_or_else(|| c.field.clone());
    let op = label(operators, &c.operator).unwrap_or_else(|| c.operator.clone());
    let name = |v: &str| match c.field.as_str() {
        "priority" => shell.priority(v),
        "status" => shell.status(v),
        "channel" => shell.channel(v),
        other => named.name(other, v),
    };
    let values: Vec<String> = match &c.value {
        Value::String(s) => vec![name(s)],
        Value::Array(items) => items.iter().filter_map(|v| v.as_str()).map(name).collect(),
        _ if matches!(c.operator.as_str(), "changed" | "not_changed") => Vec::new(),
        _ => vec![shell.tr("ws-slap-none-value")],
    };
    if values.is_empty() {
        format!("{field} {op}")
    } else {
        format!("{field} {op} {}", values.join(", "))
    }
}

/// "All of: Priority is urgent · Any of: …", or "Every ticket".
pub(crate) fn conditions_text(
    shell: &Shell,
    c: &ConditionsInput,
    fields: &[(&str, &str)],
    operators: &[(&str, &str)],
    named: &Named,
) -> String {
    let mut parts = Vec::new();
    for (key, list) in [("ws-slap-all-of", &c.all), ("ws-slap-any-of", &c.any)] {
        if !list.is_empty() {
            let items: Vec<String> = list.iter().map(|c| condition_text(shell, c, fields, operators, named)).collect();
            parts.push(format!("{}: {}", shell.tr(key), items.join("; ")));
        }
    }
    if parts.is_empty() {
        shell.tr("ws-slap-every-ticket")
    } else {
        parts.join(" · ")
    }
}
