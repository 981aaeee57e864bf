use crate::StoreError;
use async_trait::async_trait;
use parley_domain::account::Account;
use parley_domain::agent::Agent;
use parley_domain::auth::{ApiKey, Session};
use parley_domain::ids::{AccountId, AgentId, ApiKeyId};
use parley_domain::Timestamp;

/// An account with its owner and first API key, written together.
pub struct NewAccount {
    pub account: Account,
    pub owner: Agent,
    pub owner_password_hash: String,
    pub api_key: ApiKey,
    /// The key the account signs its mail marks with (hex).
    pub mail_secret: String,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_account(&self, new: &NewAccount) -> Result<(), StoreError>;
    async fn get_account(&self, account: AccountId) -> Result<Option<Account>, StoreError>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    /// A session that exists and has not expired at `now`.
    async fn get_session(
        &self,
        account: AccountId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError>;
    async fn delete_session(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError>;
    /// End every session of an agent (password change, deactivation).
    async fn delete_agent_sessions(&self, account: AccountId, agent: AgentId) -> Result<(), StoreError>;
}

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn create_api_key(&self, key: &ApiKey) -> Result<(), StoreError>;
    /// A key that is not revoked.
    async fn find_api_key(&self, account: AccountId, hash: &str) -> Result<Option<ApiKey>, StoreError>;
    async fn list_api_keys(&self, account: AccountId) -> Result<Vec<ApiKey>, StoreError>;
    /// `NotFound` if the account has no such key.
    async fn revoke_api_key(&self, account: AccountId, id: ApiKeyId, at: Timestamp) -> Result<(), StoreError>;
    /// Note that the key was used at `at`, unless a use since `since` was noted already. `true` when noted now.
    async fn note_api_key_use(
        &self,
        account: AccountId,
        id: ApiKeyId,
        at: Timestamp,
        since: Timestamp,
    ) -> Result<bool, StoreError>;
}
