//! Finding contacts by what people remember of them, and making two records of one person one.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::contact::Contact;
use parley_domain::ids::{ContactId, TicketId};
use parley_domain::Invalid;

/// Contacts whose name, email address or company name contains `q`, by id, a page at a time.
pub async fn search_contacts(
    ctx: &AccountCtx,
    q: &str,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<Contact>, AppError> {
    let q = q.trim();
    if q.is_empty() || q.chars().count() > 200 {
        return Err(Invalid::field("q", "is 1 to 200 characters").into());
    }
    Ok(ctx.store.search_contacts(ctx.account_id, q, after, limit.clamp(1, 100)).await?)
}

/// Contact `from` becomes part of `into`: its tickets and chats, the messages it wrote, its chat visitors and
/// sign-in links move to `into`, what `into` lacks (email, name, company) is taken from it, and it is deleted.
/// Audited. Both must be the account's (`NotFound` otherwise). The moved tickets are re-indexed for search and
/// their lists hear of them.
pub async fn merge_contacts(
    ctx: &AccountCtx,
    caller: &Caller,
    into: ContactId,
    from: ContactId,
) -> Result<(Contact, Vec<TicketId>), AppError> {
    caller.require_directory()?;
    if into == from {
        return Err(Invalid::field("from", "is the contact merged into").into());
    }
    let moved = ctx.store.merge_contacts(ctx.account_id, into, from, ctx.now()).await?;
    let r = Record::new(audit::actor_of(Some(caller)), AuditAction::ContactMerged)
        .target(format!("contact:{into}"))
        .detail(serde_json::json!({"from": from.to_string(), "tickets_moved": moved.len()}));
    audit::record(ctx, r).await?;
    let kept = ctx.store.get_contact(ctx.account_id, into).await?.ok_or(AppError::NotFound)?;
    Ok((kept, moved))
}
