//! Who is asking, and in which account.

use parley_domain::account::AccountSlug;
use parley_domain::agent::Agent;
use parley_domain::auth::ApiKey;
use parley_domain::event::Actor;
use parley_domain::ids::{AccountId, DepartmentId, TicketId};
use parley_domain::region::RegionName;
use parley_domain::support::SupportGrant;
use parley_domain::ticket::Ticket;
use parley_store::RegionStore;
use std::sync::Arc;

/// The account a request is for, resolved once from its host, with the store of the account's region. Every use
/// case reads and writes through `store`, always passing `account_id`.
#[derive(Clone)]
pub struct AccountCtx {
    pub account_id: AccountId,
    pub slug: AccountSlug,
    pub region: RegionName,
    pub store: Arc<dyn RegionStore>,
    pub clock: crate::Clock,
}

impl AccountCtx {
    /// The context a worker of this process acts in for an account of `store` (a database of `region`); `None`
    /// when the account is gone.
    pub(crate) async fn of_account(
        app: &crate::App,
        store: &Arc<dyn RegionStore>,
        region: &RegionName,
        account_id: AccountId,
    ) -> Result<Option<AccountCtx>, crate::AppError> {
        let Some(account) = store.get_account(account_id).await? else { return Ok(None) };
        Ok(Some(AccountCtx {
            account_id,
            slug: account.slug,
            region: region.clone(),
            store: store.clone(),
            clock: app.regions.clock().clone(),
        }))
    }

    /// The time now, by the process's clock (which tests may stop and move).
    pub fn now(&self) -> parley_domain::Timestamp {
        self.clock.now()
    }
}

/// Who is acting within the account.
#[derive(Debug, Clone)]
pub enum Caller {
    Agent(Agent),
    /// API keys act for the account as an administrator.
    ApiKey(ApiKey),
    /// The operator's support staff, under a grant the account gave: never an administrator, only what the grant
    /// allows.
    Staff {
        grant: SupportGrant,
        staff: String,
    },
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Agent(a) => Actor::Agent(a.id),
            Caller::ApiKey(k) => Actor::ApiKey(k.id),
            Caller::Staff { grant, .. } => Actor::Staff(grant.id),
        }
    }

    pub fn is_admin(&self) -> bool {
        match self {
            Caller::Agent(a) => a.role.is_admin(),
            Caller::ApiKey(_) => true,
            Caller::Staff { .. } => false,
        }
    }

    pub fn can_see(&self, t: &Ticket) -> bool {
        match self {
            Caller::Agent(a) => a.can_see(t),
            Caller::ApiKey(_) => true,
            Caller::Staff { grant, .. } => grant.can_see(t),
        }
    }

    /// The departments whose tickets the caller may see, or `None` for all.
    pub fn visible_departments(&self) -> Option<Vec<DepartmentId>> {
        match self {
            Caller::Agent(a) if !a.role.is_admin() => Some(a.department_ids.clone()),
            _ => None,
        }
    }

    /// The departments outside which the caller sees nothing, not even tickets without a department: support
    /// staff under a grant limited to some departments. `None` for everyone else.
    pub fn only_departments(&self) -> Option<Vec<DepartmentId>> {
        match self {
            Caller::Staff { grant, .. } if !grant.department_ids.is_empty() => Some(grant.department_ids.clone()),
            _ => None,
        }
    }

    /// The tickets outside which the caller sees nothing: support staff under a grant limited to some tickets.
    pub fn only_tickets(&self) -> Option<Vec<TicketId>> {
        match self {
            Caller::Staff { grant, .. } if !grant.ticket_ids.is_empty() => Some(grant.ticket_ids.clone()),
            _ => None,
        }
    }

    /// The account's contact and company directory belongs to no department or ticket: support staff whose grant
    /// is limited to some reach contacts only through those tickets.
    pub fn require_directory(&self) -> Result<(), crate::AppError> {
        match self {
            Caller::Staff { grant, .. } if grant.is_limited() => Err(crate::AppError::Forbidden(
                "this support grant is limited to some departments or tickets; the contact directory is outside it"
                    .into(),
            )),
            _ => Ok(()),
        }
    }

    pub fn require_admin(&self) -> Result<(), crate::AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(crate::AppError::Forbidden("only administrators may do this".into()))
        }
    }
}
