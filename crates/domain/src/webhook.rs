//! Outbound webhooks: the events an account can subscribe to, and signatures by the Standard Webhooks scheme
//! (<https://www.standardwebhooks.com/>): `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`.

use crate::ids::{AccountId, WebhookId};
use crate::{Invalid, Timestamp};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    #[serde(rename = "ticket.created")]
    TicketCreated,
    #[serde(rename = "ticket.updated")]
    TicketUpdated,
    #[serde(rename = "message.created")]
    MessageCreated,
    /// A ticket's SLA target runs out soon.
    #[serde(rename = "sla.warning")]
    SlaWarning,
    /// A ticket's SLA target ran out unmet.
    #[serde(rename = "sla.breached")]
    SlaBreached,
    /// A trigger or automation told this webhook about a ticket (`notify_webhook`). Not subscribed to: it goes to
    /// the webhook the rule names, whatever that subscribes to.
    #[serde(rename = "trigger.notified")]
    TriggerNotified,
    /// A phone call ended and went on a ticket: the call and its ticket.
    #[serde(rename = "call.ended")]
    CallEnded,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        EventType::TicketCreated,
        EventType::TicketUpdated,
        EventType::MessageCreated,
        EventType::SlaWarning,
        EventType::SlaBreached,
        EventType::CallEnded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::TicketCreated => "ticket.created",
            EventType::TicketUpdated => "ticket.updated",
            EventType::MessageCreated => "message.created",
            EventType::SlaWarning => "sla.warning",
            EventType::SlaBreached => "sla.breached",
            EventType::TriggerNotified => "trigger.notified",
            EventType::CallEnded => "call.ended",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| {
            Invalid::field(
                "events",
                format!(
                    "'{}' is not an event (ticket.created, ticket.updated, message.created, sla.warning, sla.breached)",
                    s.chars().take(40).collect::<String>()
                ),
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: WebhookId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub url: String,
    pub events: Vec<EventType>,
    pub description: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
}

/// The secret a webhook's deliveries are signed with, in the `whsec_<base64>` form receivers expect.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl WebhookSecret {
    pub fn from_bytes(key: Vec<u8>) -> Self {
        WebhookSecret(key)
    }

    pub fn parse(s: &str) -> Option<Self> {
        let b = B64.decode(s.strip_prefix("whsec_")?).ok()?;
        (b.len() >= 16).then_some(WebhookSecret(b))
    }

    pub fn expose(&self) -> String {
        format!("whsec_{}", B64.encode(&self.0))
    }

    /// The `webhook-signature` header value for one delivery.
    pub fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_secs.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_the_standard_webhooks_reference() {
        // The test vector published with the Standard Webhooks reference libraries.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_round_trip() {
        let s = WebhookSecret::from_bytes(vec![7; 24]);
        assert_eq!(WebhookSecret::parse(&s.expose()), Some(s));
        assert_eq!(WebhookSecret::parse("nope"), None);
    }
}
