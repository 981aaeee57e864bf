use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, WebhookId};
use parley_domain::webhook::{EventType, Webhook, WebhookSecret};
use parley_domain::Timestamp;

/// An event for the account's webhooks, written in the same transaction as the change it reports, so no change
/// goes unreported and no report is sent for a change that was rolled back.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    /// `msg_…`; receivers deduplicate on it, so it stays the same across retries.
    pub id: String,
    pub account_id: AccountId,
    pub event_type: EventType,
    /// The whole JSON body to deliver.
    pub payload: String,
    pub created_at: Timestamp,
    /// Delivered to this webhook only (if it is the account's and active), whatever it subscribes to; `None`:
    /// to every webhook subscribed to the event's type.
    pub webhook: Option<parley_domain::ids::WebhookId>,
}

/// One event due for one webhook, leased to the worker that claimed it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub event_id: String,
    pub webhook_id: WebhookId,
    pub account_id: AccountId,
    pub url: String,
    pub secret: WebhookSecret,
    pub payload: String,
    pub event_created_at: Timestamp,
    pub attempts: i64,
}

#[derive(Debug, Clone)]
pub enum DeliveryOutcome {
    Delivered {
        status: u16,
    },
    /// Try again at `retry_at`; `None` gives up.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn insert_webhook(&self, hook: &Webhook, secret: &WebhookSecret) -> Result<(), StoreError>;
    async fn list_webhooks(&self, account: AccountId) -> Result<Vec<Webhook>, StoreError>;
    async fn get_webhook(&self, account: AccountId, id: WebhookId) -> Result<Option<Webhook>, StoreError>;
    async fn delete_webhook(&self, account: AccountId, id: WebhookId) -> Result<(), StoreError>;
    /// Recent deliveries of a webhook: (event id, event type, attempts, delivered, last error).
    async fn list_deliveries(
        &self,
        account: AccountId,
        id: WebhookId,
        limit: u32,
    ) -> Result<Vec<DeliveryStatus>, StoreError>;
    /// Queue a delivery that is not waiting any more (delivered, or given up) to be sent again at `now`, by the
    /// same worker and with the same event id, so the receiver can tell it is the same event. `NotFound` when the
    /// webhook has no such delivery; `Ok(false)` when it is still waiting for an attempt.
    async fn requeue_delivery(
        &self,
        account: AccountId,
        id: WebhookId,
        event_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryStatus {
    pub event_id: String,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
}

/// The region-wide queue the delivery worker drains. These methods span accounts by design: the worker serves
/// the whole region, and each delivery it gets back carries its account.
#[async_trait]
pub trait WebhookQueue: Send + Sync {
    /// Lease up to `limit` deliveries due at `now` until `lease_until`; a crashed worker's leases run out and
    /// the deliveries are claimed again.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    async fn finish_delivery(
        &self,
        event_id: &str,
        webhook_id: WebhookId,
        outcome: &DeliveryOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    /// When the next unleased delivery falls due, so the worker can sleep until then.
    async fn next_due(&self, now: Timestamp) -> Result<Option<Timestamp>, StoreError>;
}
