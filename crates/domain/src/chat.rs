//! Live chat: a conversation is a ticket of channel `chat`; what happens in it is a numbered feed of events that
//! visitors and agents read from any point on. Every event has the next sequence number of its conversation, so
//! a client that reconnects asks for what came after the last number it holds and misses nothing; a message a
//! client sends carries the client's own id for it, so a message sent twice (a retry after a lost answer) is
//! stored once.

use crate::ids::{AccountId, AgentId, ContactId, MessageId, VisitorId};
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

/// The longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 4000;

/// Who wrote in a chat, as both sides see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatAuthor {
    Visitor,
    Agent {
        #[schema(value_type = String)]
        id: AgentId,
        name: String,
    },
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEventKind {
    /// Text as written: clients show it as text, never as HTML.
    Message {
        #[schema(value_type = String)]
        message_id: MessageId,
        author: ChatAuthor,
        body: String,
        /// The sender's own id for the message (visitors' messages), echoed so the sender can match it.
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// Files shared with the message.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<ChatFile>,
    },
    AgentJoined {
        name: String,
    },
    /// The agent left the chat (transferred it to another agent or team).
    AgentLeft {
        name: String,
    },
    ChatEnded,
}

/// A file shared in a chat, as both sides see it; its bytes are fetched by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatFile {
    #[schema(value_type = String)]
    pub id: crate::ids::AttachmentId,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// One event of a conversation, numbered from 1 without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChatEvent {
    pub seq: i64,
    #[schema(value_type = String)]
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: ChatEventKind,
}

/// An event to append; the store numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChatEvent {
    pub kind: ChatEventKind,
    pub at: Timestamp,
}

impl NewChatEvent {
    pub fn client_id(&self) -> Option<&str> {
        match &self.kind {
            ChatEventKind::Message { client_id, .. } => client_id.as_deref(),
            _ => None,
        }
    }
}

/// Who is typing in a conversation: shown to the other side for a few seconds, never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typist {
    Visitor,
    Agent { id: AgentId, name: String },
}

/// Someone chatting from a site, known by the token their browser keeps. They become a contact (the chat
/// tickets' requester) with their first conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub id: VisitorId,
    pub account_id: AccountId,
    /// SHA-256 of the visitor's token; the token itself is only in the visitor's browser.
    pub token_hash: String,
    pub contact_id: Option<ContactId>,
    pub created_at: Timestamp,
    /// Blocked by an agent: they can no longer write.
    pub blocked_at: Option<Timestamp>,
}

/// Whether an agent takes chats now, as they set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Available,
    Away,
    Offline,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Result<Presence, Invalid> {
        match s {
            "available" => Ok(Presence::Available),
            "away" => Ok(Presence::Away),
            "offline" => Ok(Presence::Offline),
            _ => Err(Invalid::field("status", "must be available, away or offline")),
        }
    }
}

/// How the account's chat meets other sites: which origins may embed it (none listed: any), and the secret that
/// signs the identities the account's own site vouches for; and how its chats reach agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSettings {
    pub allowed_origins: Vec<String>,
    pub identity_secret: String,
    pub routing: crate::chat_routing::RoutingSettings,
    pub look: WidgetLook,
}

/// How the account's widget looks on every site that embeds it (a site may still override it in its page).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WidgetLook {
    /// `#rgb` or `#rrggbb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// `left` or `right`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// The first words a visitor sees (instead of the widget's own, in their language).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
}

impl WidgetLook {
    /// Checks a look as an admin sets it; empty values mean the widget's own.
    pub fn parse(color: Option<&str>, position: Option<&str>, greeting: Option<&str>) -> Result<WidgetLook, Invalid> {
        let blank = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        let color = blank(color).map(|c| c.to_ascii_lowercase());
        if let Some(c) = &color {
            let hex = c.strip_prefix('#').unwrap_or_default();
            if !matches!(hex.len(), 3 | 6) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Invalid::field("color", "must be a colour like #2f5bd3"));
            }
        }
        let position = blank(position);
        if position.as_deref().is_some_and(|p| p != "left" && p != "right") {
            return Err(Invalid::field("position", "must be left or right"));
        }
        let greeting = match blank(greeting) {
            Some(g) => Some(crate::text::checked_text("greeting", &g, 300, true)?),
            None => None,
        };
        Ok(WidgetLook { color, position, greeting })
    }
}

impl ChatSettings {
    /// Whether a browser request from `origin` may use the chat. Requests without an Origin (not from a page) are
    /// not a browser's cross-site request and pass.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(o) => {
                self.allowed_origins.is_empty() || self.allowed_origins.iter().any(|a| a.eq_ignore_ascii_case(o))
            }
        }
    }

    /// Whether `hash` is the hex HMAC-SHA256 of `id` under the account's identity secret (checked in constant
    /// time).
    pub fn vouches_for(&self, id: &str, hash: &str) -> bool {
        use hmac::{Hmac, Mac};
        let Ok(expected) = hex_bytes(hash) else { return false };
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(self.identity_secret.as_bytes()) else { return false };
        mac.update(id.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, ()> {
    if s.len() != 64 {
        return Err(());
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| ())).collect()
}

/// A site's origin as browsers send it: `https://shop.example` or `http://localhost:3000`, no path.
pub fn parse_origin(s: &str) -> Result<String, Invalid> {
    let bad = || {
        Invalid::field(
            "allowed_origins",
            format!("'{}' is not an origin like https://shop.example", s.chars().take(80).collect::<String>()),
        )
    };
    let t = s.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://")).ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if host_ok && port_ok {
        Ok(t)
    } else {
        Err(bad())
    }
}

/// A client's id for a message: 1 to 64 letters, digits, `-` or `_` (a UUID fits).
pub fn parse_client_id(s: &str) -> Result<String, Invalid> {
    if s.is_empty() || s.len() > 64 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Invalid::field("client_id", "must be 1 to 64 letters, digits, '-' or '_'"));
    }
    Ok(s.to_string())
}

/// A chat message's text: not empty, at most [`MAX_CHAT_CHARS`] characters.
pub fn parse_chat_text(s: &str) -> Result<String, Invalid> {
    crate::text::checked_text("body", s, MAX_CHAT_CHARS, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_and_texts_are_checked() {
        assert!(parse_client_id("c-01J9_x").is_ok());
        for bad in ["", "has space", "<script>", &"x".repeat(65)] {
            assert!(parse_client_id(bad).is_err(), "{bad}");
        }
        assert!(parse_chat_text("  ").is_err());
        assert!(parse_chat_text(&"a".repeat(MAX_CHAT_CHARS + 1)).is_err());
        assert_eq!(parse_chat_text(" <b>hi</b> ").unwrap(), "<b>hi</b>", "text is kept as written, shown as text");
    }

    #[test]
    fn origins_and_identities() {
        assert_eq!(parse_origin("https://Shop.Example/").unwrap(), "https://shop.example");
        assert!(parse_origin("http://localhost:3000").is_ok());
        for bad in
            ["shop.example", "https://shop.example/path", "ftp://x.example", "https://", "https://a.example:99999"]
        {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        let s = ChatSettings {
            allowed_origins: vec!["https://shop.example".into()],
            identity_secret: "key".into(),
            routing: Default::default(),
            look: Default::default(),
        };
        assert!(WidgetLook::parse(Some("#2F5BD3"), Some("left"), Some(" Hi! ")).is_ok());
        assert_eq!(WidgetLook::parse(Some(""), None, Some("  ")).unwrap(), WidgetLook::default());
        assert!(WidgetLook::parse(Some("red;}</style>"), None, None).is_err());
        assert!(WidgetLook::parse(None, Some("top"), None).is_err());
        assert!(s.allows(Some("https://shop.example")) && s.allows(None) && !s.allows(Some("https://evil.example")));
        // HMAC-SHA256("key", "user-42"), as a site's server would compute it.
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"user-42");
        let hash: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(s.vouches_for("user-42", &hash));
        assert!(!s.vouches_for("user-43", &hash));
        assert!(!s.vouches_for("user-42", "00"));
    }

    #[test]
    fn events_serialise_flat_with_their_number() {
        let e = ChatEvent {
            seq: 3,
            at: Timestamp::from_millis(0),
            kind: ChatEventKind::AgentJoined { name: "Ann".into() },
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            (v["seq"].as_i64(), v["type"].as_str(), v["name"].as_str()),
            (Some(3), Some("agent_joined"), Some("Ann"))
        );
    }
}
