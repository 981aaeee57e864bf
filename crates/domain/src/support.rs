//! Access for the operator's support staff: none by default; an owner or administrator grants it for a while,
//! read-only or read-write, optionally to some departments or tickets only, and may revoke it at once.

use crate::error::Checker;
use crate::ids::{AccountId, DepartmentId, SupportGrantId, TicketId};
use crate::ticket::Ticket;
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

/// The longest a grant may run.
pub const MAX_DAYS: i64 = 30;
/// What a grant runs for when not told.
pub const DEFAULT_HOURS: i64 = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantScope {
    ReadOnly,
    ReadWrite,
}

impl GrantScope {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantScope::ReadOnly => "read_only",
            GrantScope::ReadWrite => "read_write",
        }
    }

    pub fn parse(s: &str) -> Option<GrantScope> {
        [GrantScope::ReadOnly, GrantScope::ReadWrite].into_iter().find(|g| g.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SupportGrant {
    #[schema(value_type = String)]
    pub id: SupportGrantId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub scope: GrantScope,
    /// Only tickets of these departments; all when empty.
    #[schema(value_type = Vec<String>)]
    pub department_ids: Vec<DepartmentId>,
    /// Only these tickets (within those departments); all when empty.
    #[schema(value_type = Vec<String>)]
    pub ticket_ids: Vec<TicketId>,
    pub reason: String,
    /// Who granted it, as the audit log names actors (`agent:<id>`, `api_key:<id>`).
    pub created_by: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<Timestamp>,
}

impl SupportGrant {
    /// Checks what an owner asks for: an expiry in the future and at most [`MAX_DAYS`] away, and a reason.
    pub fn check(reason: &str, expires_at: Timestamp, now: Timestamp) -> Result<(), Invalid> {
        let mut errs = Checker::new();
        if expires_at <= now {
            errs.add("expires_at", "must be in the future");
        } else if expires_at > now.plus_seconds(MAX_DAYS * 86_400) {
            errs.add("expires_at", format!("must be at most {MAX_DAYS} days away"));
        }
        if reason.trim().is_empty() || reason.chars().count() > 500 {
            errs.add("reason", "must say why, in 1 to 500 characters");
        }
        errs.finish()
    }

    /// In force: not revoked, not expired.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    pub fn can_see(&self, t: &Ticket) -> bool {
        let department =
            self.department_ids.is_empty() || t.department_id.is_some_and(|d| self.department_ids.contains(&d));
        department && (self.ticket_ids.is_empty() || self.ticket_ids.contains(&t.id))
    }

    /// Limited to some departments or tickets: the account's directories (contacts, companies) are outside it.
    pub fn is_limited(&self) -> bool {
        !self.department_ids.is_empty() || !self.ticket_ids.is_empty()
    }
}
