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
