//! Erasing a contact on request (the right to be forgotten): everything of theirs leaves the region, nothing
//! recoverable stays in its files, and the audit log records that it happened and what it removed, without
//! keeping any of it.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::erasure::ErasureReport;
use parley_domain::ids::ContactId;

/// Erases a contact (admins). The report says what was removed.
pub async fn erase_contact(ctx: &AccountCtx, caller: &Caller, contact: ContactId) -> Result<ErasureReport, AppError> {
    caller.require_admin()?;
    let report = ctx.store.erase_contact(ctx.account_id, contact).await?;
    let r = Record::new(audit::actor_of(Some(caller)), AuditAction::ContactErased)
        .target(format!("contact:{contact}"))
        .detail(serde_json::to_value(&report).map_err(|e| AppError::Internal(e.into()))?);
    audit::record(ctx, r).await?;
    // Last, so that no copy is left behind by the writes above either.
    ctx.store.purge_deleted().await?;
    Ok(report)
}
