//! Files that came with mail, and mailboxes.

use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::{AttachmentId, MailboxId};
use parley_domain::mailbox::{ImapSecurity, ImapSettings, Mailbox};
use parley_domain::message::AttachmentInfo;
use parley_domain::text::optional_text;

/// A stored file, for someone who may see the ticket it belongs to.
pub async fn attachment(
    ctx: &AccountCtx,
    caller: &Caller,
    id: AttachmentId,
) -> Result<(AttachmentInfo, Vec<u8>), AppError> {
    let (info, ticket, data) = ctx.store.attachment(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    crate::tickets::visible(ctx, caller, ticket).await?;
    Ok((info, data))
}

pub struct NewMailbox {
    pub address: String,
    pub name: Option<String>,
    pub imap: Option<ImapSettings>,
}

/// Add an address the account receives mail at. The address must be no other account's, in any region.
pub async fn create_mailbox(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    input: NewMailbox,
) -> Result<(Mailbox, String), AppError> {
    caller.require_admin()?;
    let mut errs = Checker::new();
    let address = errs.check(EmailAddress::parse(&input.address).map_err(|e| e.at("address")));
    let name = errs.check(optional_text("name", input.name.as_deref(), 200)).flatten();
    if let Some(a) = &address {
        if a.domain().ends_with(&format!(".{}", app.settings.mail_domain)) || a.domain() == app.settings.mail_domain {
            errs.add("address", "addresses of this Parley's own mail domain reach their account already");
        }
    }
    if let Some(i) = &input.imap {
        if i.host.trim().is_empty() || i.host.len() > 253 {
            errs.add("imap.host", "is required");
        }
        if i.user.is_empty() || i.user.len() > 320 {
            errs.add("imap.user", "is required");
        }
        if i.password.is_empty() || i.password.len() > 1000 {
            errs.add("imap.password", "is required");
        }
        if i.security == ImapSecurity::Plain && !is_loopback(&i.host) {
            errs.add("imap.security", "plain IMAP (without TLS) is allowed only to this machine");
        }
        if i.folder.trim().is_empty() || i.folder.len() > 200 || i.folder.chars().any(char::is_control) {
            errs.add("imap.folder", "is not a folder name");
        }
    }
    errs.finish()?;
    let Some(address) = address else { return Err(AppError::Internal(anyhow::anyhow!("checked address missing"))) };
    // Addresses are unique across regions; a region without accounts has no mailboxes.
    for cell in app.regions.holding_accounts().await {
        let store = cell.store().await?;
        if parley_store::InboundStore::mailbox_by_address(store, &address).await?.is_some() {
            return Err(AppError::Conflict(format!("the address {address} already belongs to a mailbox")));
        }
    }
    let secret = crate::auth::tokens::random_token();
    let mailbox = Mailbox {
        id: MailboxId::new(),
        account_id: ctx.account_id,
        address,
        name,
        imap: input.imap,
        webhook_secret: format!("whsec_{}", base64_of(secret.as_bytes())),
        created_at: ctx.now(),
    };
    ctx.store.insert_mailbox(&mailbox).await?;
    let secret = mailbox.webhook_secret.clone();
    Ok((mailbox, secret))
}

pub async fn list_mailboxes(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<Mailbox>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.list_mailboxes(ctx.account_id).await?)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// How far a provider's signed timestamp may be from our clock.
const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// Mail posted by a provider's inbound webhook to a mailbox: raw MIME, signed with the mailbox's secret by the
/// Standard Webhooks scheme. Stored before the provider gets its 2xx.
pub async fn receive_posted(
    app: &App,
    ctx: &AccountCtx,
    mailbox: MailboxId,
    signature: (&str, &str, &str),
    raw: &[u8],
) -> Result<parley_domain::ids::InboundId, AppError> {
    let (msg_id, timestamp, sig) = signature;
    let Some(m) = ctx.store.get_mailbox(ctx.account_id, mailbox).await? else { return Err(AppError::NotFound) };
    let secret = parley_domain::webhook::WebhookSecret::parse(&m.webhook_secret)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a mailbox secret does not parse")))?;
    let ts: i64 = timestamp.parse().map_err(|_| AppError::Unauthenticated)?;
    if (ctx.now().millis() / 1000 - ts).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err(AppError::Unauthenticated);
    }
    let expected = secret.sign(msg_id, ts, raw);
    let ok = sig
        .split(' ')
        .any(|s| s.len() == expected.len() && s.bytes().zip(expected.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0);
    if !ok {
        return Err(AppError::Unauthenticated);
    }
    super::accept(app, ctx, "webhook", None, m.address.as_str(), raw).await
}

/// The mail a message was made from, byte for byte, for someone who may see its ticket.
pub async fn original(
    ctx: &AccountCtx,
    caller: &Caller,
    message: parley_domain::ids::MessageId,
) -> Result<Vec<u8>, AppError> {
    let (ticket, raw) = ctx.store.original_mail(ctx.account_id, message).await?.ok_or(AppError::NotFound)?;
    crate::tickets::visible(ctx, caller, ticket).await?;
    Ok(raw)
}
