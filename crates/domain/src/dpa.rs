//! The operator's data processing agreement: numbered, dated versions, and owners' acceptances of them.

use crate::ids::AgentId;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One version of the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dpa {
    pub version: u32,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub title: String,
    /// The text, in Markdown.
    pub body: String,
}

impl Dpa {
    /// Hex SHA-256 of the text, kept with each acceptance: the record shows exactly what was accepted.
    pub fn text_sha256(&self) -> String {
        Sha256::digest(self.body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// An owner's acceptance of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DpaAcceptance {
    pub version: u32,
    #[schema(value_type = String)]
    pub agent_id: AgentId,
    /// The owner's address when accepting (kept, as the agent may later change or leave).
    pub agent_email: String,
    #[schema(value_type = String)]
    pub accepted_at: Timestamp,
    pub ip: Option<String>,
    pub text_sha256: String,
}

/// Where an account stands with the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DpaStatus {
    /// The version in force; none while the operator has published none.
    pub current: Option<Dpa>,
    /// An owner accepted the version in force.
    pub accepted: bool,
    /// Every acceptance, oldest first.
    pub acceptances: Vec<DpaAcceptance>,
}
