//! Macros: create, list, show, change, delete, and apply to a ticket.

use super::actions::check_references;
use super::{audited, checked_actions, may_change, owner_for, values_for, viewer};
use crate::tickets::{add_message, change_ticket, get_ticket, visible_ticket, NewMessage, TicketDetail};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::canned::{parse_template, parse_title, render, visible_to, Macro, MacroReply};
use parley_domain::error::Checker;
use parley_domain::ids::{MacroId, TicketId};
use parley_domain::ticket::Ticket;
use parley_domain::ticket_action::{assigns_applier, patch_of};
use parley_domain::Invalid;
use serde_json::{json, Value};

pub struct MacroInput {
    pub title: String,
    /// As sent: checked into ticket actions here, so errors can name `actions[i]…`.
    pub actions: Vec<Value>,
    pub reply: Option<MacroReply>,
    pub shared: bool,
}

/// A change: `None` leaves a field alone; `reply: Some(None)` removes the reply.
#[derive(Default)]
pub struct MacroPatch {
    pub title: Option<String>,
    pub actions: Option<Vec<Value>>,
    pub reply: Option<Option<MacroReply>>,
    pub shared: Option<bool>,
}

fn checked_reply(r: Option<MacroReply>) -> Result<Option<MacroReply>, Invalid> {
    r.map(|r| Ok(MacroReply { body: parse_template("reply.body", &r.body)?, internal: r.internal })).transpose()
}

/// A macro that does nothing is refused.
fn ensure_does_something(m: &Macro) -> Result<(), Invalid> {
    if m.actions.is_empty() && m.reply.is_none() {
        return Err(Invalid::field("actions", "a macro needs at least one action or a reply"));
    }
    Ok(())
}

fn target(m: &Macro) -> String {
    format!("macro:{}", m.id)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn create_macro(ctx: &AccountCtx, caller: &Caller, input: MacroInput) -> Result<Macro, AppError> {
    let mut errs = Checker::new();
    let title = errs.check(parse_title(&input.title));
    let reply = errs.check(checked_reply(input.reply)).flatten();
    let actions = match checked_actions(ctx, &input.actions).await {
        Ok(a) => Some(a),
        Err(AppError::Invalid(i)) => errs.check(Err(i)),
        Err(e) => return Err(e),
    };
    errs.finish()?;
    let owner_id = owner_for(caller, input.shared)?;
    let (Some(title), Some(actions)) = (title, actions) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked macro values missing")));
    };
    let now = ctx.now();
    let m = Macro {
        id: MacroId::new(),
        account_id: ctx.account_id,
        title,
        actions,
        reply,
        shared: owner_id.is_none(),
        owner_id,
        created_at: now,
        updated_at: now,
    };
    ensure_does_something(&m)?;
    ctx.store.insert_macro(&m).await?;
    audited(ctx, caller, target(&m), json!({"change": "created", "title": m.title, "shared": m.shared})).await?;
    Ok(m)
}

pub async fn list_macros(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<Macro>, AppError> {
    Ok(ctx.store.list_macros(ctx.account_id, viewer(caller)).await?)
}

/// One macro, if the caller sees it.
pub async fn get_macro(ctx: &AccountCtx, caller: &Caller, id: MacroId) -> Result<Macro, AppError> {
    let m = ctx.store.get_macro(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    if visible_to(m.owner_id, viewer(caller)) {
        Ok(m)
    } else {
        Err(AppError::NotFound)
    }
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, r#macro = %id))]
pub async fn update_macro(
    ctx: &AccountCtx,
    caller: &Caller,
    id: MacroId,
    patch: MacroPatch,
) -> Result<Macro, AppError> {
    let mut m = get_macro(ctx, caller, id).await?;
    may_change(caller, m.owner_id)?;
    let mut errs = Checker::new();
    let mut changed: Vec<&str> = Vec::new();
    if let Some(t) = patch.title.as_deref().and_then(|t| errs.check(parse_title(t))) {
        changed.push("title");
        m.title = t;
    }
    if let Some(r) = patch.reply.and_then(|r| errs.check(checked_reply(r))) {
        changed.push("reply");
        m.reply = r;
    }
    if let Some(items) = &patch.actions {
        match checked_actions(ctx, items).await {
            Ok(a) => {
                changed.push("actions");
                m.actions = a;
            }
            Err(AppError::Invalid(i)) => {
                errs.check::<()>(Err(i));
            }
            Err(e) => return Err(e),
        }
    }
    errs.finish()?;
    ensure_does_something(&m)?;
    if let Some(shared) = patch.shared.filter(|s| *s != m.shared) {
        m.owner_id = owner_for(caller, shared)?;
        m.shared = shared;
        changed.push("shared");
    }
    m.updated_at = ctx.now();
    ctx.store.update_macro(&m).await?;
    audited(
        ctx,
        caller,
        target(&m),
        json!({"change": "changed", "title": m.title, "shared": m.shared, "fields": changed}),
    )
    .await?;
    Ok(m)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, r#macro = %id))]
pub async fn delete_macro(ctx: &AccountCtx, caller: &Caller, id: MacroId) -> Result<(), AppError> {
    let m = get_macro(ctx, caller, id).await?;
    may_change(caller, m.owner_id)?;
    ctx.store.delete_macro(ctx.account_id, id).await?;
    audited(ctx, caller, target(&m), json!({"change": "deleted", "title": m.title, "shared": m.shared})).await
}

/// Apply a macro to a ticket the caller sees: its reply first (placeholders filled; through the ordinary reply
/// path, so a reply on an email ticket is mailed), then its changes (through the ordinary change path). Returns
/// the ticket as `GET /tickets/{id}` shows it.
#[tracing::instrument(skip_all, fields(account = %ctx.slug, ticket = %ticket, r#macro = %id))]
pub async fn apply_macro(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    id: MacroId,
) -> Result<TicketDetail, AppError> {
    let t = visible_ticket(ctx, caller, ticket).await?;
    let m = get_macro(ctx, caller, id).await?;
    check_references(ctx, &m.actions).await?;
    apply_checked(app, ctx, caller, &m, t).await?;
    get_ticket(ctx, caller, ticket).await
}

/// Apply a macro whose references were checked to a ticket the caller was found to see.
pub(crate) async fn apply_checked(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    m: &Macro,
    ticket: Ticket,
) -> Result<Ticket, AppError> {
    // A closed or merged ticket refuses the macro before its reply is sent.
    ticket.ensure_open_for_change()?;
    // "Whoever applies it" needs an agent: an API key that belongs to none is told so, and nothing happens.
    let applier = crate::views::me(caller);
    if applier.is_none() && assigns_applier(&m.actions) {
        return Err(Invalid::field("macro", "assigns to whoever applies it, and this caller is no agent").into());
    }
    let id = ticket.id;
    let mut known = Some(ticket);
    if let Some(reply) = &m.reply {
        let t = known.take().ok_or_else(|| AppError::Internal(anyhow::anyhow!("ticket missing")))?;
        let body = render(&reply.body, &values_for(ctx, caller, &t).await?);
        let (after, _) = add_message(
            app,
            ctx,
            caller,
            id,
            NewMessage { body, internal: reply.internal, client_id: None, cc: Vec::new(), attachments: Vec::new() },
        )
        .await?;
        known = Some(after);
    }
    let patch = patch_of(&m.actions, applier);
    match known {
        Some(t) if patch == Default::default() => Ok(t),
        known => change_ticket(ctx, caller, id, &patch, known).await,
    }
}
