//! An account's automations: made, changed, reordered and deleted by administrators (every change audited). A new
//! account starts with one: close solved tickets after four days.

use crate::audit::{self, Record};
use crate::triggers::rules::check_references;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::automation::{AfterInput, Automation, AutomationInput, AutomationRecord};
use parley_domain::ids::AutomationId;
use parley_domain::sla::ConditionsInput;
use parley_domain::ticket_action::FieldDefs;
use serde_json::json;

/// How many automations an account may keep.
pub const MAX_AUTOMATIONS: usize = 100;

/// A change: fields left `None` stay.
#[derive(Debug, Default)]
pub struct AutomationPatch {
    pub name: Option<String>,
    pub position: Option<i64>,
    pub active: Option<bool>,
    pub after: Option<AfterInput>,
    pub conditions: Option<ConditionsInput>,
    pub actions: Option<Vec<serde_json::Value>>,
}

async fn checked(ctx: &AccountCtx, input: &AutomationInput) -> Result<Automation, AppError> {
    let fields = ctx.store.list_fields(ctx.account_id).await?;
    let a = Automation::new(input, FieldDefs::Checked(&fields))?;
    check_references(ctx, a.actions(), a.conditions()).await?;
    Ok(a)
}

async fn audited(ctx: &AccountCtx, caller: Option<&Caller>, id: AutomationId, what: &str) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(caller), AuditAction::SettingsChanged)
        .target(format!("automation:{id}"))
        .detail(json!({ "automation": what }));
    audit::record(ctx, record).await?;
    Ok(())
}

async fn insert(ctx: &AccountCtx, mut input: AutomationInput) -> Result<AutomationRecord, AppError> {
    let existing = ctx.store.list_automations(ctx.account_id).await?;
    if existing.len() >= MAX_AUTOMATIONS {
        return Err(AppError::Conflict(format!("an account keeps at most {MAX_AUTOMATIONS} automations")));
    }
    let position = input.position.unwrap_or_else(|| existing.last().map_or(1, |t| t.position.saturating_add(1)));
    input.position = Some(position);
    let automation = checked(ctx, &input).await?;
    let now = ctx.now();
    let a = AutomationRecord {
        id: AutomationId::new(),
        account_id: ctx.account_id,
        position,
        automation,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_automation(&a).await?;
    Ok(a)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn create_automation(
    ctx: &AccountCtx,
    caller: &Caller,
    input: AutomationInput,
) -> Result<AutomationRecord, AppError> {
    caller.require_admin()?;
    let a = insert(ctx, input).await?;
    audited(ctx, Some(caller), a.id, "created").await?;
    Ok(a)
}

/// The rule a new account starts with (it may change or delete it).
pub(crate) async fn add_default(ctx: &AccountCtx) -> Result<(), AppError> {
    let a = insert(ctx, Automation::close_solved()).await?;
    audited(ctx, None, a.id, "created with the account").await
}

pub async fn list_automations(ctx: &AccountCtx) -> Result<Vec<AutomationRecord>, AppError> {
    Ok(ctx.store.list_automations(ctx.account_id).await?)
}

pub async fn get_automation(ctx: &AccountCtx, id: AutomationId) -> Result<AutomationRecord, AppError> {
    ctx.store.get_automation(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn update_automation(
    ctx: &AccountCtx,
    caller: &Caller,
    id: AutomationId,
    patch: AutomationPatch,
) -> Result<AutomationRecord, AppError> {
    caller.require_admin()?;
    let old = get_automation(ctx, id).await?;
    let mut input = old.automation.to_input();
    if let Some(v) = patch.name {
        input.name = v;
    }
    if let Some(v) = patch.position {
        input.position = Some(v);
    }
    if let Some(v) = patch.active {
        input.active = v;
    }
    if let Some(v) = patch.after {
        input.after = v;
    }
    if let Some(v) = patch.conditions {
        input.conditions = v;
    }
    if let Some(v) = patch.actions {
        input.actions = v;
    }
    let automation = checked(ctx, &input).await?;
    let position = input.position.unwrap_or(old.position);
    let a = AutomationRecord { position, automation, updated_at: ctx.now(), ..old };
    ctx.store.update_automation(&a).await?;
    audited(ctx, Some(caller), a.id, "changed").await?;
    Ok(a)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn delete_automation(ctx: &AccountCtx, caller: &Caller, id: AutomationId) -> Result<(), AppError> {
    caller.require_admin()?;
    ctx.store.delete_automation(ctx.account_id, id).await?;
    audited(ctx, Some(caller), id, "deleted").await
}

/// Moves an automation one place up (earlier) or down in the account's order (administrators); already first or
/// last, nothing changes. One audit entry tells the move.
#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn move_automation(ctx: &AccountCtx, caller: &Caller, id: AutomationId, up: bool) -> Result<(), AppError> {
    caller.require_admin()?;
    let all = ctx.store.list_automations(ctx.account_id).await?;
    let i = all.iter().position(|a| a.id == id).ok_or(AppError::NotFound)?;
    let Some(changed) = crate::order::moved(all, i, up, |a| a.position) else { return Ok(()) };
    let now = ctx.now();
    for (a, position) in changed {
        ctx.store.update_automation(&AutomationRecord { position, updated_at: now, ..a }).await?;
    }
    audited(ctx, Some(caller), id, if up { "moved up" } else { "moved down" }).await
}
