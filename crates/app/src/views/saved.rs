//! Saving, changing and removing views. A private view is its owner's alone (to anyone else it does not exist); a
//! shared one everybody in the account sees, and only administrators make, change or remove it, as in Zendesk.
//! Changes to shared views are audited: they change what the whole team works from.

use super::list::{count, ViewSummary};
use super::{me, resolve, FilterNames};
use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::error::Checker;
use parley_domain::ids::ViewId;
use parley_domain::view::{department_filters, parse_view_name, Column, SavedView, Sort, ViewFilters, ViewRef};
use parley_domain::Invalid;
use serde_json::Value;

pub struct ViewInput {
    pub name: String,
    pub shared: bool,
    /// The `filters` object as sent; checked here, field by field.
    pub filters: Value,
    pub sort: Option<String>,
    pub columns: Option<Vec<String>>,
}

#[derive(Default)]
pub struct ViewPatch {
    pub name: Option<String>,
    pub shared: Option<bool>,
    pub filters: Option<Value>,
    pub sort: Option<String>,
    pub columns: Option<Vec<String>>,
}

/// The parts of a view that are checked the same when it is made and when it changes.
async fn check_filters(ctx: &AccountCtx, caller: &Caller, v: &Value) -> Result<ViewFilters, AppError> {
    let filters = ViewFilters::from_json(v)?;
    resolve(ctx, caller, &filters, FilterNames::Json, true).await?;
    Ok(filters)
}

fn audit_record(caller: &Caller, v: &SavedView, change: &str) -> Record {
    Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target(format!("view:{}", v.id))
        .detail(serde_json::json!({ "view": change, "name": v.name, "shared": v.shared }))
}

fn summary(v: SavedView, count: parley_store::TicketCount) -> ViewSummary {
    ViewSummary {
        id: v.id.to_string(),
        name: v.name.clone(),
        kind: "saved",
        count,
        filters: v.filters.clone(),
        saved: Some(v),
    }
}

#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn create_view(ctx: &AccountCtx, caller: &Caller, input: ViewInput) -> Result<ViewSummary, AppError> {
    let owner = me(caller);
    if input.shared {
        caller.require_admin()?;
    } else if owner.is_none() {
        return Err(Invalid::field("shared", "a private view belongs to an agent, and this caller is none").into());
    }
    let mut errs = Checker::new();
    let name = errs.check(parse_view_name(&input.name));
    let sort = errs.check(input.sort.as_deref().map(|s| Sort::parse("sort", s)).transpose());
    let columns = errs.check(input.columns.as_deref().map(|c| Column::parse_list("columns", c)).transpose());
    let filters = match check_filters(ctx, caller, &input.filters).await {
        Ok(f) => Some(f),
        Err(AppError::Invalid(Invalid(e))) => {
            errs.check::<()>(Err(Invalid(e)));
            None
        }
        Err(e) => return Err(e),
    };
    errs.finish()?;
    let (Some(name), Some(sort), Some(columns), Some(filters)) = (name, sort, columns, filters) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked view values missing")));
    };
    let now = ctx.now();
    let view = SavedView {
        id: ViewId::new(),
        account_id: ctx.account_id,
        owner_id: owner,
        shared: input.shared,
        name,
        filters,
        sort: sort.unwrap_or_default(),
        columns: columns.unwrap_or_else(|| Column::DEFAULT.to_vec()),
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_view(&view).await?;
    if view.shared {
        audit::record(ctx, audit_record(caller, &view, "created")).await?;
    }
    let n = count(ctx, caller, &view.filters).await?;
    Ok(summary(view, n))
}

/// A saved view the caller may see; `NotFound` otherwise, like any unknown id.
async fn visible(ctx: &AccountCtx, caller: &Caller, id: ViewId) -> Result<SavedView, AppError> {
    ctx.store.get_view(ctx.account_id, id).await?.filter(|v| v.visible_to(me(caller))).ok_or(AppError::NotFound)
}

/// One view by the id `GET /views` gave: a built-in, a department's or a saved one, with its count.
pub async fn get_view(ctx: &AccountCtx, caller: &Caller, id: &str) -> Result<ViewSummary, AppError> {
    match ViewRef::parse(id).ok_or(AppError::NotFound)? {
        ViewRef::BuiltIn(b) => {
            let filters = b.filters();
            let count = count(ctx, caller, &filters).await?;
            Ok(ViewSummary { id: b.id().into(), name: b.name().into(), kind: "built_in", count, filters, saved: None })
        }
        ViewRef::Department(d) => {
            let dept = ctx.store.get_department(ctx.account_id, d).await?.ok_or(AppError::NotFound)?;
            let visible = caller.visible_departments().or(caller.only_departments());
            if visible.is_some_and(|v| !v.contains(&d)) {
                return Err(AppError::NotFound);
            }
            let filters = department_filters(d);
            let count = count(ctx, caller, &filters).await?;
            Ok(ViewSummary {
                id: format!("department:{d}"),
                name: dept.name,
                kind: "department",
                count,
                filters,
                saved: None,
            })
        }
        ViewRef::Saved(v) => {
            let view = visible(ctx, caller, v).await?;
            let n = count(ctx, caller, &view.filters).await?;
            Ok(summary(view, n))
        }
    }
}

/// The saved view named by `id`, or `NotFound` (built-in views are not saved views: they do not change).
pub(super) async fn saved(ctx: &AccountCtx, caller: &Caller, id: &str) -> Result<SavedView, AppError> {
    match ViewRef::parse(id) {
        Some(ViewRef::Saved(v)) => visible(ctx, caller, v).await,
        _ => Err(AppError::NotFound),
    }
}

#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn update_view(
    ctx: &AccountCtx,
    caller: &Caller,
    id: &str,
    patch: ViewPatch,
) -> Result<ViewSummary, AppError> {
    let mut view = saved(ctx, caller, id).await?;
    let was_shared = view.shared;
    if was_shared || patch.shared == Some(true) {
        caller.require_admin()?;
    }
    if patch.shared == Some(false) && view.owner_id.is_none() {
        return Err(Invalid::field("shared", "this view belongs to no agent, so it cannot be private").into());
    }
    let mut errs = Checker::new();
    if let Some(n) = &patch.name {
        if let Some(n) = errs.check(parse_view_name(n)) {
            view.name = n;
        }
    }
    if let Some(s) = &patch.sort {
        if let Some(s) = errs.check(Sort::parse("sort", s)) {
            view.sort = s;
        }
    }
    if let Some(c) = &patch.columns {
        if let Some(c) = errs.check(Column::parse_list("columns", c)) {
            view.columns = c;
        }
    }
    if let Some(f) = &patch.filters {
        match check_filters(ctx, caller, f).await {
            Ok(f) => view.filters = f,
            Err(AppError::Invalid(e)) => {
                errs.check::<()>(Err(e));
            }
            Err(e) => return Err(e),
        }
    }
    errs.finish()?;
    if let Some(s) = patch.shared {
        view.shared = s;
    }
    view.updated_at = ctx.now();
    ctx.store.update_view(&view).await?;
    if was_shared || view.shared {
        audit::record(ctx, audit_record(caller, &view, "changed")).await?;
    }
    let n = count(ctx, caller, &view.filters).await?;
    Ok(summary(view, n))
}

#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn delete_view(ctx: &AccountCtx, caller: &Caller, id: &str) -> Result<(), AppError> {
    let view = saved(ctx, caller, id).await?;
    if view.shared {
        caller.require_admin()?;
    }
    if !ctx.store.delete_view(ctx.account_id, view.id).await? {
        return Err(AppError::NotFound);
    }
    if view.shared {
        audit::record(ctx, audit_record(caller, &view, "deleted")).await?;
    }
    Ok(())
}
