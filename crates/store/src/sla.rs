use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, SlaPolicyId};
use parley_domain::sla::SlaPolicyRecord;

/// The account's SLA policies, in their order.
#[async_trait]
pub trait SlaPolicyStore: Send + Sync {
    async fn insert_sla_policy(&self, p: &SlaPolicyRecord) -> Result<(), StoreError>;
    /// `NotFound` if the account has no such policy.
    async fn update_sla_policy(&self, p: &SlaPolicyRecord) -> Result<(), StoreError>;
    async fn get_sla_policy(&self, account: AccountId, id: SlaPolicyId) -> Result<Option<SlaPolicyRecord>, StoreError>;
    /// By position, then by when they were made.
    async fn list_sla_policies(&self, account: AccountId) -> Result<Vec<SlaPolicyRecord>, StoreError>;
    /// `NotFound` if the account has no such policy.
    async fn delete_sla_policy(&self, account: AccountId, id: SlaPolicyId) -> Result<(), StoreError>;
}

/// What is kept with a ticket of its SLA, as read for a new look.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSla {
    pub record: Option<parley_domain::sla::SlaRecord>,
    /// How many records were written: a new one is stored only over the one that was read.
    pub rev: i64,
}

/// A new look at a ticket's SLA, stored with what it tells in one unit of work.
#[derive(Debug, Clone)]
pub struct SlaWrite {
    pub account_id: AccountId,
    pub ticket_id: parley_domain::ids::TicketId,
    /// The ticket as measured: a change since then asks for another look, so this one is dropped.
    pub expected_version: i64,
    pub expected_rev: i64,
    pub record: Option<parley_domain::sla::SlaRecord>,
    pub due_at: Option<parley_domain::Timestamp>,
    pub state: Option<parley_domain::sla::SlaSummary>,
    pub check_at: Option<parley_domain::Timestamp>,
    pub events: Vec<parley_domain::message::TicketEvent>,
    pub outbox: Vec<crate::OutboxEvent>,
    pub mail: Vec<crate::OutboundMail>,
    /// `sla.warning` and `sla.breached` for the account's triggers.
    pub trigger_events: Vec<parley_domain::trigger::TriggerEvent>,
}

/// Tickets' SLA as last looked at (see migration 0025), and the sweep that finds what comes due.
#[async_trait]
pub trait TicketSlaStore: Send + Sync {
    /// Tickets whose next look is due by `now` (changed, or a warning or breach has come), earliest first,
    /// across the database's accounts.
    async fn sla_checks_due(
        &self,
        now: parley_domain::Timestamp,
        limit: usize,
    ) -> Result<Vec<(AccountId, parley_domain::ids::TicketId)>, StoreError>;
    async fn ticket_sla(
        &self,
        account: AccountId,
        ticket: parley_domain::ids::TicketId,
    ) -> Result<Option<StoredSla>, StoreError>;
    /// Stores the look and what it tells; `false` (and nothing stored) if the ticket changed or another process
    /// stored a look since `expected_rev` was read.
    async fn write_ticket_sla(&self, w: SlaWrite) -> Result<bool, StoreError>;
    /// Drops the pending look of tickets that have no SLA record, if still due by `now` (an account without
    /// policies: nothing to measure).
    async fn clear_sla_checks(
        &self,
        account: AccountId,
        tickets: &[parley_domain::ids::TicketId],
        now: parley_domain::Timestamp,
    ) -> Result<u64, StoreError>;
    /// Asks for a new look at every ticket of the account that is not closed (a policy or calendar changed).
    async fn recheck_sla(&self, account: AccountId, now: parley_domain::Timestamp) -> Result<u64, StoreError>;
    /// What is kept of the SLA of each of `tickets` (a page of a list), in one question; tickets without an SLA
    /// state are left out.
    async fn sla_due_of(
        &self,
        account: AccountId,
        tickets: &[parley_domain::ids::TicketId],
    ) -> Result<Vec<SlaDue>, StoreError>;
}

/// A listed ticket's SLA as last looked at: the soonest due time of its running targets (none while every one is
/// paused or met) and their summary state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlaDue {
    pub ticket_id: parley_domain::ids::TicketId,
    pub due_at: Option<parley_domain::Timestamp>,
    pub state: parley_domain::sla::SlaSummary,
}
