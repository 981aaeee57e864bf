//! Sending a delivery again, when a receiver was down past the retries or lost what it got: the same event, with
//! the same id, queued for the delivery worker.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::ids::WebhookId;

/// Queue the delivery of `event_id` to webhook `id` again. A delivery still waiting for an attempt is a conflict:
/// it is going to be sent anyway.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id, webhook = %id))]
pub async fn redeliver(ctx: &AccountCtx, caller: &Caller, id: WebhookId, event_id: &str) -> Result<(), AppError> {
    caller.require_admin()?;
    // Event ids are `msg_…` and short; anything else names no delivery.
    if event_id.is_empty() || event_id.len() > 100 {
        return Err(AppError::NotFound);
    }
    if !ctx.store.requeue_delivery(ctx.account_id, id, event_id, ctx.now()).await? {
        return Err(AppError::Conflict("this delivery is waiting to be sent already".into()));
    }
    let queued = Record::new(audit::actor_of(Some(caller)), AuditAction::WebhookRedelivered)
        .target(format!("webhook:{id}"))
        .detail(serde_json::json!({ "event_id": event_id }));
    audit::record(ctx, queued).await?;
    Ok(())
}
