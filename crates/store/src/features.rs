use crate::StoreError;
use async_trait::async_trait;
use parley_domain::dpa::DpaAcceptance;
use parley_domain::ids::{AccountId, AgentId};
use parley_domain::subprocessors::{Consent, Feature, Objection, RegisterNotice};
use parley_domain::Timestamp;
use std::collections::BTreeSet;

/// Which optional features an account switched on (each brings its providers into the account's subprocessor
/// list), and the consents its owners gave to those providers.
#[async_trait]
pub trait FeatureStore {
    async fn enabled_features(&self, account: AccountId) -> Result<BTreeSet<Feature>, StoreError>;
    /// Switches a feature on or off, recording the consent given with it in the same unit of work.
    async fn set_feature(
        &self,
        account: AccountId,
        feature: Feature,
        enabled: bool,
        by: Option<AgentId>,
        consent: Option<&Consent>,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn consents(&self, account: AccountId) -> Result<Vec<Consent>, StoreError>;
    /// Records that a register version changed the account's list; false when it was recorded already.
    async fn add_register_notice(&self, account: AccountId, notice: &RegisterNotice) -> Result<bool, StoreError>;
    /// Newest first.
    async fn register_notices(&self, account: AccountId) -> Result<Vec<RegisterNotice>, StoreError>;
    /// `NotFound` without such a notice; `Conflict` when it was objected to already.
    async fn object_to_notice(&self, account: AccountId, version: u32, objection: &Objection)
        -> Result<(), StoreError>;
    /// Records an owner's acceptance; `Conflict` if this version was accepted already.
    async fn accept_dpa(&self, account: AccountId, acceptance: &DpaAcceptance) -> Result<(), StoreError>;
    /// Oldest first.
    async fn dpa_acceptances(&self, account: AccountId) -> Result<Vec<DpaAcceptance>, StoreError>;
}
