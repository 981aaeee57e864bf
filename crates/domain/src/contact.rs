//! Contacts (the people who write to the help desk) and their companies.

use crate::email::EmailAddress;
use crate::ids::{AccountId, CompanyId, ContactId};
use crate::{Invalid, Timestamp};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Contact {
    pub id: ContactId,
    #[serde(skip)]
    pub account_id: AccountId,
    /// Unique within the account. Chat visitors and callers may have none.
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<EmailAddress>,
    pub name: Option<String>,
    pub phones: Vec<String>,
    pub company_id: Option<CompanyId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Company {
    pub id: CompanyId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub name: String,
    /// Mail domains whose senders belong to this company.
    pub domains: Vec<String>,
    pub created_at: Timestamp,
}

/// A phone number in E.164 form (`+36301234567`). Spaces, dots, dashes and brackets in the input are dropped.
pub fn parse_phone(s: &str) -> Result<String, Invalid> {
    let kept: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = kept.strip_prefix('+').unwrap_or("");
    if digits.len() >= 7 && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
    {
        Ok(kept)
    } else {
        Err(Invalid::field(
            "phones",
            format!("'{}' is not a phone number in +<country><number> form", s.chars().take(40).collect::<String>()),
        ))
    }
}

/// A mail domain a company owns (`example.com`).
pub fn parse_domain(s: &str) -> Result<String, Invalid> {
    let d = s.trim().to_ascii_lowercase();
    match EmailAddress::parse(&format!("x@{d}")) {
        Ok(_) if d.contains('.') => Ok(d),
        _ => {
            Err(Invalid::field("domains", format!("'{}' is not a domain name", s.chars().take(80).collect::<String>())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_e164() {
        assert_eq!(parse_phone("+36 (30) 123-4567").unwrap(), "+36301234567");
        assert!(parse_phone("0630 1234567").is_err());
        assert!(parse_phone("+1 call me").is_err());
    }

    #[test]
    fn domains_are_checked() {
        assert_eq!(parse_domain(" Example.com ").unwrap(), "example.com");
        assert!(parse_domain("localhost").is_err());
        assert!(parse_domain("exa mple.com").is_err());
    }
}
