//! A checked trigger: its events, conditions and actions; and the record an account keeps of it.

use super::action::TriggerAction;
use super::condition::{TriggerCondition, TriggerFacts};
use super::event::TriggerEvent;
use super::input::TriggerInput;
use crate::error::Checker;
use crate::ids::{AccountId, TriggerId};
use crate::sla::{ConditionInput, ConditionsInput};
use crate::text::checked_text;
use crate::ticket_action::FieldDefs;
use crate::{Invalid, Timestamp};

const MAX_NAME_CHARS: usize = 200;
const MAX_CONDITIONS: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    name: String,
    position: Option<i64>,
    active: bool,
    events: Vec<TriggerEvent>,
    all: Vec<TriggerCondition>,
    any: Vec<TriggerCondition>,
    actions: Vec<TriggerAction>,
}

impl Trigger {
    /// Check a trigger as sent; every bad field is named at once. Custom fields in `set` actions are checked
    /// against `defs`.
    pub fn new(input: &TriggerInput, defs: FieldDefs<'_>) -> Result<Trigger, Invalid> {
        let mut errs = Checker::new();
        let name = errs.check(checked_text("name", &input.name, MAX_NAME_CHARS, false));
        let mut events = Vec::new();
        if input.events.is_empty() {
            errs.add("events", "name at least one event");
        }
        for (i, e) in input.events.iter().enumerate() {
            if let Some(e) = errs.check(TriggerEvent::parse(e.trim()).map_err(|x| x.at(&format!("events[{i}]")))) {
                if !events.contains(&e) {
                    events.push(e);
                }
            }
        }
        let all = conditions(&mut errs, "all", &input.conditions.all);
        let any = conditions(&mut errs, "any", &input.conditions.any);
        let actions = errs.check(TriggerAction::parse_list(&input.actions, defs));
        errs.finish()?;
        let (Some(name), Some(actions)) = (name, actions) else {
            return Err(Invalid::field("trigger", "could not be read"));
        };
        Ok(Trigger { name, position: input.position, active: input.active, events, all, any, actions })
    }

    /// The trigger as the API shows it; `Trigger::new` of it gives this trigger again.
    pub fn to_input(&self) -> TriggerInput {
        TriggerInput {
            name: self.name.clone(),
            position: self.position,
            active: self.active,
            events: self.events.iter().map(|e| e.as_str().to_string()).collect(),
            conditions: ConditionsInput {
                all: self.all.iter().map(TriggerCondition::to_input).collect(),
                any: self.any.iter().map(TriggerCondition::to_input).collect(),
            },
            actions: self.actions.iter().map(TriggerAction::to_json).collect(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn active(&self) -> bool {
        self.active
    }

    pub fn events(&self) -> &[TriggerEvent] {
        &self.events
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

    /// Whether it runs on one of these events.
    pub fn runs_on(&self, events: &[TriggerEvent]) -> bool {
        self.active && self.events.iter().any(|e| events.contains(e))
    }

    /// Every `all` condition holds and, when `any` has some, one of them.
    pub fn matches(&self, f: &TriggerFacts) -> bool {
        self.all.iter().all(|c| c.holds(f)) && (self.any.is_empty() || self.any.iter().any(|c| c.holds(f)))
    }

    /// Whether a condition asks about business hours (so the caller knows it must find out).
    pub fn asks_business_hours(&self) -> bool {
        self.all.iter().chain(&self.any).any(|c| matches!(c, TriggerCondition::BusinessHours { .. }))
    }

    /// Whether a condition asks about the requester's company.
    pub fn asks_company(&self) -> bool {
        self.all.iter().chain(&self.any).any(|c| matches!(c, TriggerCondition::Ticket(t) if t.asks_company()))
    }

    /// The `all` and `any` conditions, as checked.
    pub fn conditions(&self) -> (&[TriggerCondition], &[TriggerCondition]) {
        (&self.all, &self.any)
    }
}

fn conditions(errs: &mut Checker, list: &str, input: &[ConditionInput]) -> Vec<TriggerCondition> {
    if input.len() > MAX_CONDITIONS {
        errs.add(format!("conditions.{list}"), format!("must be at most {MAX_CONDITIONS}"));
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, c) in input.iter().enumerate() {
        let checked = TriggerCondition::new(c).map_err(|e| e.within(&format!("conditions.{list}[{i}]")));
        if let Some(c) = errs.check(checked) {
            out.push(c);
        }
    }
    out
}

/// A trigger as an account keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerRecord {
    pub id: TriggerId,
    pub account_id: AccountId,
    /// Lower first: triggers run in this order.
    pub position: i64,
    pub trigger: Trigger,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
