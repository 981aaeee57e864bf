use crate::StoreError;
use async_trait::async_trait;
use parley_domain::agent::{Agent, Department, Role};
use parley_domain::contact::{Company, Contact};
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AgentId, CompanyId, ContactId, DepartmentId};
use parley_domain::Timestamp;

/// Changes to an agent; `None` keeps a value.
#[derive(Debug, Default, Clone)]
pub struct AgentUpdate {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub department_ids: Option<Vec<DepartmentId>>,
    /// The agent's own settings, replaced whole.
    pub profile: Option<parley_domain::agent::AgentProfile>,
}

#[async_trait]
pub trait AgentStore: Send + Sync {
    /// `Conflict` if the account has an agent with that email.
    async fn insert_agent(&self, agent: &Agent, password_hash: Option<&str>) -> Result<(), StoreError>;
    async fn get_agent(&self, account: AccountId, id: AgentId) -> Result<Option<Agent>, StoreError>;
    /// The agent and their password hash, for signing in.
    async fn agent_credentials(
        &self,
        account: AccountId,
        email: &EmailAddress,
    ) -> Result<Option<(Agent, Option<String>)>, StoreError>;
    async fn list_agents(&self, account: AccountId) -> Result<Vec<Agent>, StoreError>;
    async fn update_agent(&self, account: AccountId, id: AgentId, update: &AgentUpdate) -> Result<Agent, StoreError>;
    async fn set_password(&self, account: AccountId, id: AgentId, hash: &str) -> Result<(), StoreError>;

    async fn create_reset_token(
        &self,
        account: AccountId,
        agent: AgentId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Use a reset token once: the agent it was for, if it exists, is unused and has not expired.
    async fn consume_reset_token(
        &self,
        account: AccountId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<AgentId>, StoreError>;

    async fn insert_department(&self, dept: &Department) -> Result<(), StoreError>;
    async fn list_departments(&self, account: AccountId) -> Result<Vec<Department>, StoreError>;
    async fn get_department(&self, account: AccountId, id: DepartmentId) -> Result<Option<Department>, StoreError>;
}

#[derive(Debug, Default, Clone)]
pub struct ContactFilter {
    pub email: Option<EmailAddress>,
    pub company_id: Option<CompanyId>,
    /// Contacts whose id sorts after this one.
    pub after: Option<ContactId>,
    pub limit: u32,
}

/// Changes to a contact; `None` keeps a value, `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub struct ContactUpdate {
    pub email: Option<Option<EmailAddress>>,
    pub name: Option<Option<String>>,
    pub phones: Option<Vec<String>>,
    pub company_id: Option<Option<CompanyId>>,
}

/// Changes to a company; `None` keeps a value.
#[derive(Debug, Default, Clone)]
pub struct CompanyUpdate {
    pub name: Option<String>,
    /// Replaces the list whole.
    pub domains: Option<Vec<String>>,
}

#[async_trait]
pub trait ContactStore: Send + Sync {
    /// `Conflict` if the account has a contact with that email.
    async fn insert_contact(&self, contact: &Contact) -> Result<(), StoreError>;
    async fn get_contact(&self, account: AccountId, id: ContactId) -> Result<Option<Contact>, StoreError>;
    async fn get_contacts(&self, account: AccountId, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError>;
    async fn list_contacts(&self, account: AccountId, filter: &ContactFilter) -> Result<Vec<Contact>, StoreError>;
    async fn update_contact(
        &self,
        account: AccountId,
        id: ContactId,
        update: &ContactUpdate,
        at: Timestamp,
    ) -> Result<Contact, StoreError>;

    /// `Conflict` if another company of the account has one of its mail domains.
    async fn insert_company(&self, company: &Company) -> Result<(), StoreError>;
    /// `NotFound` unless the company is the account's; `Conflict` if another company of the account has one of the
    /// new mail domains.
    async fn update_company(
        &self,
        account: AccountId,
        id: CompanyId,
        update: &CompanyUpdate,
    ) -> Result<Company, StoreError>;
    async fn get_company(&self, account: AccountId, id: CompanyId) -> Result<Option<Company>, StoreError>;
    async fn list_companies(&self, account: AccountId) -> Result<Vec<Company>, StoreError>;
}
