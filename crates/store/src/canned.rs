use crate::StoreError;
use async_trait::async_trait;
use parley_domain::canned::{CannedResponse, Macro};
use parley_domain::ids::{AccountId, AgentId, CannedResponseId, MacroId};
use parley_domain::knowledge::LanguageTag;

/// Which canned responses to list: those `viewer` sees (shared ones and, for an agent, their own), optionally of
/// one language or folder.
#[derive(Debug, Clone, Default)]
pub struct CannedFilter {
    /// `None` sees shared responses only.
    pub viewer: Option<AgentId>,
    pub language: Option<LanguageTag>,
    pub folder: Option<String>,
}

/// The account's canned responses.
///
/// A shortcut is unique among what one agent sees: a shared response's shortcut is taken for everyone, a personal
/// one's for its owner. Inserting or updating a response whose shortcut is taken fails with `Conflict`.
#[async_trait]
pub trait CannedResponseStore: Send + Sync {
    async fn insert_canned(&self, c: &CannedResponse) -> Result<(), StoreError>;
    /// `NotFound` if the account has no such response.
    async fn update_canned(&self, c: &CannedResponse) -> Result<(), StoreError>;
    async fn get_canned(&self, account: AccountId, id: CannedResponseId) -> Result<Option<CannedResponse>, StoreError>;
    /// Ordered by folder (none first), then title.
    async fn list_canned(&self, account: AccountId, filter: &CannedFilter) -> Result<Vec<CannedResponse>, StoreError>;
    /// `NotFound` if the account has no such response.
    async fn delete_canned(&self, account: AccountId, id: CannedResponseId) -> Result<(), StoreError>;
}

/// The account's macros, shared or personal like canned responses.
#[async_trait]
pub trait MacroStore: Send + Sync {
    async fn insert_macro(&self, m: &Macro) -> Result<(), StoreError>;
    /// `NotFound` if the account has no such macro.
    async fn update_macro(&self, m: &Macro) -> Result<(), StoreError>;
    async fn get_macro(&self, account: AccountId, id: MacroId) -> Result<Option<Macro>, StoreError>;
    /// The macros `viewer` sees (`None`: shared ones only), by title.
    async fn list_macros(&self, account: AccountId, viewer: Option<AgentId>) -> Result<Vec<Macro>, StoreError>;
    /// `NotFound` if the account has no such macro.
    async fn delete_macro(&self, account: AccountId, id: MacroId) -> Result<(), StoreError>;
}
