//! Access for the operator's support staff. By default they have none. An owner or administrator grants it —
//! read-only or read-write, for at most 30 days (48 hours unless told), optionally to some departments or
//! tickets — and may revoke it at once. The operator opens a staff session under the account's grant with
//! `parley support open`; every request made with it is checked against the grant (so an expired or revoked grant
//! stops it mid-session) and written to the account's audit log.

use crate::audit::{self, Record};
use crate::auth::tokens;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::auth::secret_hash;
use parley_domain::ids::{DepartmentId, SupportGrantId, TicketId};
use parley_domain::support::{GrantScope, SupportGrant, DEFAULT_HOURS};
use parley_domain::text::checked_text;
use parley_domain::{Invalid, Timestamp};

/// Every staff token starts with this, so that they are told from API keys at a glance.
const TOKEN_PREFIX: &str = "staff_";

pub struct NewGrant {
    pub scope: GrantScope,
    /// Default: [`DEFAULT_HOURS`] from now.
    pub expires_at: Option<Timestamp>,
    pub reason: String,
    pub department_ids: Vec<DepartmentId>,
    pub ticket_ids: Vec<TicketId>,
}

/// An owner or administrator (or a key, which acts as one) grants access. Staff never grant themselves access.
pub async fn create_grant(ctx: &AccountCtx, caller: &Caller, g: NewGrant) -> Result<SupportGrant, AppError> {
    caller.require_admin()?;
    let now = ctx.now();
    let expires_at = g.expires_at.unwrap_or_else(|| now.plus_seconds(DEFAULT_HOURS * 3600));
    SupportGrant::check(&g.reason, expires_at, now)?;
    let reason = checked_text("reason", g.reason.trim(), 500, true)?;
    let known: Vec<DepartmentId> =
        ctx.store.list_departments(ctx.account_id).await?.into_iter().map(|d| d.id).collect();
    if let Some(bad) = g.department_ids.iter().find(|d| !known.contains(d)) {
        return Err(Invalid::field("department_ids", format!("{bad} is not a department of this account")).into());
    }
    let mut department_ids = g.department_ids;
    department_ids.sort();
    department_ids.dedup();
    let mut ticket_ids = g.ticket_ids;
    ticket_ids.sort();
    ticket_ids.dedup();
    if ticket_ids.len() > 100 {
        return Err(Invalid::field("ticket_ids", "at most 100 tickets; give departments for more").into());
    }
    let found = ctx.store.get_tickets(ctx.account_id, &ticket_ids).await?;
    if let Some(bad) = ticket_ids.iter().find(|t| !found.iter().any(|f| f.id == **t)) {
        return Err(Invalid::field("ticket_ids", format!("{bad} is not a ticket of this account")).into());
    }
    let grant = SupportGrant {
        id: SupportGrantId::new(),
        account_id: ctx.account_id,
        scope: g.scope,
        department_ids,
        ticket_ids,
        reason,
        created_by: audit::actor_of(Some(caller)).as_string(),
        created_at: now,
        expires_at,
        revoked_at: None,
    };
    ctx.store.create_grant(&grant).await?;
    let r = Record::new(audit::actor_of(Some(caller)), AuditAction::GrantCreated)
        .target(format!("grant:{}", grant.id))
        .detail(serde_json::json!({
            "scope": grant.scope.as_str(),
            "expires_at": grant.expires_at,
            "reason": grant.reason,
            "department_ids": grant.department_ids,
            "ticket_ids": grant.ticket_ids,
        }));
    audit::record(ctx, r).await?;
    Ok(grant)
}

pub async fn list_grants(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<SupportGrant>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.list_grants(ctx.account_id).await?)
}

/// Ends a grant at once, and with it every staff session under it.
pub async fn revoke_grant(ctx: &AccountCtx, caller: &Caller, id: SupportGrantId) -> Result<(), AppError> {
    caller.require_admin()?;
    ctx.store.revoke_grant(ctx.account_id, id, ctx.now()).await?;
    audit::record(
        ctx,
        Record::new(audit::actor_of(Some(caller)), AuditAction::GrantRevoked).target(format!("grant:{id}")),
    )
    .await?;
    Ok(())
}

/// The operator opens a staff session under the account's newest grant in force. Returns the grant and the
/// session's token (shown once).
pub async fn open_session(ctx: &AccountCtx, staff: &str) -> Result<(SupportGrant, String), AppError> {
    let staff = checked_text("staff", staff.trim(), 100, false)?;
    if staff.is_empty() {
        return Err(Invalid::field("staff", "must name the staff member").into());
    }
    let now = ctx.now();
    let grant = ctx.store.list_grants(ctx.account_id).await?.into_iter().find(|g| g.is_live(now)).ok_or_else(|| {
        AppError::Forbidden(format!("{} has not granted support access (or its grants ended)", ctx.slug))
    })?;
    let token = format!("{TOKEN_PREFIX}{}", tokens::random_token());
    ctx.store.open_support_session(ctx.account_id, grant.id, &secret_hash(&token), &staff, now).await?;
    let r = Record::new(AuditActor::Operator, AuditAction::SupportOpened)
        .target(format!("grant:{}", grant.id))
        .detail(serde_json::json!({ "staff": staff }));
    audit::record(ctx, r).await?;
    Ok((grant, token))
}

/// Whether a bearer secret is a staff token (rather than an API key).
pub fn is_staff_token(secret: &str) -> bool {
    secret.starts_with(TOKEN_PREFIX)
}

/// The staff caller a token stands for, while its grant is in force.
pub async fn authenticate_staff(ctx: &AccountCtx, token: &str) -> Result<Option<Caller>, AppError> {
    if !is_staff_token(token) || token.len() > 100 {
        return Ok(None);
    }
    let Some((grant, staff)) = ctx.store.support_session(ctx.account_id, &secret_hash(token)).await? else {
        return Ok(None);
    };
    Ok(grant.is_live(ctx.now()).then_some(Caller::Staff { grant, staff }))
}

/// Writes a staff request to the account's audit log, refused or not.
pub async fn record_access(
    ctx: &AccountCtx,
    caller: &Caller,
    method: &str,
    path: &str,
    refused: bool,
) -> Result<(), AppError> {
    let Caller::Staff { grant, staff } = caller else { return Ok(()) };
    let r = Record::new(AuditActor::Staff(grant.id), AuditAction::SupportAccess)
        .target(format!("grant:{}", grant.id))
        .detail(serde_json::json!({
            "staff": staff,
            "method": method,
            "path": path.chars().take(300).collect::<String>(),
            "refused": refused,
        }));
    audit::record(ctx, r).await?;
    Ok(())
}
