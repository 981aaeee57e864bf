//! Who an account's mail comes from, and the key its marks are signed with.

use crate::{AccountCtx, App, AppError};
use parley_domain::mail_template::MailSettings;

#[derive(Clone)]
pub struct Identity {
    /// The From address: the account's first mailbox, or `support@<slug>.<mail domain>`.
    pub from: String,
    pub name: String,
    /// `<slug>.<mail domain>`: the host part of the account's addresses and Message-IDs.
    pub host: String,
    pub secret: Vec<u8>,
    /// Language for automatic mail when the customer's is not known.
    pub language: String,
    /// Whether and in what words the account acknowledges new tickets.
    pub settings: MailSettings,
}

pub async fn identity(app: &App, ctx: &AccountCtx) -> Result<Identity, AppError> {
    let host = format!("{}.{}", ctx.slug, app.settings.mail_domain);
    let i = ctx.store.mail_identity(ctx.account_id).await?;
    let from = i.mailbox.unwrap_or_else(|| format!("support@{host}"));
    Ok(Identity { from, name: i.name, host, secret: i.secret, language: i.language, settings: i.settings })
}
