//! The audit log: an account's append-only record of who signed in (or failed to), changed settings, made or
//! revoked keys, changed roles. Each entry carries the hash of the one before it, so an entry altered or taken out
//! afterwards breaks the chain at that point, and [`verify`] names where.

use crate::ids::{AccountId, AgentId, ApiKeyId, SupportGrantId};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the first entry's `prev_hash` holds.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did what an entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditActor {
    Agent(AgentId),
    ApiKey(ApiKeyId),
    /// The operator's support staff, under a grant.
    Staff(SupportGrantId),
    /// The operator's command line (`parley …` on the server).
    Operator,
    /// Parley itself (a scheduled job, a worker).
    System,
    /// Someone not signed in (a failed sign-in).
    Anonymous,
}

impl AuditActor {
    /// Storage and display form: `agent:<id>`, `api_key:<id>`, `operator`, `system`, `anonymous`.
    pub fn as_string(&self) -> String {
        match self {
            AuditActor::Agent(id) => format!("agent:{id}"),
            AuditActor::ApiKey(id) => format!("api_key:{id}"),
            AuditActor::Staff(id) => format!("staff:{id}"),
            AuditActor::Operator => "operator".into(),
            AuditActor::System => "system".into(),
            AuditActor::Anonymous => "anonymous".into(),
        }
    }

    pub fn parse(s: &str) -> Option<AuditActor> {
        match s.split_once(':') {
            Some(("agent", id)) => AgentId::parse(id).map(AuditActor::Agent),
            Some(("api_key", id)) => ApiKeyId::parse(id).map(AuditActor::ApiKey),
            Some(("staff", id)) => SupportGrantId::parse(id).map(AuditActor::Staff),
            None if s == "operator" => Some(AuditActor::Operator),
            None if s == "system" => Some(AuditActor::System),
            None if s == "anonymous" => Some(AuditActor::Anonymous),
            _ => None,
        }
    }
}

/// What happened. Stored as its dotted name, so filters can take a prefix (`login.` for both outcomes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    Logout,
    PasswordReset,
    ApiKeyCreated,
    ApiKeyRevoked,
    ApiKeyUsed,
    AgentCreated,
    AgentChanged,
    SettingsChanged,
    AuditExported,
    FeatureEnabled,
    FeatureDisabled,
    ConsentGiven,
    RegisterChanged,
    RegisterObjected,
    DpaAccepted,
    GrantCreated,
    GrantRevoked,
    SupportOpened,
    SupportAccess,
    ContactErased,
    ContactExported,
    AccountMoved,
    IncidentRecorded,
    RetentionApplied,
    WebhookRedelivered,
    ContactMerged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 28] = [
        AuditAction::LoginSucceeded,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::PasswordReset,
        AuditAction::ApiKeyCreated,
        AuditAction::ApiKeyRevoked,
        AuditAction::ApiKeyUsed,
        AuditAction::AgentCreated,
        AuditAction::AgentChanged,
        AuditAction::SettingsChanged,
        AuditAction::AuditExported,
        AuditAction::FeatureEnabled,
        AuditAction::FeatureDisabled,
        AuditAction::ConsentGiven,
        AuditAction::RegisterChanged,
        AuditAction::RegisterObjected,
        AuditAction::DpaAccepted,
        AuditAction::GrantCreated,
        AuditAction::GrantRevoked,
        AuditAction::SupportOpened,
        AuditAction::SupportAccess,
        AuditAction::ContactErased,
        AuditAction::ContactExported,
        AuditAction::AccountMoved,
        AuditAction::IncidentRecorded,
        AuditAction::RetentionApplied,
        AuditAction::WebhookRedelivered,
        AuditAction::ContactMerged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "login.succeeded",
            AuditAction::LoginFailed => "login.failed",
            AuditAction::Logout => "logout",
            AuditAction::PasswordReset => "password.reset",
            AuditAction::ApiKeyCreated => "api_key.created",
            AuditAction::ApiKeyRevoked => "api_key.revoked",
            AuditAction::ApiKeyUsed => "api_key.used",
            AuditAction::AgentCreated => "agent.created",
            AuditAction::AgentChanged => "agent.changed",
            AuditAction::SettingsChanged => "settings.changed",
            AuditAction::AuditExported => "audit.exported",
            AuditAction::FeatureEnabled => "feature.enabled",
            AuditAction::FeatureDisabled => "feature.disabled",
            AuditAction::ConsentGiven => "consent.given",
            AuditAction::RegisterChanged => "register.changed",
            AuditAction::RegisterObjected => "register.objected",
            AuditAction::DpaAccepted => "dpa.accepted",
            AuditAction::GrantCreated => "grant.created",
            AuditAction::GrantRevoked => "grant.revoked",
            AuditAction::SupportOpened => "support.opened",
            AuditAction::SupportAccess => "support.access",
            AuditAction::ContactErased => "contact.erased",
            AuditAction::ContactExported => "contact.exported",
            AuditAction::AccountMoved => "account.moved",
            AuditAction::IncidentRecorded => "incident.recorded",
            AuditAction::RetentionApplied => "retention.applied",
            AuditAction::WebhookRedelivered => "webhook.redelivered",
            AuditAction::ContactMerged => "contact.merged",
        }
    }
}

/// An entry before it is chained: what the caller records.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub account_id: AccountId,
    pub at: Timestamp,
    pub actor: AuditActor,
    pub action: AuditAction,
    /// What was acted on, as `kind:id` (`api_key:…`, `agent:…`) or a settings area (`settings:mail`).
    pub target: Option<String>,
    /// A JSON object with the particulars (the email tried, the role before and after …); never a secret.
    pub detail: serde_json::Value,
    /// The client's address, where there was a client.
    pub ip: Option<String>,
}

/// An entry as stored, chained to the one before it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// 1, 2, 3 … per account, without gaps.
    pub seq: i64,
    pub at: Timestamp,
    /// `agent:<id>`, `api_key:<id>`, `operator`, `system` or `anonymous`.
    pub actor: String,
    /// `login.succeeded`, `login.failed`, `logout`, `password.reset`, `api_key.created`, `api_key.revoked`,
    /// `agent.created`, `agent.changed`, `settings.changed`, `audit.exported`, `feature.enabled`, `feature.disabled`,
    /// `consent.given`, `register.changed`, `register.objected`,
    /// `dpa.accepted`, `grant.created`, `grant.revoked`, `support.opened`, `support.access`,
    /// `contact.erased`, `contact.exported`, `webhook.redelivered`.
    pub action: String,
    pub target: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    /// Hex SHA-256 of the entry before ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's fields and `prev_hash`.
    pub hash: String,
}

impl NewAuditEntry {
    /// The entry that follows `prev` (`None` for the first), hash included.
    pub fn chain(&self, prev: Option<(i64, &str)>) -> AuditEntry {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_string()),
            None => (1, GENESIS.to_string()),
        };
        let mut entry = AuditEntry {
            seq,
            at: self.at,
            actor: self.actor.as_string(),
            action: self.action.as_str().to_string(),
            target: self.target.clone(),
            detail: self.detail.clone(),
            ip: self.ip.clone(),
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        entry
    }
}

/// The hash an entry must carry. Every field goes in with its length first, so no two different entries can
/// serialize alike; the detail as compact JSON with its keys in order (serde_json's map is sorted).
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(&e.seq.to_be_bytes());
    field(&e.at.millis().to_be_bytes());
    field(e.actor.as_bytes());
    field(e.action.as_bytes());
    field(e.target.as_deref().unwrap_or("\u{0}").as_bytes());
    field(e.detail.to_string().as_bytes());
    field(e.ip.as_deref().unwrap_or("\u{0}").as_bytes());
    field(e.prev_hash.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a chain is broken, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BrokenLink {
    /// The first entry that does not follow from the ones before it.
    pub seq: i64,
    pub reason: String,
}

/// Walks a chain in order, one entry at a time, so that a long log is checked page by page.
#[derive(Debug, Default)]
pub struct ChainCheck {
    last: Option<(i64, String)>,
    checked: u64,
    broken: Option<BrokenLink>,
}

impl ChainCheck {
    /// Takes the next entry; false once the chain is broken (nothing after that point is trusted).
    pub fn next(&mut self, e: &AuditEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let (expected_seq, expected_prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        let reason = if e.seq != expected_seq {
            Some(format!("entry {expected_seq} is missing (the next one is {})", e.seq))
        } else if e.prev_hash != expected_prev {
            Some("its link to the entry before does not match: an entry before it was altered or replaced".into())
        } else if entry_hash(e) != e.hash {
            Some("its contents do not match its hash: it was altered".into())
        } else {
            None
        };
        if let Some(reason) = reason {
            self.broken = Some(BrokenLink { seq: expected_seq.min(e.seq), reason });
            return false;
        }
        self.last = Some((e.seq, e.hash.clone()));
        self.checked += 1;
        true
    }

    /// The result, given the head the store keeps beside the log (the last entry written), which shows entries
    /// taken from the end.
    pub fn finish(mut self, head: Option<(i64, &str)>) -> Verification {
        if self.broken.is_none() {
            let last = self.last.as_ref().map(|(s, h)| (*s, h.as_str()));
            match (head, last) {
                (Some((hs, hh)), Some((ls, lh))) if hs == ls && hh == lh => {}
                (None, None) => {}
                (Some((hs, _)), last) if last.is_none_or(|(ls, _)| ls < hs) => {
                    let from = last.map_or(1, |(ls, _)| ls + 1);
                    self.broken = Some(BrokenLink {
                        seq: from,
                        reason: format!("entries {from} to {hs} were removed from the end of the log"),
                    });
                }
                (_, last) => {
                    let seq = last.map_or(1, |(ls, _)| ls);
                    self.broken =
                        Some(BrokenLink { seq, reason: "the log's last entry is not the one last written".into() });
                }
            }
        }
        Verification { entries: self.checked, broken: self.broken }
    }
}

/// What checking a chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    /// Entries checked and found in order.
    pub entries: u64,
    /// The first broken link; none when the chain is whole.
    pub broken: Option<BrokenLink>,
}

/// Checks a whole chain held in memory (tests, small logs).
pub fn verify(entries: &[AuditEntry], head: Option<(i64, &str)>) -> Verification {
    let mut check = ChainCheck::default();
    for e in entries {
        if !check.next(e) {
            break;
        }
    }
    check.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let account = AccountId::new();
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let e = NewAuditEntry {
                account_id: account,
                at: Timestamp::from_millis(1_700_000_000_000 + i as i64),
                actor: AuditActor::Anonymous,
                action: AuditAction::LoginFailed,
                target: None,
                detail: json!({"email": format!("user{i}@example.com")}),
                ip: Some("192.0.2.1".into()),
            };
            let prev = out.last().map(|p| (p.seq, p.hash.as_str()));
            let next = e.chain(prev);
            out.push(next);
        }
        out
    }

    fn head(c: &[AuditEntry]) -> Option<(i64, &str)> {
        c.last().map(|e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn a_whole_chain_verifies() {
        let c = chain(5);
        assert_eq!(c[0].prev_hash, GENESIS);
        assert_eq!(c[3].prev_hash, c[2].hash);
        assert_eq!(verify(&c, head(&c)), Verification { entries: 5, broken: None });
        assert_eq!(verify(&[], None), Verification { entries: 0, broken: None });
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_string()));
        c[2].detail = json!({"email": "someone-else@example.com"});
        let v = verify(&c, h.as_ref().map(|(s, h)| (*s, h.as_str())));
        assert_eq!(v.entries, 2);
        assert_eq!(v.broken.as_ref().map(|b| b.seq), Some(3), "{v:?}");
        assert!(v.broken.unwrap().reason.contains("altered"));
    }

    #[test]
    fn an_entry_rehashed_after_altering_breaks_the_next_link() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_string()));
        c[1].ip = Some("203.0.113.9".into());
        c[1].hash = entry_hash(&c[1]);
        let v = verify(&c, h.as_ref().map(|(s, h)| (*s, h.as_str())));
        assert_eq!(v.broken.map(|b| b.seq), Some(3));
    }

    #[test]
    fn removed_entries_are_found_in_the_middle_and_at_the_end() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, h)| (s, h.to_string()));
        let h = h.as_ref().map(|(s, h)| (*s, h.as_str()));
        let mut middle = c.clone();
        middle.remove(1);
        assert_eq!(verify(&middle, h).broken.map(|b| b.seq), Some(2));
        c.truncate(3);
        let v = verify(&c, h);
        assert_eq!(v.broken.as_ref().map(|b| b.seq), Some(4), "{v:?}");
        assert!(v.broken.unwrap().reason.contains("removed"));
        assert_eq!(verify(&[], h).broken.map(|b| b.seq), Some(1));
    }

    #[test]
    fn actors_round_trip() {
        for a in [
            AuditActor::Agent(AgentId::new()),
            AuditActor::ApiKey(ApiKeyId::new()),
            AuditActor::Operator,
            AuditActor::System,
            AuditActor::Anonymous,
        ] {
            assert_eq!(AuditActor::parse(&a.as_string()), Some(a));
        }
        assert_eq!(AuditActor::parse("agent:nope"), None);
    }
}
