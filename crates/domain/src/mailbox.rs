//! Mailboxes: addresses an account receives mail at, and how Parley reaches them.

use crate::email::EmailAddress;
use crate::ids::{AccountId, MailboxId};
use crate::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Mailbox {
    pub id: MailboxId,
    #[serde(skip)]
    pub account_id: AccountId,
    #[schema(value_type = String, format = Email)]
    pub address: EmailAddress,
    pub name: Option<String>,
    /// Fetch this mailbox's mail from an IMAP server.
    pub imap: Option<ImapSettings>,
    #[serde(skip)]
    pub webhook_secret: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Imaps,
    /// Plain connection upgraded with STARTTLS before signing in (port 143).
    Starttls,
    /// No TLS: only for a server on this machine (tests, a local relay).
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub user: String,
    #[serde(skip_serializing, default)]
    pub password: String,
    /// The folder to fetch, usually INBOX.
    pub folder: String,
    /// Where fetched mail goes once stored: flagged seen where it is (None), or moved to this folder.
    pub move_to: Option<String>,
}
