//! Assignment of new tickets (see [`parley_domain::assignment`]): the account's settings (administrators,
//! audited) and the runner that offers waiting tickets to available agents ([`runner`]). The agents a strategy
//! picks among are found once for chat routing's rules, the triggers' `assign` and this ([`candidates`]).

pub(crate) mod candidates;
pub mod runner;

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::assignment::{AssignmentInput, AssignmentSettings};
use parley_domain::audit::AuditAction;

/// The account's settings (off until changed).
pub async fn get(ctx: &AccountCtx, caller: &Caller) -> Result<AssignmentSettings, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.assignment_settings(ctx.account_id).await?.unwrap_or_default())
}

/// Changes the settings (administrators; audited with what they were and are).
pub async fn set(ctx: &AccountCtx, caller: &Caller, input: AssignmentInput) -> Result<AssignmentSettings, AppError> {
    caller.require_admin()?;
    let before = ctx.store.assignment_settings(ctx.account_id).await?.unwrap_or_default();
    let after = before.changed(&input)?;
    ctx.store.set_assignment_settings(ctx.account_id, &after, ctx.now()).await?;
    let shown = |s: &AssignmentSettings| {
        serde_json::json!({"enabled": s.enabled, "strategy": s.strategy.as_str(), "max_open": s.max_open,
            "business_hours": s.business_hours})
    };
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target("settings:assignment")
        .detail(serde_json::json!({ "before": shown(&before), "after": shown(&after) }));
    audit::record(ctx, record).await?;
    Ok(after)
}
