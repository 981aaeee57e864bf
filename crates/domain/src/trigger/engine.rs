//! Running an account's triggers over one change to a ticket: in the account's order, each seeing what earlier
//! ones changed, each firing at most once per change — so two triggers that undo each other fire once each and
//! stop, instead of feeding each other (the loops peers fall into).
//!
//! After a trigger fires the run starts again from the top, so that an earlier trigger may answer a later one's
//! change (as Zendesk's cycle does); it ends when a pass fires nothing. With each trigger firing at most once the
//! passes are bounded by the number of triggers; [`MAX_FIRINGS`] bounds them further and the run says it stopped.

use super::action::{Strategy, TriggerAction};
use super::condition::TriggerFacts;
use super::event::{Change, TriggerEvent};
use super::rule::Trigger;
use crate::ids::{AgentId, DepartmentId, TriggerId};
use crate::ticket_action::{SetField, TicketAction};

/// The most triggers that fire on one change.
pub const MAX_FIRINGS: usize = 50;

/// A trigger that fired, with what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub id: TriggerId,
    pub name: String,
    /// Its actions, with an assignment by strategy resolved to the agent picked (or none available).
    pub actions: Vec<TriggerAction>,
}

/// The outcome of a run: what fired, in order, and the ticket as it stands after.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub fired: Vec<Fired>,
    pub facts: TriggerFacts,
    /// Set when the run stopped at [`MAX_FIRINGS`] with triggers still wanting to fire.
    pub stopped: bool,
}

/// Runs `triggers` (the account's, in order) over a change that was `events`. `pick` chooses an agent of a
/// department by a strategy (among those available; `None` if nobody is).
pub fn run(
    triggers: &[(TriggerId, &Trigger)],
    events: &[TriggerEvent],
    mut facts: TriggerFacts,
    pick: &mut dyn FnMut(Option<DepartmentId>, Strategy) -> Option<AgentId>,
) -> Run {
    let mut fired: Vec<Fired> = Vec::new();
    let mut stopped = false;
    'passes: loop {
        for (id, t) in triggers {
            if fired.iter().any(|f| f.id == *id) || !t.runs_on(events) || !t.matches(&facts) {
                continue;
            }
            if fired.len() >= MAX_FIRINGS {
                stopped = true;
                break 'passes;
            }
            let actions = t.actions().iter().map(|a| apply(a, &mut facts, pick)).collect();
            fired.push(Fired { id: *id, name: t.name().to_string(), actions });
            continue 'passes;
        }
        break;
    }
    Run { fired, facts, stopped }
}

/// Applies actions in order to the ticket as `facts` has it (an automation's, which has no run of its own);
/// returns them as done (an assignment by strategy with the agent picked).
pub fn apply_actions(
    actions: &[TriggerAction],
    facts: &mut TriggerFacts,
    pick: &mut dyn FnMut(Option<DepartmentId>, Strategy) -> Option<AgentId>,
) -> Vec<TriggerAction> {
    actions.iter().map(|a| apply(a, facts, pick)).collect()
}

/// Applies one action to the ticket as the run sees it, recording the change; returns the action as done.
fn apply(
    a: &TriggerAction,
    f: &mut TriggerFacts,
    pick: &mut dyn FnMut(Option<DepartmentId>, Strategy) -> Option<AgentId>,
) -> TriggerAction {
    match a {
        TriggerAction::Ticket(TicketAction::Set(s)) => {
            match s {
                SetField::Status(v) if f.status != *v => {
                    f.changes.push(Change::Status { from: f.status, to: *v });
                    f.status = *v;
                }
                SetField::Priority(v) if f.priority != *v => {
                    f.changes.push(Change::Priority { from: f.priority, to: *v });
                    f.priority = *v;
                }
                SetField::Assignee(v) => set_assignee(f, *v),
                SetField::Department(v) => set_department(f, *v),
                SetField::Subject(v) if f.subject != *v => {
                    f.changes.push(Change::Subject);
                    f.subject = v.clone();
                    f.words = Default::default();
                }
                _ => {}
            }
            a.clone()
        }
        TriggerAction::Ticket(TicketAction::AddTags(tags)) => {
            let added: Vec<_> = tags.iter().filter(|t| !f.tags.contains(t)).cloned().collect();
            if !added.is_empty() {
                f.tags.extend(added.iter().cloned());
                f.changes.push(Change::Tags { added, removed: Vec::new() });
            }
            a.clone()
        }
        TriggerAction::Ticket(TicketAction::RemoveTags(tags)) => {
            let removed: Vec<_> = tags.iter().filter(|t| f.tags.contains(t)).cloned().collect();
            if !removed.is_empty() {
                f.tags.retain(|t| !removed.contains(t));
                f.changes.push(Change::Tags { added: Vec::new(), removed });
            }
            a.clone()
        }
        TriggerAction::Assign { department, agent, strategy } => {
            if department.is_some() {
                set_department(f, *department);
            }
            let chosen = match (agent, strategy) {
                (Some(a), _) => Some(*a),
                (None, Some(s)) => pick(f.department_id, *s),
                (None, None) => None,
            };
            if let Some(a) = chosen {
                set_assignee(f, Some(a));
            }
            TriggerAction::Assign { department: *department, agent: chosen, strategy: *strategy }
        }
        TriggerAction::AddNote { .. }
        | TriggerAction::SendMail { .. }
        | TriggerAction::NotifyWebhook { .. }
        | TriggerAction::ApplyMacro { .. } => a.clone(),
    }
}

fn set_assignee(f: &mut TriggerFacts, v: Option<AgentId>) {
    if f.assignee_id != v {
        f.changes.push(Change::Assignee { from: f.assignee_id, to: v });
        f.assignee_id = v;
    }
}

fn set_department(f: &mut TriggerFacts, v: Option<DepartmentId>) {
    if f.department_id != v {
        f.changes.push(Change::Department { from: f.department_id, to: v });
        f.department_id = v;
    }
}
