//! Business hours as an account keeps them: a checked calendar, the departments that work by it, and when it
//! was made and changed.

use super::Calendar;
use crate::ids::{AccountId, BusinessHoursId, DepartmentId};
use crate::Timestamp;

/// One of an account's calendars. At most one per account is the default (the hours of tickets whose department
/// has none of its own); a department works by at most one.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    pub id: BusinessHoursId,
    pub account_id: AccountId,
    pub calendar: Calendar,
    /// The departments whose tickets are timed by these hours, in no particular order.
    pub departments: Vec<DepartmentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
