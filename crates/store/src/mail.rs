use crate::{StoreError, TicketChange};
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AttachmentId, InboundId, MailboxId, MessageId, TicketId};
use parley_domain::mailbox::Mailbox;
use parley_domain::message::{AttachmentInfo, Message};
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;
use serde::{Deserialize, Serialize};

/// A mail for the relay. Queued in the account's region in the same unit of work as what caused it; a worker sends
/// it and records the outcome on the message it carries.
#[derive(Debug, Clone)]
pub struct OutboundMail {
    pub id: String,
    pub account_id: AccountId,
    /// What it is: `password_reset`, `reply`, `acknowledgement`, `notification`.
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub ticket_id: Option<TicketId>,
    pub message_id: Option<MessageId>,
    pub created_at: Timestamp,
    pub meta: MailMeta,
}

/// The rest of an outgoing mail's headers and parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMeta {
    pub from: String,
    pub from_name: Option<String>,
    pub cc: Vec<String>,
    pub reply_to: Option<String>,
    pub html: Option<String>,
    /// Without angle brackets; empty lets the sender make one.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Written by Parley itself, not by a person: marked `Auto-Submitted: auto-replied`.
    pub automatic: bool,
    pub attachments: Vec<AttachmentId>,
}

#[derive(Debug, Clone)]
pub enum MailOutcome {
    Sent,
    /// Try again at `at`.
    Retry {
        error: String,
        at: Timestamp,
    },
    Failed {
        error: String,
    },
}

#[async_trait]
pub trait MailOutbox: Send + Sync {
    async fn queue_mail(&self, mail: &OutboundMail) -> Result<(), StoreError>;
    /// Mail of the account still waiting to go out, oldest first.
    async fn queued_mail(&self, account: AccountId, limit: u32) -> Result<Vec<OutboundMail>, StoreError>;
    /// Region-wide, for the sending worker: lease mail due at `now` until `lease_until`.
    async fn claim_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<(OutboundMail, i64)>, StoreError>;
    /// Record how sending went, on the mail and on the message it carries.
    async fn finish_mail(
        &self,
        account: AccountId,
        id: &str,
        outcome: &MailOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Record what became of a message's mail (queued for a reason, sent, bounced).
    async fn set_delivery(
        &self,
        account: AccountId,
        message: MessageId,
        delivery: &parley_domain::message::Delivery,
    ) -> Result<(), StoreError>;
}

/// A mail as received, before it is processed.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub id: InboundId,
    pub account_id: AccountId,
    /// `smtp`, `lmtp`, `imap` or `webhook`.
    pub source: String,
    /// The envelope sender; `None` for the null sender `<>`.
    pub mail_from: Option<String>,
    pub rcpt_to: String,
    pub received_at: Timestamp,
}

/// A file to keep with a message.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub info: AttachmentInfo,
    pub data: Vec<u8>,
}

/// What a received mail does, written as one unit with the mail marked processed: exactly once.
pub struct IncomingMail {
    pub inbound: InboundId,
    /// What became of it: `new_ticket`, `reply`, `agent_reply`, `follow_up`, …
    pub outcome: String,
    pub write: MailWrite,
    pub attachments: Vec<NewAttachment>,
    /// Message-ID headers that lead to the ticket from now on.
    pub mail_ids: Vec<String>,
    /// People copied on the mail, kept on the ticket.
    pub participants: Vec<EmailAddress>,
    /// Mail to send because of it (acknowledgement, notifications), built once the ticket is stored.
    pub outgoing: Box<dyn FnOnce(&Ticket, &Contact, &Message) -> Vec<OutboundMail> + Send>,
}

pub enum MailWrite {
    Create(crate::NewTicket),
    Append(TicketChange),
}

#[async_trait]
pub trait InboundStore: Send + Sync {
    /// Keep a received mail. When this returns, the mail is on disk.
    async fn store_inbound(&self, mail: &Inbound, raw: &[u8]) -> Result<(), StoreError>;
    /// Region-wide: mail not processed yet, oldest first, with its envelope sender.
    async fn pending_inbound(&self, limit: u32) -> Result<Vec<(AccountId, InboundId, Option<String>)>, StoreError>;
    async fn load_inbound(&self, account: AccountId, id: InboundId) -> Result<Option<(Inbound, Vec<u8>)>, StoreError>;
    /// Mark a pending mail processed without any ticket change (a duplicate, a rejected bounce). False if it was
    /// not pending.
    async fn close_inbound(&self, account: AccountId, id: InboundId, outcome: &str) -> Result<bool, StoreError>;
    /// Write what a mail does. `Conflict` if the mail was already processed; `Stale` if the ticket changed.
    async fn ingest_mail(&self, mail: IncomingMail) -> Result<(Ticket, Message), StoreError>;

    /// The ticket one of these Message-IDs leads to.
    async fn ticket_by_mail_ids(&self, account: AccountId, ids: &[String]) -> Result<Option<TicketId>, StoreError>;
    /// The Message-IDs of a ticket's mail, oldest first (for `References`).
    async fn thread_ids(&self, account: AccountId, ticket: TicketId) -> Result<Vec<String>, StoreError>;
    async fn participants(&self, account: AccountId, ticket: TicketId) -> Result<Vec<Contact>, StoreError>;
    /// How many tickets a contact opened since `since` (flood control), counted up to `cap`: a sender past the
    /// limit is past it however far, and counting every ticket of a busy sender would read them all.
    async fn tickets_opened_since(
        &self,
        account: AccountId,
        contact: parley_domain::ids::ContactId,
        since: Timestamp,
        cap: u32,
    ) -> Result<i64, StoreError>;
    /// What the account's mail is sent as: its name, language, signing secret and first mailbox address.
    async fn mail_identity(&self, account: AccountId) -> Result<MailIdentity, StoreError>;
    /// Replace the account's automatic-mail settings.
    async fn set_mail_settings(
        &self,
        account: AccountId,
        settings: &parley_domain::mail_template::MailSettings,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// A stored file, the ticket of the message it came with, and its bytes.
    async fn attachment(
        &self,
        account: AccountId,
        id: AttachmentId,
    ) -> Result<Option<(AttachmentInfo, TicketId, Vec<u8>)>, StoreError>;
    async fn blob(&self, account: AccountId, hash: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The mail a message was made from, as received, with the message's ticket.
    async fn original_mail(
        &self,
        account: AccountId,
        message: MessageId,
    ) -> Result<Option<(TicketId, Vec<u8>)>, StoreError>;

    async fn insert_mailbox(&self, mailbox: &Mailbox) -> Result<(), StoreError>;
    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<Mailbox>, StoreError>;
    async fn get_mailbox(&self, account: AccountId, id: MailboxId) -> Result<Option<Mailbox>, StoreError>;
    /// Region-wide: the mailbox with this address, whichever account has it.
    async fn mailbox_by_address(&self, address: &EmailAddress) -> Result<Option<Mailbox>, StoreError>;
    /// Region-wide: mailboxes fetched by IMAP.
    async fn imap_mailboxes(&self) -> Result<Vec<Mailbox>, StoreError>;
    async fn imap_state(&self, account: AccountId, id: MailboxId) -> Result<Option<String>, StoreError>;
    async fn set_imap_state(&self, account: AccountId, id: MailboxId, state: &str) -> Result<(), StoreError>;
}

#[derive(Debug, Clone)]
pub struct MailIdentity {
    pub name: String,
    pub language: String,
    pub secret: Vec<u8>,
    pub mailbox: Option<String>,
    pub settings: parley_domain::mail_template::MailSettings,
}
