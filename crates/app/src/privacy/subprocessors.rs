//! The operator's subprocessor register: published as dated versions into the directory, every version kept, and
//! shown per account as the effective list with the history of what changed for it.

use crate::{AccountCtx, App, AppError};
use parley_domain::subprocessors::{diff, AccountRegister, Changes, Register, VersionChanges};
use parley_domain::{Invalid, Timestamp};
use parley_store::StoreError;
use serde::Serialize;

/// The register Parley ships: a made-up operator's, published when the operator has none.
pub const EXAMPLE: &str = include_str!("../../../../examples/subprocessors.toml");

/// Reads a register written in TOML; a mistake is named with its line.
pub fn parse(text: &str) -> Result<Register, AppError> {
    toml::from_str::<Register>(text).map_err(|e| {
        let message = e.message().to_string();
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
        AppError::Invalid(Invalid::field("register", format!("{message}{at}")))
    })
}

/// What publishing did.
#[derive(Debug, Serialize)]
pub struct Published {
    pub version: u32,
    /// False when this very version was published already (publishing is repeatable).
    pub new: bool,
    /// What changed since the version before, when there was one.
    pub changes: Option<Changes>,
}

fn known_regions(app: &App) -> Vec<String> {
    app.regions.names().iter().map(|r| r.as_str().to_string()).collect()
}

/// Every version kept, oldest first.
pub async fn history(app: &App) -> Result<Vec<Register>, AppError> {
    app.regions
        .directory()
        .registers()
        .await?
        .into_iter()
        .map(|(v, body)| {
            serde_json::from_str::<Register>(&body)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("register version {v} cannot be read: {e}")))
        })
        .collect()
}

/// Publishes a version: checked, newer than every kept one (or the same one again, unchanged).
pub async fn publish(app: &App, register: Register) -> Result<Published, AppError> {
    let regions = known_regions(app);
    register.check(&regions.iter().map(String::as_str).collect::<Vec<_>>())?;
    let kept = history(app).await?;
    if let Some(same) = kept.iter().find(|r| r.version == register.version) {
        if *same == register {
            // Publishing again (as every start does) finishes telling the accounts an earlier run could not reach:
            // a region served by another process, an account in the middle of a move, a run cut off half way.
            // Accounts told already are left alone.
            let prev = kept.iter().rev().find(|r| r.version < register.version);
            let at = app.regions.directory().register_published_at(register.version).await?;
            if let (Some(prev), Some(at)) = (prev, at) {
                match super::notices::notify_accounts(app, prev, same, at).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(accounts = n, "accounts told of the register change"),
                    Err(e) => tracing::warn!(error = %e, "could not tell every account of the register change"),
                }
            }
            return Ok(Published { version: register.version, new: false, changes: None });
        }
        return Err(Invalid::field(
            "version",
            format!(
                "version {} is published with other contents; number this one {}",
                register.version,
                latest(&kept) + 1
            ),
        )
        .into());
    }
    if let Some(last) = kept.last() {
        if register.version < last.version {
            return Err(
                Invalid::field("version", format!("must be above {}, the latest published", last.version)).into()
            );
        }
        if register.date < last.date {
            return Err(
                Invalid::field("date", format!("must not be before {}, the latest version's date", last.date)).into()
            );
        }
    }
    let body = serde_json::to_string(&register).map_err(|e| AppError::Internal(e.into()))?;
    let now = Timestamp::now();
    match app.regions.directory().publish_register(register.version, &register.date, &body, now).await {
        Ok(()) => {}
        // Another process published the same version at the same moment: theirs stands.
        Err(StoreError::Conflict(_)) => return Box::pin(publish(app, register)).await,
        Err(e) => return Err(e.into()),
    }
    let changes = kept.last().map(|prev| diff(prev, &register));
    tracing::info!(version = register.version, date = %register.date, "subprocessor register published");
    if let Some(prev) = kept.last() {
        let noticed = super::notices::notify_accounts(app, prev, &register, now).await?;
        tracing::info!(accounts = noticed, "accounts told of the register change");
    }
    Ok(Published { version: register.version, new: true, changes })
}

fn latest(kept: &[Register]) -> u32 {
    kept.last().map_or(0, |r| r.version)
}

/// The account's effective list under the current version, and what each version changed in it. `None` while
/// no register is published.
pub async fn for_account(app: &App, ctx: &AccountCtx) -> Result<Option<AccountRegister>, AppError> {
    let kept = history(app).await?;
    let Some(current) = kept.last() else { return Ok(None) };
    let enabled = super::features::enabled(ctx).await?;
    let region = ctx.region.as_str();
    let mut history: Vec<VersionChanges> = kept
        .windows(2)
        .map(|w| VersionChanges {
            version: w[1].version,
            date: w[1].date.clone(),
            changes: diff(&w[0], &w[1]).concerning(region, &enabled),
        })
        .filter(|v| !v.changes.is_empty())
        .collect();
    history.reverse();
    Ok(Some(AccountRegister {
        version: current.version,
        date: current.date.clone(),
        features: enabled.iter().copied().collect(),
        subprocessors: current.effective(region, &enabled).into_iter().cloned().collect(),
        history,
    }))
}
