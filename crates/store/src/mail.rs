use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, MessageId, TicketId};
use parley_domain::Timestamp;

/// A mail for the relay. Queued in the account's region; a worker sends it and records the outcome.
#[derive(Debug, Clone)]
pub struct OutboundMail {
    pub id: String,
    pub account_id: AccountId,
    /// What it is: `password_reset`, `reply`, `acknowledgement`, …
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub ticket_id: Option<TicketId>,
    pub message_id: Option<MessageId>,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait MailOutbox: Send + Sync {
    async fn queue_mail(&self, mail: &OutboundMail) -> Result<(), StoreError>;
    /// Mail of the account still waiting to go out, oldest first.
    async fn queued_mail(&self, account: AccountId, limit: u32) -> Result<Vec<OutboundMail>, StoreError>;
}
