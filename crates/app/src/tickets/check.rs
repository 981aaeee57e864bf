//! Checks on the references a ticket change names: agents, departments, custom fields. A reference to something
//! the account doesn't have is a field error, never a link across accounts.

use crate::{AccountCtx, AppError};
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, DepartmentId};
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) async fn assignee(ctx: &AccountCtx, errs: &mut Checker, id: Option<AgentId>) -> Result<(), AppError> {
    if let Some(id) = id {
        match ctx.store.get_agent(ctx.account_id, id).await? {
            Some(a) if a.active => {}
            _ => errs.add("assignee_id", "is not an active agent of this account"),
        }
    }
    Ok(())
}

pub(crate) async fn department(ctx: &AccountCtx, errs: &mut Checker, id: Option<DepartmentId>) -> Result<(), AppError> {
    if let Some(id) = id {
        if ctx.store.get_department(ctx.account_id, id).await?.is_none() {
            errs.add("department_id", "is not a department of this account");
        }
    }
    Ok(())
}

/// Check values against the account's field definitions; returns them as stored.
pub(crate) async fn custom_fields(
    ctx: &AccountCtx,
    errs: &mut Checker,
    values: BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, AppError> {
    if values.is_empty() {
        return Ok(values);
    }
    let defs = ctx.store.list_fields(ctx.account_id).await?;
    let mut out = BTreeMap::new();
    for (key, v) in values {
        match defs.iter().find(|d| d.key == key) {
            None => errs.add(format!("custom_fields.{key}"), "is not a field of this account"),
            Some(d) => {
                if let Some(v) = errs.check(d.kind.check_value(&key, &v)) {
                    out.insert(key, v);
                }
            }
        }
    }
    Ok(out)
}
