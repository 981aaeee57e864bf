//! Canned responses and macros: saved replies with placeholders, and named sets of ticket actions with an optional
//! reply. Each is shared with the whole account or personal to one agent.
//!
//! Placeholders are `{{requester.name}}` and the like; an unknown one is refused when the text is saved, so a typo
//! never reaches a customer. They are filled by [`render`] when a reply is made from the text.

use crate::ids::{AccountId, AgentId, CannedResponseId, MacroId};
use crate::knowledge::LanguageTag;
use crate::ticket_action::TicketAction;
use crate::{Invalid, Timestamp};
use serde::Serialize;
use std::fmt;

/// The placeholders a text may hold, by name.
pub const PLACEHOLDERS: &[&str] = &[
    "requester.name",
    "requester.first_name",
    "requester.email",
    "ticket.number",
    "ticket.subject",
    "agent.name",
    "agent.first_name",
    "agent.signature",
];

/// A canned response's `#shortcut`, kept without the `#`: 1–32 lowercase letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Shortcut(String);

impl Shortcut {
    /// Accepts `#refund` and `refund` alike.
    pub fn parse(s: &str) -> Result<Shortcut, Invalid> {
        let t = s.trim();
        let t = t.strip_prefix('#').unwrap_or(t).to_lowercase();
        let ok =
            !t.is_empty() && t.chars().count() <= 32 && t.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Shortcut(t))
        } else {
            Err(Invalid::field(
                "shortcut",
                format!(
                    "'{}' is not a shortcut (up to 32 letters, digits, - and _, after an optional #)",
                    s.chars().take(40).collect::<String>()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Shortcut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A saved reply text.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CannedResponse {
    pub id: CannedResponseId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub title: String,
    /// Text with placeholders, stored as written (HTML in it is text).
    pub body: String,
    /// Seen by every agent of the account; otherwise only by its owner.
    pub shared: bool,
    /// The agent a personal response belongs to; `null` when shared.
    pub owner_id: Option<AgentId>,
    pub shortcut: Option<Shortcut>,
    pub folder: Option<String>,
    #[schema(value_type = Option<String>, example = "en")]
    pub language: Option<LanguageTag>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The reply or internal note a macro adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MacroReply {
    /// Text with placeholders, filled for the ticket and the agent when the macro is applied.
    pub body: String,
    pub internal: bool,
}

/// A named set of ticket actions with an optional reply, applied to a ticket in one step.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Macro {
    pub id: MacroId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub title: String,
    /// `{"action": "set", "field": "status", "value": "pending"}`, `{"action": "add_tags", "value": ["x"]}` …
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<TicketAction>,
    pub reply: Option<MacroReply>,
    pub shared: bool,
    pub owner_id: Option<AgentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Whether an agent (or, with `None`, a caller who is no agent) sees a canned response or macro owned so.
pub fn visible_to(owner: Option<AgentId>, viewer: Option<AgentId>) -> bool {
    owner.is_none() || owner == viewer
}

/// A canned response's or macro's title: one line, 1–200 characters.
pub fn parse_title(s: &str) -> Result<String, Invalid> {
    crate::text::checked_text("title", s, 200, false)
}

/// A folder name: one line, 1–100 characters; `/` may nest them (`Billing/Refunds`).
pub fn parse_folder(s: Option<&str>) -> Result<Option<String>, Invalid> {
    crate::text::optional_text("folder", s, 100)
}

/// A text with placeholders: a message body whose placeholders are all known. Errors name `field` and each
/// unknown placeholder.
pub fn parse_template(field: &str, s: &str) -> Result<String, Invalid> {
    let body = crate::message::parse_body(s).map_err(|e| e.at(field))?;
    let unknown: Vec<crate::FieldError> = placeholders_in(&body)
        .filter(|p| !PLACEHOLDERS.contains(&p.name))
        .map(|p| crate::FieldError { field: field.to_string(), message: format!("unknown placeholder {}", p.text) })
        .collect();
    if unknown.is_empty() {
        Ok(body)
    } else {
        Err(Invalid(unknown))
    }
}

/// What placeholders are filled with: the ticket's, its requester's and the replying agent's values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceholderValues {
    pub requester_name: String,
    pub requester_email: String,
    /// `#1042`.
    pub ticket_number: String,
    pub ticket_subject: String,
    pub agent_name: String,
    /// Empty when the agent has none.
    pub agent_signature: String,
}

impl PlaceholderValues {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "requester.name" => &self.requester_name,
            "requester.first_name" => first_name(&self.requester_name),
            "requester.email" => &self.requester_email,
            "ticket.number" => &self.ticket_number,
            "ticket.subject" => &self.ticket_subject,
            "agent.name" => &self.agent_name,
            "agent.first_name" => first_name(&self.agent_name),
            "agent.signature" => &self.agent_signature,
            _ => return None,
        })
    }
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Fill a text's placeholders. A placeholder this version does not know stays as written (texts are checked when
/// saved, so that happens only to text saved by a later version).
pub fn render(template: &str, values: &PlaceholderValues) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = 0;
    for p in placeholders_in(template) {
        out.push_str(&template[rest..p.start]);
        out.push_str(values.get(p.name).unwrap_or(p.text));
        rest = p.start + p.text.len();
    }
    out.push_str(&template[rest..]);
    out
}

struct Placeholder<'a> {
    start: usize,
    /// As written, braces included.
    text: &'a str,
    name: &'a str,
}

/// The placeholders of a text: `{{`, optional spaces, a name of letters, digits, `.`, `_`, `-`, optional spaces,
/// `}}`. Other text between braces (code, a sentence) is left alone rather than refused.
fn placeholders_in(s: &str) -> impl Iterator<Item = Placeholder<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(open) = s[at..].find("{{").map(|i| at + i) {
            let after = open + 2;
            let Some(close) = s[after..].find("}}").map(|i| after + i) else {
                at = s.len();
                return None;
            };
            let name = s[after..close].trim();
            let ok = !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if ok {
                at = close + 2;
                return Some(Placeholder { start: open, text: &s[open..close + 2], name });
            }
            at = open + 1;
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> PlaceholderValues {
        PlaceholderValues {
            requester_name: "Jane van Dijk".into(),
            requester_email: "jane@example.com".into(),
            ticket_number: "#42".into(),
            ticket_subject: "Printer".into(),
            agent_name: "Ada Lovelace".into(),
            agent_signature: String::new(),
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let t = "Hi {{requester.first_name}} ({{ requester.email }}), about {{ticket.number}} {{ticket.subject}}.\n\
                 {{agent.first_name}} / {{agent.name}}{{agent.signature}} {{requester.name}}";
        assert_eq!(
            render(t, &values()),
            "Hi Jane (jane@example.com), about #42 Printer.\nAda / Ada Lovelace Jane van Dijk"
        );
        assert_eq!(render("{{ not a placeholder }} {{", &values()), "{{ not a placeholder }} {{");
        assert_eq!(render("<b>{{requester.name}}</b>", &values()), "<b>Jane van Dijk</b>");
    }

    #[test]
    fn unknown_placeholders_are_refused_by_name() {
        let err = parse_template("body", "Hi {{requester.name}} {{foo}} and {{ Agent.Name }}").unwrap_err();
        let messages: Vec<_> = err.0.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(
            messages,
            [("body", "unknown placeholder {{foo}}"), ("body", "unknown placeholder {{ Agent.Name }}")]
        );
        assert!(parse_template("reply.body", "{{ticket.subject}} {{ a sentence }}").is_ok());
    }

    #[test]
    fn shortcuts_drop_the_hash() {
        assert_eq!(Shortcut::parse("#Refund").unwrap().as_str(), "refund");
        assert_eq!(Shortcut::parse("refund").unwrap().to_string(), "#refund");
        assert!(Shortcut::parse("#").is_err());
        assert!(Shortcut::parse("two words").is_err());
    }
}
