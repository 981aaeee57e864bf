//! Taking mail in: which account an address belongs to, and keeping the mail before saying yes.

use crate::regions::Resolution;
use crate::{AccountCtx, App, AppError};
use parley_domain::account::AccountSlug;
use parley_domain::email::EmailAddress;
use parley_domain::ids::InboundId;
use parley_domain::Invalid;
use parley_store::Inbound;

/// The account mail to this address reaches: `<anything>@<slug>.<mail domain>` or a mailbox address an account
/// configured. `None` for addresses that are not ours (or whose account is served by another region).
pub async fn recipient(app: &App, rcpt: &str) -> Result<Option<AccountCtx>, AppError> {
    let Ok(addr) = EmailAddress::parse(rcpt) else { return Ok(None) };
    let suffix = format!(".{}", app.settings.mail_domain);
    if let Some(label) = addr.domain().strip_suffix(&suffix) {
        let Ok(slug) = AccountSlug::parse(label) else { return Ok(None) };
        return match app.regions.resolve(&slug).await? {
            Resolution::Here(ctx) => Ok(Some(ctx)),
            // A temporary failure: the sender keeps the mail and tries again once the account is served.
            Resolution::Moving => Err(AppError::Unavailable(format!("'{slug}' is being moved to another region"))),
            _ => Ok(None),
        };
    }
    for cell in app.regions.working().await {
        let store = cell.store().await?;
        if let Some(mailbox) = parley_store::InboundStore::mailbox_by_address(store, &addr).await? {
            let Some(account) = parley_store::AccountStore::get_account(store, mailbox.account_id).await? else {
                continue;
            };
            return match app.regions.context(&account.slug).await {
                Ok(ctx) => Ok(Some(ctx)),
                Err(AppError::NotFound) => Ok(None),
                Err(e) => Err(e),
            };
        }
    }
    Ok(None)
}

/// Keep a received mail in the account's region. When this returns Ok the mail is on disk and may be acknowledged;
/// processing it into a ticket happens afterwards.
pub async fn accept(
    app: &App,
    ctx: &AccountCtx,
    source: &str,
    mail_from: Option<&str>,
    rcpt: &str,
    raw: &[u8],
) -> Result<InboundId, AppError> {
    if raw.len() > app.mail.max_message_bytes {
        return Err(Invalid::field("message", format!("is larger than {} bytes", app.mail.max_message_bytes)).into());
    }
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).take(320).collect::<String>();
    let inbound = Inbound {
        id: InboundId::new(),
        account_id: ctx.account_id,
        source: source.to_string(),
        mail_from: mail_from.map(clean),
        rcpt_to: clean(rcpt),
        received_at: ctx.now(),
    };
    ctx.store.store_inbound(&inbound, raw).await?;
    app.mail_arrived.notify_one();
    Ok(inbound.id)
}
