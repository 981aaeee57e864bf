//! The operator's data processing agreement: versions published into the directory (at start, or with
//! `parley dpa publish`), accepted by an owner in the app (who, when, from where, which text), and a record of the
//! acceptance to download. A new version asks for acceptance again.

use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::agent::Role;
use parley_domain::audit::AuditAction;
use parley_domain::dpa::{Dpa, DpaAcceptance, DpaStatus};
use parley_domain::{Invalid, Timestamp};
use parley_store::StoreError;
use serde::Deserialize;

/// The agreement Parley ships, a made-up operator's, published when the operator has none.
pub const EXAMPLE: &str = include_str!("../../../../examples/dpa.md");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    version: u32,
    date: String,
    title: String,
}

/// Reads an agreement: TOML between `+++` lines (`version`, `date`, `title`), then the text in Markdown.
pub fn parse(text: &str) -> Result<Dpa, AppError> {
    let bad = |m: String| AppError::Invalid(Invalid::field("dpa", m));
    let rest = text.trim_start().strip_prefix("+++").ok_or_else(|| bad("must start with a +++ line".into()))?;
    let (head, body) = rest.split_once("\n+++").ok_or_else(|| bad("the +++ front matter is not closed".into()))?;
    let front: FrontMatter = toml::from_str(head).map_err(|e| bad(format!("front matter: {}", e.message())))?;
    let body = body.trim_start_matches(['\r', '\n']).trim_end().to_string();
    let mut errs = parley_domain::error::Checker::new();
    if front.version == 0 {
        errs.add("version", "must be 1 or more");
    }
    if !parley_domain::subprocessors::is_date(&front.date) {
        errs.add("date", format!("'{}' is not a date written YYYY-MM-DD", front.date));
    }
    if front.title.trim().is_empty() || front.title.len() > 200 {
        errs.add("title", "must be 1 to 200 characters");
    }
    if body.trim().is_empty() {
        errs.add("dpa", "has no text after the front matter");
    }
    errs.finish()?;
    Ok(Dpa { version: front.version, date: front.date, title: front.title.trim().to_string(), body })
}

/// Publishes a version: newer than every kept one, or the same one again unchanged. True when it is new.
pub async fn publish(app: &App, dpa: Dpa) -> Result<bool, AppError> {
    let kept = app.regions.directory().dpas().await?;
    if let Some(same) = kept.iter().find(|d| d.version == dpa.version) {
        if *same == dpa {
            return Ok(false);
        }
        return Err(Invalid::field("version", format!("version {} is published with another text", dpa.version)).into());
    }
    if let Some(last) = kept.last() {
        if dpa.version < last.version {
            return Err(
                Invalid::field("version", format!("must be above {}, the latest published", last.version)).into()
            );
        }
    }
    match app.regions.directory().publish_dpa(&dpa, Timestamp::now()).await {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(_)) => Box::pin(publish(app, dpa)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn current(app: &App) -> Result<Option<Dpa>, AppError> {
    Ok(app.regions.directory().dpas().await?.pop())
}

/// The version in force and the account's acceptances (admins).
pub async fn status(app: &App, ctx: &AccountCtx, caller: &Caller) -> Result<DpaStatus, AppError> {
    caller.require_admin()?;
    let current = current(app).await?;
    let acceptances = ctx.store.dpa_acceptances(ctx.account_id).await?;
    let accepted = current.as_ref().is_some_and(|c| acceptances.iter().any(|a| a.version == c.version));
    Ok(DpaStatus { current, accepted, acceptances })
}

/// An owner accepts the version in force.
pub async fn accept(app: &App, ctx: &AccountCtx, caller: &Caller, version: u32, ip: &str) -> Result<(), AppError> {
    let owner = match caller {
        Caller::Agent(a) if a.role == Role::Owner => a,
        _ => return Err(AppError::Forbidden("only an owner, signed in, may accept the agreement".into())),
    };
    let dpa = current(app).await?.ok_or(AppError::NotFound)?;
    if dpa.version != version {
        return Err(Invalid::field("version", format!("version {} is in force, not {version}", dpa.version)).into());
    }
    let acceptance = DpaAcceptance {
        version,
        agent_id: owner.id,
        agent_email: owner.email.to_string(),
        accepted_at: ctx.now(),
        ip: Some(ip.chars().take(64).collect()),
        text_sha256: dpa.text_sha256(),
    };
    ctx.store.accept_dpa(ctx.account_id, &acceptance).await?;
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::DpaAccepted)
        .detail(serde_json::json!({ "version": version, "text_sha256": acceptance.text_sha256 }))
        .ip(ip);
    audit::record(ctx, record).await?;
    Ok(())
}

/// The record of an acceptance, with the text accepted, to keep (admins).
pub async fn record(app: &App, ctx: &AccountCtx, caller: &Caller, version: u32) -> Result<serde_json::Value, AppError> {
    caller.require_admin()?;
    let acceptance = ctx
        .store
        .dpa_acceptances(ctx.account_id)
        .await?
        .into_iter()
        .find(|a| a.version == version)
        .ok_or(AppError::NotFound)?;
    let dpa =
        app.regions.directory().dpas().await?.into_iter().find(|d| d.version == version).ok_or(AppError::NotFound)?;
    Ok(serde_json::json!({
        "account": ctx.slug.as_str(),
        "region": ctx.region.as_str(),
        "agreement": { "version": dpa.version, "date": dpa.date, "title": dpa.title,
                       "text_sha256": dpa.text_sha256(), "text": dpa.body },
        "acceptance": acceptance,
    }))
}
