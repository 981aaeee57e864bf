use crate::StoreError;
use async_trait::async_trait;
use parley_domain::erasure::ErasureReport;
use parley_domain::ids::{AccountId, ContactId, TicketId};
use parley_domain::retention::RetentionPolicy;
use parley_domain::Timestamp;

/// Erasing a person: one unit of work over every table that holds them, then the files' old copies purged.
#[async_trait]
pub trait ErasureStore {
    /// Removes the contact and everything of theirs: tickets they alone requested (whole), their messages in
    /// other tickets (replaced by "[erased]"), attachments and blobs nothing else uses, mail from and to them,
    /// webhook events that carried their data. `NotFound` for a contact of another account or none.
    async fn erase_contact(&self, account: AccountId, contact: ContactId) -> Result<ErasureReport, StoreError>;
    /// Tickets the contact did not request but is copied on or wrote in, oldest first (for their data export).
    async fn tickets_touching(&self, account: AccountId, contact: ContactId) -> Result<Vec<TicketId>, StoreError>;
    /// Tickets the policy says are kept long enough at `now`, oldest first.
    async fn expired_tickets(
        &self,
        account: AccountId,
        policy: &RetentionPolicy,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<TicketId>, StoreError>;
    /// Removes whole tickets as `erase_contact` removes a person's: timelines, attachments and blobs nothing else
    /// uses, mail as received and sent, webhook events. The requesters stay.
    async fn erase_tickets(&self, account: AccountId, tickets: &[TicketId]) -> Result<ErasureReport, StoreError>;
    async fn retention_policy(&self, account: AccountId) -> Result<RetentionPolicy, StoreError>;
    async fn set_retention_policy(
        &self,
        account: AccountId,
        policy: &RetentionPolicy,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Leaves no copy of deleted data in the database's own files (SQLite: empties the write-ahead log; deleted
    /// content is zeroed as it is deleted).
    async fn purge_deleted(&self) -> Result<(), StoreError>;
}
