//! Telling accounts about a new register version: every account whose list it changes gets a notice, shown on its
//! privacy page and mailed to its owners, and may object within the window; the operator reads the objections.

use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::account::{AccountSlug, AccountStatus};
use parley_domain::agent::Role;
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::subprocessors::{Changes, Objection, Register, RegisterNotice};
use parley_domain::text::checked_text;
use parley_domain::{Invalid, Timestamp};
use parley_store::StoreError;

/// How long owners may object to a change.
pub const OBJECTION_DAYS: i64 = 30;

fn describe(c: &Changes) -> String {
    let mut lines = Vec::new();
    for e in &c.added {
        lines.push(format!("  Added: {} ({}), {}, for {}", e.name, e.country, e.purpose, e.feature.as_str()));
    }
    for e in &c.removed {
        lines.push(format!("  Removed: {} ({})", e.name, e.country));
    }
    for ch in &c.changed {
        lines.push(format!("  Changed: {} ({})", ch.after.name, ch.fields.join(", ")));
    }
    lines.join("\n")
}

/// Gives every account whose list `new` changes (from `previous`) a notice and mails its owners. Repeatable: an
/// account noticed already for this version is left alone. Accounts this process cannot reach now (another
/// process's region, an account being moved) are skipped with a warning; publishing the version again, as every
/// start does, tells them then. Accounts created after `new` was published saw it from their first day: nothing
/// changed for them.
pub async fn notify_accounts(
    app: &App,
    previous: &Register,
    new: &Register,
    published_at: Timestamp,
) -> Result<usize, AppError> {
    let all = parley_domain::subprocessors::diff(previous, new);
    if all.is_empty() {
        return Ok(0);
    }
    let mut noticed = 0;
    for entry in app.regions.directory().list().await? {
        if entry.status != AccountStatus::Active {
            continue;
        }
        let ctx = match app.regions.context(&entry.slug).await {
            Ok(ctx) => ctx,
            Err(e) => {
                tracing::warn!(account = %entry.slug, error = %e, "cannot notify this account of the register change");
                continue;
            }
        };
        match ctx.store.get_account(ctx.account_id).await? {
            Some(account) if account.created_at <= published_at => {}
            _ => continue,
        }
        let enabled = super::features::enabled(&ctx).await?;
        let changes = all.concerning(ctx.region.as_str(), &enabled);
        if changes.is_empty() {
            continue;
        }
        let now = Timestamp::now();
        let notice = RegisterNotice {
            register_version: new.version,
            changes: serde_json::to_value(&changes).map_err(|e| AppError::Internal(e.into()))?,
            created_at: now,
            object_until: now.plus_seconds(OBJECTION_DAYS * 86_400),
            objection: None,
        };
        if !ctx.store.add_register_notice(ctx.account_id, &notice).await? {
            continue;
        }
        noticed += 1;
        let record = Record::new(AuditActor::Operator, AuditAction::RegisterChanged)
            .detail(serde_json::json!({ "register_version": new.version, "date": new.date }));
        audit::record(&ctx, record).await?;
        mail_register_change(app, &ctx, new, &changes, &notice).await?;
    }
    Ok(noticed)
}

async fn mail_register_change(
    app: &App,
    ctx: &AccountCtx,
    new: &Register,
    changes: &Changes,
    notice: &RegisterNotice,
) -> Result<(), AppError> {
    let page = format!("{}/settings/privacy", app.settings.account_url(ctx.slug.as_str()));
    let subject = format!("Changes to the subprocessors of {} (version {})", ctx.slug, new.version);
    mail_owners(app, ctx, "register_change", &subject, |name| {
        format!(
            "Hello {name},\n\nVersion {version} of the list of companies that process data for the help desk \
             {slug} takes effect on {date}. For your account it changes this:\n\n{changes}\n\n\
             You may object until {until} on the privacy page:\n\n{page}\n",
            version = new.version,
            slug = ctx.slug,
            date = new.date,
            changes = describe(changes),
            until = notice.object_until.to_display(),
        )
    })
    .await
}

/// Mails every active owner of the account through its outbox; `text` writes the body for an owner's name.
pub(crate) async fn mail_owners(
    app: &App,
    ctx: &AccountCtx,
    kind: &str,
    subject: &str,
    text: impl Fn(&str) -> String,
) -> Result<(), AppError> {
    for owner in ctx.store.list_agents(ctx.account_id).await?.into_iter().filter(|a| a.active && a.role == Role::Owner)
    {
        crate::notify::to_agent(app, ctx, &owner, kind, subject, text(&owner.name)).await?;
    }
    Ok(())
}

/// The account's notices, newest first (admins).
pub async fn list(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<RegisterNotice>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.register_notices(ctx.account_id).await?)
}

/// An owner objects to a register version's changes, within the window.
pub async fn object(ctx: &AccountCtx, caller: &Caller, version: u32, reason: &str) -> Result<(), AppError> {
    let owner = match caller {
        Caller::Agent(a) if a.role == Role::Owner => a.id,
        _ => return Err(AppError::Forbidden("only an owner, signed in, may object".into())),
    };
    let reason = checked_text("reason", reason, 2000, true)?;
    let notices = ctx.store.register_notices(ctx.account_id).await?;
    let notice = notices.iter().find(|n| n.register_version == version).ok_or(AppError::NotFound)?;
    let now = ctx.now();
    if now > notice.object_until {
        return Err(Invalid::field("version", format!("the time to object to version {version} has passed")).into());
    }
    let objection = Objection { at: now, by: owner, reason: reason.clone() };
    ctx.store.object_to_notice(ctx.account_id, version, &objection).await.map_err(|e| match e {
        StoreError::Conflict(c) => AppError::Conflict(c),
        other => other.into(),
    })?;
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::RegisterObjected)
        .detail(serde_json::json!({ "register_version": version, "reason": reason }));
    audit::record(ctx, record).await?;
    Ok(())
}

/// Every objection in every account this process reaches, for the operator.
pub async fn objections(app: &App) -> Result<Vec<(AccountSlug, RegisterNotice)>, AppError> {
    let mut out = Vec::new();
    for entry in app.regions.directory().list().await? {
        let Ok(ctx) = app.regions.context(&entry.slug).await else { continue };
        for n in ctx.store.register_notices(ctx.account_id).await? {
            if n.objection.is_some() {
                out.push((entry.slug.clone(), n));
            }
        }
    }
    Ok(out)
}
