use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, AgentId, DepartmentId, TicketId};
use parley_domain::search::{Document, Query};
use parley_domain::ticket::{Status, Tag};
use parley_domain::Timestamp;

/// A ticket search: the query, the filters, and what the caller may see.
#[derive(Debug, Clone)]
pub struct TicketSearch {
    pub query: Query,
    pub status: Vec<Status>,
    pub assignee: Option<Option<AgentId>>,
    pub tag: Option<Tag>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    /// `Some`: only tickets of these departments or of none (an agent's view); `None`: all.
    pub departments: Option<Vec<DepartmentId>>,
    pub limit: u32,
}

/// A ticket marked for (re)indexing, and how many changes it had when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirty {
    pub account_id: AccountId,
    pub ticket_id: TicketId,
    pub generation: i64,
}

/// How far the index's housekeeping goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tidy {
    /// Merge pieces of about the same size, a few at a time, as the index grows.
    Pieces,
    /// Merge everything into one piece, a step at a time.
    Whole,
}

/// The tickets' search index, kept in the region's database.
#[async_trait]
pub trait SearchStore {
    /// Tickets whose document is out of date, at most `limit`, from the first in the order of their keys.
    async fn dirty_tickets(&self, limit: u32) -> Result<Vec<Dirty>, StoreError> {
        self.dirty_tickets_after(None, limit).await
    }
    /// Tickets whose document is out of date, at most `limit`, in the order of their keys (account, then ticket:
    /// oldest ticket first) from just after `after`. An indexer reads on from where its last batch ended, so what
    /// it has unmarked is never walked again: PostgreSQL keeps deleted marks until a vacuum, and reading from the
    /// start each time walked them all, batch after batch.
    async fn dirty_tickets_after(&self, after: Option<&Dirty>, limit: u32) -> Result<Vec<Dirty>, StoreError>;
    /// What each ticket's document is made of, read for the whole batch at once: its subject, number, requester
    /// name and email, tags and message bodies, in that order; `None` for a ticket that is gone.
    async fn document_texts(&self, dirty: &[Dirty]) -> Result<Vec<Option<Vec<String>>>, StoreError>;
    /// Writes each ticket's document (or removes it: `None`, for a ticket gone) in one unit of work, and unmarks
    /// each ticket unless it changed again since it was read.
    async fn index_tickets(&self, docs: Vec<(Dirty, Option<Document>)>) -> Result<(), StoreError>;
    /// Marks every ticket of the account (all accounts: `None`) for indexing; returns how many.
    async fn mark_all_dirty(&self, account: Option<AccountId>) -> Result<u64, StoreError>;
    /// How many tickets wait to be indexed.
    async fn dirty_count(&self) -> Result<u64, StoreError>;
    /// Does one step of the index's housekeeping (merging what writes left in pieces), writing about `pages` pages
    /// of merged index, as a unit of work of its own; returns whether there was any to do. Writes never merge, so
    /// that none waits behind a large merge.
    async fn tidy_index(&self, tidy: Tidy, pages: u32) -> Result<bool, StoreError>;
    /// Refreshes the query planner's statistics of the index and the tickets, after a rebuild wrote them all.
    async fn analyze_index(&self) -> Result<(), StoreError>;
    /// The matching tickets of the account, best first (newest first when very many match).
    async fn search_tickets(&self, account: AccountId, search: &TicketSearch) -> Result<Vec<TicketId>, StoreError>;
    /// The message bodies of the account's tickets, each ticket's oldest first, read at once for a page of hits.
    async fn message_bodies(
        &self,
        account: AccountId,
        tickets: &[TicketId],
    ) -> Result<Vec<(TicketId, String)>, StoreError>;
}
