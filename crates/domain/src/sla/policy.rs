//! A checked SLA policy: its conditions, the statuses that pause it, and its targets per priority.

use super::condition::{Condition, TicketFacts};
use super::input::{ConditionInput, ConditionsInput, SlaPolicyInput, TargetInput};
use crate::error::Checker;
use crate::text::{checked_text, optional_text};
use crate::ticket::{Priority, Status};
use crate::Invalid;
use serde::{Deserialize, Serialize};

const MAX_NAME_CHARS: usize = 200;
const MAX_CONDITIONS: usize = 50;
/// A year of minutes: no help desk promises an answer later than that.
const MAX_MINUTES: i64 = 525_600;
const MAX_ID_CHARS: usize = 100;

/// What a target measures; see the module doc for when each clock starts and stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    FirstReply,
    NextReply,
    PeriodicUpdate,
    Resolution,
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::FirstReply, Metric::NextReply, Metric::PeriodicUpdate, Metric::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstReply => "first_reply",
            Metric::NextReply => "next_reply",
            Metric::PeriodicUpdate => "periodic_update",
            Metric::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Result<Metric, Invalid> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| {
            Invalid::field("metric", "must be one of: first_reply, next_reply, periodic_update, resolution")
        })
    }
}

/// One promise: tickets of `priority` get `metric` within `minutes`, counted in business or calendar hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub priority: Priority,
    pub metric: Metric,
    pub minutes: u32,
    pub business_hours: bool,
}

impl Target {
    pub fn millis(&self) -> i64 {
        i64::from(self.minutes) * 60_000
    }
}

/// A checked SLA policy, built by [`SlaPolicy::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    name: String,
    position: Option<i64>,
    business_hours_id: Option<String>,
    all: Vec<Condition>,
    any: Vec<Condition>,
    pause_statuses: Vec<Status>,
    targets: Vec<Target>,
}

impl SlaPolicy {
    /// Check a policy as sent. Every bad field is named, all at once: `name`, `conditions.all[0].field`,
    /// `pause_statuses[1]`, `targets[2].minutes`, …
    pub fn new(input: &SlaPolicyInput) -> Result<SlaPolicy, Invalid> {
        let mut errs = Checker::new();
        let name = errs.check(checked_text("name", &input.name, MAX_NAME_CHARS, false));
        let business_hours_id =
            errs.check(optional_text("business_hours_id", input.business_hours_id.as_deref(), MAX_ID_CHARS));
        let all = conditions(&mut errs, "all", &input.conditions.all);
        let any = conditions(&mut errs, "any", &input.conditions.any);
        let pause_statuses = pause_statuses(&mut errs, input.pause_statuses.as_deref());
        let targets = targets(&mut errs, &input.targets);
        errs.finish()?;
        let (Some(name), Some(business_hours_id)) = (name, business_hours_id) else {
            // finish() returned Ok, so both were checked and kept.
            return Err(Invalid::field("policy", "could not be read"));
        };
        Ok(SlaPolicy { name, position: input.position, business_hours_id, all, any, pause_statuses, targets })
    }

    /// The policy as the API shows it; `SlaPolicy::new` of it gives this policy again.
    pub fn to_input(&self) -> SlaPolicyInput {
        SlaPolicyInput {
            name: self.name.clone(),
            position: self.position,
            business_hours_id: self.business_hours_id.clone(),
            conditions: ConditionsInput {
                all: self.all.iter().map(Condition::to_input).collect(),
                any: self.any.iter().map(Condition::to_input).collect(),
            },
            pause_statuses: Some(self.pause_statuses.iter().map(|s| s.as_str().to_string()).collect()),
            targets: self
                .targets
                .iter()
                .map(|t| TargetInput {
                    priority: t.priority.as_str().into(),
                    metric: t.metric.as_str().into(),
                    minutes: i64::from(t.minutes),
                    business_hours: t.business_hours,
                })
                .collect(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn position(&self) -> Option<i64> {
        self.position
    }

    /// Opaque here: the application checks it names the account's business hours.
    pub fn business_hours_id(&self) -> Option<&str> {
        self.business_hours_id.as_deref()
    }

    pub fn pause_statuses(&self) -> &[Status] {
        &self.pause_statuses
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The targets a ticket of `priority` is held to, in the order given.
    pub fn targets_for(&self, priority: Priority) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter(move |t| t.priority == priority)
    }

    /// Whether the policy applies to the ticket: every `all` condition holds and, when `any` has some, one of them.
    /// Whether a condition asks about the requester's company.
    pub fn asks_company(&self) -> bool {
        self.all.iter().chain(&self.any).any(Condition::asks_company)
    }

    pub fn matches(&self, facts: &TicketFacts<'_>) -> bool {
        self.all.iter().all(|c| c.holds(facts)) && (self.any.is_empty() || self.any.iter().any(|c| c.holds(facts)))
    }
}

/// The policy that applies to a ticket: the first that matches, in the order given (the caller sorts by position).
pub fn first_match<'a>(policies: &'a [SlaPolicy], facts: &TicketFacts<'_>) -> Option<&'a SlaPolicy> {
    policies.iter().find(|p| p.matches(facts))
}

fn conditions(errs: &mut Checker, list: &str, input: &[ConditionInput]) -> Vec<Condition> {
    if input.len() > MAX_CONDITIONS {
        errs.add(format!("conditions.{list}"), format!("must be at most {MAX_CONDITIONS}"));
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, c) in input.iter().enumerate() {
        if let Some(c) = errs.check(Condition::new(c).map_err(|e| e.within(&format!("conditions.{list}[{i}]")))) {
            out.push(c);
        }
    }
    out
}

/// `["pending"]` when left out. New and open tickets are the ones waiting on the desk, so they cannot pause it.
fn pause_statuses(errs: &mut Checker, input: Option<&[String]>) -> Vec<Status> {
    let Some(input) = input else { return vec![Status::Pending] };
    let mut out = Vec::with_capacity(input.len());
    for (i, s) in input.iter().enumerate() {
        let field = format!("pause_statuses[{i}]");
        match Status::parse(s.trim()) {
            Ok(Status::New | Status::Open) => errs.add(field, "new and open tickets cannot pause the clocks"),
            Ok(status) if !out.contains(&status) => out.push(status),
            Ok(_) => {}
            Err(e) => errs.add(field, e.lines().join("; ")),
        }
    }
    out
}

fn targets(errs: &mut Checker, input: &[TargetInput]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::with_capacity(input.len());
    for (i, t) in input.iter().enumerate() {
        let priority = errs.check(Priority::parse(t.priority.trim()).map_err(|e| e.within(&format!("targets[{i}]"))));
        let metric = errs.check(Metric::parse(t.metric.trim()).map_err(|e| e.within(&format!("targets[{i}]"))));
        let minutes = u32::try_from(t.minutes).ok().filter(|m| (1..=MAX_MINUTES).contains(&i64::from(*m)));
        if minutes.is_none() {
            errs.add(format!("targets[{i}].minutes"), format!("must be from 1 to {MAX_MINUTES}"));
        }
        let (Some(priority), Some(metric), Some(minutes)) = (priority, metric, minutes) else { continue };
        if out.iter().any(|o| o.priority == priority && o.metric == metric) {
            errs.add(
                format!("targets[{i}]"),
                format!("a second {metric} target for {priority} tickets", metric = metric.as_str()),
            );
            continue;
        }
        out.push(Target { priority, metric, minutes, business_hours: t.business_hours });
    }
    out
}
