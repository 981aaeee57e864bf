//! Email addresses as Parley keeps them: checked, trimmed, lowercased for matching.

use crate::Invalid;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts the `local@domain` form a help desk meets in practice (no comments, no quoted local parts, no
    /// display names). Lowercased, because customers write their address in any case and expect one contact.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let err = |why: &str| Invalid::field("email", format!("'{}' {why}", truncate(s)));
        if s.len() > 254 {
            return Err(err("is longer than 254 characters"));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(err("is not an email address"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !local_ok || !domain_ok {
            return Err(err("is not an email address"));
        }
        Ok(EmailAddress(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local(&self) -> &str {
        self.0.rsplit_once('@').map(|(l, _)| l).unwrap_or("")
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let e = EmailAddress::parse("  Jane.Doe+help@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "jane.doe+help@example.com");
        assert_eq!((e.local(), e.domain()), ("jane.doe+help", "example.com"));
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "jane",
            "@example.com",
            "jane@",
            "ja ne@example.com",
            "jane@exa_mple.com",
            "a\r\nb@x.com",
            "jane@example..com",
            ".jane@example.com",
            "jane@-x.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
