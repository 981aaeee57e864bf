//! Who views which ticket, one row per agent socket (collision detection).

use crate::db::{args, Row, Value};
use crate::rows::{id, parsed};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::collision::{ComposeMode, ViewerEntry};
use parley_domain::ids::{AccountId, AgentId, TicketId};
use parley_domain::Timestamp;
use parley_store::{StoreError, ViewerStore};

impl SqlStore {
    /// One statement in its own unit of work; returns the rows it touched.
    pub(crate) async fn write_one(&self, sql: &'static str, values: Vec<Value>) -> Result<u64, StoreError> {
        self.db.write(move |tx| Box::pin(async move { tx.exec(sql, values).await })).await
    }
}

/// A viewer as its row holds it (agent, name, since, what they write and since when).
fn entry(r: &Row) -> Result<ViewerEntry, StoreError> {
    let composing = match (r.opt_text("composing")?, r.opt_int("composing_at")?) {
        (Some(m), Some(at)) => Some((parsed("compose mode", &m, ComposeMode::parse)?, Timestamp::from_millis(at))),
        _ => None,
    };
    Ok(ViewerEntry {
        agent_id: id("agent id", &r.text("agent_id")?)?,
        name: r.text("name")?,
        since: Timestamp::from_millis(r.int("since")?),
        composing,
    })
}

#[async_trait]
impl ViewerStore for SqlStore {
    async fn set_viewing(
        &self,
        account: AccountId,
        ticket: TicketId,
        socket: &str,
        agent: AgentId,
        process: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.write_one(
            "INSERT INTO ticket_viewers (account_id, ticket_id, socket_id, agent_id, process_id, since) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, ticket_id, socket_id) DO NOTHING",
            args![account.to_string(), ticket.to_string(), socket, agent.to_string(), process, at.millis()],
        )
        .await?;
        Ok(())
    }

    async fn set_composing(
        &self,
        account: AccountId,
        ticket: TicketId,
        socket: &str,
        mode: ComposeMode,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let n = self
            .write_one(
                "UPDATE ticket_viewers SET composing = $1, composing_at = $2 \
                 WHERE account_id = $3 AND ticket_id = $4 AND socket_id = $5",
                args![mode.as_str(), at.millis(), account.to_string(), ticket.to_string(), socket],
            )
            .await?;
        Ok(n > 0)
    }

    async fn stop_viewing(&self, account: AccountId, ticket: TicketId, socket: &str) -> Result<bool, StoreError> {
        let n = self
            .write_one(
                "DELETE FROM ticket_viewers WHERE account_id = $1 AND ticket_id = $2 AND socket_id = $3",
                args![account.to_string(), ticket.to_string(), socket],
            )
            .await?;
        Ok(n > 0)
    }

    async fn socket_closed(&self, account: AccountId, socket: &str) -> Result<Vec<TicketId>, StoreError> {
        let values = args![account.to_string(), socket];
        let rows = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let rows = tx
                        .query(
                            "SELECT ticket_id FROM ticket_viewers WHERE account_id = $1 AND socket_id = $2",
                            values.clone(),
                        )
                        .await?;
                    tx.exec("DELETE FROM ticket_viewers WHERE account_id = $1 AND socket_id = $2", values).await?;
                    Ok(rows)
                })
            })
            .await?;
        rows.iter().map(|r| id("ticket id", &r.text("ticket_id")?)).collect()
    }

    async fn viewers(
        &self,
        account: AccountId,
        ticket: TicketId,
        live_since: Timestamp,
    ) -> Result<Vec<ViewerEntry>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT v.agent_id, a.name, v.since, v.composing, v.composing_at FROM ticket_viewers v \
                 JOIN agents a ON a.account_id = v.account_id AND a.id = v.agent_id \
                 JOIN agent_connections c ON c.process_id = v.process_id AND c.account_id = v.account_id \
                 AND c.agent_id = v.agent_id \
                 WHERE v.account_id = $1 AND v.ticket_id = $2 AND c.seen_at >= $3 ORDER BY v.since",
                args![account.to_string(), ticket.to_string(), live_since.millis()],
            )
            .await?;
        rows.iter().map(entry).collect()
    }

    async fn viewers_of(
        &self,
        account: AccountId,
        tickets: &[TicketId],
        live_since: Timestamp,
    ) -> Result<Vec<(TicketId, ViewerEntry)>, StoreError> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..tickets.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT v.ticket_id, v.agent_id, a.name, v.since, v.composing, v.composing_at FROM ticket_viewers v \
             JOIN agents a ON a.account_id = v.account_id AND a.id = v.agent_id \
             JOIN agent_connections c ON c.process_id = v.process_id AND c.account_id = v.account_id \
             AND c.agent_id = v.agent_id \
             WHERE v.account_id = $1 AND c.seen_at >= $2 AND v.ticket_id IN ({}) ORDER BY v.since",
            list.join(", ")
        );
        let mut values = args![account.to_string(), live_since.millis()];
        values.extend(tickets.iter().map(|t| Value::Text(t.to_string())));
        let rows = self.db.query(&sql, values).await?;
        rows.iter().map(|r| Ok((id("ticket id", &r.text("ticket_id")?)?, entry(r)?))).collect()
    }

    async fn forget_dead_viewers(&self) -> Result<u64, StoreError> {
        self.write_one(
            "DELETE FROM ticket_viewers WHERE NOT EXISTS (SELECT 1 FROM agent_connections c \
             WHERE c.process_id = ticket_viewers.process_id AND c.account_id = ticket_viewers.account_id \
             AND c.agent_id = ticket_viewers.agent_id)",
            vec![],
        )
        .await
    }

    async fn signal_viewers(&self, account: AccountId, ticket: TicketId) -> Result<(), StoreError> {
        self.notify_viewers(account, ticket).await
    }
}
