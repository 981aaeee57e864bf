//! Custom ticket fields an account defines.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::custom_field::{parse_field_key, FieldKind, TicketField};
use parley_domain::error::Checker;
use parley_domain::ids::TicketFieldId;
use parley_domain::text::checked_text;

pub struct NewField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
}

pub async fn create_field(ctx: &AccountCtx, caller: &Caller, input: NewField) -> Result<TicketField, AppError> {
    caller.require_admin()?;
    let mut errs = Checker::new();
    let key = errs.check(parse_field_key(&input.key));
    let label = errs.check(checked_text("label", &input.label, 100, false));
    errs.check(input.kind.check());
    errs.finish()?;
    let (Some(key), Some(label)) = (key, label) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked field values missing")));
    };
    let field = TicketField {
        id: TicketFieldId::new(),
        account_id: ctx.account_id,
        key,
        label,
        kind: input.kind,
        created_at: ctx.now(),
    };
    ctx.store.insert_field(&field).await?;
    Ok(field)
}

pub async fn list_fields(ctx: &AccountCtx) -> Result<Vec<TicketField>, AppError> {
    Ok(ctx.store.list_fields(ctx.account_id).await?)
}
