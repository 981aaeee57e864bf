//! An account's own wording for the mail Parley writes for it (today: the acknowledgement of a new ticket), per
//! language, with a few `{{placeholders}}` filled in when the mail is written.

use crate::error::Checker;
use crate::text::checked_text;
use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The placeholders a template may use. Anything else in `{{ }}` is refused when the template is saved, so a typo
/// is caught by the admin and not by a customer.
pub const PLACEHOLDERS: [&str; 4] = ["ticket.number", "ticket.subject", "requester.name", "account.name"];

const MAX_SUBJECT: usize = 250;
const MAX_BODY: usize = 20_000;
const MAX_LANGUAGES: usize = 50;

/// One template: a subject line and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailTemplate {
    pub subject: String,
    pub body: String,
}

/// What an account says to customers automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailSettings {
    /// Whether new tickets opened by mail are acknowledged at all.
    pub acknowledge: bool,
    /// The account's acknowledgement per primary language tag (`en`, `de`, `fr`, …); languages without one use
    /// Parley's own text.
    pub acknowledgement: BTreeMap<String, MailTemplate>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings { acknowledge: true, acknowledgement: BTreeMap::new() }
    }
}

/// The values placeholders stand for.
pub struct TemplateValues<'a> {
    pub ticket_number: i64,
    pub ticket_subject: &'a str,
    pub requester_name: &'a str,
    pub account_name: &'a str,
}

impl MailSettings {
    /// Check settings from an admin: language tags, lengths, control characters and placeholders, every fault
    /// named by its field (`acknowledgement.de.subject`).
    pub fn checked(acknowledge: bool, templates: BTreeMap<String, MailTemplate>) -> Result<MailSettings, Invalid> {
        let mut errs = Checker::new();
        if templates.len() > MAX_LANGUAGES {
            errs.add("acknowledgement", format!("at most {MAX_LANGUAGES} languages"));
        }
        let mut out = BTreeMap::new();
        for (lang, t) in templates {
            let field = format!("acknowledgement.{lang}");
            let Some(tag) = primary_language(&lang) else {
                errs.add(field, "is not a language tag like en or de");
                continue;
            };
            let subject = errs.check(checked_text(&format!("{field}.subject"), &t.subject, MAX_SUBJECT, false));
            let body = errs.check(checked_text(&format!("{field}.body"), &t.body, MAX_BODY, true));
            for (name, text) in [("subject", &subject), ("body", &body)] {
                if let Some(text) = text {
                    if let Err(bad) = check_placeholders(text) {
                        errs.add(
                            format!("{field}.{name}"),
                            format!("'{{{{{bad}}}}}' is not a placeholder; use {}", PLACEHOLDERS.join(", ")),
                        );
                    }
                }
            }
            if let (Some(subject), Some(body)) = (subject, body) {
                out.insert(tag, MailTemplate { subject, body });
            }
        }
        errs.finish()?;
        Ok(MailSettings { acknowledge, acknowledgement: out })
    }
}

impl MailTemplate {
    /// Fill in the placeholders. The subject stays one line whatever the values hold, and always carries the
    /// ticket token `[#N]` that threads the customer's answer even when their client drops our headers.
    pub fn render(&self, v: &TemplateValues<'_>) -> (String, String) {
        let subject: String =
            fill(&self.subject, v).chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>();
        let token = format!("[#{}]", v.ticket_number);
        let subject = if subject.contains(&token) { subject } else { format!("{} {token}", subject.trim_end()) };
        (subject, fill(&self.body, v))
    }
}

fn fill(text: &str, v: &TemplateValues<'_>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match after[..end].trim() {
            "ticket.number" => out.push_str(&v.ticket_number.to_string()),
            "ticket.subject" => out.push_str(v.ticket_subject),
            "requester.name" => out.push_str(v.requester_name),
            "account.name" => out.push_str(v.account_name),
            _ => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `Err(name)` for the first `{{name}}` that is not a placeholder.
fn check_placeholders(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { return Ok(()) };
        let name = after[..end].trim();
        if !PLACEHOLDERS.contains(&name) {
            return Err(name.chars().take(40).collect());
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// The primary subtag of a language tag, lowercase (`de-AT` → `de`), if it is one (2–3 letters).
pub fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    (2..=3).contains(&primary.len()).then_some(())?;
    primary.chars().all(|c| c.is_ascii_alphabetic()).then(|| primary.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TemplateValues<'static> {
        TemplateValues {
            ticket_number: 42,
            ticket_subject: "Printer\r\nBcc: x@evil.example",
            requester_name: "Jane",
            account_name: "Acme",
        }
    }

    fn one(lang: &str, subject: &str, body: &str) -> BTreeMap<String, MailTemplate> {
        BTreeMap::from([(lang.to_string(), MailTemplate { subject: subject.into(), body: body.into() })])
    }

    #[test]
    fn placeholders_are_filled_and_the_subject_stays_one_line_with_its_token() {
        let t = MailTemplate {
            subject: "Re: {{ ticket.subject }}".into(),
            body: "Hi {{requester.name}}, #{{ticket.number}} — {{account.name}}".into(),
        };
        let (s, b) = t.render(&values());
        assert_eq!(s, "Re: Printer  Bcc: x@evil.example [#42]");
        assert_eq!(b, "Hi Jane, #42 — Acme");
        let t = MailTemplate { subject: "[#{{ticket.number}}] Thanks".into(), body: "{{ unclosed".into() };
        assert_eq!(t.render(&values()), ("[#42] Thanks".to_string(), "{{ unclosed".to_string()));
    }

    #[test]
    fn checking_names_every_fault() {
        let s = MailSettings::checked(true, one("de-AT", "Danke {{ticket.number}}", "Hallo")).unwrap();
        assert!(s.acknowledgement.contains_key("de"));
        let e = MailSettings::checked(true, one("de", "Danke {{ticket.numbr}}", "")).unwrap_err();
        let mut fields: Vec<_> = e.0.iter().map(|f| (f.field.as_str(), f.message.as_str())).collect();
        fields.sort();
        assert_eq!(fields[0], ("acknowledgement.de.body", "must not be empty"));
        assert_eq!(fields[1].0, "acknowledgement.de.subject");
        assert!(fields[1].1.contains("'{{ticket.numbr}}'"), "{}", fields[1].1);
        assert!(MailSettings::checked(true, one("klingon!", "a", "b")).is_err());
        assert!(MailSettings::checked(true, one("en", "a\r\nBcc: x", "b")).is_err());
    }

    #[test]
    fn language_tags() {
        assert_eq!(primary_language("de-AT").as_deref(), Some("de"));
        assert_eq!(primary_language("FIL").as_deref(), Some("fil"));
        assert_eq!(primary_language("x"), None);
        assert_eq!(primary_language("d3"), None);
    }
}
