//! Moving an account to another region (only with a recorded agreement) or to another database of its own region
//! (no agreement needed: the data stays where the customer was promised it would be): the copy checked against the
//! source table by table before the directory points at it, the source wiped after. Every step is kept in the
//! directory, so a move cut off anywhere is finished by running it again; the account is served nowhere while it
//! is copied, so it is never readable in two places at once.

use crate::audit::{self, Record};
use crate::regions::{unknown_place, DIRECTORY_TTL};
use crate::{AccountCtx, App, AppError};
use parley_domain::account::AccountSlug;
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::region::{DatabaseName, Place, RegionName};
use parley_domain::text::checked_text;
use parley_domain::Invalid;
use parley_store::StoreError;
use parley_store_sql::transfer;
use std::sync::Arc;

/// Copies attempted before giving up: a copy differs from its source only if something wrote to the account
/// while it was copied (a worker that had it in hand when the move began).
const ATTEMPTS: u32 = 3;

pub struct MoveRequest {
    pub slug: AccountSlug,
    /// The region to move to; the account's own when only the database changes.
    pub to_region: Option<RegionName>,
    /// The database of that region to move to; its main one when not given.
    pub to_database: Option<DatabaseName>,
    /// The reference of the agreement that allows the data to leave its region (a contract or ticket number);
    /// needed only when it does leave it.
    pub agreement: Option<String>,
}

/// A step done, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The account is served nowhere; `resumed` when an earlier run had begun this move.
    Started {
        resumed: bool,
    },
    Copied {
        rows: u64,
    },
    Verified {
        tables: usize,
    },
    Switched,
    Wiped {
        rows: u64,
    },
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Started { .. } => "started",
            Step::Copied { .. } => "copied",
            Step::Verified { .. } => "verified",
            Step::Switched => "switched",
            Step::Wiped { .. } => "wiped",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MoveReport {
    pub slug: String,
    pub from: String,
    pub to: String,
    pub rows_copied: u64,
    pub rows_wiped: u64,
    pub resumed: bool,
}

fn conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(c) => AppError::Conflict(c),
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    }
}

pub async fn move_account(
    app: &App,
    req: MoveRequest,
    progress: &mut (dyn FnMut(Step) + Send),
) -> Result<MoveReport, AppError> {
    let agreement = match &req.agreement {
        Some(a) => Some(checked_text("agreement", a, 200, false)?),
        None => None,
    };
    let directory = app.regions.directory();
    let entry = directory.lookup(&req.slug).await?.ok_or_else(|| {
        AppError::Invalid(Invalid::field("slug", format!("'{}' is not an account of this Parley", req.slug)))
    })?;
    let before = directory.move_state(&req.slug).await?;
    let from = before.as_ref().map_or_else(|| entry.place(), |s| s.from.clone());
    let to = Place {
        region: req.to_region.clone().unwrap_or_else(|| entry.region.clone()),
        database: req.to_database.clone().unwrap_or_else(DatabaseName::main),
    };
    app.regions.cell_at(&to).ok_or_else(|| unknown_place(&to))?;
    if to.region != from.region && agreement.is_none() {
        return Err(AppError::Invalid(Invalid::field(
            "agreement",
            format!(
                "moving '{}' out of region {} needs the reference of the agreement that allows it",
                req.slug, from.region
            ),
        )));
    }
    let state = match &before {
        Some(s) if s.switched => s.clone(),
        _ => {
            app.regions.prepare(&to).await?;
            app.regions.prepare(&from).await?;
            directory.begin_move(&req.slug, &to).await.map_err(conflict)?
        }
    };
    if state.to != to {
        return Err(AppError::Conflict(format!(
            "'{}' is being moved to {} already; finish that move first",
            req.slug, state.to
        )));
    }
    app.regions.forget(&req.slug);
    progress(Step::Started { resumed: before.is_some() });
    let source = app.regions.cell_at(&state.from).ok_or_else(|| unknown_place(&state.from))?.store().await?;
    let target = app.regions.cell_at(&state.to).ok_or_else(|| unknown_place(&state.to))?.store().await?;

    let mut rows_copied = 0;
    if !state.switched {
        // Processes that read the directory before the move began serve the account until their answer expires.
        tokio::time::sleep(DIRECTORY_TTL + std::time::Duration::from_secs(1)).await;
        let mut attempt = 0;
        loop {
            attempt += 1;
            rows_copied = transfer::copy_account(source, target, entry.account_id).await?;
            progress(Step::Copied { rows: rows_copied });
            let (a, b) =
                (transfer::digest(source, entry.account_id).await?, transfer::digest(target, entry.account_id).await?);
            if a == b {
                transfer::continue_numbering(target, entry.account_id).await?;
                progress(Step::Verified { tables: a.len() });
                break;
            }
            let differ: Vec<&String> = a.iter().filter(|(t, d)| b.get(*t) != Some(d)).map(|(t, _)| t).collect();
            if attempt == ATTEMPTS {
                return Err(AppError::Unavailable(format!(
                    "the copy of '{}' differs from its source in {differ:?} after {ATTEMPTS} tries; the account \
                     stays unserved in the middle of its move; run the move again",
                    req.slug
                )));
            }
            tracing::warn!(account = %req.slug, ?differ, "the account changed while it was copied; copying again");
        }
        let ctx = AccountCtx {
            account_id: entry.account_id,
            slug: entry.slug.clone(),
            region: state.to.region.clone(),
            store: Arc::new(target.clone()),
            clock: app.regions.clock().clone(),
        };
        let record = Record::new(AuditActor::Operator, AuditAction::AccountMoved).detail(serde_json::json!({
            "from": state.from.region,
            "to": state.to.region,
            "from_database": state.from.database,
            "to_database": state.to.database,
            "agreement": agreement,
            "rows": rows_copied,
        }));
        audit::record(&ctx, record).await?;
        directory.switch_move(&req.slug).await.map_err(conflict)?;
        app.regions.forget(&req.slug);
        progress(Step::Switched);
    }
    let rows_wiped = transfer::wipe_account(source, entry.account_id).await?;
    directory.end_move(&req.slug).await?;
    progress(Step::Wiped { rows: rows_wiped });
    Ok(MoveReport {
        slug: req.slug.to_string(),
        from: state.from.to_string(),
        to: state.to.to_string(),
        rows_copied,
        rows_wiped,
        resumed: before.is_some(),
    })
}
