//! API keys: random, shown once, stored as a hash, revocable, bound to one account.

use super::tokens;
use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::auth::{secret_hash, ApiKey};
use parley_domain::ids::{AccountId, AgentId, ApiKeyId};
use parley_domain::text::checked_text;
use parley_domain::Timestamp;

/// Every key starts with this, so leaked keys are easy to recognise and scan for.
const KEY_PREFIX: &str = "parley_";

/// A new key and its secret. Only the hash of the secret is stored.
pub fn new_api_key(account: AccountId, name: &str, created_by: Option<AgentId>) -> (ApiKey, String) {
    let secret = format!("{KEY_PREFIX}{}", tokens::random_token());
    let key = ApiKey {
        id: ApiKeyId::new(),
        account_id: account,
        name: name.to_string(),
        prefix: secret.chars().take(KEY_PREFIX.len() + 6).collect(),
        hash: secret_hash(&secret),
        created_by,
        created_at: Timestamp::now(),
        revoked_at: None,
        last_used_at: None,
    };
    (key, secret)
}

pub async fn create_api_key(
    ctx: &AccountCtx,
    caller: Option<&Caller>,
    name: &str,
) -> Result<(ApiKey, String), AppError> {
    if let Some(c) = caller {
        c.require_admin()?;
    }
    let name = checked_text("name", name, 100, false)?;
    let created_by = match caller {
        Some(Caller::Agent(a)) => Some(a.id),
        _ => None,
    };
    let (key, secret) = new_api_key(ctx.account_id, &name, created_by);
    ctx.store.create_api_key(&key).await?;
    let made = Record::new(audit::actor_of(caller), AuditAction::ApiKeyCreated)
        .target(format!("api_key:{}", key.id))
        .detail(serde_json::json!({ "name": key.name, "prefix": key.prefix }));
    audit::record(ctx, made).await?;
    Ok((key, secret))
}

/// The live key with this secret in this account, if any.
pub async fn authenticate_api_key(ctx: &AccountCtx, secret: &str) -> Result<Option<ApiKey>, AppError> {
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 100 {
        return Ok(None);
    }
    Ok(ctx.store.find_api_key(ctx.account_id, &secret_hash(secret)).await?)
}

/// How often a key's use is written to the audit log: the first use in each hour, with the client's address.
const USE_EVERY_SECS: i64 = 3600;

/// Keys whose use this process noted lately, so that most requests write nothing. The database decides between
/// processes (a use is noted only if none was since the hour began for it).
static NOTED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<ApiKeyId, Timestamp>>> =
    std::sync::LazyLock::new(Default::default);

/// Records in the audit log that a key was used, at most once an hour per key.
pub async fn note_api_key_use(ctx: &AccountCtx, key: &ApiKey, ip: &str) -> Result<(), AppError> {
    let now = ctx.now();
    let since = now.plus_seconds(-USE_EVERY_SECS);
    if let Ok(mut noted) = NOTED.lock() {
        if noted.get(&key.id).is_some_and(|at| *at > since) {
            return Ok(());
        }
        if noted.len() > 100_000 {
            noted.clear();
        }
        noted.insert(key.id, now);
    }
    if ctx.store.note_api_key_use(ctx.account_id, key.id, now, since).await? {
        let record = Record::new(AuditActor::ApiKey(key.id), AuditAction::ApiKeyUsed)
            .target(format!("api_key:{}", key.id))
            .ip(ip);
        audit::record(ctx, record).await?;
    }
    Ok(())
}

pub async fn list_api_keys(ctx: &AccountCtx) -> Result<Vec<ApiKey>, AppError> {
    Ok(ctx.store.list_api_keys(ctx.account_id).await?)
}

/// `caller` is `None` for the operator's command line.
pub async fn revoke_api_key(ctx: &AccountCtx, caller: Option<&Caller>, id: ApiKeyId) -> Result<(), AppError> {
    if let Some(c) = caller {
        c.require_admin()?;
    }
    ctx.store.revoke_api_key(ctx.account_id, id, ctx.now()).await?;
    audit::record(
        ctx,
        Record::new(audit::actor_of(caller), AuditAction::ApiKeyRevoked).target(format!("api_key:{id}")),
    )
    .await?;
    Ok(())
}
