//! Chat routes, the agents who could be rung, and the sockets that say an agent has Parley open.

use crate::db::{args, Row, Tx, Value};
use crate::rows::{id, opt_id, parsed, placeholders, to_json};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::chat_routing::{Candidate, Route, RouteState};
use parley_domain::ids::{AccountId, AgentId, DepartmentId, TicketId};
use parley_domain::Timestamp;
use parley_store::{ChatRoutingStore, StoreError, TicketChange};
use std::collections::BTreeMap;

const ROUTE_COLS: &str =
    "r.account_id, r.ticket_id, r.department_id, r.state, r.agent_id, r.ring_until, r.tried, r.queued_at";

/// Statuses of tickets an agent no longer holds as a chat.
const DONE: &str = "('resolved', 'closed', 'spam')";

/// A waiting route's columns, its team being its ticket's (a ticket moved to another team moves its chat).
const WAITING_COLS: &str =
    "r.account_id, r.ticket_id, t.department_id, r.state, r.agent_id, r.ring_until, r.tried, r.queued_at";

/// Routes looking for an agent whose chats still want one: the ticket is not done, merged, or given to an agent
/// through the ticket itself.
const WAITING: &str = "FROM chat_routes r JOIN tickets t ON t.account_id = r.account_id AND t.id = r.ticket_id \
     WHERE r.state IN ('queued', 'ringing') AND t.status NOT IN ('resolved', 'closed', 'spam') \
     AND t.merged_into IS NULL AND t.assignee_id IS NULL";

/// The account's (`$1`) waiting chats in the order they wait, at most `limit`; `after`: only those behind the chat
/// `$3` queued at `$2` (read from the waiting routes' index, never the whole queue).
fn waiting_sql(after: bool, limit: u32) -> String {
    let behind = if after { " AND r.queued_at >= $2 AND (r.queued_at > $2 OR r.ticket_id > $3)" } else { "" };
    format!(
        "SELECT {WAITING_COLS} {WAITING} AND r.account_id = $1{behind} ORDER BY r.queued_at, r.ticket_id LIMIT {}",
        limit.clamp(1, 10_000)
    )
}

/// How many of account `$1`'s waiting chats of the same team wait before chat `$2`, itself included; none if it
/// does not wait. The chat's own row is read first, by its key, and then only those before it.
fn position_sql() -> String {
    format!(
        "SELECT COUNT(*) AS n FROM chat_routes mr \
         JOIN tickets mt ON mt.account_id = mr.account_id AND mt.id = mr.ticket_id \
         JOIN chat_routes r ON r.account_id = mr.account_id AND r.state IN ('queued', 'ringing') \
         AND r.queued_at <= mr.queued_at AND (r.queued_at < mr.queued_at OR r.ticket_id <= mr.ticket_id) \
         JOIN tickets t ON t.account_id = r.account_id AND t.id = r.ticket_id \
         WHERE mr.account_id = $1 AND mr.ticket_id = $2 AND mr.state IN ('queued', 'ringing') \
         AND mt.status NOT IN {DONE} AND mt.merged_into IS NULL AND mt.assignee_id IS NULL \
         AND t.status NOT IN {DONE} AND t.merged_into IS NULL AND t.assignee_id IS NULL \
         AND (t.department_id = mt.department_id OR (t.department_id IS NULL AND mt.department_id IS NULL))"
    )
}

/// Ends account `$1`'s waiting routes whose tickets are done or merged, at `$2`: each waiting route's ticket is read
/// by its key (the waiting are few beside all tickets).
fn end_done_sql() -> String {
    format!(
        "UPDATE chat_routes SET state = 'ended', ring_until = NULL, updated_at = $2 \
         WHERE account_id = $1 AND state IN ('queued', 'ringing') AND EXISTS (SELECT 1 FROM tickets t \
         WHERE t.account_id = chat_routes.account_id AND t.id = chat_routes.ticket_id \
         AND (t.status IN {DONE} OR t.merged_into IS NOT NULL))"
    )
}

fn route(r: &Row) -> Result<Route, StoreError> {
    let tried: Vec<(String, i64)> = crate::rows::json("tried agents", &r.text("tried")?)?;
    let tried = tried
        .into_iter()
        .map(|(a, at)| Ok((id("agent id", &a)?, Timestamp::from_millis(at))))
        .collect::<Result<BTreeMap<AgentId, Timestamp>, StoreError>>()?;
    Ok(Route {
        account_id: id("account id", &r.text("account_id")?)?,
        ticket_id: id("ticket id", &r.text("ticket_id")?)?,
        department_id: opt_id("department id", r.opt_text("department_id")?.as_deref())?,
        state: parsed("route state", &r.text("state")?, RouteState::parse)?,
        agent_id: opt_id("agent id", r.opt_text("agent_id")?.as_deref())?,
        ring_until: r.opt_int("ring_until")?.map(Timestamp::from_millis),
        tried,
        queued_at: Timestamp::from_millis(r.int("queued_at")?),
    })
}

fn tried_json(route: &Route) -> Result<String, StoreError> {
    let pairs: Vec<(String, i64)> = route.tried.iter().map(|(a, at)| (a.to_string(), at.millis())).collect();
    to_json(&pairs)
}

/// A route's columns as written, `$1` to `$8`: account, ticket, department, state, agent, ring end, who let it pass,
/// and the time of the write.
fn route_values(r: &Route, at: Timestamp) -> Result<Vec<Value>, StoreError> {
    Ok(args![
        r.account_id.to_string(),
        r.ticket_id.to_string(),
        r.department_id.map(|d| d.to_string()),
        r.state.as_str(),
        r.agent_id.map(|a| a.to_string()),
        r.ring_until.map(|t| t.millis()),
        tried_json(r)?,
        at.millis()
    ])
}

/// Puts a new chat in its department's queue, in the caller's unit of work.
pub(crate) async fn enqueue(tx: &mut dyn Tx, r: &Route) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO chat_routes (account_id, ticket_id, department_id, state, agent_id, ring_until, tried, queued_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        route_values(r, r.queued_at)?,
    )
    .await?;
    Ok(())
}

/// Saves the route if it is still in one of `from` (and with `agent_before`, when named). Returns whether it was.
async fn update_in(
    tx: &mut dyn Tx,
    r: &Route,
    from: &[RouteState],
    agent_before: Option<AgentId>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let mut values = route_values(r, now)?;
    let states = placeholders(values.len() + 1, from.len());
    values.extend(from.iter().map(|s| Value::Text(s.as_str().into())));
    let mut sql = format!(
        "UPDATE chat_routes SET department_id = $3, state = $4, agent_id = $5, ring_until = $6, tried = $7, \
         updated_at = $8 WHERE account_id = $1 AND ticket_id = $2 AND state IN ({states})"
    );
    if let Some(a) = agent_before {
        values.push(Value::Text(a.to_string()));
        sql.push_str(&format!(" AND agent_id = ${}", values.len()));
    }
    if tx.exec(&sql, values).await? == 0 {
        return Ok(false);
    }
    if let (RouteState::Ringing, Some(agent)) = (r.state, r.agent_id) {
        tx.exec(
            "UPDATE agent_presence SET last_rung_at = $3 WHERE account_id = $1 AND agent_id = $2",
            args![r.account_id.to_string(), agent.to_string(), now.millis()],
        )
        .await?;
    }
    Ok(true)
}

/// How many chats agent `$2` of account `$1` holds (assigned, ticket not done), narrowed by `and`.
fn held_sql(and: &str) -> String {
    format!(
        "SELECT COUNT(*) AS n FROM chat_routes r JOIN tickets t ON t.account_id = r.account_id \
         AND t.id = r.ticket_id WHERE r.account_id = $1 AND r.agent_id = $2 AND r.state = 'assigned' \
         AND t.status NOT IN {DONE}{and}"
    )
}

/// Whether the agent may take one more chat, counted inside the unit of work that assigns it: two chats accepted at
/// once must not both squeeze under the limit. On PostgreSQL the agent's presence row is locked first, so such
/// assignments take turns; SQLite has one writer anyway.
async fn has_room(
    tx: &mut dyn Tx,
    engine: Engine,
    account: AccountId,
    agent: AgentId,
    ticket: TicketId,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let (acc, ag) = (account.to_string(), agent.to_string());
    tx.exec(
        "INSERT INTO agent_presence (account_id, agent_id, status, updated_at, max_chats) \
         VALUES ($1, $2, 'offline', $3, $4) ON CONFLICT (account_id, agent_id) DO NOTHING",
        args![acc.clone(), ag.clone(), now.millis(), i64::from(parley_domain::chat_routing::DEFAULT_MAX_CHATS)],
    )
    .await?;
    let lock = if engine == Engine::Postgres { " FOR UPDATE" } else { "" };
    let max = tx
        .query_opt(
            &format!("SELECT max_chats FROM agent_presence WHERE account_id = $1 AND agent_id = $2{lock}"),
            args![acc.clone(), ag.clone()],
        )
        .await?
        .map(|r| r.int("max_chats"))
        .transpose()?
        .unwrap_or(0);
    let held = tx
        .query_opt(&held_sql(" AND r.ticket_id <> $3"), args![acc, ag, ticket.to_string()])
        .await?
        .map(|r| r.int("n"))
        .transpose()?
        .unwrap_or(0);
    Ok(held < max)
}

#[async_trait]
impl ChatRoutingStore for SqlStore {
    async fn route(&self, account: AccountId, ticket: TicketId) -> Result<Option<Route>, StoreError> {
        let sql = format!(
            "SELECT {WAITING_COLS} FROM chat_routes r JOIN tickets t ON t.account_id = r.account_id \
             AND t.id = r.ticket_id WHERE r.account_id = $1 AND r.ticket_id = $2"
        );
        self.db.query_opt(&sql, args![account.to_string(), ticket.to_string()]).await?.as_ref().map(route).transpose()
    }

    async fn waiting_routes(
        &self,
        account: AccountId,
        after: Option<(Timestamp, TicketId)>,
        limit: u32,
    ) -> Result<Vec<Route>, StoreError> {
        let mut values = args![account.to_string()];
        if let Some((at, ticket)) = after {
            values.extend(args![at.millis(), ticket.to_string()]);
        }
        let sql = waiting_sql(after.is_some(), limit);
        self.db.query(&sql, values).await?.iter().map(route).collect()
    }

    async fn waiting_route(&self, account: AccountId, ticket: TicketId) -> Result<Option<Route>, StoreError> {
        let sql = format!("SELECT {WAITING_COLS} {WAITING} AND r.account_id = $1 AND r.ticket_id = $2");
        self.db.query_opt(&sql, args![account.to_string(), ticket.to_string()]).await?.as_ref().map(route).transpose()
    }

    async fn accounts_with_waiting_chats(&self) -> Result<Vec<(AccountId, String)>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT a.id, a.slug FROM accounts a WHERE EXISTS (SELECT 1 FROM chat_routes r \
                 WHERE r.state IN ('queued', 'ringing') AND r.account_id = a.id)",
                vec![],
            )
            .await?;
        rows.iter().map(|r| Ok((id("account id", &r.text("id")?)?, r.text("slug")?))).collect()
    }

    async fn ringing_for(&self, account: AccountId, agent: AgentId) -> Result<Vec<Route>, StoreError> {
        let sql = format!(
            "SELECT {WAITING_COLS} {WAITING} AND r.account_id = $1 AND r.agent_id = $2 AND r.state = 'ringing'"
        );
        self.db.query(&sql, args![account.to_string(), agent.to_string()]).await?.iter().map(route).collect()
    }

    async fn queue_position(&self, account: AccountId, ticket: TicketId) -> Result<Option<u32>, StoreError> {
        let row = self.db.query_opt(&position_sql(), args![account.to_string(), ticket.to_string()]).await?;
        let n = row.map(|r| r.int("n")).transpose()?.unwrap_or(0);
        Ok(u32::try_from(n).ok().filter(|n| *n > 0))
    }

    async fn chat_candidates(
        &self,
        account: AccountId,
        department: Option<DepartmentId>,
        live_since: Timestamp,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut values = args![account.to_string(), live_since.millis()];
        let in_department = match department {
            Some(d) => {
                values.push(Value::Text(d.to_string()));
                "JOIN agent_departments ad ON ad.account_id = a.account_id AND ad.agent_id = a.id \
                 AND ad.department_id = $3"
            }
            None => "",
        };
        let sql = format!(
            "SELECT p.agent_id, p.max_chats, p.last_rung_at, \
             (SELECT COUNT(*) FROM chat_routes r JOIN tickets t ON t.account_id = r.account_id AND t.id = r.ticket_id \
              WHERE r.account_id = p.account_id AND r.agent_id = p.agent_id AND r.state = 'assigned' \
              AND t.status NOT IN {DONE}) AS holding \
             FROM agent_presence p JOIN agents a ON a.account_id = p.account_id AND a.id = p.agent_id {in_department} \
             WHERE p.account_id = $1 AND p.status = 'available' AND a.active = 1 \
             AND EXISTS (SELECT 1 FROM agent_connections c WHERE c.account_id = p.account_id \
                 AND c.agent_id = p.agent_id AND c.seen_at >= $2) \
             AND NOT EXISTS (SELECT 1 FROM chat_routes r WHERE r.account_id = p.account_id \
                 AND r.agent_id = p.agent_id AND r.state = 'ringing')"
        );
        let rows = self.db.query(&sql, values).await?;
        rows.iter()
            .map(|r| {
                Ok(Candidate {
                    agent_id: id("agent id", &r.text("agent_id")?)?,
                    holding: u32::try_from(r.int("holding")?).unwrap_or(u32::MAX),
                    max_chats: u32::try_from(r.int("max_chats")?).unwrap_or(0),
                    last_rung_at: Timestamp::from_millis(r.int("last_rung_at")?),
                })
            })
            .collect()
    }

    async fn chats_held(&self, account: AccountId, agent: AgentId) -> Result<u32, StoreError> {
        let row = self.db.query_opt(&held_sql(""), args![account.to_string(), agent.to_string()]).await?;
        Ok(u32::try_from(row.map(|r| r.int("n")).transpose()?.unwrap_or(0)).unwrap_or(u32::MAX))
    }

    async fn settle_routes(&self, account: AccountId, now: Timestamp) -> Result<(u64, Vec<Route>), StoreError> {
        let acc = account.to_string();
        let a = acc.clone();
        let ended = self
            .db
            .write(move |tx| Box::pin(async move { tx.exec(&end_done_sql(), args![a, now.millis()]).await }))
            .await?;
        // Rings that ran out, of tickets given to an agent meanwhile, or of tickets moved to a team the agent rung
        // is not in.
        let sql = format!(
            "SELECT {ROUTE_COLS} FROM chat_routes r JOIN tickets t ON t.account_id = r.account_id AND t.id = r.ticket_id \
             WHERE r.account_id = $1 AND r.state = 'ringing' AND (r.ring_until <= $2 OR t.assignee_id IS NOT NULL \
             OR (t.department_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agent_departments ad \
             WHERE ad.account_id = r.account_id AND ad.agent_id = r.agent_id AND ad.department_id = t.department_id)))"
        );
        let rings = self.db.query(&sql, args![acc, now.millis()]).await?.iter().map(route).collect::<Result<_, _>>()?;
        Ok((ended, rings))
    }

    async fn ring(
        &self,
        account: AccountId,
        ticket: TicketId,
        agent: AgentId,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE chat_routes SET state = 'ringing', agent_id = $3, ring_until = $4, updated_at = $5 \
                             WHERE account_id = $1 AND ticket_id = $2 AND state = 'queued'",
                            args![account.to_string(), ticket.to_string(), agent.to_string(), until.millis(), now.millis()],
                        )
                        .await?;
                    if n == 0 {
                        return Ok(false);
                    }
                    tx.exec(
                        "UPDATE agent_presence SET last_rung_at = $3 WHERE account_id = $1 AND agent_id = $2",
                        args![account.to_string(), agent.to_string(), now.millis()],
                    )
                    .await?;
                    Ok(true)
                })
            })
            .await;
        match done {
            // The agent rings for another chat already (another process rang them first).
            Err(StoreError::Conflict(_)) => Ok(false),
            other => other,
        }
    }

    async fn update_route(
        &self,
        r: &Route,
        from: &[RouteState],
        agent_before: Option<AgentId>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (r, from) = (r.clone(), from.to_vec());
        let done =
            self.db.write(move |tx| Box::pin(async move { update_in(tx, &r, &from, agent_before, now).await })).await;
        match done {
            // The agent rings for another chat already (another process rang them first).
            Err(StoreError::Conflict(_)) => Ok(false),
            other => other,
        }
    }

    async fn save_routed(&self, change: TicketChange, r: &Route, from: &[RouteState]) -> Result<(), StoreError> {
        let (r, from) = (r.clone(), from.to_vec());
        let now = change.ticket.updated_at;
        let engine = self.db.engine();
        let news = crate::news::saved(&change);
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    if let (RouteState::Assigned, Some(agent)) = (r.state, r.agent_id) {
                        if !has_room(tx, engine, r.account_id, agent, r.ticket_id, now).await? {
                            return Err(StoreError::Conflict("the agent holds as many chats as they may".into()));
                        }
                    }
                    if !update_in(tx, &r, &from, None, now).await? {
                        return Err(StoreError::Conflict("the chat was taken or ended meanwhile".into()));
                    }
                    crate::tickets::save(tx, &change).await
                })
            })
            .await?;
        self.announce(vec![news]).await;
        Ok(())
    }

    async fn set_max_chats(
        &self,
        account: AccountId,
        agent: AgentId,
        max: u32,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO agent_presence (account_id, agent_id, status, updated_at, max_chats) \
                         VALUES ($1, $2, 'offline', $3, $4) ON CONFLICT (account_id, agent_id) \
                         DO UPDATE SET max_chats = excluded.max_chats",
                        args![account.to_string(), agent.to_string(), at.millis(), i64::from(max)],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn max_chats(&self, account: AccountId, agent: AgentId) -> Result<u32, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT max_chats FROM agent_presence WHERE account_id = $1 AND agent_id = $2",
                args![account.to_string(), agent.to_string()],
            )
            .await?;
        Ok(match row {
            Some(r) => u32::try_from(r.int("max_chats")?).unwrap_or(0),
            None => parley_domain::chat_routing::DEFAULT_MAX_CHATS,
        })
    }

    async fn agent_connected(
        &self,
        process: &str,
        account: AccountId,
        agent: AgentId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let values = args![process, account.to_string(), agent.to_string(), now.millis()];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO agent_connections (process_id, account_id, agent_id, sockets, seen_at) \
                         VALUES ($1, $2, $3, 1, $4) ON CONFLICT (process_id, account_id, agent_id) \
                         DO UPDATE SET sockets = agent_connections.sockets + 1, seen_at = excluded.seen_at",
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn agent_disconnected(&self, process: &str, account: AccountId, agent: AgentId) -> Result<(), StoreError> {
        let values = args![process, account.to_string(), agent.to_string()];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "UPDATE agent_connections SET sockets = sockets - 1 \
                         WHERE process_id = $1 AND account_id = $2 AND agent_id = $3",
                        values.clone(),
                    )
                    .await?;
                    tx.exec(
                        "DELETE FROM agent_connections WHERE process_id = $1 AND account_id = $2 AND agent_id = $3 \
                         AND sockets <= 0",
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn connections_alive(
        &self,
        process: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> Result<(), StoreError> {
        let process = process.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "UPDATE agent_connections SET seen_at = $2 WHERE process_id = $1",
                        args![process, now.millis()],
                    )
                    .await?;
                    tx.exec("DELETE FROM agent_connections WHERE seen_at < $1", args![forget_before.millis()]).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn agent_online(
        &self,
        account: AccountId,
        agent: AgentId,
        live_since: Timestamp,
    ) -> Result<bool, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT 1 AS one FROM agent_connections WHERE account_id = $1 AND agent_id = $2 AND seen_at >= $3",
                args![account.to_string(), agent.to_string(), live_since.millis()],
            )
            .await?;
        Ok(row.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DatabaseUrl, PoolSize};

    /// SQLite's plan for a query (its parameters left unbound), one line per step.
    fn plan(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let mut rows = st.raw_query();
        let mut lines = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            lines.push(r.get::<_, String>(3).unwrap());
        }
        lines
    }

    /// What is read for each visitor (their place, the chats that joined since the queue was last read) and for each
    /// new chat is read by key or from a bounded range of the waiting routes' index, never every waiting chat or every
    /// ticket: a read of the whole queue per visitor made 10,000 visitors take minutes to open their chats and many
    /// more to connect.
    #[tokio::test]
    async fn reads_per_visitor_are_bounded_by_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plans.db");
        let store = SqlStore::connect(&DatabaseUrl::sqlite_file(&file), PoolSize::default()).await.unwrap();
        store.migrate().await.unwrap();
        store.close().await;
        let conn = rusqlite::Connection::open(&file).unwrap();

        let behind = plan(&conn, &waiting_sql(true, 100));
        assert!(
            behind.iter().any(|l| l.contains("USING INDEX chat_routes_waiting") && l.contains("queued_at>")),
            "{behind:?}"
        );
        let position = plan(&conn, &position_sql());
        assert!(
            position.iter().any(|l| l.contains("mr USING") && l.contains("ticket_id=?")),
            "its own row by key: {position:?}"
        );
        assert!(
            position.iter().any(|l| l.contains("r USING INDEX chat_routes_waiting") && l.contains("queued_at<")),
            "{position:?}"
        );
        let one = plan(&conn, &format!("SELECT {WAITING_COLS} {WAITING} AND r.account_id = $1 AND r.ticket_id = $2"));
        let ended = plan(&conn, &end_done_sql());
        for p in [&behind, &position, &one, &ended] {
            assert!(p.iter().all(|l| !l.starts_with("SCAN")), "no table is read whole: {p:?}");
        }
    }
}
