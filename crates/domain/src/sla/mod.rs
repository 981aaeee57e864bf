//! SLA policies: which tickets they apply to, what they promise, and how far each promise has run.
//!
//! A policy has conditions (`all` must hold, and one of `any` when it has some), the statuses that pause its
//! clocks (`pending` unless chosen otherwise) and targets per priority. Policies are ordered; the first that
//! matches a ticket applies ([`first_match`]). [`measure`] computes the state of each target from the ticket's
//! history, much as Zendesk does:
//!
//! - **first_reply** starts when the ticket is created and is met by the first public agent reply.
//! - **next_reply** starts at the earliest customer reply not yet answered, once an agent has replied at least
//!   once (before that, first_reply covers the wait), and is met by the next agent reply. Until such a customer
//!   reply there is no clock and the target is left out; after, the latest cycle is reported.
//! - **periodic_update** starts at creation and again at each agent reply, and is met by the next agent reply; the
//!   current cycle is reported.
//! - **resolution** starts at creation and is met when the ticket becomes resolved or closed. Reopened, it goes on
//!   from the time already spent: it is not reset.
//! - **Stops.** While the ticket is in a pause status, or resolved, closed or spam, no clock runs: that time never
//!   counts, in business or calendar hours. A paused target is `paused` with no due time.
//! - **Done.** A ticket resolved, closed or marked spam meets every target it still owed, at the moment it became
//!   so (a ticket solved without a reply owes none); if it is reopened the owed targets run again from where they
//!   stood.
//! - **Counting.** A target in business hours counts the calendar's business milliseconds ([`Calendar::between`]),
//!   one in calendar hours real milliseconds ([`Calendar::always`]). The due time is where the remaining time runs
//!   out counted from the last resume ([`Calendar::add`]); met exactly at the due time is in time.
//! - **Breach.** A target not met by its due time is `breached` at that instant (which may lie before `now`);
//!   met late, it is `fulfilled` and keeps its `breached_at`.

mod clock;
mod condition;
mod input;
mod policy;
mod progress;
mod record;

#[cfg(test)]
mod tests;

pub use clock::{measure, ClockState, HistoryEvent, TargetState, TicketHistory};
pub use condition::{Condition, TicketFacts};
pub use input::{ConditionInput, ConditionsInput, SlaPolicyInput, TargetInput};
pub use policy::{first_match, Metric, SlaPolicy, Target};
pub use progress::{progress, CurrentSla, Progress, SlaRecord, SlaSummary, WARNING_MS};
pub use record::SlaPolicyRecord;

#[cfg(doc)]
use crate::business_hours::Calendar;
