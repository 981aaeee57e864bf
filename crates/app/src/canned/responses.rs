//! Canned responses: create, list, show, change, delete, and render for a ticket.

use super::{audited, may_change, owner_for, values_for, viewer};
use crate::tickets::visible_ticket;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::canned::{parse_folder, parse_template, parse_title, render, visible_to, CannedResponse, Shortcut};
use parley_domain::error::Checker;
use parley_domain::ids::{CannedResponseId, TicketId};
use parley_domain::knowledge::LanguageTag;
use parley_store::CannedFilter;
use serde_json::json;

pub struct CannedInput {
    pub title: String,
    pub body: String,
    pub shared: bool,
    pub shortcut: Option<String>,
    pub folder: Option<String>,
    pub language: Option<String>,
}

/// A change: `None` leaves a field alone; `Some(None)` clears an optional one.
#[derive(Default)]
pub struct CannedPatch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub shared: Option<bool>,
    pub shortcut: Option<Option<String>>,
    pub folder: Option<Option<String>>,
    pub language: Option<Option<String>>,
}

/// What to list: `q` matches title or shortcut (case-insensitive; a leading `#` means a shortcut).
#[derive(Default)]
pub struct CannedQuery {
    pub q: Option<String>,
    pub language: Option<String>,
    pub folder: Option<String>,
}

fn shortcut(s: Option<&str>) -> Result<Option<Shortcut>, parley_domain::Invalid> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Shortcut::parse(s).map(Some),
    }
}

fn language(s: Option<&str>) -> Result<Option<LanguageTag>, parley_domain::Invalid> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => LanguageTag::parse(s).map(Some),
    }
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn create_canned(ctx: &AccountCtx, caller: &Caller, input: CannedInput) -> Result<CannedResponse, AppError> {
    let mut errs = Checker::new();
    let title = errs.check(parse_title(&input.title));
    let body = errs.check(parse_template("body", &input.body));
    let shortcut = errs.check(shortcut(input.shortcut.as_deref())).flatten();
    let folder = errs.check(parse_folder(input.folder.as_deref())).flatten();
    let language = errs.check(language(input.language.as_deref())).flatten();
    errs.finish()?;
    let owner_id = owner_for(caller, input.shared)?;
    let (Some(title), Some(body)) = (title, body) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked canned response values missing")));
    };
    let now = ctx.now();
    let c = CannedResponse {
        id: CannedResponseId::new(),
        account_id: ctx.account_id,
        title,
        body,
        shared: owner_id.is_none(),
        owner_id,
        shortcut,
        folder,
        language,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_canned(&c).await?;
    audited(ctx, caller, target(&c), json!({"change": "created", "title": c.title, "shared": c.shared})).await?;
    Ok(c)
}

fn target(c: &CannedResponse) -> String {
    format!("canned_response:{}", c.id)
}

/// The canned responses the caller sees, filtered.
pub async fn list_canned(
    ctx: &AccountCtx,
    caller: &Caller,
    query: CannedQuery,
) -> Result<Vec<CannedResponse>, AppError> {
    let mut errs = Checker::new();
    let language = errs.check(language(query.language.as_deref())).flatten();
    let folder = errs.check(parse_folder(query.folder.as_deref())).flatten();
    errs.finish()?;
    let filter = CannedFilter { viewer: viewer(caller), language, folder };
    let mut all = ctx.store.list_canned(ctx.account_id, &filter).await?;
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        match q.strip_prefix('#') {
            Some(s) => all.retain(|c| c.shortcut.as_ref().is_some_and(|x| x.as_str().starts_with(s))),
            None => all.retain(|c| {
                c.title.to_lowercase().contains(&q) || c.shortcut.as_ref().is_some_and(|x| x.as_str().contains(&q))
            }),
        }
    }
    Ok(all)
}

/// One canned response, if the caller sees it.
pub async fn get_canned(ctx: &AccountCtx, caller: &Caller, id: CannedResponseId) -> Result<CannedResponse, AppError> {
    let c = ctx.store.get_canned(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    if visible_to(c.owner_id, viewer(caller)) {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, canned = %id))]
pub async fn update_canned(
    ctx: &AccountCtx,
    caller: &Caller,
    id: CannedResponseId,
    patch: CannedPatch,
) -> Result<CannedResponse, AppError> {
    let mut c = get_canned(ctx, caller, id).await?;
    may_change(caller, c.owner_id)?;
    let mut errs = Checker::new();
    let mut changed: Vec<&str> = Vec::new();
    if let Some(t) = patch.title.as_deref().and_then(|t| errs.check(parse_title(t))) {
        changed.push("title");
        c.title = t;
    }
    if let Some(b) = patch.body.as_deref().and_then(|b| errs.check(parse_template("body", b))) {
        changed.push("body");
        c.body = b;
    }
    if let Some(s) = patch.shortcut.as_ref().and_then(|s| errs.check(shortcut(s.as_deref()))) {
        changed.push("shortcut");
        c.shortcut = s;
    }
    if let Some(f) = patch.folder.as_ref().and_then(|f| errs.check(parse_folder(f.as_deref()))) {
        changed.push("folder");
        c.folder = f;
    }
    if let Some(l) = patch.language.as_ref().and_then(|l| errs.check(language(l.as_deref()))) {
        changed.push("language");
        c.language = l;
    }
    errs.finish()?;
    if let Some(shared) = patch.shared.filter(|s| *s != c.shared) {
        c.owner_id = owner_for(caller, shared)?;
        c.shared = shared;
        changed.push("shared");
    }
    c.updated_at = ctx.now();
    ctx.store.update_canned(&c).await?;
    audited(
        ctx,
        caller,
        target(&c),
        json!({"change": "changed", "title": c.title, "shared": c.shared, "fields": changed}),
    )
    .await?;
    Ok(c)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, canned = %id))]
pub async fn delete_canned(ctx: &AccountCtx, caller: &Caller, id: CannedResponseId) -> Result<(), AppError> {
    let c = get_canned(ctx, caller, id).await?;
    may_change(caller, c.owner_id)?;
    ctx.store.delete_canned(ctx.account_id, id).await?;
    audited(ctx, caller, target(&c), json!({"change": "deleted", "title": c.title, "shared": c.shared})).await
}

/// The response's body with its placeholders filled for this ticket and caller, ready to send or edit. Both the
/// ticket and the response must be visible to the caller.
pub async fn render_canned(
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    id: CannedResponseId,
) -> Result<String, AppError> {
    let t = visible_ticket(ctx, caller, ticket).await?;
    let c = get_canned(ctx, caller, id).await?;
    Ok(render(&c.body, &values_for(ctx, caller, &t).await?))
}
