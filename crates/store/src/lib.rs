//! Storage traits, one per area, and the error they share.
//!
//! Every method takes the account id first: no query is unscoped. A region's store is chosen once, when a request's
//! account is resolved; nothing below picks a database itself. Methods that change several rows are units of work:
//! the implementation commits all of it or none.

mod accounts;
mod assignment;
mod audit;
mod automations;
mod business_hours;
mod canned;
mod chat;
mod chat_routing;
mod collision;
mod directory;
mod erasure;
mod error;
mod features;
mod followers;
mod incidents;
mod knowledge;
mod mail;
mod people;
mod search;
mod sla;
mod support;
mod tickets;
mod triggers;
mod views;
mod voice;
mod webhooks;

pub use accounts::{AccountStore, ApiKeyStore, NewAccount, SessionStore};
pub use assignment::AssignmentStore;
pub use audit::{AuditFilter, AuditStore};
pub use automations::{AutomationApplied, AutomationStore};
pub use business_hours::BusinessHoursStore;
pub use canned::{CannedFilter, CannedResponseStore, MacroStore};
pub use chat::ChatStore;
pub use chat_routing::ChatRoutingStore;
pub use collision::{ContactMergeStore, TicketNews, TicketNewsKind, TicketNewsSink, ViewerStore};
pub use directory::DirectoryStore;
pub use erasure::ErasureStore;
pub use error::StoreError;
pub use features::FeatureStore;
pub use followers::FollowerStore;
pub use incidents::IncidentStore;
pub use knowledge::{ArticleSearch, KbKey, KnowledgeStore};
pub use mail::{
    Inbound, InboundStore, IncomingMail, MailIdentity, MailMeta, MailOutbox, MailOutcome, MailWrite, NewAttachment,
    OutboundMail,
};
pub use people::{AgentStore, AgentUpdate, CompanyUpdate, ContactFilter, ContactStore, ContactUpdate};
pub use search::{Dirty, SearchStore, TicketSearch, Tidy};
pub use sla::{SlaDue, SlaPolicyStore, SlaWrite, StoredSla, TicketSlaStore};
pub use support::SupportStore;
pub use tickets::{
    Assignee, AutomatedAtCreation, FieldStore, FieldValue, NewTicket, Requester, SlaAtCreation, SortKey, SortValue,
    TicketChange, TicketCursor, TicketFilter, TicketQuery, TicketStore, Timeline,
};
pub use triggers::{QueuedActivity, TriggerQueue, TriggerStore, TriggersApplied};
pub use views::{TicketCount, ViewStore};
pub use voice::{CallEvents, CallFiling, VoiceStore};
pub use webhooks::{Delivery, DeliveryOutcome, DeliveryStatus, OutboxEvent, WebhookQueue, WebhookStore};

/// Everything one region stores, behind one handle.
pub trait RegionStore:
    AccountStore
    + AgentStore
    + SessionStore
    + ApiKeyStore
    + ContactStore
    + TicketStore
    + FieldStore
    + WebhookStore
    + WebhookQueue
    + MailOutbox
    + InboundStore
    + AuditStore
    + FeatureStore
    + SupportStore
    + ErasureStore
    + IncidentStore
    + ChatStore
    + ChatRoutingStore
    + SearchStore
    + KnowledgeStore
    + CannedResponseStore
    + MacroStore
    + ViewStore
    + ViewerStore
    + FollowerStore
    + ContactMergeStore
    + BusinessHoursStore
    + SlaPolicyStore
    + TicketSlaStore
    + TriggerStore
    + TriggerQueue
    + AutomationStore
    + AssignmentStore
    + VoiceStore
    + Send
    + Sync
{
}
