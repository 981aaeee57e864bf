//! SLA policies: made, changed, reordered and deleted by administrators (every change audited), read by every
//! agent. A policy's business hours must be the account's own; a policy without names the account's default.
//!
//! How far each target of a ticket has run is the domain's pure [`parley_domain::sla::measure`]; applying it to
//! tickets (their timeline, `"sla"` in the ticket's JSON, the due-time sweep) builds on this.

use crate::audit::{self, Record};
use crate::business_hours::both;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::business_hours::BusinessHours;
use parley_domain::ids::{BusinessHoursId, SlaPolicyId};
use parley_domain::sla::{ConditionsInput, SlaPolicy, SlaPolicyInput, SlaPolicyRecord, TargetInput};
use parley_domain::Invalid;
use serde_json::json;

/// How many policies an account may keep.
pub const MAX_POLICIES: usize = 100;

/// A change: fields left `None` stay; `business_hours_id: Some(None)` goes back to the default hours.
#[derive(Debug, Default)]
pub struct PolicyPatch {
    pub name: Option<String>,
    pub position: Option<i64>,
    pub business_hours_id: Option<Option<String>>,
    pub conditions: Option<ConditionsInput>,
    pub pause_statuses: Option<Vec<String>>,
    pub targets: Option<Vec<TargetInput>>,
}

/// The checked policy, with its business hours (if it names some) being the account's.
async fn checked(ctx: &AccountCtx, input: &SlaPolicyInput) -> Result<SlaPolicy, AppError> {
    let policy = SlaPolicy::new(input);
    let hours = match input.business_hours_id.as_deref() {
        Some(raw) => hours_of(ctx, raw).await.map(|_| ()),
        None => Ok(()),
    };
    both(policy, hours).map(|(p, ())| p)
}

async fn hours_of(ctx: &AccountCtx, raw: &str) -> Result<BusinessHours, AppError> {
    let unknown = || Invalid::field("business_hours_id", "is not business hours of this account");
    let id = BusinessHoursId::parse(raw).ok_or_else(unknown)?;
    ctx.store.get_business_hours(ctx.account_id, id).await?.ok_or_else(|| unknown().into())
}

/// Audits a change and asks for a new look at the account's open tickets' SLA.
async fn audited(ctx: &AccountCtx, caller: &Caller, id: SlaPolicyId, what: &str) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target(format!("sla_policy:{id}"))
        .detail(json!({ "sla_policy": what }));
    audit::record(ctx, record).await?;
    // Every open ticket's SLA may read differently now: the watch looks at them again.
    ctx.store.recheck_sla(ctx.account_id, ctx.now()).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn create_sla_policy(
    ctx: &AccountCtx,
    caller: &Caller,
    mut input: SlaPolicyInput,
) -> Result<SlaPolicyRecord, AppError> {
    caller.require_admin()?;
    let existing = ctx.store.list_sla_policies(ctx.account_id).await?;
    if existing.len() >= MAX_POLICIES {
        return Err(AppError::Conflict(format!("an account keeps at most {MAX_POLICIES} SLA policies")));
    }
    // Last unless placed: a new policy does not take over tickets the others already match.
    let position = input.position.unwrap_or_else(|| existing.last().map_or(1, |p| p.position.saturating_add(1)));
    input.position = Some(position);
    let policy = checked(ctx, &input).await?;
    let now = ctx.now();
    let p = SlaPolicyRecord {
        id: SlaPolicyId::new(),
        account_id: ctx.account_id,
        position,
        policy,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_sla_policy(&p).await?;
    audited(ctx, caller, p.id, "created").await?;
    Ok(p)
}

pub async fn list_sla_policies(ctx: &AccountCtx) -> Result<Vec<SlaPolicyRecord>, AppError> {
    Ok(ctx.store.list_sla_policies(ctx.account_id).await?)
}

pub async fn get_sla_policy(ctx: &AccountCtx, id: SlaPolicyId) -> Result<SlaPolicyRecord, AppError> {
    ctx.store.get_sla_policy(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn update_sla_policy(
    ctx: &AccountCtx,
    caller: &Caller,
    id: SlaPolicyId,
    patch: PolicyPatch,
) -> Result<SlaPolicyRecord, AppError> {
    caller.require_admin()?;
    let old = get_sla_policy(ctx, id).await?;
    let mut input = old.policy.to_input();
    if let Some(v) = patch.name {
        input.name = v;
    }
    if let Some(v) = patch.position {
        input.position = Some(v);
    }
    if let Some(v) = patch.business_hours_id {
        input.business_hours_id = v;
    }
    if let Some(v) = patch.conditions {
        input.conditions = v;
    }
    if let Some(v) = patch.pause_statuses {
        input.pause_statuses = Some(v);
    }
    if let Some(v) = patch.targets {
        input.targets = v;
    }
    let policy = checked(ctx, &input).await?;
    let position = input.position.unwrap_or(old.position);
    let p = SlaPolicyRecord { position, policy, updated_at: ctx.now(), ..old };
    ctx.store.update_sla_policy(&p).await?;
    audited(ctx, caller, p.id, "changed").await?;
    Ok(p)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn delete_sla_policy(ctx: &AccountCtx, caller: &Caller, id: SlaPolicyId) -> Result<(), AppError> {
    caller.require_admin()?;
    ctx.store.delete_sla_policy(ctx.account_id, id).await?;
    audited(ctx, caller, id, "deleted").await
}

/// Moves a policy one place up (earlier) or down in the account's order (administrators); already first or last,
/// nothing changes. One audit entry tells the move.
#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn move_sla_policy(ctx: &AccountCtx, caller: &Caller, id: SlaPolicyId, up: bool) -> Result<(), AppError> {
    caller.require_admin()?;
    let all = ctx.store.list_sla_policies(ctx.account_id).await?;
    let i = all.iter().position(|p| p.id == id).ok_or(AppError::NotFound)?;
    let Some(changed) = crate::order::moved(all, i, up, |p| p.position) else { return Ok(()) };
    let now = ctx.now();
    for (p, position) in changed {
        ctx.store.update_sla_policy(&SlaPolicyRecord { position, updated_at: now, ..p }).await?;
    }
    audited(ctx, caller, id, if up { "moved up" } else { "moved down" }).await
}
