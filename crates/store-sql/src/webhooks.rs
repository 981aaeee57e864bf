//! Webhook subscriptions, the transactional outbox and the delivery queue.

use crate::error::SqlResultExt;
use crate::rows::{id, parsed, placeholders};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, WebhookId};
use parley_domain::webhook::{EventType, Webhook, WebhookSecret};
use parley_domain::Timestamp;
use parley_store::{Delivery, DeliveryOutcome, DeliveryStatus, OutboxEvent, StoreError, WebhookQueue, WebhookStore};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Queue an event for every active webhook of the account that subscribed to its type. The event body is stored
/// only when some webhook wants it, so an account without webhooks pays one cheap statement per event.
pub(crate) fn enqueue<'a>(
    c: &'a mut AnyConnection,
    e: &'a OutboxEvent,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        let queued = sqlx::query(
            "INSERT INTO webhook_deliveries (event_id, webhook_id, account_id, attempts, next_attempt_at) \
             SELECT $1, s.webhook_id, s.account_id, 0, $2 FROM webhook_subscriptions s \
             JOIN webhooks w ON w.id = s.webhook_id \
             WHERE s.account_id = $3 AND s.event_type = $4 AND w.active = 1",
        )
        .bind(&e.id)
        .bind(e.created_at.millis())
        .bind(e.account_id.to_string())
        .bind(e.event_type.as_str())
        .execute(&mut *c)
        .await
        .db()?;
        if queued.rows_affected() > 0 {
            sqlx::query("INSERT INTO outbox_events (id, account_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&e.id)
                .bind(e.account_id.to_string())
                .bind(e.event_type.as_str())
                .bind(&e.payload)
                .bind(e.created_at.millis())
                .execute(&mut *c)
                .await
                .db()?;
        }
        Ok(())
    })
}

#[derive(sqlx::FromRow)]
struct HookRow {
    id: String,
    account_id: String,
    url: String,
    description: Option<String>,
    active: i64,
    created_at: i64,
}

impl SqlStore {
    async fn hooks_with_events(&self, account: AccountId, rows: Vec<HookRow>) -> Result<Vec<Webhook>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT webhook_id, event_type FROM webhook_subscriptions WHERE account_id = $1 AND webhook_id IN ({}) \
             ORDER BY event_type",
            placeholders(2, rows.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(account.to_string());
        for r in &rows {
            q = q.bind(&r.id);
        }
        let mut events: HashMap<String, Vec<EventType>> = HashMap::new();
        for (hook, ev) in q.fetch_all(&self.read).await.db()? {
            events.entry(hook).or_default().push(parsed("event type", &ev, EventType::parse)?);
        }
        rows.into_iter()
            .map(|r| {
                Ok(Webhook {
                    id: id("webhook id", &r.id)?,
                    account_id: id("account id", &r.account_id)?,
                    events: events.remove(&r.id).unwrap_or_default(),
                    url: r.url,
                    description: r.description,
                    active: r.active != 0,
                    created_at: Timestamp::from_millis(r.created_at),
                })
            })
            .collect()
    }
}

const HOOK_COLS: &str = "id, account_id, url, description, active, created_at";

#[async_trait]
impl WebhookStore for SqlStore {
    async fn insert_webhook(&self, hook: &Webhook, secret: &WebhookSecret) -> Result<(), StoreError> {
        let h = hook.clone();
        let secret = secret.expose();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO webhooks (id, account_id, url, description, secret, active, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(h.id.to_string())
                    .bind(h.account_id.to_string())
                    .bind(&h.url)
                    .bind(h.description.clone())
                    .bind(&secret)
                    .bind(i64::from(h.active))
                    .bind(h.created_at.millis())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    for ev in &h.events {
                        sqlx::query("INSERT INTO webhook_subscriptions (account_id, webhook_id, event_type) VALUES ($1, $2, $3)")
                            .bind(h.account_id.to_string())
                            .bind(h.id.to_string())
                            .bind(ev.as_str())
                            .execute(&mut *c)
                            .await
                            .db()?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn list_webhooks(&self, account: AccountId) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!("SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 ORDER BY created_at, id");
        let rows: Vec<HookRow> = sqlx::query_as(&sql).bind(account.to_string()).fetch_all(&self.read).await.db()?;
        self.hooks_with_events(account, rows).await
    }

    async fn get_webhook(&self, account: AccountId, hook: WebhookId) -> Result<Option<Webhook>, StoreError> {
        let sql = format!("SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 AND id = $2");
        let rows: Vec<HookRow> =
            sqlx::query_as(&sql).bind(account.to_string()).bind(hook.to_string()).fetch_all(&self.read).await.db()?;
        Ok(self.hooks_with_events(account, rows).await?.pop())
    }

    async fn delete_webhook(&self, account: AccountId, hook: WebhookId) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    for table in ["webhook_deliveries", "webhook_subscriptions"] {
                        let sql = format!("DELETE FROM {table} WHERE account_id = $1 AND webhook_id = $2");
                        sqlx::query(&sql)
                            .bind(account.to_string())
                            .bind(hook.to_string())
                            .execute(&mut *c)
                            .await
                            .db()?;
                    }
                    let done = sqlx::query("DELETE FROM webhooks WHERE account_id = $1 AND id = $2")
                        .bind(account.to_string())
                        .bind(hook.to_string())
                        .execute(&mut *c)
                        .await
                        .db()?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn list_deliveries(
        &self,
        account: AccountId,
        hook: WebhookId,
        limit: u32,
    ) -> Result<Vec<DeliveryStatus>, StoreError> {
        let sql = format!(
            "SELECT event_id, attempts, delivered_at, last_status, last_error, next_attempt_at FROM webhook_deliveries \
             WHERE account_id = $1 AND webhook_id = $2 ORDER BY event_id DESC LIMIT {}",
            limit.clamp(1, 200)
        );
        let rows: Vec<(String, i64, Option<i64>, Option<i64>, Option<String>, Option<i64>)> =
            sqlx::query_as(&sql).bind(account.to_string()).bind(hook.to_string()).fetch_all(&self.read).await.db()?;
        Ok(rows
            .into_iter()
            .map(|(event_id, attempts, delivered_at, last_status, last_error, next_attempt_at)| DeliveryStatus {
                event_id,
                attempts,
                delivered_at,
                last_status,
                last_error,
                next_attempt_at,
            })
            .collect())
    }
}

#[derive(sqlx::FromRow)]
struct DueRow {
    event_id: String,
    webhook_id: String,
    account_id: String,
    url: String,
    secret: String,
    payload: String,
    created_at: i64,
    attempts: i64,
}

#[async_trait]
impl WebhookQueue for SqlStore {
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        // PostgreSQL may have several processes claiming at once; SKIP LOCKED hands each row to one of them.
        let lock = if self.engine == Engine::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE webhook_deliveries SET leased_until = $1 \
             WHERE (event_id, webhook_id) IN ( \
                SELECT event_id, webhook_id FROM webhook_deliveries \
                WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $2 \
                  AND (leased_until IS NULL OR leased_until < $2) \
                ORDER BY next_attempt_at LIMIT {} {lock}) \
             RETURNING event_id, webhook_id",
            limit.clamp(1, 1000)
        );
        let claimed: Vec<(String, String)> = self
            .writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query_as(&sql).bind(lease_until.millis()).bind(now.millis()).fetch_all(&mut *c).await.db()
                })
            })
            .await?;
        let mut out = Vec::with_capacity(claimed.len());
        for (event_id, webhook_id) in claimed {
            let row: Option<DueRow> = sqlx::query_as(
                "SELECT d.event_id, d.webhook_id, d.account_id, w.url, w.secret, e.payload, e.created_at, d.attempts \
                 FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                 JOIN outbox_events e ON e.id = d.event_id \
                 WHERE d.event_id = $1 AND d.webhook_id = $2",
            )
            .bind(&event_id)
            .bind(&webhook_id)
            .fetch_optional(&self.read)
            .await
            .db()?;
            let Some(r) = row else { continue };
            out.push(Delivery {
                secret: WebhookSecret::parse(&r.secret).ok_or_else(|| crate::error::corrupt("webhook secret", "…"))?,
                event_id: r.event_id,
                webhook_id: id("webhook id", &r.webhook_id)?,
                account_id: id("account id", &r.account_id)?,
                url: r.url,
                payload: r.payload,
                event_created_at: Timestamp::from_millis(r.created_at),
                attempts: r.attempts,
            });
        }
        Ok(out)
    }

    async fn finish_delivery(
        &self,
        event_id: &str,
        hook: WebhookId,
        outcome: &DeliveryOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let event_id = event_id.to_string();
        let outcome = outcome.clone();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let q = match &outcome {
                        DeliveryOutcome::Delivered { status } => sqlx::query(
                            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = NULL, \
                             leased_until = NULL, delivered_at = $1, last_status = $2, last_error = NULL \
                             WHERE event_id = $3 AND webhook_id = $4",
                        )
                        .bind(at.millis())
                        .bind(i64::from(*status)),
                        DeliveryOutcome::Failed { error, retry_at } => sqlx::query(
                            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1, \
                             leased_until = NULL, last_error = $2 WHERE event_id = $3 AND webhook_id = $4",
                        )
                        .bind(retry_at.map(|t| t.millis()))
                        .bind(error.chars().take(500).collect::<String>()),
                    };
                    q.bind(&event_id).bind(hook.to_string()).execute(&mut *c).await.db()?;
                    Ok(())
                })
            })
            .await
    }

    async fn next_due(&self, now: Timestamp) -> Result<Option<Timestamp>, StoreError> {
        let row: (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(next_attempt_at) FROM webhook_deliveries \
             WHERE next_attempt_at IS NOT NULL AND (leased_until IS NULL OR leased_until < $1)",
        )
        .bind(now.millis())
        .fetch_one(&self.read)
        .await
        .db()?;
        Ok(row.0.map(Timestamp::from_millis))
    }
}
