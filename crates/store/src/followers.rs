//! Agents who follow tickets.

use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, AgentId, TicketId};
use parley_domain::Timestamp;

#[async_trait]
pub trait FollowerStore {
    /// `agent` follows the ticket from `at`; `false` when they already did.
    async fn follow(
        &self,
        account: AccountId,
        ticket: TicketId,
        agent: AgentId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
    /// `false` when they did not follow it.
    async fn unfollow(&self, account: AccountId, ticket: TicketId, agent: AgentId) -> Result<bool, StoreError>;
    /// The ticket's followers, in the order they started following.
    async fn followers(&self, account: AccountId, ticket: TicketId) -> Result<Vec<(AgentId, Timestamp)>, StoreError>;
}
