use crate::StoreError;
use async_trait::async_trait;
use parley_domain::audit::{AuditEntry, NewAuditEntry};
use parley_domain::ids::AccountId;
use parley_domain::Timestamp;

/// Which entries to list. Newest first unless `oldest_first`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries whose action starts with this (`login.` for both sign-in outcomes).
    pub action_prefix: Option<String>,
    /// `agent:<id>`, `api_key:<id>`, `operator` …
    pub actor: Option<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Entries with a smaller `seq` than this (newest first) or a larger one (oldest first): the page cursor.
    pub beyond_seq: Option<i64>,
    pub oldest_first: bool,
    pub limit: i64,
}

/// The account's audit log, append-only. The store keeps beside it the head (the last entry written), updated in
/// the same unit of work as each append, so entries taken from the end can be noticed.
#[async_trait]
pub trait AuditStore {
    /// Chains the entry to the last one of its account and stores it; appends of one account are serialized.
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError>;
    async fn list_audit(&self, account: AccountId, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;
    /// `seq` and hash of the last entry written.
    async fn audit_head(&self, account: AccountId) -> Result<Option<(i64, String)>, StoreError>;
}
