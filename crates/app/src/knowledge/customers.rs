//! Customers signing in to a knowledge base for signed-in customers: they give their email address; if it is one
//! of the account's contacts, a one-time link is mailed to it (through the outbox); the link starts a session kept
//! in a cookie. The answer never says whether the address is known.

use crate::auth::tokens::random_token;
use crate::{AccountCtx, App, AppError};
use parley_domain::auth::secret_hash;
use parley_domain::email::EmailAddress;
use parley_domain::ids::{ContactId, OutboxEventId};
use parley_domain::knowledge::KnowledgeBase;
use parley_domain::Invalid;
use parley_i18n::{Arg, Texts};
use parley_store::{ContactFilter, MailMeta, OutboundMail};
use std::sync::Arc;

/// How long a mailed link works.
const LINK_MINUTES: i64 = 30;
/// How long a customer stays signed in.
pub const SESSION_DAYS: i64 = 30;

/// "Send me a link": limited per client like password resets, then answered alike for every address. Looking the
/// address up and queueing the mail happen after the answer, so neither time nor errors tell anything.
pub async fn send_link(
    app: &Arc<App>,
    ctx: &AccountCtx,
    kb: &KnowledgeBase,
    email: &str,
    lang: &str,
    client: &str,
) -> Result<(), AppError> {
    app.limits
        .reset_by_ip
        .hit(&format!("{}:portal:{client}", ctx.account_id))
        .map_err(|s| AppError::RateLimited { retry_after_secs: s })?;
    let (app, ctx, kb, email, lang) = (app.clone(), ctx.clone(), kb.clone(), email.to_string(), lang.to_string());
    tokio::spawn(async move {
        if let Err(e) = mail_link(&app, &ctx, &kb, &email, &lang).await {
            tracing::warn!(error = %e, "a portal sign-in link could not be prepared");
        }
    });
    Ok(())
}

async fn mail_link(app: &App, ctx: &AccountCtx, kb: &KnowledgeBase, email: &str, lang: &str) -> Result<(), AppError> {
    let Ok(address) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let filter = ContactFilter { email: Some(address), company_id: None, after: None, limit: 1 };
    let Some(contact) = ctx.store.list_contacts(ctx.account_id, &filter).await?.into_iter().next() else {
        return Ok(());
    };
    let Some(to) = contact.email else {
        return Ok(());
    };
    if !kb.companies.is_empty() && !contact.company_id.is_some_and(|c| kb.companies.contains(&c)) {
        return Ok(());
    }
    let token = random_token();
    let expires = ctx.now().plus_seconds(LINK_MINUTES * 60);
    ctx.store.add_customer_token(ctx.account_id, &secret_hash(&token), "link", kb.id, contact.id, expires).await?;
    let link =
        format!("{}/kb/{}/signin/{token}?lang={lang}", app.settings.account_url(ctx.slug.as_str()), kb.slug.as_str());
    let t = Texts::of(parley_i18n::known(lang).unwrap_or("en"));
    let values = [("kb", Arg::Text(&kb.name)), ("link", Arg::Text(&link))];
    let mail = OutboundMail {
        id: OutboxEventId::new().to_string(),
        account_id: ctx.account_id,
        kind: "portal_sign_in".into(),
        to: to.to_string(),
        subject: t.with("portal-signin-subject", &values),
        text: t.with("portal-signin-body", &values) + "\n",
        ticket_id: None,
        message_id: None,
        created_at: ctx.now(),
        meta: MailMeta {
            from: format!("no-reply@{}.{}", ctx.slug, app.settings.mail_domain),
            from_name: Some(kb.name.clone()),
            automatic: true,
            ..Default::default()
        },
    };
    ctx.store.queue_mail(&mail).await?;
    Ok(())
}

/// Uses a mailed link: a new session for its contact in this knowledge base (the token to keep in the cookie).
/// The session is written first, so a failure leaves the link usable.
pub async fn sign_in(ctx: &AccountCtx, kb: &KnowledgeBase, link_token: &str) -> Result<String, AppError> {
    let now = ctx.now();
    let hash = secret_hash(link_token);
    let expired = || AppError::from(Invalid::field("link", "has expired or was used already; ask for a new one"));
    // Read first without using it up: the contact the session will be for.
    let Some(contact) = ctx.store.customer_token(ctx.account_id, &hash, "link", kb.id, now).await? else {
        return Err(expired());
    };
    let session = random_token();
    let expires = now.plus_seconds(SESSION_DAYS * 24 * 3600);
    ctx.store.add_customer_token(ctx.account_id, &secret_hash(&session), "session", kb.id, contact, expires).await?;
    if ctx.store.take_customer_token(ctx.account_id, &hash, "link", kb.id, now).await?.is_none() {
        // Used by another request meanwhile: one link, one session.
        ctx.store.drop_customer_token(ctx.account_id, &secret_hash(&session)).await?;
        return Err(expired());
    }
    Ok(session)
}

/// The contact a session cookie stands for in this knowledge base, while it lasts.
pub async fn customer(ctx: &AccountCtx, kb: &KnowledgeBase, session: &str) -> Result<Option<ContactId>, AppError> {
    Ok(ctx.store.customer_token(ctx.account_id, &secret_hash(session), "session", kb.id, ctx.now()).await?)
}

pub async fn sign_out(ctx: &AccountCtx, session: &str) -> Result<(), AppError> {
    Ok(ctx.store.drop_customer_token(ctx.account_id, &secret_hash(session)).await?)
}
