//! Triggers: rules an account keeps ([`rules`]: made, ordered, changed, deleted by administrators, audited), run
//! by every serving process over each change to a ticket shortly after it is saved ([`runner`]), and tried on a
//! ticket without changing anything ([`dry_run`]).
//!
//! Every unit of work that changes a ticket queues what the change was (when the account has an active trigger);
//! a runner takes it, runs the triggers in the account's order ([`parley_domain::trigger::run`]) and writes what
//! they did in the unit of work that takes it — so each change is run once, by one process, and what the
//! triggers change is not queued again: a trigger never runs on its own change.

mod dry_run;
pub(crate) mod effects;
pub(crate) mod on_open;
pub(crate) mod rules;
pub mod runner;

pub use dry_run::{test_triggers, TriedTrigger, TriggerTest};
pub use rules::{
    create_trigger, delete_trigger, get_trigger, list_triggers, move_trigger, update_trigger, TriggerPatch,
    MAX_TRIGGERS,
};
