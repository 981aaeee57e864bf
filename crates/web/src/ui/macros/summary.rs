//! A macro in one line, in the agent's language: "Status → solved · Add tags: refund · Reply: Hi …".

use parley_domain::canned::MacroReply;
use parley_domain::ids::{AgentId, DepartmentId};
use parley_domain::ticket_action::{SetField, TicketAction};
use parley_i18n::Texts;
use serde_json::Value;
use std::collections::HashMap;

/// How much of a reply the line shows.
const REPLY_CHARS: usize = 80;

/// The names actions refer to by id or key.
#[derive(Default)]
pub(crate) struct Names {
    pub agents: HashMap<AgentId, String>,
    pub departments: HashMap<DepartmentId, String>,
    /// Custom fields' labels by key.
    pub fields: HashMap<String, String>,
}

/// What the actions and the reply do, in order, as text (the page escapes it).
pub(crate) fn summary(actions: &[TicketAction], reply: Option<&MacroReply>, names: &Names, t: Texts) -> String {
    let gone = || t.get("ws-macros-gone");
    let to = |label: &str, value: String| format!("{} → {value}", t.get(label));
    let list = |label: &str, tags: &[parley_domain::ticket::Tag]| {
        format!("{}: {}", t.get(label), tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "))
    };
    let mut parts: Vec<String> = actions
        .iter()
        .map(|a| match a {
            TicketAction::Set(SetField::Status(s)) => to("ws-status", t.get(&format!("ws-status-{}", s.as_str()))),
            TicketAction::Set(SetField::Priority(p)) => {
                to("ws-priority", t.get(&format!("ws-priority-{}", p.as_str())))
            }
            TicketAction::Set(SetField::Assignee(a)) => {
                let who = match a {
                    None => t.get("ws-nobody"),
                    Some(id) => names.agents.get(id).cloned().unwrap_or_else(gone),
                };
                format!("{}: {who}", t.get("ws-macros-assign-to"))
            }
            TicketAction::Set(SetField::AssigneeApplier) => {
                format!("{}: {}", t.get("ws-macros-assign-to"), t.get("ws-macros-applier"))
            }
            TicketAction::Set(SetField::Department(d)) => {
                let which = match d {
                    None => t.get("ws-no-department"),
                    Some(id) => names.departments.get(id).cloned().unwrap_or_else(gone),
                };
                to("ws-department", which)
            }
            TicketAction::Set(SetField::Subject(s)) => to("ws-macros-subject", s.clone()),
            TicketAction::Set(SetField::Custom { key, value }) => {
                let shown = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => "—".to_string(),
                    other => other.to_string(),
                };
                format!("{} → {shown}", names.fields.get(key).unwrap_or(key))
            }
            TicketAction::AddTags(tags) => list("ws-macros-add-tags", tags),
            TicketAction::RemoveTags(tags) => list("ws-macros-remove-tags", tags),
        })
        .collect();
    if let Some(r) = reply {
        let label = if r.internal { "ws-macros-note" } else { "ws-macros-reply" };
        parts.push(format!("{}: {}", t.get(label), beginning(&r.body)));
    }
    parts.join(" · ")
}

/// A reply's first characters on one line, with "…" when there is more.
fn beginning(body: &str) -> String {
    let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= REPLY_CHARS {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(REPLY_CHARS).collect();
        cut.truncate(cut.trim_end().len());
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_domain::ticket::{Priority, Status, Tag};

    #[test]
    fn a_macro_reads_as_one_line() {
        let ann = AgentId::new();
        let names = Names { agents: HashMap::from([(ann, "Ann".to_string())]), ..Default::default() };
        let actions = vec![
            TicketAction::Set(SetField::Status(Status::Resolved)),
            TicketAction::Set(SetField::Priority(Priority::High)),
            TicketAction::AddTags(vec![Tag::parse("refund").unwrap(), Tag::parse("vip").unwrap()]),
            TicketAction::Set(SetField::Assignee(Some(ann))),
            TicketAction::Set(SetField::Department(Some(DepartmentId::new()))),
            TicketAction::Set(SetField::Custom { key: "plan".into(), value: Value::String("gold".into()) }),
        ];
        let reply = MacroReply { body: format!("Hello\n\n{}", "x".repeat(100)), internal: false };
        let line = summary(&actions, Some(&reply), &names, Texts::of("en"));
        assert_eq!(
            line,
            format!(
                "Status → resolved · Priority → high · Add tags: refund, vip · Assign to: Ann · \
                 Department → (no longer exists) · plan → gold · Reply: Hello {}…",
                "x".repeat(74)
            )
        );
        let note = MacroReply { body: "Checked".into(), internal: true };
        let de = summary(&[TicketAction::Set(SetField::Assignee(None))], Some(&note), &names, Texts::of("de"));
        assert_eq!(de, "Zuweisen an: Niemand · Interne Notiz: Checked");
    }
}
