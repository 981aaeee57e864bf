//! An account's webhook subscriptions.

use super::check_target;
use crate::auth::tokens;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::error::Checker;
use parley_domain::ids::WebhookId;
use parley_domain::text::optional_text;
use parley_domain::webhook::{EventType, Webhook, WebhookSecret};
use parley_store::DeliveryStatus;

pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// Subscribe a URL to events. Returns the webhook and its signing secret, shown once.
pub async fn create_webhook(
    ctx: &AccountCtx,
    caller: &Caller,
    input: NewWebhook,
    allow_private: bool,
) -> Result<(Webhook, WebhookSecret), AppError> {
    caller.require_admin()?;
    let mut errs = Checker::new();
    let description = errs.check(optional_text("description", input.description.as_deref(), 500)).flatten();
    let mut events: Vec<EventType> = Vec::new();
    for e in &input.events {
        if let Some(e) = errs.check(EventType::parse(e)) {
            if !events.contains(&e) {
                events.push(e);
            }
        }
    }
    if input.events.is_empty() {
        errs.add("events", "name at least one event");
    }
    let url = match check_target(&input.url, allow_private).await {
        Ok(u) => Some(u),
        Err(AppError::Invalid(i)) => {
            for f in i.0 {
                errs.add(f.field, f.message);
            }
            None
        }
        Err(e) => return Err(e),
    };
    errs.finish()?;
    let Some(url) = url else {
        return Err(AppError::Internal(anyhow::anyhow!("checked url missing")));
    };
    let hook = Webhook {
        id: WebhookId::new(),
        account_id: ctx.account_id,
        url: url.to_string(),
        events,
        description,
        active: true,
        created_at: ctx.now(),
    };
    let secret = WebhookSecret::from_bytes(tokens::random_key());
    ctx.store.insert_webhook(&hook, &secret).await?;
    Ok((hook, secret))
}

pub async fn list_webhooks(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<Webhook>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.list_webhooks(ctx.account_id).await?)
}

pub async fn delete_webhook(ctx: &AccountCtx, caller: &Caller, id: WebhookId) -> Result<(), AppError> {
    caller.require_admin()?;
    Ok(ctx.store.delete_webhook(ctx.account_id, id).await?)
}

pub async fn list_deliveries(
    ctx: &AccountCtx,
    caller: &Caller,
    id: WebhookId,
) -> Result<(Webhook, Vec<DeliveryStatus>), AppError> {
    caller.require_admin()?;
    let hook = ctx.store.get_webhook(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let deliveries = ctx.store.list_deliveries(ctx.account_id, id, 50).await?;
    Ok((hook, deliveries))
}
