use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, SupportGrantId};
use parley_domain::support::SupportGrant;
use parley_domain::Timestamp;

/// Grants of access to the operator's support staff and the sessions opened under them.
#[async_trait]
pub trait SupportStore {
    async fn create_grant(&self, grant: &SupportGrant) -> Result<(), StoreError>;
    /// Newest first.
    async fn list_grants(&self, account: AccountId) -> Result<Vec<SupportGrant>, StoreError>;
    /// `NotFound` for a grant of another account or none.
    async fn revoke_grant(&self, account: AccountId, id: SupportGrantId, at: Timestamp) -> Result<(), StoreError>;
    async fn open_support_session(
        &self,
        account: AccountId,
        grant: SupportGrantId,
        token_hash: &str,
        staff: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The grant and the staff member's name a session token belongs to, live or not: the caller judges.
    async fn support_session(
        &self,
        account: AccountId,
        token_hash: &str,
    ) -> Result<Option<(SupportGrant, String)>, StoreError>;
}
