//! Accounts (tenants): reached at `<slug>.<base-domain>`, living in one region.

use crate::ids::AccountId;
use crate::region::{DatabaseName, Place, RegionName};
use crate::{Invalid, Timestamp};
use serde::Serialize;
use std::fmt;

/// The account's name in its host: `acme` in `acme.parley.example`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AccountSlug(String);

/// Host labels that belong to the service itself, never to an account.
const RESERVED: &[&str] = &[
    "www",
    "api",
    "app",
    "admin",
    "mail",
    "smtp",
    "imap",
    "static",
    "assets",
    "status",
    "help",
    "support",
    "docs",
    "localhost",
    "staff",
    "operator",
    "root",
    "eu",
    "us",
    "uk",
    "apac",
];

impl AccountSlug {
    /// 2–40 characters of `a-z`, `0-9` and inner hyphens: a valid DNS label that can't be mistaken for ours.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let err = |why: &str| Invalid::field("slug", format!("'{s}' {why}"));
        if s.len() < 2 || s.len() > 40 {
            return Err(err("must be 2 to 40 characters long"));
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(err("may hold only lowercase letters, digits and hyphens"));
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(err("may not start or end with a hyphen, nor hold two in a row"));
        }
        if RESERVED.contains(&s) {
            return Err(err("is reserved"));
        }
        Ok(AccountSlug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an account stands in the directory. Only `Active` accounts are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Reserved in the directory while its region rows are written; invisible to requests.
    Creating,
    Active,
    Suspended,
    /// Being copied to another region: served nowhere until the copy is checked and the directory switched.
    Moving,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Creating => "creating",
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Moving => "moving",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "creating" => Some(AccountStatus::Creating),
            "active" => Some(AccountStatus::Active),
            "suspended" => Some(AccountStatus::Suspended),
            "moving" => Some(AccountStatus::Moving),
            _ => None,
        }
    }
}

/// A region move under way, as the directory keeps it so that a move cut off can be finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveState {
    pub from: Place,
    pub to: Place,
    /// The directory points at `to` already; only the wipe of `from` is left.
    pub switched: bool,
}

/// What the directory knows about an account: no more than it needs to route a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryEntry {
    pub account_id: AccountId,
    pub slug: AccountSlug,
    pub region: RegionName,
    /// Which of the region's databases holds the account.
    pub database: DatabaseName,
    pub status: AccountStatus,
}

impl DirectoryEntry {
    pub fn place(&self) -> Place {
        Place { region: self.region.clone(), database: self.database.clone() }
    }
}

/// The account as its region stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub slug: AccountSlug,
    pub name: String,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_dns_labels_of_ours() {
        assert!(AccountSlug::parse("acme").is_ok());
        assert!(AccountSlug::parse("acme-2").is_ok());
        for bad in ["a", "Acme", "-acme", "acme-", "ac--me", "ac.me", "www", "ac me", &"x".repeat(41)] {
            assert!(AccountSlug::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn the_error_names_the_bad_value() {
        let err = AccountSlug::parse("Bad Slug").unwrap_err();
        assert!(err.to_string().contains("'Bad Slug'"), "{err}");
    }
}
