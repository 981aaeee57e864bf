//! Outbound webhooks: subscriptions, the address guard, and the worker that delivers the outbox.

mod guard;
mod redeliver;
mod subscribe;
mod worker;

pub use guard::{check_target, is_public, GuardedResolver};
pub use redeliver::redeliver;
pub use subscribe::{create_webhook, delete_webhook, list_deliveries, list_webhooks, NewWebhook};
pub use worker::{deliver_due, run_worker, DeliveryPolicy};
