//! What the agents' workspace hears live: news of tickets as they are written, and who views which ticket.

use crate::StoreError;
use async_trait::async_trait;
use parley_domain::collision::{ComposeMode, ViewerEntry};
use parley_domain::ids::{AccountId, AgentId, ContactId, DepartmentId, TicketId};
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;
use std::sync::Arc;

/// What happened to a ticket, for the lists that show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketNewsKind {
    Created,
    Updated,
    /// Gone from lists: merged into another, marked spam, or erased.
    Removed,
}

impl TicketNewsKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketNewsKind::Created => "created",
            TicketNewsKind::Updated => "updated",
            TicketNewsKind::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created" => Some(TicketNewsKind::Created),
            "updated" => Some(TicketNewsKind::Updated),
            "removed" => Some(TicketNewsKind::Removed),
            _ => None,
        }
    }

    /// What a saved ticket's new state means for lists.
    pub fn of_saved(t: &Ticket) -> Self {
        if t.merged_into.is_some() || t.status == parley_domain::ticket::Status::Spam {
            TicketNewsKind::Removed
        } else {
            TicketNewsKind::Updated
        }
    }
}

/// A ticket written (its unit of work committed). `ticket` is its state as written; news from another process
/// comes without it (read it again), and an erased ticket has none left to read: `department_id` still says who
/// may hear of it.
#[derive(Debug, Clone)]
pub struct TicketNews {
    pub account_id: AccountId,
    pub ticket_id: TicketId,
    pub kind: TicketNewsKind,
    pub department_id: Option<DepartmentId>,
    pub ticket: Option<Arc<Ticket>>,
}

impl TicketNews {
    pub fn of(kind: TicketNewsKind, t: &Ticket) -> Self {
        TicketNews {
            account_id: t.account_id,
            ticket_id: t.id,
            kind,
            department_id: t.department_id,
            ticket: Some(Arc::new(t.clone())),
        }
    }
}

/// Where a store hands its ticket news once written (the process's realtime hub). Called on the writer's task:
/// it must not block.
pub type TicketNewsSink = Arc<dyn Fn(TicketNews) + Send + Sync>;

/// Who views which ticket, per agent socket; any process reads what every process wrote.
#[async_trait]
pub trait ViewerStore {
    /// The socket (of `agent`, held by `process`) has the ticket open. Opening it again keeps `since`.
    async fn set_viewing(
        &self,
        account: AccountId,
        ticket: TicketId,
        socket: &str,
        agent: AgentId,
        process: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The socket's agent writes in the ticket. `false` when the socket does not view it.
    async fn set_composing(
        &self,
        account: AccountId,
        ticket: TicketId,
        socket: &str,
        mode: ComposeMode,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// The socket left the ticket. `false` when it did not view it.
    async fn stop_viewing(&self, account: AccountId, ticket: TicketId, socket: &str) -> Result<bool, StoreError>;
    /// The socket closed: it leaves every ticket, which are returned.
    async fn socket_closed(&self, account: AccountId, socket: &str) -> Result<Vec<TicketId>, StoreError>;
    /// The ticket's viewers, per socket, of processes seen alive since `live_since` (their agent sockets are
    /// refreshed by the chat liveness: `ChatRoutingStore::connections_alive`).
    async fn viewers(
        &self,
        account: AccountId,
        ticket: TicketId,
        live_since: Timestamp,
    ) -> Result<Vec<ViewerEntry>, StoreError>;
    /// The viewers of several tickets at once (a list's rows), as [`ViewerStore::viewers`] gives them for one.
    async fn viewers_of(
        &self,
        account: AccountId,
        tickets: &[TicketId],
        live_since: Timestamp,
    ) -> Result<Vec<(TicketId, ViewerEntry)>, StoreError>;
    /// Forgets the views of processes whose agent sockets are forgotten (they died). Region-wide upkeep.
    async fn forget_dead_viewers(&self) -> Result<u64, StoreError>;
    /// Tells the other processes sharing the database that the ticket's viewers changed (PostgreSQL; nothing on
    /// SQLite, which no two servers share).
    async fn signal_viewers(&self, account: AccountId, ticket: TicketId) -> Result<(), StoreError>;
}

/// Finding contacts, and making two records of one person one.
#[async_trait]
pub trait ContactMergeStore {
    /// Contacts whose name, email address or company's name contains `q` (case-insensitively, ASCII), by id,
    /// after `after`, at most `limit`.
    async fn search_contacts(
        &self,
        account: AccountId,
        q: &str,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<Vec<parley_domain::contact::Contact>, StoreError>;
    /// Moves everything of contact `from` (tickets, chats' visitors, messages authored) to `into` and deletes
    /// `from`, in one unit of work. Returns the tickets moved. `NotFound` when either is not the account's.
    async fn merge_contacts(
        &self,
        account: AccountId,
        into: ContactId,
        from: ContactId,
        at: Timestamp,
    ) -> Result<Vec<TicketId>, StoreError>;
}
