//! Trigger conditions: the SLA policies' conditions over the ticket's fields, and what only a change has — the
//! text it brought, what it changed to or from — plus the requester, the assignee and the business hours.

use super::event::Change;
use crate::ids::{AgentId, CompanyId, DepartmentId};
use crate::search::{stems, words};
use crate::sla::{Condition, ConditionInput, TicketFacts};
use crate::ticket::{Channel, Priority, Status, Tag};
use crate::Invalid;
use serde_json::Value;

/// The most words a text condition looks for.
const MAX_WORDS: usize = 50;

/// What conditions look at: the ticket as it stands (after earlier triggers' changes), the requester's address,
/// the change's text and changes, and whether it happens within business hours.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerFacts {
    pub priority: Priority,
    pub status: Status,
    pub channel: Channel,
    pub tags: Vec<Tag>,
    pub department_id: Option<DepartmentId>,
    pub company_id: Option<CompanyId>,
    pub assignee_id: Option<AgentId>,
    pub requester_email: String,
    pub subject: String,
    /// The text the change brought (a new message), if any.
    pub text: Option<String>,
    pub changes: Vec<Change>,
    pub within_business_hours: bool,
    /// The subject's and the text's words with their stems, cut once for all the conditions that read them.
    pub words: TextWords,
}

/// A text's words, each with its stems.
type Analysed = Vec<(String, Vec<String>)>;

/// The subject's and the change's text as words, made when a condition first asks (reset when the subject changes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextWords(std::sync::OnceLock<[Analysed; 2]>);

/// How many words of a text the conditions read: what a rule looks for is said early.
const MAX_TEXT_WORDS: usize = 5_000;

fn analyse(text: &str) -> Analysed {
    words(text)
        .take(MAX_TEXT_WORDS)
        .map(|w| {
            let s = stems(&w);
            (w, s)
        })
        .collect()
}

impl TriggerFacts {
    fn ticket(&self) -> TicketFacts<'_> {
        TicketFacts {
            priority: self.priority,
            status: self.status,
            channel: self.channel,
            tags: &self.tags,
            department_id: self.department_id,
            company_id: self.company_id,
        }
    }
}

/// A field whose change a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    Status,
    Priority,
    Assignee,
    Department,
}

/// What a change condition asks of the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeTest {
    Changed,
    NotChanged,
    /// Changed to this value (`None`: to nobody, no department).
    To(Option<String>),
    From(Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TriggerCondition {
    Ticket(Condition),
    /// The subject or the change's text contains one of the phrases (`contains`) or none (`not_contains`). A
    /// phrase is words in a row; a word matches a word of the text with the same stem in a language searched.
    Text {
        contains: bool,
        phrases: Vec<Vec<String>>,
    },
    RequesterEmail {
        is: bool,
        emails: Vec<String>,
    },
    Assignee {
        is: bool,
        id: Option<AgentId>,
    },
    BusinessHours {
        within: bool,
    },
    Changed {
        field: Watched,
        test: ChangeTest,
    },
}

const FIELDS: &str = "priority, status, channel, tags, department_id, company_id, assignee_id, requester_email, \
                      text, business_hours";

impl TriggerCondition {
    pub fn holds(&self, f: &TriggerFacts) -> bool {
        match self {
            TriggerCondition::Ticket(c) => c.holds(&f.ticket()),
            TriggerCondition::Text { contains, phrases } => {
                let texts =
                    f.words.0.get_or_init(|| [analyse(&f.subject), f.text.as_deref().map(analyse).unwrap_or_default()]);
                let found = texts.iter().any(|t| phrases.iter().any(|p| has_phrase(t, p)));
                found == *contains
            }
            TriggerCondition::RequesterEmail { is, emails } => {
                emails.iter().any(|e| e.eq_ignore_ascii_case(&f.requester_email)) == *is
            }
            TriggerCondition::Assignee { is, id } => (f.assignee_id == *id) == *is,
            TriggerCondition::BusinessHours { within } => f.within_business_hours == *within,
            TriggerCondition::Changed { field, test } => changed(*field, test, &f.changes),
        }
    }

    /// Check one condition; errors are named relative to it (`field`, `operator`, `value`).
    pub fn new(c: &ConditionInput) -> Result<TriggerCondition, Invalid> {
        let field = c.field.trim();
        let op = c.operator.trim();
        let watched = match field {
            "status" => Some(Watched::Status),
            "priority" => Some(Watched::Priority),
            "assignee_id" => Some(Watched::Assignee),
            "department_id" => Some(Watched::Department),
            _ => None,
        };
        if let (Some(w), "changed" | "not_changed" | "changed_to" | "changed_from") = (watched, op) {
            return change_condition(w, op, &c.value).map(|test| TriggerCondition::Changed { field: w, test });
        }
        match field {
            "text" => {
                let contains = match op {
                    "contains" => true,
                    "not_contains" => false,
                    _ => return Err(Invalid::field("operator", "must be contains or not_contains")),
                };
                Ok(TriggerCondition::Text { contains, phrases: phrases(&c.value)? })
            }
            "requester_email" => {
                let is = is_op(op)?;
                let emails = strings(&c.value)?.into_iter().map(|e| e.to_ascii_lowercase()).collect();
                Ok(TriggerCondition::RequesterEmail { is, emails })
            }
            "assignee_id" => {
                let is = is_op(op)?;
                let id = match &c.value {
                    Value::Null => None,
                    Value::String(s) => {
                        Some(AgentId::parse(s.trim()).ok_or_else(|| Invalid::field("value", "is not an agent id"))?)
                    }
                    _ => return Err(Invalid::field("value", "must be an agent id or null")),
                };
                Ok(TriggerCondition::Assignee { is, id })
            }
            "business_hours" => {
                if op != "is" {
                    return Err(Invalid::field("operator", "must be is"));
                }
                match c.value.as_str() {
                    Some("within") => Ok(TriggerCondition::BusinessHours { within: true }),
                    Some("outside") => Ok(TriggerCondition::BusinessHours { within: false }),
                    _ => Err(Invalid::field("value", "must be within or outside")),
                }
            }
            "priority" | "status" | "channel" | "tags" | "department_id" | "company_id" => {
                Condition::new(c).map(TriggerCondition::Ticket)
            }
            other => {
                let shown: String = other.chars().take(40).collect();
                Err(Invalid::field("field", format!("'{shown}' is not one of: {FIELDS}")))
            }
        }
    }

    /// The condition as the API shows it; `TriggerCondition::new` of it gives this condition again.
    pub fn to_input(&self) -> ConditionInput {
        let c = |field: &str, operator: &str, value: Value| ConditionInput {
            field: field.into(),
            operator: operator.into(),
            value,
        };
        let list = |items: Vec<String>| match items.as_slice() {
            [one] => Value::String(one.clone()),
            _ => Value::Array(items.into_iter().map(Value::String).collect()),
        };
        match self {
            TriggerCondition::Ticket(t) => t.to_input(),
            TriggerCondition::Text { contains, phrases } => c(
                "text",
                if *contains { "contains" } else { "not_contains" },
                list(phrases.iter().map(|p| p.join(" ")).collect()),
            ),
            TriggerCondition::RequesterEmail { is, emails } => {
                c("requester_email", if *is { "is" } else { "is_not" }, list(emails.clone()))
            }
            TriggerCondition::Assignee { is, id } => c(
                "assignee_id",
                if *is { "is" } else { "is_not" },
                id.map_or(Value::Null, |i| Value::String(i.to_string())),
            ),
            TriggerCondition::BusinessHours { within } => {
                c("business_hours", "is", Value::String(if *within { "within" } else { "outside" }.into()))
            }
            TriggerCondition::Changed { field, test } => {
                let name = match field {
                    Watched::Status => "status",
                    Watched::Priority => "priority",
                    Watched::Assignee => "assignee_id",
                    Watched::Department => "department_id",
                };
                let v = |x: &Option<String>| x.clone().map_or(Value::Null, Value::String);
                match test {
                    ChangeTest::Changed => c(name, "changed", Value::Null),
                    ChangeTest::NotChanged => c(name, "not_changed", Value::Null),
                    ChangeTest::To(x) => c(name, "changed_to", v(x)),
                    ChangeTest::From(x) => c(name, "changed_from", v(x)),
                }
            }
        }
    }
}

fn is_op(op: &str) -> Result<bool, Invalid> {
    match op {
        "is" => Ok(true),
        "is_not" => Ok(false),
        _ => Err(Invalid::field("operator", "must be is or is_not")),
    }
}

/// A string or a non-empty list of strings.
fn strings(value: &Value) -> Result<Vec<String>, Invalid> {
    let bad = || Invalid::field("value", "must be a string or a non-empty list of strings");
    match value {
        Value::String(s) if !s.trim().is_empty() => Ok(vec![s.trim().to_string()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).ok_or_else(bad))
            .collect(),
        _ => Err(bad()),
    }
}

fn phrases(value: &Value) -> Result<Vec<Vec<String>>, Invalid> {
    let out: Vec<Vec<String>> = strings(value)?.iter().map(|s| words(s).collect::<Vec<_>>()).collect();
    if out.iter().any(Vec::is_empty) {
        return Err(Invalid::field("value", "each phrase needs a word (letters or digits)"));
    }
    if out.iter().map(Vec::len).sum::<usize>() > MAX_WORDS {
        return Err(Invalid::field("value", format!("at most {MAX_WORDS} words")));
    }
    Ok(out)
}

fn change_condition(field: Watched, op: &str, value: &Value) -> Result<ChangeTest, Invalid> {
    let target = || -> Result<Option<String>, Invalid> {
        let s = match value {
            Value::Null => return Ok(None),
            Value::String(s) => s.trim(),
            _ => return Err(Invalid::field("value", "must be a string or null")),
        };
        // Checked as the field's values are, and kept in their one spelling.
        let ok = match field {
            Watched::Status => Status::parse(s).map(|v| v.as_str().to_string()),
            Watched::Priority => Priority::parse(s).map(|v| v.as_str().to_string()),
            Watched::Assignee => {
                AgentId::parse(s).map(|v| v.to_string()).ok_or_else(|| Invalid::field("", "is not an agent id"))
            }
            Watched::Department => DepartmentId::parse(s)
                .map(|v| v.to_string())
                .ok_or_else(|| Invalid::field("", "is not a department id")),
        };
        ok.map(Some).map_err(|e| e.at("value"))
    };
    Ok(match op {
        "changed" => ChangeTest::Changed,
        "not_changed" => ChangeTest::NotChanged,
        "changed_to" => ChangeTest::To(target()?),
        _ => ChangeTest::From(target()?),
    })
}

/// Whether the field changed as asked, in any of the changes (a field changed twice was changed to each value).
fn changed(field: Watched, test: &ChangeTest, changes: &[Change]) -> bool {
    let pairs: Vec<(Option<String>, Option<String>)> = changes
        .iter()
        .filter_map(|c| match (field, c) {
            (Watched::Status, Change::Status { from, to }) => {
                Some((Some(from.as_str().to_string()), Some(to.as_str().to_string())))
            }
            (Watched::Priority, Change::Priority { from, to }) => {
                Some((Some(from.as_str().to_string()), Some(to.as_str().to_string())))
            }
            (Watched::Assignee, Change::Assignee { from, to }) => {
                Some((from.map(|a| a.to_string()), to.map(|a| a.to_string())))
            }
            (Watched::Department, Change::Department { from, to }) => {
                Some((from.map(|d| d.to_string()), to.map(|d| d.to_string())))
            }
            _ => None,
        })
        .collect();
    match test {
        ChangeTest::Changed => !pairs.is_empty(),
        ChangeTest::NotChanged => pairs.is_empty(),
        ChangeTest::To(v) => pairs.iter().any(|(_, to)| to == v),
        ChangeTest::From(v) => pairs.iter().any(|(from, _)| from == v),
    }
}

/// Whether the text holds the phrase's words in a row, each word equal or sharing a stem.
fn has_phrase(text: &[(String, Vec<String>)], phrase: &[String]) -> bool {
    if phrase.is_empty() || text.len() < phrase.len() {
        return false;
    }
    let wanted: Vec<(String, Vec<String>)> = phrase.iter().map(|w| (w.clone(), stems(w))).collect();
    let same = |(word, stems): &(String, Vec<String>), (w, s): &(String, Vec<String>)| {
        word == w || stems.iter().any(|x| s.contains(x))
    };
    text.windows(phrase.len()).any(|win| win.iter().zip(&wanted).all(|(have, want)| same(have, want)))
}
