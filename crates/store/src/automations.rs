use crate::{StoreError, TicketChange};
use async_trait::async_trait;
use parley_domain::automation::{AutomationRecord, Since};
use parley_domain::ids::{AccountId, AutomationId, TicketId};
use parley_domain::ticket::Status;
use parley_domain::Timestamp;

/// What an automation did to one ticket, written with the record that it fired for this moment.
pub struct AutomationApplied {
    pub account_id: AccountId,
    pub automation_id: AutomationId,
    pub ticket_id: TicketId,
    /// The moment it counted from.
    pub since_at: Timestamp,
    pub fired_at: Timestamp,
    /// `None` when its conditions did not hold (it is not looked at again for this moment).
    pub change: Option<TicketChange>,
    /// The round-robin turns its assignments took, by department.
    pub turns: Vec<(Option<parley_domain::ids::DepartmentId>, parley_domain::ids::AgentId)>,
}

/// The account's automations, in their order, and the tickets whose time has come.
#[async_trait]
pub trait AutomationStore: Send + Sync {
    async fn insert_automation(&self, a: &AutomationRecord) -> Result<(), StoreError>;
    /// `NotFound` if the account has no such automation.
    async fn update_automation(&self, a: &AutomationRecord) -> Result<(), StoreError>;
    async fn get_automation(
        &self,
        account: AccountId,
        id: AutomationId,
    ) -> Result<Option<AutomationRecord>, StoreError>;
    /// By position, then by when they were made.
    async fn list_automations(&self, account: AccountId) -> Result<Vec<AutomationRecord>, StoreError>;
    /// Accounts with an active automation.
    async fn accounts_with_automations(&self) -> Result<Vec<AccountId>, StoreError>;
    /// `NotFound` if the account has no such automation.
    async fn delete_automation(&self, account: AccountId, id: AutomationId) -> Result<(), StoreError>;
    /// Tickets (with the moment they count from) whose moment is at or before `before`, in one of `statuses`
    /// when given, that the automation has not fired on for that moment; oldest first.
    async fn automation_candidates(
        &self,
        account: AccountId,
        automation: AutomationId,
        since: Since,
        before: Timestamp,
        statuses: Option<&[Status]>,
        limit: usize,
    ) -> Result<Vec<(TicketId, Timestamp)>, StoreError>;
    /// Records the firing and saves the change in one unit of work; `Ok(false)` and nothing written when it had
    /// already fired for this moment (another process was first); `Err(Stale)` when the ticket changed meanwhile.
    async fn apply_automation(&self, a: AutomationApplied) -> Result<bool, StoreError>;
}
