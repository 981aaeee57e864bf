//! Webhook subscriptions, the transactional outbox and the delivery queue.

use crate::db::{args, Row, Tx, Value};
use crate::rows::{id, parsed, placeholders};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, WebhookId};
use parley_domain::webhook::{EventType, Webhook, WebhookSecret};
use parley_domain::Timestamp;
use parley_store::{Delivery, DeliveryOutcome, DeliveryStatus, OutboxEvent, StoreError, WebhookQueue, WebhookStore};
use std::collections::HashMap;

const SUBSCRIBED: &str = "SELECT DISTINCT s.event_type FROM webhook_subscriptions s \
    JOIN webhooks w ON w.id = s.webhook_id WHERE s.account_id = $1 AND w.active = 1";

/// Queue events for every active webhook of the account subscribed to their types, in the caller's unit of work.
/// The event bodies are stored only when some webhook wants them, so an account without webhooks pays one read.
///
/// `events` is called only when some webhook is subscribed: building the bodies means serializing the ticket, and
/// on SQLite this runs on the writer thread every other write waits for.
pub(crate) async fn enqueue(
    tx: &mut dyn Tx,
    account: AccountId,
    events: impl FnOnce() -> Vec<OutboxEvent> + Send,
) -> Result<(), StoreError> {
    let wanted = tx.query(SUBSCRIBED, args![account.to_string()]).await?;
    if wanted.is_empty() {
        return Ok(());
    }
    let wanted: Vec<String> = wanted.iter().map(|r| r.text("event_type")).collect::<Result<_, _>>()?;
    for e in events().iter().filter(|e| e.webhook.is_none() && wanted.iter().any(|w| w == e.event_type.as_str())) {
        tx.exec(
            "INSERT INTO outbox_events (id, account_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![&e.id, e.account_id.to_string(), e.event_type.as_str(), &e.payload, e.created_at.millis()],
        )
        .await?;
        tx.exec(
            "INSERT INTO webhook_deliveries (event_id, webhook_id, account_id, attempts, next_attempt_at) \
             SELECT $1, s.webhook_id, s.account_id, 0, $2 FROM webhook_subscriptions s \
             JOIN webhooks w ON w.id = s.webhook_id \
             WHERE s.account_id = $3 AND s.event_type = $4 AND w.active = 1",
            args![&e.id, e.created_at.millis(), e.account_id.to_string(), e.event_type.as_str()],
        )
        .await?;
    }
    Ok(())
}

/// A change's events, built already: those addressed to one webhook (see [`OutboxEvent::webhook`]) to it, the
/// others as [`enqueue`] does.
pub(crate) async fn enqueue_built(
    tx: &mut dyn Tx,
    account: AccountId,
    events: &[OutboxEvent],
) -> Result<(), StoreError> {
    for e in events.iter().filter(|e| e.webhook.is_some()) {
        enqueue_direct(tx, e).await?;
    }
    enqueue(tx, account, || events.to_vec()).await
}

/// An event for one webhook: kept and delivered to it if it is the account's and active.
async fn enqueue_direct(tx: &mut dyn Tx, e: &OutboxEvent) -> Result<(), StoreError> {
    let Some(webhook) = e.webhook else { return Ok(()) };
    let active = tx
        .query_opt(
            "SELECT id FROM webhooks WHERE account_id = $1 AND id = $2 AND active = 1",
            args![e.account_id.to_string(), webhook.to_string()],
        )
        .await?;
    if active.is_none() {
        return Ok(());
    }
    tx.exec(
        "INSERT INTO outbox_events (id, account_id, event_type, payload, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![&e.id, e.account_id.to_string(), e.event_type.as_str(), &e.payload, e.created_at.millis()],
    )
    .await?;
    tx.exec(
        "INSERT INTO webhook_deliveries (event_id, webhook_id, account_id, attempts, next_attempt_at) \
         VALUES ($1, $2, $3, 0, $4)",
        args![&e.id, webhook.to_string(), e.account_id.to_string(), e.created_at.millis()],
    )
    .await?;
    Ok(())
}

const HOOK_COLS: &str = "id, account_id, url, description, active, created_at";

impl SqlStore {
    async fn hooks_with_events(&self, account: AccountId, rows: Vec<Row>) -> Result<Vec<Webhook>, StoreError> {
        let ids: Vec<String> = rows.iter().map(|r| r.text("id")).collect::<Result<_, _>>()?;
        let mut events: HashMap<String, Vec<EventType>> = HashMap::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT webhook_id, event_type FROM webhook_subscriptions WHERE account_id = $1 AND webhook_id IN ({}) \
                 ORDER BY event_type",
                placeholders(2, ids.len())
            );
            let mut a = args![account.to_string()];
            a.extend(ids.iter().map(Value::from));
            for r in self.db.query(&sql, a).await? {
                events.entry(r.text("webhook_id")?).or_default().push(parsed(
                    "event type",
                    &r.text("event_type")?,
                    EventType::parse,
                )?);
            }
        }
        rows.iter()
            .zip(ids)
            .map(|(r, i)| {
                Ok(Webhook {
                    id: id("webhook id", &i)?,
                    account_id: id("account id", &r.text("account_id")?)?,
                    events: events.remove(&i).unwrap_or_default(),
                    url: r.text("url")?,
                    description: r.opt_text("description")?,
                    active: r.int("active")? != 0,
                    created_at: Timestamp::from_millis(r.int("created_at")?),
                })
            })
            .collect()
    }
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn insert_webhook(&self, hook: &Webhook, secret: &WebhookSecret) -> Result<(), StoreError> {
        let h = hook.clone();
        let secret = secret.expose();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO webhooks (id, account_id, url, description, secret, active, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        args![
                            h.id.to_string(),
                            h.account_id.to_string(),
                            &h.url,
                            h.description.clone(),
                            &secret,
                            h.active,
                            h.created_at.millis()
                        ],
                    )
                    .await?;
                    for ev in &h.events {
                        tx.exec(
                            "INSERT INTO webhook_subscriptions (account_id, webhook_id, event_type) VALUES ($1, $2, $3)",
                            args![h.account_id.to_string(), h.id.to_string(), ev.as_str()],
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn list_webhooks(&self, account: AccountId) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!("SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 ORDER BY created_at, id");
        let rows = self.db.query(&sql, args![account.to_string()]).await?;
        self.hooks_with_events(account, rows).await
    }

    async fn get_webhook(&self, account: AccountId, hook: WebhookId) -> Result<Option<Webhook>, StoreError> {
        let sql = format!("SELECT {HOOK_COLS} FROM webhooks WHERE account_id = $1 AND id = $2");
        let rows = self.db.query(&sql, args![account.to_string(), hook.to_string()]).await?;
        Ok(self.hooks_with_events(account, rows).await?.pop())
    }

    async fn delete_webhook(&self, account: AccountId, hook: WebhookId) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    for table in ["webhook_deliveries", "webhook_subscriptions"] {
                        tx.exec(
                            &format!("DELETE FROM {table} WHERE account_id = $1 AND webhook_id = $2"),
                            args![account.to_string(), hook.to_string()],
                        )
                        .await?;
                    }
                    let n = tx
                        .exec(
                            "DELETE FROM webhooks WHERE account_id = $1 AND id = $2",
                            args![account.to_string(), hook.to_string()],
                        )
                        .await?;
                    if n == 0 {
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
        let rows = self.db.query(&sql, args![account.to_string(), hook.to_string()]).await?;
        rows.iter()
            .map(|r| {
                Ok(DeliveryStatus {
                    event_id: r.text("event_id")?,
                    attempts: r.int("attempts")?,
                    delivered_at: r.opt_int("delivered_at")?,
                    last_status: r.opt_int("last_status")?,
                    last_error: r.opt_text("last_error")?,
                    next_attempt_at: r.opt_int("next_attempt_at")?,
                })
            })
            .collect()
    }

    async fn requeue_delivery(
        &self,
        account: AccountId,
        hook: WebhookId,
        event_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let event_id = event_id.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let key = args![account.to_string(), hook.to_string(), event_id.clone()];
                    let found = tx
                        .query(
                            "SELECT next_attempt_at FROM webhook_deliveries \
                             WHERE account_id = $1 AND webhook_id = $2 AND event_id = $3",
                            key,
                        )
                        .await?;
                    let Some(row) = found.first() else { return Err(StoreError::NotFound) };
                    if row.opt_int("next_attempt_at")?.is_some() {
                        return Ok(false);
                    }
                    // `attempts` is kept: the retry schedule goes on from where it stopped, so a redelivery that
                    // fails again is given up again rather than retried for another day and a half.
                    tx.exec(
                        "UPDATE webhook_deliveries SET next_attempt_at = $1, leased_until = NULL \
                         WHERE account_id = $2 AND webhook_id = $3 AND event_id = $4",
                        args![now.millis(), account.to_string(), hook.to_string(), event_id],
                    )
                    .await?;
                    Ok(true)
                })
            })
            .await
    }
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
        let lock = if self.db.engine() == Engine::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
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
        let claimed = self
            .db
            .write(move |tx| Box::pin(async move { tx.query(&sql, args![lease_until.millis(), now.millis()]).await }))
            .await?;
        let mut out = Vec::with_capacity(claimed.len());
        for c in claimed {
            let row = self
                .db
                .query_opt(
                    "SELECT d.event_id, d.webhook_id, d.account_id, w.url, w.secret, e.payload, e.created_at, d.attempts \
                     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                     JOIN outbox_events e ON e.id = d.event_id \
                     WHERE d.event_id = $1 AND d.webhook_id = $2",
                    args![c.text("event_id")?, c.text("webhook_id")?],
                )
                .await?;
            let Some(r) = row else { continue };
            out.push(Delivery {
                secret: WebhookSecret::parse(&r.text("secret")?)
                    .ok_or_else(|| crate::error::corrupt("webhook secret", "…"))?,
                event_id: r.text("event_id")?,
                webhook_id: id("webhook id", &r.text("webhook_id")?)?,
                account_id: id("account id", &r.text("account_id")?)?,
                url: r.text("url")?,
                payload: r.text("payload")?,
                event_created_at: Timestamp::from_millis(r.int("created_at")?),
                attempts: r.int("attempts")?,
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
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    match &outcome {
                        DeliveryOutcome::Delivered { status } => {
                            tx.exec(
                                "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = NULL, \
                                 leased_until = NULL, delivered_at = $1, last_status = $2, last_error = NULL \
                                 WHERE event_id = $3 AND webhook_id = $4",
                                args![at.millis(), i64::from(*status), &event_id, hook.to_string()],
                            )
                            .await?
                        }
                        DeliveryOutcome::Failed { error, retry_at } => {
                            tx.exec(
                                "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1, \
                                 leased_until = NULL, last_error = $2 WHERE event_id = $3 AND webhook_id = $4",
                                args![
                                    retry_at.map(|t| t.millis()),
                                    error.chars().take(500).collect::<String>(),
                                    &event_id,
                                    hook.to_string()
                                ],
                            )
                            .await?
                        }
                    };
                    Ok(())
                })
            })
            .await
    }

    async fn next_due(&self, now: Timestamp) -> Result<Option<Timestamp>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries \
                 WHERE next_attempt_at IS NOT NULL AND (leased_until IS NULL OR leased_until < $1)",
                args![now.millis()],
            )
            .await?;
        Ok(row.map(|r| r.opt_int("due")).transpose()?.flatten().map(Timestamp::from_millis))
    }
}
