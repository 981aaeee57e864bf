use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::AccountId;
use parley_domain::incident::Incident;

/// Security incidents recorded as affecting the account, kept in its region.
#[async_trait]
pub trait IncidentStore {
    /// Keep an incident for the account. `false` when it has it already (recording again is harmless).
    async fn add_incident(&self, account: AccountId, incident: &Incident) -> Result<bool, StoreError>;
    /// The account's incidents, newest first.
    async fn incidents(&self, account: AccountId) -> Result<Vec<Incident>, StoreError>;
}
