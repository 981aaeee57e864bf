//! An account's triggers: made, changed, reordered and deleted by administrators (every change audited), read by
//! every agent. Agents and departments a trigger names must be the account's own (agents active), custom fields
//! its defined ones.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::canned::Macro;
use parley_domain::error::Checker;
use parley_domain::ids::{MacroId, TriggerId};
use parley_domain::sla::ConditionsInput;
use parley_domain::ticket_action::FieldDefs;
use parley_domain::trigger::TriggerAction;
use parley_domain::trigger::{Trigger, TriggerCondition, TriggerInput, TriggerRecord};
use serde_json::json;
use std::collections::HashMap;

/// How many triggers an account may keep.
pub const MAX_TRIGGERS: usize = 200;

/// A change: fields left `None` stay.
#[derive(Debug, Default)]
pub struct TriggerPatch {
    pub name: Option<String>,
    pub position: Option<i64>,
    pub active: Option<bool>,
    pub events: Option<Vec<String>>,
    pub conditions: Option<ConditionsInput>,
    pub actions: Option<Vec<serde_json::Value>>,
}

/// The checked trigger, naming only the account's active agents and its departments.
async fn checked(ctx: &AccountCtx, input: &TriggerInput) -> Result<Trigger, AppError> {
    let fields = ctx.store.list_fields(ctx.account_id).await?;
    let trigger = Trigger::new(input, FieldDefs::Checked(&fields))?;
    check_references(ctx, trigger.actions(), trigger.conditions()).await?;
    Ok(trigger)
}

/// Agents a rule names must be the account's active ones, departments the account's (actions and conditions).
pub(crate) async fn check_references(
    ctx: &AccountCtx,
    actions: &[parley_domain::trigger::TriggerAction],
    (all, any): (&[TriggerCondition], &[TriggerCondition]),
) -> Result<(), AppError> {
    let agents = ctx.store.list_agents(ctx.account_id).await?;
    let departments = ctx.store.list_departments(ctx.account_id).await?;
    let mut errs = Checker::new();
    for (i, a) in actions.iter().enumerate() {
        if let Some(agent) = a.agent() {
            match agents.iter().find(|x| x.id == agent) {
                None => errs.add(format!("actions[{i}]"), "names an agent this account does not have"),
                Some(x) if !x.active => errs.add(format!("actions[{i}]"), format!("{} is deactivated", x.name)),
                Some(_) => {}
            }
        }
        if let Some(d) = a.department() {
            if !departments.iter().any(|x| x.id == d) {
                errs.add(format!("actions[{i}]"), "names a department this account does not have");
            }
        }
        match a {
            TriggerAction::NotifyWebhook { webhook, .. } => {
                if ctx.store.get_webhook(ctx.account_id, *webhook).await?.is_none() {
                    errs.add(format!("actions[{i}].webhook_id"), "is not a webhook of this account");
                }
            }
            TriggerAction::ApplyMacro { id } => match ctx.store.get_macro(ctx.account_id, *id).await? {
                None => errs.add(format!("actions[{i}].macro_id"), "is not a macro of this account"),
                // An agent's own macro is theirs to change: a rule of the account's uses shared ones only.
                Some(m) if !m.shared => {
                    errs.add(format!("actions[{i}].macro_id"), "is an agent's own macro, not shared")
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    for (list, items) in [("all", all), ("any", any)] {
        for (i, c) in items.iter().enumerate() {
            let TriggerCondition::Ticket(parley_domain::sla::Condition::Department { id: Some(d), .. }) = c else {
                continue;
            };
            if !departments.iter().any(|x| x.id == *d) {
                errs.add(format!("conditions.{list}[{i}].value"), "is not a department of this account");
            }
        }
    }
    errs.finish()?;
    Ok(())
}

/// The shared macros `rules` apply, read once (a macro deleted or no longer shared since is left out: applying
/// it does nothing).
pub(crate) async fn macros_of(ctx: &AccountCtx, ids: Vec<MacroId>) -> Result<HashMap<MacroId, Macro>, AppError> {
    let mut found = HashMap::new();
    for id in ids {
        if found.contains_key(&id) {
            continue;
        }
        if let Some(m) = ctx.store.get_macro(ctx.account_id, id).await?.filter(|m| m.shared) {
            found.insert(id, m);
        }
    }
    Ok(found)
}

/// The macros the actions of `rules` apply.
pub(crate) fn macro_ids<'a>(rules: impl Iterator<Item = &'a [TriggerAction]>) -> Vec<MacroId> {
    rules
        .flatten()
        .filter_map(|a| match a {
            TriggerAction::ApplyMacro { id } => Some(*id),
            _ => None,
        })
        .collect()
}

/// The triggers as they run: each macro they apply in its place.
pub(crate) async fn runnable(
    ctx: &AccountCtx,
    mut triggers: Vec<TriggerRecord>,
) -> Result<Vec<TriggerRecord>, AppError> {
    if !triggers.iter().any(|t| t.trigger.applies_macros()) {
        return Ok(triggers);
    }
    let ids = macro_ids(triggers.iter().map(|t| t.trigger.actions()));
    let macros = macros_of(ctx, ids).await?;
    for t in &mut triggers {
        if t.trigger.applies_macros() {
            t.trigger = t.trigger.with_macros(&|id| macros.get(&id).cloned());
        }
    }
    Ok(triggers)
}

async fn audited(ctx: &AccountCtx, caller: &Caller, id: TriggerId, what: &str) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target(format!("trigger:{id}"))
        .detail(json!({ "trigger": what }));
    audit::record(ctx, record).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn create_trigger(
    ctx: &AccountCtx,
    caller: &Caller,
    mut input: TriggerInput,
) -> Result<TriggerRecord, AppError> {
    caller.require_admin()?;
    let existing = ctx.store.list_triggers(ctx.account_id).await?;
    if existing.len() >= MAX_TRIGGERS {
        return Err(AppError::Conflict(format!("an account keeps at most {MAX_TRIGGERS} triggers")));
    }
    // Last unless placed: a new trigger runs after the ones the account already relies on.
    let position = input.position.unwrap_or_else(|| existing.last().map_or(1, |t| t.position.saturating_add(1)));
    input.position = Some(position);
    let trigger = checked(ctx, &input).await?;
    let now = ctx.now();
    let t = TriggerRecord {
        id: TriggerId::new(),
        account_id: ctx.account_id,
        position,
        trigger,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_trigger(&t).await?;
    audited(ctx, caller, t.id, "created").await?;
    Ok(t)
}

pub async fn list_triggers(ctx: &AccountCtx) -> Result<Vec<TriggerRecord>, AppError> {
    Ok(ctx.store.list_triggers(ctx.account_id).await?)
}

pub async fn get_trigger(ctx: &AccountCtx, id: TriggerId) -> Result<TriggerRecord, AppError> {
    ctx.store.get_trigger(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn update_trigger(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TriggerId,
    patch: TriggerPatch,
) -> Result<TriggerRecord, AppError> {
    caller.require_admin()?;
    let old = get_trigger(ctx, id).await?;
    let mut input = old.trigger.to_input();
    if let Some(v) = patch.name {
        input.name = v;
    }
    if let Some(v) = patch.position {
        input.position = Some(v);
    }
    if let Some(v) = patch.active {
        input.active = v;
    }
    if let Some(v) = patch.events {
        input.events = v;
    }
    if let Some(v) = patch.conditions {
        input.conditions = v;
    }
    if let Some(v) = patch.actions {
        input.actions = v;
    }
    let trigger = checked(ctx, &input).await?;
    let position = input.position.unwrap_or(old.position);
    let t = TriggerRecord { position, trigger, updated_at: ctx.now(), ..old };
    ctx.store.update_trigger(&t).await?;
    audited(ctx, caller, t.id, "changed").await?;
    Ok(t)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn delete_trigger(ctx: &AccountCtx, caller: &Caller, id: TriggerId) -> Result<(), AppError> {
    caller.require_admin()?;
    ctx.store.delete_trigger(ctx.account_id, id).await?;
    audited(ctx, caller, id, "deleted").await
}

/// Moves a trigger one place up (earlier: it runs before) or down in the account's order (administrators);
/// already first or last, nothing changes. One audit entry tells the move.
#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn move_trigger(ctx: &AccountCtx, caller: &Caller, id: TriggerId, up: bool) -> Result<(), AppError> {
    caller.require_admin()?;
    let all = ctx.store.list_triggers(ctx.account_id).await?;
    let i = all.iter().position(|t| t.id == id).ok_or(AppError::NotFound)?;
    let Some(changed) = crate::order::moved(all, i, up, |t| t.position) else { return Ok(()) };
    let now = ctx.now();
    for (t, position) in changed {
        ctx.store.update_trigger(&TriggerRecord { position, updated_at: now, ..t }).await?;
    }
    audited(ctx, caller, id, if up { "moved up" } else { "moved down" }).await
}
