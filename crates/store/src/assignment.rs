//! Assignment of new tickets: the account's settings, and saving an assignment with the turn it took.

use crate::{StoreError, TicketChange};
use async_trait::async_trait;
use parley_domain::assignment::AssignmentSettings;
use parley_domain::ids::{AccountId, AgentId, DepartmentId};
use parley_domain::Timestamp;

#[async_trait]
pub trait AssignmentStore: Send + Sync {
    /// The account's settings; `None` when never set (assignment is off).
    async fn assignment_settings(&self, account: AccountId) -> Result<Option<AssignmentSettings>, StoreError>;
    async fn set_assignment_settings(
        &self,
        account: AccountId,
        settings: &AssignmentSettings,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The accounts of this database that have assignment switched on.
    async fn accounts_assigning(&self) -> Result<Vec<AccountId>, StoreError>;
    /// Saves an assignment to `agent` as a change of the ticket (queued for the triggers like any), with the
    /// round-robin turn it took, if the agent still has fewer than `max_open` open tickets then (counted in the
    /// unit of work, the agent's row locked, so processes assigning at once never give one agent more).
    /// `StoreError::Stale` when the ticket changed since it was read or the agent reached the limit.
    async fn save_assignment(
        &self,
        change: TicketChange,
        agent: AgentId,
        max_open: u32,
        turn: Option<(Option<DepartmentId>, AgentId)>,
    ) -> Result<(), StoreError>;
}
