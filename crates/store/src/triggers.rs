use crate::{StoreError, TicketChange};
use async_trait::async_trait;
use parley_domain::ids::{AccountId, AgentId, DepartmentId, TicketId, TriggerId};
use parley_domain::trigger::{Activity, TriggerRecord};
use parley_domain::Timestamp;

/// The account's triggers, in their order.
#[async_trait]
pub trait TriggerStore: Send + Sync {
    async fn insert_trigger(&self, t: &TriggerRecord) -> Result<(), StoreError>;
    /// `NotFound` if the account has no such trigger.
    async fn update_trigger(&self, t: &TriggerRecord) -> Result<(), StoreError>;
    async fn get_trigger(&self, account: AccountId, id: TriggerId) -> Result<Option<TriggerRecord>, StoreError>;
    /// By position, then by when they were made.
    async fn list_triggers(&self, account: AccountId) -> Result<Vec<TriggerRecord>, StoreError>;
    /// `NotFound` if the account has no such trigger.
    async fn delete_trigger(&self, account: AccountId, id: TriggerId) -> Result<(), StoreError>;
    /// The revision of the account's rules (triggers, SLA policies, business hours and the departments' hours):
    /// it changes whenever any of them is written or deleted, by any process. 0 for an unknown account.
    async fn rules_rev(&self, account: AccountId) -> Result<i64, StoreError>;
}

/// One change to a ticket waiting for the account's triggers.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedActivity {
    pub id: String,
    pub account_id: AccountId,
    pub ticket_id: TicketId,
    /// The ticket's version the change made.
    pub version: i64,
    pub activity: Activity,
    pub created_at: Timestamp,
}

/// What running the triggers over one queued change did: the change to the ticket (none when nothing fired or
/// nothing changed), written in the unit of work that takes the queued change.
pub struct TriggersApplied {
    pub account_id: AccountId,
    pub queued_id: String,
    pub change: Option<TicketChange>,
    /// Agents given the ticket by round robin, with the department whose turn it was.
    pub turns: Vec<(Option<DepartmentId>, AgentId)>,
    pub at: Timestamp,
}

/// Changes waiting for triggers (see migration 0026).
#[async_trait]
pub trait TriggerQueue: Send + Sync {
    /// The oldest waiting changes across the database's accounts, a ticket's in the order they were made.
    async fn queued_activity(&self, limit: usize) -> Result<Vec<QueuedActivity>, StoreError>;
    /// Takes the queued change and saves what the triggers did (which queues nothing for triggers: a trigger
    /// never runs on its own change). `Ok(false)` and nothing written when another runner took it first;
    /// `Err(Stale)` when the ticket changed since it was read (the change is left to be run again).
    async fn apply_triggers(&self, a: TriggersApplied) -> Result<bool, StoreError>;
    /// Queues a change made outside a ticket's own save (an SLA warning or breach), if the account has an active
    /// trigger.
    async fn queue_activity(&self, q: &QueuedActivity) -> Result<(), StoreError>;
    /// When each of `agents` was last given a ticket of `department` by round robin (never: not listed).
    async fn last_turns(
        &self,
        account: AccountId,
        department: Option<DepartmentId>,
        agents: &[AgentId],
    ) -> Result<Vec<(AgentId, Timestamp)>, StoreError>;
    /// How many tickets waiting on the desk (new, open, pending) each of `agents` has.
    async fn open_tickets_of(&self, account: AccountId, agents: &[AgentId]) -> Result<Vec<(AgentId, i64)>, StoreError>;
}
