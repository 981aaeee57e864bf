//! How long an account keeps what it no longer needs. Expired data is erased as thoroughly as a contact on
//! request: rows, files nothing else uses, and the database's free pages.

use crate::error::Checker;
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The longest period a policy may name (ten years); longer is the same as keeping.
pub const MAX_DAYS: u32 = 3650;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Erase tickets closed (or solved) and untouched for this many days. `null` keeps them.
    pub closed_ticket_days: Option<u32>,
    /// Erase chat conversations untouched for this many days once they ended. `null` keeps them.
    pub chat_days: Option<u32>,
}

impl RetentionPolicy {
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errs = Checker::new();
        for (field, days) in [("closed_ticket_days", self.closed_ticket_days), ("chat_days", self.chat_days)] {
            if let Some(d) = days.filter(|d| *d == 0 || *d > MAX_DAYS) {
                errs.add(field, format!("{d} is not between 1 and {MAX_DAYS} days"));
            }
        }
        errs.finish()
    }

    pub fn keeps_everything(&self) -> bool {
        self.closed_ticket_days.is_none() && self.chat_days.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_bounded() {
        assert!(RetentionPolicy { closed_ticket_days: Some(30), chat_days: None }.check().is_ok());
        let e = RetentionPolicy { closed_ticket_days: Some(0), chat_days: Some(MAX_DAYS + 1) }.check().unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert!(RetentionPolicy::default().keeps_everything());
    }
}
