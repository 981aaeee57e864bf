use crate::webhooks::OutboxEvent;
use crate::StoreError;
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::custom_field::TicketField;
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AgentId, CompanyId, ContactId, DepartmentId, TicketId};
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::{Channel, Priority, Status, Tag, Ticket, TicketNumber};
use parley_domain::Timestamp;

/// Who a new ticket is from: a known contact, or an address to find or add as a contact.
#[derive(Debug, Clone)]
pub enum Requester {
    Existing(ContactId),
    ByEmail { email: EmailAddress, name: Option<String>, new_id: ContactId, at: Timestamp },
}

/// A ticket with its first message, written as one unit. The store assigns the number and resolves the requester;
/// a first message authored by a contact is the requester's, and gets the resolved contact as its author.
pub struct NewTicket {
    pub ticket: Ticket,
    pub requester: Requester,
    pub message: Message,
    pub events: Vec<TicketEvent>,
    /// Built once the number and requester are known; see [`OutboxEvent`].
    pub outbox: fn(&Ticket, &Contact, &Message) -> Vec<OutboxEvent>,
    /// What the account's rules already did in this unit of work; by default nothing, and the creation is queued
    /// for the triggers and asks the SLA watch for a look.
    pub automated: AutomatedAtCreation,
}

/// The rules that ran on a new ticket before it was written (see `parley_app::tickets::open`): its triggers, and
/// the SLA watch's first look.
#[derive(Debug, Default)]
pub struct AutomatedAtCreation {
    /// The account's triggers ran over the creation (their changes are in the ticket and its events): it is not
    /// queued for them.
    pub triggers_ran: bool,
    /// The round-robin turns their assignments took, by department.
    pub turns: Vec<(Option<parley_domain::ids::DepartmentId>, parley_domain::ids::AgentId)>,
    /// The ticket's SLA as looked at on creation; `None` asks the watch for a look.
    pub sla: Option<SlaAtCreation>,
    /// The revision of the account's rules (see `TriggerStore::rules_rev`) the above were made by: the write
    /// checks it is still the account's and answers `StoreError::Stale` (writing nothing) when it is not.
    pub rules_rev: Option<i64>,
}

/// A first SLA look's result, kept with the new ticket as the watch keeps its looks.
#[derive(Debug)]
pub struct SlaAtCreation {
    pub record: Option<parley_domain::sla::SlaRecord>,
    pub due_at: Option<parley_domain::Timestamp>,
    pub state: Option<parley_domain::sla::SlaSummary>,
    /// The next look (a warning or a breach to come); `None` when nothing runs.
    pub check_at: Option<parley_domain::Timestamp>,
}

/// A saved change to a ticket: its new state, what happened, an optional new message, and the outbox events.
/// Saved only if the stored ticket still has `expected_version`; otherwise `StoreError::Stale`.
pub struct TicketChange {
    pub ticket: Ticket,
    pub expected_version: i64,
    pub message: Option<Message>,
    pub events: Vec<TicketEvent>,
    pub outbox: Vec<OutboxEvent>,
    /// Mail the change sends (a reply to the customer), queued with it.
    pub mail: Vec<crate::OutboundMail>,
    /// Events of the ticket's chat, numbered as they are appended.
    pub chat: Vec<parley_domain::chat::NewChatEvent>,
}

pub use parley_domain::view::SortKey;

/// Whose tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Agent(AgentId),
    Nobody,
    Anyone,
}

/// A custom field's value a ticket must have, typed by the field's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Vec<Status>,
    pub priority: Vec<Priority>,
    pub assignee: Option<Assignee>,
    pub department: Option<Option<DepartmentId>>,
    pub tag: Option<Tag>,
    pub requester: Option<ContactId>,
    /// Tickets whose requester belongs to this company.
    pub company: Option<CompanyId>,
    pub channel: Option<Channel>,
    /// Field key and value, each of which must match.
    pub custom_fields: Vec<(String, FieldValue)>,
    /// Created at or after …
    pub created_after: Option<Timestamp>,
    /// … and before.
    pub created_before: Option<Timestamp>,
    pub updated_after: Option<Timestamp>,
    pub updated_before: Option<Timestamp>,
    /// Tickets whose SLA stands so (any of these).
    pub sla: Vec<parley_domain::sla::SlaSummary>,
    /// Tickets with a running SLA target due before this time.
    pub sla_due_before: Option<Timestamp>,
    /// For agents limited to some departments: only tickets in these or in none.
    pub visible_departments: Option<Vec<DepartmentId>>,
    /// For support staff under a grant limited to some departments: only tickets in these.
    pub only_departments: Option<Vec<DepartmentId>>,
    /// For support staff under a grant limited to some tickets: only these.
    pub only_tickets: Option<Vec<TicketId>>,
}

/// A ticket's value in the column a list is ordered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

impl From<i64> for SortValue {
    fn from(v: i64) -> Self {
        SortValue::Int(v)
    }
}

/// Where a page starts: strictly after this (sort value, id) in the chosen order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketCursor {
    pub value: SortValue,
    pub id: TicketId,
}

impl TicketCursor {
    /// The cursor just after `t` in a list ordered by `key`; `None` for an order by a name, which the ticket does
    /// not hold: [`TicketStore::sort_value`] reads it.
    pub fn after(t: &Ticket, key: SortKey) -> Option<TicketCursor> {
        use parley_domain::view::{priority_rank, status_rank};
        let value = match key {
            SortKey::UpdatedAt => SortValue::Int(t.updated_at.millis()),
            SortKey::CreatedAt => SortValue::Int(t.created_at.millis()),
            SortKey::Priority => SortValue::Int(priority_rank(t.priority)),
            SortKey::Status => SortValue::Int(status_rank(t.status)),
            SortKey::Number => SortValue::Int(t.number.0),
            SortKey::Subject => SortValue::Text(t.subject.clone()),
            SortKey::Channel => SortValue::Text(t.channel.as_str().to_string()),
            // Kept outside the ticket's fields: the store reads it (`TicketStore::sort_value`).
            SortKey::Requester | SortKey::Assignee | SortKey::Department | SortKey::SlaDue => return None,
        };
        Some(TicketCursor { value, id: t.id })
    }
}

#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub filter: TicketFilter,
    pub sort: SortKey,
    pub descending: bool,
    pub after: Option<TicketCursor>,
    pub limit: u32,
}

/// A ticket's messages and events, each oldest first.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub messages: Vec<Message>,
    pub events: Vec<TicketEvent>,
}

#[async_trait]
pub trait TicketStore: Send + Sync {
    /// Write the ticket, its requester (found or added), first message and events. Returns them as stored.
    async fn create_ticket(&self, new: NewTicket) -> Result<(Ticket, Contact, Message), StoreError>;
    async fn get_ticket(&self, account: AccountId, id: TicketId) -> Result<Option<Ticket>, StoreError>;
    /// The account's tickets among `ids`, in no particular order (those not found are left out).
    async fn get_tickets(&self, account: AccountId, ids: &[TicketId]) -> Result<Vec<Ticket>, StoreError>;
    async fn get_ticket_by_number(
        &self,
        account: AccountId,
        number: TicketNumber,
    ) -> Result<Option<Ticket>, StoreError>;
    async fn list_tickets(&self, account: AccountId, query: &TicketQuery) -> Result<Vec<Ticket>, StoreError>;
    /// The value the ticket is ordered by under `key`, as [`TicketStore::list_tickets`] compares it: for a page's
    /// cursor when the order is by a name. `None` when the account has no such ticket.
    async fn sort_value(
        &self,
        account: AccountId,
        ticket: TicketId,
        key: SortKey,
    ) -> Result<Option<SortValue>, StoreError>;
    async fn timeline(&self, account: AccountId, id: TicketId) -> Result<Timeline, StoreError>;
    async fn save_change(&self, change: TicketChange) -> Result<(), StoreError>;
    /// Save both sides of a merge; the source's messages move to the target. Both versions are checked.
    async fn save_merge(&self, source: TicketChange, target: TicketChange) -> Result<(), StoreError>;
}

#[async_trait]
pub trait FieldStore: Send + Sync {
    /// `Conflict` if the key is taken.
    async fn insert_field(&self, field: &TicketField) -> Result<(), StoreError>;
    async fn list_fields(&self, account: AccountId) -> Result<Vec<TicketField>, StoreError>;
}
