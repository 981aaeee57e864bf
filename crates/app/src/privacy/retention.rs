//! Retention policies: an account says how long it keeps closed tickets and ended chats, and a background job
//! erases what is older, as thoroughly as a contact erased on request (rows, unused blobs, the files' free pages),
//! recording in the audit log what it removed.

use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::account::AccountStatus;
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::erasure::ErasureReport;
use parley_domain::retention::RetentionPolicy;
use parley_domain::Timestamp;

/// Tickets erased per unit of work: a large backlog is worked off in steps that keep other writers moving.
const BATCH: u32 = 200;

pub async fn get(ctx: &AccountCtx, caller: &Caller) -> Result<RetentionPolicy, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.retention_policy(ctx.account_id).await?)
}

/// Replaces the policy (admins); recorded in the audit log with what it was before.
pub async fn set(ctx: &AccountCtx, caller: &Caller, policy: RetentionPolicy) -> Result<RetentionPolicy, AppError> {
    caller.require_admin()?;
    policy.check()?;
    let before = ctx.store.retention_policy(ctx.account_id).await?;
    ctx.store.set_retention_policy(ctx.account_id, &policy, ctx.now()).await?;
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target("settings:retention")
        .detail(serde_json::json!({ "before": before, "after": policy }));
    audit::record(ctx, record).await?;
    Ok(policy)
}

/// Erases what the account's policy says has been kept long enough at `now`. Returns what was removed.
pub async fn apply(ctx: &AccountCtx, now: Timestamp) -> Result<ErasureReport, AppError> {
    let policy = ctx.store.retention_policy(ctx.account_id).await?;
    let mut total = ErasureReport::default();
    if policy.keeps_everything() {
        return Ok(total);
    }
    loop {
        let expired = ctx.store.expired_tickets(ctx.account_id, &policy, now, BATCH).await?;
        if expired.is_empty() {
            break;
        }
        let report = ctx.store.erase_tickets(ctx.account_id, &expired).await?;
        total.add(&report);
        if expired.len() < BATCH as usize {
            break;
        }
    }
    if total.tickets_deleted > 0 {
        let record = Record::new(AuditActor::Operator, AuditAction::RetentionApplied)
            .detail(serde_json::json!({ "policy": policy, "removed": total }));
        audit::record(ctx, record).await?;
        ctx.store.purge_deleted().await?;
    }
    Ok(total)
}

/// One round over every active account of the regions this process serves.
pub async fn apply_all(app: &App) -> Result<u64, AppError> {
    let mut tickets = 0;
    for entry in app.regions.directory().list().await? {
        if entry.status != AccountStatus::Active || !app.regions.cell(&entry.region).is_some_and(|c| c.spec.served) {
            continue;
        }
        let ctx = app.regions.context(&entry.slug).await?;
        match apply(&ctx, ctx.now()).await {
            Ok(r) => tickets += r.tickets_deleted,
            Err(e) => tracing::warn!(account = %entry.slug, error = %e, "could not apply the retention policy"),
        }
    }
    Ok(tickets)
}
