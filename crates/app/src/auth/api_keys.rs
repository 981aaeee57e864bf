//! API keys: random, shown once, stored as a hash, revocable, bound to one account.

use super::tokens;
use crate::{AccountCtx, AppError, Caller};
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
    Ok((key, secret))
}

/// The live key with this secret in this account, if any.
pub async fn authenticate_api_key(ctx: &AccountCtx, secret: &str) -> Result<Option<ApiKey>, AppError> {
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 100 {
        return Ok(None);
    }
    Ok(ctx.store.find_api_key(ctx.account_id, &secret_hash(secret)).await?)
}

pub async fn list_api_keys(ctx: &AccountCtx) -> Result<Vec<ApiKey>, AppError> {
    Ok(ctx.store.list_api_keys(ctx.account_id).await?)
}

pub async fn revoke_api_key(ctx: &AccountCtx, id: ApiKeyId) -> Result<(), AppError> {
    Ok(ctx.store.revoke_api_key(ctx.account_id, id, Timestamp::now()).await?)
}
