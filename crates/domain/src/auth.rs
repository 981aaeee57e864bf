//! Credentials: API keys and sessions, kept only as hashes of secrets that are shown once.

use crate::ids::{AccountId, AgentId, ApiKeyId};
use crate::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// SHA-256 of a high-entropy secret (API key, session token, reset token), hex-encoded.
///
/// A fast hash is right here: the secrets are 32 random bytes, so there is nothing to brute-force, and every API
/// request checks one. Passwords, which people choose, use argon2id instead.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: ApiKeyId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub name: String,
    /// The first characters of the key, to tell keys apart in lists.
    pub prefix: String,
    #[serde(skip)]
    pub hash: String,
    pub created_by: Option<AgentId>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// When the key was last used, to the hour: uses are noted at most once an hour.
    pub last_used_at: Option<Timestamp>,
}

/// A signed-in agent's server-side session. The cookie holds the token; the store holds its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub account_id: AccountId,
    pub agent_id: AgentId,
    /// Synchronizer token every form of this session must carry.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(secret_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
