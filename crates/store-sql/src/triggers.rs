//! Triggers: the rule kept as the API's JSON (checked again when read), its place in the order in a column; and the
//! queue of changes waiting for them, filled in the changes' units of work.

use crate::db::{args, Row, Tx, Value};
use crate::rows::{id, json, placeholders, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::event::EventKind;
use parley_domain::ids::{AccountId, AgentId, DepartmentId, TriggerId};
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;
use parley_domain::ticket_action::FieldDefs;
use parley_domain::trigger::{Activity, Trigger, TriggerEvent, TriggerInput, TriggerRecord};
use parley_domain::Timestamp;
use parley_store::{QueuedActivity, StoreError, TicketChange, TriggerQueue, TriggerStore, TriggersApplied};

const COLS: &str = "id, account_id, position, active, rule, created_at, updated_at";

fn record(r: &Row) -> Result<TriggerRecord, StoreError> {
    let mut input: TriggerInput = json("trigger", &r.text("rule")?)?;
    let position = r.int("position")?;
    input.position = Some(position);
    // Custom fields were checked against the account's definitions when saved.
    let trigger = Trigger::new(&input, FieldDefs::Trusted)
        .map_err(|e| StoreError::Other(format!("a stored trigger no longer passes its checks: {e}")))?;
    Ok(TriggerRecord {
        id: id("trigger id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        position,
        trigger,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

#[async_trait]
impl TriggerStore for SqlStore {
    async fn insert_trigger(&self, t: &TriggerRecord) -> Result<(), StoreError> {
        let values = args![
            t.id.to_string(),
            t.account_id.to_string(),
            t.position,
            i64::from(t.trigger.active()),
            to_json(&t.trigger.to_input())?,
            t.created_at.millis(),
            t.updated_at.millis()
        ];
        self.write_one(
            "INSERT INTO triggers (id, account_id, position, active, rule, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            values,
        )
        .await?;
        Ok(())
    }

    async fn update_trigger(&self, t: &TriggerRecord) -> Result<(), StoreError> {
        let values = args![
            t.id.to_string(),
            t.account_id.to_string(),
            t.position,
            i64::from(t.trigger.active()),
            to_json(&t.trigger.to_input())?,
            t.updated_at.millis()
        ];
        let n = self
            .write_one(
                "UPDATE triggers SET position = $3, active = $4, rule = $5, updated_at = $6 \
                 WHERE id = $1 AND account_id = $2",
                values,
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn get_trigger(&self, account: AccountId, t: TriggerId) -> Result<Option<TriggerRecord>, StoreError> {
        let sql = format!("SELECT {COLS} FROM triggers WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), t.to_string()]).await?.as_ref().map(record).transpose()
    }

    async fn rules_rev(&self, account: AccountId) -> Result<i64, StoreError> {
        let row = self.db.query_opt("SELECT rules_rev FROM accounts WHERE id = $1", args![account.to_string()]).await?;
        Ok(row.map(|r| r.int("rules_rev")).transpose()?.unwrap_or(0))
    }

    async fn list_triggers(&self, account: AccountId) -> Result<Vec<TriggerRecord>, StoreError> {
        let sql = format!("SELECT {COLS} FROM triggers WHERE account_id = $1 ORDER BY position, created_at, id");
        let rows = self.db.query(&sql, args![account.to_string()]).await?;
        // Every change's run reads the list: a trigger that no longer passes its checks is left out and logged.
        Ok(rows
            .iter()
            .filter_map(|r| {
                record(r).map_err(|e| tracing::warn!(error = %e, "a trigger is left out: it does not read back")).ok()
            })
            .collect())
    }

    async fn delete_trigger(&self, account: AccountId, t: TriggerId) -> Result<(), StoreError> {
        let n = self
            .write_one(
                "DELETE FROM triggers WHERE account_id = $1 AND id = $2",
                args![account.to_string(), t.to_string()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

#[async_trait]
impl TriggerQueue for SqlStore {
    async fn queued_activity(&self, limit: usize) -> Result<Vec<QueuedActivity>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT id, account_id, ticket_id, version, activity, created_at FROM trigger_queue \
                 ORDER BY created_at, ticket_id, version, id LIMIT $1",
                args![limit as i64],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(QueuedActivity {
                    id: r.text("id")?,
                    account_id: id("account id", &r.text("account_id")?)?,
                    ticket_id: id("ticket id", &r.text("ticket_id")?)?,
                    version: r.int("version")?,
                    activity: json("trigger activity", &r.text("activity")?)?,
                    created_at: Timestamp::from_millis(r.int("created_at")?),
                })
            })
            .collect()
    }

    async fn apply_triggers(&self, a: TriggersApplied) -> Result<bool, StoreError> {
        let news = a.change.as_ref().map(crate::news::saved);
        let applied = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let taken = tx
                        .exec(
                            "DELETE FROM trigger_queue WHERE id = $1 AND account_id = $2",
                            args![a.queued_id.clone(), a.account_id.to_string()],
                        )
                        .await?;
                    if taken == 0 {
                        return Ok(false);
                    }
                    if let Some(change) = &a.change {
                        crate::tickets::save_without_triggers(tx, change).await?;
                    }
                    record_turns(tx, a.account_id, &a.turns, a.at).await?;
                    Ok(true)
                })
            })
            .await?;
        if applied {
            if let Some(n) = news {
                self.announce(vec![n]).await;
            }
        }
        Ok(applied)
    }

    async fn queue_activity(&self, q: &QueuedActivity) -> Result<(), StoreError> {
        let q = q.clone();
        self.db.write(move |tx| Box::pin(async move { queue(tx, &q).await })).await
    }

    async fn last_turns(
        &self,
        account: AccountId,
        department: Option<DepartmentId>,
        agents: &[AgentId],
    ) -> Result<Vec<(AgentId, Timestamp)>, StoreError> {
        if agents.is_empty() {
            return Ok(Vec::new());
        }
        let mut a: Vec<Value> = args![account.to_string(), department.map(|d| d.to_string()).unwrap_or_default()];
        a.extend(agents.iter().map(|x| Value::Text(x.to_string())));
        let sql = format!(
            "SELECT agent_id, assigned_at FROM assignment_turns WHERE account_id = $1 AND department_id = $2 \
             AND agent_id IN ({})",
            placeholders(3, agents.len())
        );
        let rows = self.db.query(&sql, a).await?;
        rows.iter()
            .map(|r| Ok((id("agent id", &r.text("agent_id")?)?, Timestamp::from_millis(r.int("assigned_at")?))))
            .collect()
    }

    async fn open_tickets_of(&self, account: AccountId, agents: &[AgentId]) -> Result<Vec<(AgentId, i64)>, StoreError> {
        if agents.is_empty() {
            return Ok(Vec::new());
        }
        let mut a: Vec<Value> = args![account.to_string()];
        a.extend(agents.iter().map(|x| Value::Text(x.to_string())));
        let sql = format!(
            "SELECT assignee_id, COUNT(*) AS n FROM tickets WHERE account_id = $1 \
             AND status IN ('new', 'open', 'pending') AND assignee_id IN ({}) GROUP BY assignee_id",
            placeholders(2, agents.len())
        );
        let rows = self.db.query(&sql, a).await?;
        rows.iter().map(|r| Ok((id("agent id", &r.text("assignee_id")?)?, r.int("n")?))).collect()
    }
}

/// Round robin's turns taken at `at`: each agent's latest, per department (none is the account's).
pub(crate) async fn record_turns(
    tx: &mut dyn Tx,
    account: AccountId,
    turns: &[(Option<DepartmentId>, AgentId)],
    at: Timestamp,
) -> Result<(), StoreError> {
    for (department, agent) in turns {
        tx.exec(
            "INSERT INTO assignment_turns (account_id, department_id, agent_id, assigned_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, department_id, agent_id) DO UPDATE SET assigned_at = excluded.assigned_at",
            args![
                account.to_string(),
                department.map(|d| d.to_string()).unwrap_or_default(),
                agent.to_string(),
                at.millis()
            ],
        )
        .await?;
    }
    Ok(())
}

/// Queues a change for the account's triggers in the caller's unit of work, if the account has an active trigger
/// (a lookup of the account's first active trigger in the same statement).
pub(crate) async fn queue(tx: &mut dyn Tx, q: &QueuedActivity) -> Result<(), StoreError> {
    if q.activity.is_empty() {
        return Ok(());
    }
    tx.exec(
        "INSERT INTO trigger_queue (id, account_id, ticket_id, version, activity, created_at) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM triggers WHERE account_id = $2 AND active = 1)",
        args![
            q.id.clone(),
            q.account_id.to_string(),
            q.ticket_id.to_string(),
            q.version,
            to_json(&q.activity)?,
            q.created_at.millis()
        ],
    )
    .await?;
    Ok(())
}

/// What a ticket's save was, for its triggers: `version` is the version the save gives the ticket.
pub(crate) fn activity_of(ch: &TicketChange, version: i64) -> QueuedActivity {
    let kinds: Vec<EventKind> = ch.events.iter().map(|e| e.kind.clone()).collect();
    let mut activity = Activity::of(&kinds, ch.message.as_ref().map(|m: &Message| (m.id, &m.author, m.internal)));
    if ch.chat.iter().any(|c| matches!(c.kind, parley_domain::chat::ChatEventKind::ChatEnded)) {
        activity.events.push(TriggerEvent::ChatEnded);
    }
    queued(&ch.ticket, version, activity)
}

/// What a new ticket is, for its triggers (a chat's first message starts the chat).
pub(crate) fn activity_of_new(ticket: &Ticket, message: &Message, events: &[EventKind]) -> QueuedActivity {
    let activity = Activity::of_new(ticket.channel, events, (message.id, &message.author, message.internal));
    queued(ticket, ticket.version, activity)
}

fn queued(t: &Ticket, version: i64, activity: Activity) -> QueuedActivity {
    QueuedActivity {
        id: parley_domain::ids::OutboxEventId::new().to_string(),
        account_id: t.account_id,
        ticket_id: t.id,
        version,
        activity,
        created_at: t.updated_at,
    }
}
