use crate::{NewTicket, StoreError};
use async_trait::async_trait;
use parley_domain::chat::{ChatEvent, ChatSettings, NewChatEvent, Presence, Typist, Visitor};
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::ids::ContactId;
use parley_domain::ids::{AccountId, TicketId, VisitorId};
use parley_domain::ids::{AgentId, DepartmentId};
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;

/// Chat visitors, conversations and their numbered events.
#[async_trait]
pub trait ChatStore {
    /// Tells other processes sharing the database that the conversation has news (nothing where none can share it).
    async fn signal_chat(&self, account: AccountId, ticket: TicketId) -> Result<(), StoreError>;
    /// Tells other processes sharing the database that the account's routing moved.
    async fn signal_routing(&self, account: AccountId) -> Result<(), StoreError>;
    /// Tells other processes sharing the database that someone is typing in the conversation.
    async fn signal_typing(&self, account: AccountId, ticket: TicketId, who: &Typist) -> Result<(), StoreError>;
    async fn create_visitor(&self, visitor: &Visitor) -> Result<(), StoreError>;
    async fn set_presence(
        &self,
        account: AccountId,
        agent: AgentId,
        status: Presence,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn presence(&self, account: AccountId, agent: AgentId) -> Result<Presence, StoreError>;
    /// How many active agents are available for chats (of the department, when one is named).
    async fn available_agents(&self, account: AccountId, department: Option<DepartmentId>) -> Result<u64, StoreError>;
    /// The account's chat settings; `None` until they are first made.
    async fn chat_settings(&self, account: AccountId) -> Result<Option<ChatSettings>, StoreError>;
    /// Makes the account's chat settings (any site, this identity secret) unless another request just did; returns
    /// those that stand.
    async fn init_chat_settings(&self, account: AccountId, secret: &str) -> Result<ChatSettings, StoreError>;
    async fn set_chat_settings(
        &self,
        account: AccountId,
        settings: &ChatSettings,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Stops a visitor writing. `NotFound` for a visitor of another account.
    async fn block_visitor(&self, account: AccountId, visitor: VisitorId, at: Timestamp) -> Result<(), StoreError>;
    /// Makes the visitor the contact with this address (found, or made with `name`); their conversations so far
    /// move with them. Only for identities the account's site vouched for.
    async fn identify_visitor(
        &self,
        account: AccountId,
        visitor: VisitorId,
        email: &EmailAddress,
        name: Option<String>,
        at: Timestamp,
    ) -> Result<ContactId, StoreError>;
    async fn visitor_by_token(&self, account: AccountId, token_hash: &str) -> Result<Option<Visitor>, StoreError>;
    /// Opens a conversation as one unit: the visitor's contact (made now, without an email address, if they have
    /// none yet), the ticket with its first message, and the first events, numbered from 1.
    async fn start_chat(
        &self,
        visitor: &Visitor,
        contact_name: Option<String>,
        ticket: NewTicket,
        first: Vec<NewChatEvent>,
    ) -> Result<(Ticket, Contact, Message, Vec<ChatEvent>), StoreError>;
    /// Saves a chat message that shares files, with the files, as one unit of work (the change's message is the
    /// one the files belong to). Like any change, `Stale` when the ticket moved on meanwhile.
    async fn share_files(
        &self,
        change: crate::TicketChange,
        files: Vec<(parley_domain::message::AttachmentInfo, Vec<u8>)>,
    ) -> Result<(), StoreError>;
    /// The visitor a conversation belongs to; `None` for tickets that are not chats (or of another account).
    async fn chat_visitor(&self, account: AccountId, ticket: TicketId) -> Result<Option<VisitorId>, StoreError>;
    /// The conversation's events numbered after `after`, in order, at most `limit`.
    async fn chat_events(
        &self,
        account: AccountId,
        ticket: TicketId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChatEvent>, StoreError>;
    /// The event of a message the client sent with this id, if it was stored.
    async fn chat_event_by_client(
        &self,
        account: AccountId,
        ticket: TicketId,
        client_id: &str,
    ) -> Result<Option<ChatEvent>, StoreError>;
}
