//! Triggers: rules an account writes as data — on these events, when these conditions hold, do these actions —
//! run over every change to a ticket in the account's order (see [`run`]). Rules are data, never code: no
//! expression language, nothing that reaches outside the ticket.

mod action;
mod condition;
mod engine;
mod event;
mod input;
mod rule;

#[cfg(test)]
mod tests;

pub use action::{expand_macros, Recipient, Strategy, TriggerAction};
pub use condition::{ChangeTest, TextWords, TriggerCondition, TriggerFacts, Watched};
pub use engine::{apply_actions, run, Fired, Run, MAX_FIRINGS};
pub use event::{Activity, Change, TriggerEvent};
pub use input::TriggerInput;
pub use rule::{Trigger, TriggerRecord};
