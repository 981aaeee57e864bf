use crate::{StoreError, TicketFilter};
use async_trait::async_trait;
use parley_domain::ids::{AccountId, AgentId, ViewId};
use parley_domain::view::SavedView;

/// How many tickets a filter matches, counted up to a cap: past it, only that there are more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketCount {
    /// Exact when not `capped`; the cap itself otherwise.
    pub count: u64,
    pub capped: bool,
}

/// Saved views, and the counts views show.
#[async_trait]
pub trait ViewStore: Send + Sync {
    /// Tickets matching `filter`, counting no further than `cap`.
    async fn count_tickets(
        &self,
        account: AccountId,
        filter: &TicketFilter,
        cap: u64,
    ) -> Result<TicketCount, StoreError>;
    async fn insert_view(&self, view: &SavedView) -> Result<(), StoreError>;
    async fn get_view(&self, account: AccountId, id: ViewId) -> Result<Option<SavedView>, StoreError>;
    /// The shared views and `agent`'s private ones, by name.
    async fn list_views(&self, account: AccountId, agent: Option<AgentId>) -> Result<Vec<SavedView>, StoreError>;
    /// `NotFound` if the view is gone.
    async fn update_view(&self, view: &SavedView) -> Result<(), StoreError>;
    /// Whether there was such a view.
    async fn delete_view(&self, account: AccountId, id: ViewId) -> Result<bool, StoreError>;
}
