use crate::StoreError;
use async_trait::async_trait;
use parley_domain::account::{AccountSlug, AccountStatus, DirectoryEntry};

/// The directory: slug → region and status, and nothing else about an account.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Reserve a slug. `Conflict` if any region already has it.
    async fn reserve(&self, entry: &DirectoryEntry) -> Result<(), StoreError>;
    async fn set_status(&self, slug: &AccountSlug, status: AccountStatus) -> Result<(), StoreError>;
    async fn lookup(&self, slug: &AccountSlug) -> Result<Option<DirectoryEntry>, StoreError>;
    async fn list(&self) -> Result<Vec<DirectoryEntry>, StoreError>;
    /// Undo a reservation whose account was never written.
    async fn release(&self, slug: &AccountSlug) -> Result<(), StoreError>;
}
