//! "Test connection" for a mailbox fetched by IMAP: connect and sign in the way the fetcher will, and say what
//! happened, so an admin finds a wrong password or port before mail goes missing.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::ids::MailboxId;
use parley_domain::mailbox::ImapSecurity;
use parley_mail::imap::{ImapConnection, ImapTarget, Security};
use std::time::Duration;

/// The outcome of a test: `detail` is the server's refusal or the connection error, in words an admin can act on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImapCheck {
    pub ok: bool,
    pub detail: String,
}

/// An admin waits on the page for the answer: a server that does not answer is reported well before the
/// fetcher's own limit.
const TEST_LIMIT: Duration = Duration::from_secs(20);

/// Connect to the mailbox's IMAP server and sign in. A mailbox without IMAP settings is a `422` on `imap`.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id, mailbox = %id))]
pub async fn test_imap(ctx: &AccountCtx, caller: &Caller, id: MailboxId) -> Result<ImapCheck, AppError> {
    caller.require_admin()?;
    let mailbox = ctx.store.get_mailbox(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let Some(imap) = mailbox.imap else {
        return Err(parley_domain::Invalid::field("imap", "this mailbox is not fetched by IMAP").into());
    };
    let target = ImapTarget {
        host: imap.host.clone(),
        port: imap.port,
        security: match imap.security {
            ImapSecurity::Imaps => Security::Imaps,
            ImapSecurity::Starttls => Security::Starttls,
            ImapSecurity::Plain => Security::Plain,
        },
        user: imap.user.clone(),
        password: imap.password.clone(),
        folder: imap.folder.clone(),
    };
    let check = match tokio::time::timeout(TEST_LIMIT, ImapConnection::open(&target)).await {
        Ok(Ok(conn)) => {
            conn.close().await;
            ImapCheck { ok: true, detail: format!("signed in to {}:{} as {}", imap.host, imap.port, imap.user) }
        }
        Ok(Err(e)) => ImapCheck { ok: false, detail: e.to_string() },
        Err(_) => {
            ImapCheck { ok: false, detail: format!("the server did not answer within {} s", TEST_LIMIT.as_secs()) }
        }
    };
    tracing::info!(ok = check.ok, "IMAP connection tested");
    Ok(check)
}
