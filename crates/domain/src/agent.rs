//! Agents, their roles and departments, and what each role may do.

use crate::email::EmailAddress;
use crate::ids::{AccountId, AgentId, DepartmentId};
use crate::ticket::Ticket;
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            other => Err(Invalid::field("role", format!("'{other}' is not a role (owner, admin, agent)"))),
        }
    }

    /// Admins and owners configure the account and see every ticket.
    pub fn is_admin(self) -> bool {
        self >= Role::Admin
    }

    /// Who may give whom a role: only an owner makes owners; admins manage agents and admins.
    pub fn may_grant(self, role: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => role != Role::Owner,
            Role::Agent => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Agent {
    pub id: AgentId,
    #[serde(skip)]
    pub account_id: AccountId,
    #[schema(value_type = String, format = Email)]
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub department_ids: Vec<DepartmentId>,
    pub active: bool,
    pub created_at: Timestamp,
}

impl Agent {
    /// Agents see tickets of their departments and tickets in no department; admins and owners see all.
    pub fn can_see(&self, ticket: &Ticket) -> bool {
        self.role.is_admin()
            || match &ticket.department_id {
                None => true,
                Some(d) => self.department_ids.contains(d),
            }
    }
}

/// A person's display name: one line, not empty, at most 200 characters.
pub fn parse_name(field: &str, s: &str) -> Result<String, Invalid> {
    crate::text::checked_text(field, s, 200, false)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: DepartmentId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub name: String,
    pub created_at: Timestamp,
}

/// Passwords: long enough to resist guessing, short enough not to be a denial-of-service vector for the hasher.
pub fn check_password(pw: &str) -> Result<(), Invalid> {
    let n = pw.chars().count();
    if n < 10 {
        return Err(Invalid::field("password", "must be at least 10 characters"));
    }
    if n > 200 {
        return Err(Invalid::field("password", "must be at most 200 characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_make_owners() {
        assert!(Role::Owner.may_grant(Role::Owner));
        assert!(!Role::Admin.may_grant(Role::Owner));
        assert!(Role::Admin.may_grant(Role::Admin));
        assert!(!Role::Agent.may_grant(Role::Agent));
    }
}
