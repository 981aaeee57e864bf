//! Checking ticket actions against the account: custom fields it defines, agents and departments it has.

use crate::{AccountCtx, AppError};
use parley_domain::error::Checker;
use parley_domain::ticket_action::{FieldDefs, SetField, TicketAction};
use serde_json::Value;

/// Parse actions as given (`actions[i]…` in errors) and check the agents and departments they name.
pub async fn checked_actions(ctx: &AccountCtx, items: &[Value]) -> Result<Vec<TicketAction>, AppError> {
    let fields = ctx.store.list_fields(ctx.account_id).await?;
    let actions = TicketAction::parse_list(items, FieldDefs::Checked(&fields))?;
    check_references(ctx, &actions).await?;
    Ok(actions)
}

/// The agents and departments actions name must still be the account's (and the agents active): checked when a
/// macro is saved and again when it is applied, since either may have changed in between.
pub(crate) async fn check_references(ctx: &AccountCtx, actions: &[TicketAction]) -> Result<(), AppError> {
    let mut errs = Checker::new();
    for (i, a) in actions.iter().enumerate() {
        match a {
            TicketAction::Set(SetField::Assignee(Some(id))) => match ctx.store.get_agent(ctx.account_id, *id).await? {
                Some(agent) if agent.active => {}
                _ => errs.add(format!("actions[{i}].value"), "is not an active agent of this account"),
            },
            TicketAction::Set(SetField::Department(Some(id))) => {
                let known = ctx.store.get_department(ctx.account_id, *id).await?.is_some();
                if !known {
                    errs.add(format!("actions[{i}].value"), "is not a department of this account");
                }
            }
            _ => {}
        }
    }
    Ok(errs.finish()?)
}
