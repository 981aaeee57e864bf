//! Visitors: a token is made for each browser; only its hash is stored.

use crate::auth::tokens::random_token;
use crate::{AccountCtx, App, AppError};
use parley_domain::auth::secret_hash;
use parley_domain::chat::Visitor;
use parley_domain::ids::VisitorId;

/// Visitor tokens start with this, so that they are never mistaken for API keys.
pub const VISITOR_TOKEN_PREFIX: &str = "pv_";

/// A new visitor and the token their browser keeps (shown once).
pub async fn new_visitor(app: &App, ctx: &AccountCtx, ip: &str) -> Result<(Visitor, String), AppError> {
    app.chat.arrivals.hit(ip).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })?;
    let token = format!("{VISITOR_TOKEN_PREFIX}{}", random_token());
    let visitor = Visitor {
        id: VisitorId::new(),
        account_id: ctx.account_id,
        token_hash: secret_hash(&token),
        contact_id: None,
        created_at: ctx.now(),
        blocked_at: None,
    };
    ctx.store.create_visitor(&visitor).await?;
    Ok((visitor, token))
}

/// The account's visitor holding this token; `None` for tokens of no visitor or of another account.
pub async fn visitor_by_token(ctx: &AccountCtx, token: &str) -> Result<Option<Visitor>, AppError> {
    if !token.starts_with(VISITOR_TOKEN_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    Ok(ctx.store.visitor_by_token(ctx.account_id, &secret_hash(token)).await?)
}
