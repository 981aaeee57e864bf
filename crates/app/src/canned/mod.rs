//! Canned responses and macros: saved replies with placeholders, and named sets of ticket actions with an optional
//! reply, each shared with the account or personal to one agent.
//!
//! Who sees what: an agent sees the shared ones and their own personal ones; API keys and support staff, who are
//! no agent, see the shared ones only. Shared ones are created, changed and deleted by administrators (API keys
//! act as administrators); personal ones by their owner alone. Every creation, change and deletion is recorded in
//! the audit log as a settings change.

mod actions;
mod bulk;
mod macros;
mod placeholders;
mod responses;

pub use actions::checked_actions;
pub use bulk::{bulk_update, BulkFailure, BulkOperation, BulkOutcome, MAX_BULK};
pub use macros::{
    apply_macro, create_macro, delete_macro, get_macro, list_macros, update_macro, MacroInput, MacroPatch,
};
pub use placeholders::values_for;
pub use responses::{
    create_canned, delete_canned, get_canned, list_canned, render_canned, update_canned, CannedInput, CannedPatch,
    CannedQuery,
};

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::ids::AgentId;

/// The agent whose personal items the caller sees; `None` for callers who are no agent.
pub(crate) fn viewer(caller: &Caller) -> Option<AgentId> {
    match caller {
        Caller::Agent(a) => Some(a.id),
        _ => None,
    }
}

/// May the caller change an item owned so (`None`: shared)? Items the caller cannot see are `NotFound`.
pub(crate) fn may_change(caller: &Caller, owner: Option<AgentId>) -> Result<(), AppError> {
    match owner {
        None => caller.require_admin(),
        Some(o) if viewer(caller) == Some(o) => Ok(()),
        Some(_) => Err(AppError::NotFound),
    }
}

/// The owner a new or changed item gets: `None` when shared; the calling agent otherwise. Making a shared item
/// takes an administrator; a personal one, an agent.
pub(crate) fn owner_for(caller: &Caller, shared: bool) -> Result<Option<AgentId>, AppError> {
    if shared {
        caller.require_admin()?;
        return Ok(None);
    }
    match caller {
        Caller::Agent(a) => Ok(Some(a.id)),
        Caller::ApiKey(_) => {
            Err(parley_domain::Invalid::field("shared", "an API key belongs to no agent: it manages shared items only")
                .into())
        }
        Caller::Staff { .. } => Err(AppError::Forbidden("support staff keep no personal items here".into())),
    }
}

/// Record a creation, change or deletion in the audit log.
pub(crate) async fn audited(
    ctx: &AccountCtx,
    caller: &Caller,
    target: String,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged).target(target).detail(detail);
    audit::record(ctx, record).await?;
    Ok(())
}
