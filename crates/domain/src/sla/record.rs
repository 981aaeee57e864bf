//! An SLA policy as an account keeps it: the checked policy, its place in the account's order, and when it was
//! made and changed.

use super::SlaPolicy;
use crate::ids::{AccountId, SlaPolicyId};
use crate::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicyRecord {
    pub id: SlaPolicyId,
    pub account_id: AccountId,
    /// Lower first; the first policy in order that matches a ticket applies.
    pub position: i64,
    pub policy: SlaPolicy,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
