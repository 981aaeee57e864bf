//! Agents who follow tickets.

use crate::db::args;
use crate::rows::id;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, AgentId, TicketId};
use parley_domain::Timestamp;
use parley_store::{FollowerStore, StoreError};

#[async_trait]
impl FollowerStore for SqlStore {
    async fn follow(
        &self,
        account: AccountId,
        ticket: TicketId,
        agent: AgentId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = self
            .write_one(
                "INSERT INTO ticket_followers (account_id, ticket_id, agent_id, since) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_id, ticket_id, agent_id) DO NOTHING",
                args![account.to_string(), ticket.to_string(), agent.to_string(), at.millis()],
            )
            .await?;
        Ok(n > 0)
    }

    async fn unfollow(&self, account: AccountId, ticket: TicketId, agent: AgentId) -> Result<bool, StoreError> {
        let n = self
            .write_one(
                "DELETE FROM ticket_followers WHERE account_id = $1 AND ticket_id = $2 AND agent_id = $3",
                args![account.to_string(), ticket.to_string(), agent.to_string()],
            )
            .await?;
        Ok(n > 0)
    }

    async fn followers(&self, account: AccountId, ticket: TicketId) -> Result<Vec<(AgentId, Timestamp)>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT agent_id, since FROM ticket_followers WHERE account_id = $1 AND ticket_id = $2 \
                 ORDER BY since, agent_id",
                args![account.to_string(), ticket.to_string()],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((id("agent id", &r.text("agent_id")?)?, Timestamp::from_millis(r.int("since")?))))
            .collect()
    }
}
