//! Automations (time rules): made, ordered, changed and deleted by administrators ([`rules`]), and run by every
//! serving process over the tickets whose time has come ([`runner`]).

mod rules;
pub mod runner;

pub(crate) use rules::add_default;
pub use rules::{
    create_automation, delete_automation, get_automation, list_automations, move_automation, update_automation,
    AutomationPatch, MAX_AUTOMATIONS,
};
