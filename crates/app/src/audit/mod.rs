//! The account's audit log: what is recorded where it happens, listing and exporting for administrators, and
//! checking the hash chain.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::{AuditAction, AuditActor, AuditEntry, ChainCheck, NewAuditEntry, Verification};
use parley_store::AuditFilter;

/// Who a caller is, in the log.
pub fn actor_of(caller: Option<&Caller>) -> AuditActor {
    match caller {
        Some(Caller::Agent(a)) => AuditActor::Agent(a.id),
        Some(Caller::ApiKey(k)) => AuditActor::ApiKey(k.id),
        Some(Caller::Staff { grant, .. }) => AuditActor::Staff(grant.id),
        // No caller is the operator's command line.
        None => AuditActor::Operator,
    }
}

/// One thing that happened, for [`record`].
pub struct Record {
    pub actor: AuditActor,
    pub action: AuditAction,
    pub target: Option<String>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
}

impl Record {
    pub fn new(actor: AuditActor, action: AuditAction) -> Record {
        Record { actor, action, target: None, detail: serde_json::json!({}), ip: None }
    }

    pub fn target(mut self, target: impl Into<String>) -> Record {
        self.target = Some(target.into());
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Record {
        self.detail = detail;
        self
    }

    pub fn ip(mut self, ip: &str) -> Record {
        // Client addresses come from the connection or a trusted proxy; bounded all the same.
        self.ip = Some(ip.chars().take(64).collect());
        self
    }
}

/// Appends to the account's log. An entry that cannot be written fails the caller: what must be recorded is not
/// done unrecorded.
pub async fn record(ctx: &AccountCtx, r: Record) -> Result<AuditEntry, AppError> {
    let entry = NewAuditEntry {
        account_id: ctx.account_id,
        at: ctx.now(),
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: r.detail,
        ip: r.ip,
    };
    Ok(ctx.store.append_audit(&entry).await?)
}

/// Entries for an administrator, newest first.
pub async fn list(ctx: &AccountCtx, caller: &Caller, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.list_audit(ctx.account_id, filter).await?)
}

/// Every entry the filter matches, oldest first, for an export; the export is itself recorded.
pub async fn export(ctx: &AccountCtx, caller: &Caller, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    caller.require_admin()?;
    let mut out = Vec::new();
    let mut page = AuditFilter { oldest_first: true, limit: PAGE, beyond_seq: None, ..filter.clone() };
    loop {
        let batch = ctx.store.list_audit(ctx.account_id, &page).await?;
        let done = (batch.len() as i64) < PAGE;
        page.beyond_seq = batch.last().map(|e| e.seq);
        out.extend(batch);
        if done {
            break;
        }
    }
    record(
        ctx,
        Record::new(actor_of(Some(caller)), AuditAction::AuditExported).detail(serde_json::json!({
            "entries": out.len(),
        })),
    )
    .await?;
    Ok(out)
}

const PAGE: i64 = 1000;

/// Checks the whole chain, a page at a time, against the head kept beside it. `caller` is `None` for the
/// operator's command line.
pub async fn verify(ctx: &AccountCtx, caller: Option<&Caller>) -> Result<Verification, AppError> {
    if let Some(c) = caller {
        c.require_admin()?;
    }
    let head = ctx.store.audit_head(ctx.account_id).await?;
    let mut check = ChainCheck::default();
    let mut page = AuditFilter { oldest_first: true, limit: PAGE, ..Default::default() };
    'pages: loop {
        let batch = ctx.store.list_audit(ctx.account_id, &page).await?;
        for e in &batch {
            if !check.next(e) {
                break 'pages;
            }
        }
        if (batch.len() as i64) < PAGE {
            break;
        }
        page.beyond_seq = batch.last().map(|e| e.seq);
    }
    Ok(check.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))))
}
