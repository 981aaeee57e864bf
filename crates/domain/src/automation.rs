//! Automations (time rules): the triggers' conditions and actions, run not on an event but when a time has passed
//! since a moment of the ticket — created, last updated, status last changed, solved — counted in calendar or
//! business hours. Each fires once for a ticket per moment (a ticket solved again counts anew).

use crate::error::Checker;
use crate::ids::{AccountId, AutomationId};
use crate::sla::{ConditionInput, ConditionsInput};
use crate::text::checked_text;
use crate::ticket::Status;
use crate::ticket_action::FieldDefs;
use crate::trigger::{TriggerAction, TriggerCondition, TriggerFacts};
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

const MAX_NAME_CHARS: usize = 200;
const MAX_CONDITIONS: usize = 50;
/// Ten years of hours.
const MAX_HOURS: i64 = 87_600;

/// The moment an automation counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Since {
    Created,
    Updated,
    StatusChanged,
    /// When the ticket became resolved; only resolved tickets have it.
    Solved,
}

impl Since {
    pub const ALL: [Since; 4] = [Since::Created, Since::Updated, Since::StatusChanged, Since::Solved];

    pub fn as_str(self) -> &'static str {
        match self {
            Since::Created => "created",
            Since::Updated => "updated",
            Since::StatusChanged => "status_changed",
            Since::Solved => "solved",
        }
    }

    pub fn parse(s: &str) -> Result<Since, Invalid> {
        Since::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| Invalid::field("", "must be created, updated, status_changed or solved"))
    }
}

/// `{"hours": 96, "since": "solved", "business_hours": false}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterInput {
    pub hours: i64,
    pub since: String,
    #[serde(default)]
    pub business_hours: bool,
}

/// An automation as sent: `{"name", "position"?, "active"?, "after", "conditions", "actions"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomationInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
    pub after: AfterInput,
    #[serde(default)]
    pub conditions: ConditionsInput,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<serde_json::Value>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq)]
pub struct Automation {
    name: String,
    position: Option<i64>,
    active: bool,
    hours: u32,
    since: Since,
    business_hours: bool,
    all: Vec<TriggerCondition>,
    any: Vec<TriggerCondition>,
    actions: Vec<TriggerAction>,
}

impl Automation {
    pub fn new(input: &AutomationInput, defs: FieldDefs<'_>) -> Result<Automation, Invalid> {
        let mut errs = Checker::new();
        let name = errs.check(checked_text("name", &input.name, MAX_NAME_CHARS, false));
        let hours = u32::try_from(input.after.hours).ok().filter(|h| (1..=MAX_HOURS).contains(&i64::from(*h)));
        if hours.is_none() {
            errs.add("after.hours", format!("must be from 1 to {MAX_HOURS}"));
        }
        let since = errs.check(Since::parse(input.after.since.trim()).map_err(|e| e.at("after.since")));
        let all = conditions(&mut errs, "all", &input.conditions.all);
        let any = conditions(&mut errs, "any", &input.conditions.any);
        let actions = errs.check(TriggerAction::parse_list(&input.actions, defs));
        errs.finish()?;
        let (Some(name), Some(hours), Some(since), Some(actions)) = (name, hours, since, actions) else {
            return Err(Invalid::field("automation", "could not be read"));
        };
        Ok(Automation {
            name,
            position: input.position,
            active: input.active,
            hours,
            since,
            business_hours: input.after.business_hours,
            all,
            any,
            actions,
        })
    }

    pub fn to_input(&self) -> AutomationInput {
        AutomationInput {
            name: self.name.clone(),
            position: self.position,
            active: self.active,
            after: AfterInput {
                hours: i64::from(self.hours),
                since: self.since.as_str().into(),
                business_hours: self.business_hours,
            },
            conditions: ConditionsInput {
                all: self.all.iter().map(TriggerCondition::to_input).collect(),
                any: self.any.iter().map(TriggerCondition::to_input).collect(),
            },
            actions: self.actions.iter().map(TriggerAction::to_json).collect(),
        }
    }

    /// The rule that closes solved tickets after four days, which every new account starts with.
    pub fn close_solved() -> AutomationInput {
        AutomationInput {
            name: "Close solved tickets after 4 days".into(),
            position: None,
            active: true,
            after: AfterInput { hours: 96, since: "solved".into(), business_hours: false },
            conditions: ConditionsInput {
                all: vec![ConditionInput {
                    field: "status".into(),
                    operator: "is".into(),
                    value: serde_json::Value::String("resolved".into()),
                }],
                any: Vec::new(),
            },
            actions: vec![serde_json::json!({"action": "set", "field": "status", "value": "closed"})],
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn active(&self) -> bool {
        self.active
    }

    pub fn hours(&self) -> u32 {
        self.hours
    }

    pub fn since(&self) -> Since {
        self.since
    }

    pub fn business_hours(&self) -> bool {
        self.business_hours
    }

    /// The rule to run: each `apply_macro` replaced by what its macro does now (see
    /// [`crate::trigger::expand_macros`]). Only for running; what is shown and saved keeps the macro's id.
    pub fn with_macros(&self, macros: &dyn Fn(crate::ids::MacroId) -> Option<crate::canned::Macro>) -> Self {
        let mut r = self.clone();
        r.actions = crate::trigger::expand_macros(&self.actions, macros);
        r
    }

    /// Whether an action applies a macro.
    pub fn applies_macros(&self) -> bool {
        self.actions.iter().any(|a| matches!(a, TriggerAction::ApplyMacro { .. }))
    }

    pub fn actions(&self) -> &[TriggerAction] {
        &self.actions
    }

    /// The statuses a ticket must be in for the rule to hold, when its `all` conditions say so: the candidates
    /// are read by them (an index of status and time), never by reading every ticket.
    pub fn statuses(&self) -> Option<Vec<Status>> {
        let mut out: Option<Vec<Status>> = None;
        for c in &self.all {
            if let TriggerCondition::Ticket(crate::sla::Condition::Status { is: true, values }) = c {
                out = Some(match out {
                    None => values.clone(),
                    Some(prev) => prev.into_iter().filter(|s| values.contains(s)).collect(),
                });
            }
        }
        if self.since == Since::Solved {
            let solved = vec![Status::Resolved];
            out = Some(out.map_or(solved.clone(), |o| o.into_iter().filter(|s| solved.contains(s)).collect()));
        }
        out
    }

    /// The `all` and `any` conditions, as checked.
    pub fn conditions(&self) -> (&[TriggerCondition], &[TriggerCondition]) {
        (&self.all, &self.any)
    }

    /// Whether a condition asks about business hours (so the caller knows it must find out).
    pub fn asks_business_hours(&self) -> bool {
        self.all.iter().chain(&self.any).any(|c| matches!(c, TriggerCondition::BusinessHours { .. }))
    }

    pub fn matches(&self, f: &TriggerFacts) -> bool {
        self.all.iter().all(|c| c.holds(f)) && (self.any.is_empty() || self.any.iter().any(|c| c.holds(f)))
    }
}

fn conditions(errs: &mut Checker, list: &str, input: &[ConditionInput]) -> Vec<TriggerCondition> {
    if input.len() > MAX_CONDITIONS {
        errs.add(format!("conditions.{list}"), format!("must be at most {MAX_CONDITIONS}"));
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, c) in input.iter().enumerate() {
        let field = format!("conditions.{list}[{i}]");
        match TriggerCondition::new(c).map_err(|e| e.within(&field)) {
            // A time rule sees no change: a condition on one could never hold.
            Ok(TriggerCondition::Changed { .. }) => {
                errs.add(format!("{field}.operator"), "a time rule looks at the ticket, not at a change")
            }
            Ok(c) => out.push(c),
            Err(e) => {
                errs.check::<()>(Err(e));
            }
        }
    }
    out
}

/// An automation as an account keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct AutomationRecord {
    pub id: AutomationId,
    pub account_id: AccountId,
    pub position: i64,
    pub automation: Automation,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_default_rule_reads_back_and_looks_only_at_solved_tickets() {
        let a = Automation::new(&Automation::close_solved(), FieldDefs::Trusted).unwrap();
        assert_eq!(a.to_input(), Automation::close_solved());
        assert_eq!((a.hours(), a.since()), (96, Since::Solved));
        assert_eq!(a.statuses(), Some(vec![Status::Resolved]));
    }

    #[test]
    fn bad_rules_are_refused_with_every_field_named() {
        let input: AutomationInput =
            serde_json::from_value(json!({"name": "", "after": {"hours": 0, "since": "birth"},
            "conditions": {"all": [{"field": "status", "operator": "changed_to", "value": "closed"}]},
            "actions": []}))
            .unwrap();
        let e = Automation::new(&input, FieldDefs::Trusted).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "after.hours", "after.since", "conditions.all[0].operator", "actions"]);
    }
}
