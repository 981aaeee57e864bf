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
    /// The agent's own settings for the workspace.
    pub profile: AgentProfile,
}

/// What each agent sets for themselves: the workspace's language and time zone, the signature their replies may
/// carry (`{{agent.signature}}`), and whether ringing chats and assigned tickets may notify them on the desktop or
/// with a sound (each off until the agent turns it on: browsers ask once, and a surprise sound is rude).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentProfile {
    /// A language code of the workspace (`en`, `de`, `hu`, `tl`).
    pub language: String,
    /// An IANA time zone (`Europe/Budapest`); dates show in it.
    pub time_zone: String,
    pub signature: String,
    pub notify_desktop: bool,
    pub notify_sound: bool,
}

impl Default for AgentProfile {
    fn default() -> Self {
        AgentProfile {
            language: "en".into(),
            time_zone: "UTC".into(),
            signature: String::new(),
            notify_desktop: false,
            notify_sound: false,
        }
    }
}

/// The workspace's languages.
pub const WORKSPACE_LANGUAGES: [&str; 4] = ["en", "de", "hu", "tl"];

impl AgentProfile {
    pub fn parse_language(s: &str) -> Result<String, Invalid> {
        let s = s.trim().to_ascii_lowercase();
        if WORKSPACE_LANGUAGES.contains(&s.as_str()) {
            Ok(s)
        } else {
            Err(Invalid::field("language", format!("'{s}' is not a language of the workspace (en, de, hu, tl)")))
        }
    }

    /// A time zone the bundled time zone database knows.
    pub fn parse_time_zone(s: &str) -> Result<String, Invalid> {
        let s = s.trim();
        if s.len() <= 64 && jiff::tz::db().get(s).is_ok() {
            Ok(s.to_string())
        } else {
            let shown: String = s.chars().take(64).collect();
            Err(Invalid::field("time_zone", format!("'{shown}' is not a known time zone (such as Europe/Budapest)")))
        }
    }

    /// A signature: plain text, a few lines.
    pub fn parse_signature(s: &str) -> Result<String, Invalid> {
        if s.trim().is_empty() {
            return Ok(String::new());
        }
        crate::text::checked_text("signature", s, 2000, true)
    }
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
