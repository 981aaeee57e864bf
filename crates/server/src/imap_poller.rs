//! Fetching mailboxes by IMAP: every mailbox with IMAP settings in every served region, each round. A message is
//! stored in the account's region first and only then flagged (or moved) on the server; the position reached is
//! saved after each message, so a crash costs at most a second fetch of one message, which processing recognises
//! by its Message-ID.

use parley_app::{email, AccountCtx, App};
use parley_domain::mailbox::{ImapSecurity, Mailbox};
use parley_mail::imap::{ImapConnection, ImapPosition, ImapTarget, Security};
use parley_store::RegionStore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Most messages taken from one mailbox in one round.
const PER_ROUND: usize = 100;

pub async fn run(app: Arc<App>, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        for cell in app.regions.served() {
            let Ok(store) = cell.store().await else { continue };
            let mailboxes = match parley_store::InboundStore::imap_mailboxes(store).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(region = %cell.spec.name, error = %e, "could not list IMAP mailboxes");
                    continue;
                }
            };
            for mailbox in mailboxes {
                let store: Arc<dyn RegionStore> = Arc::new(store.clone());
                let Ok(Some(account)) = store.get_account(mailbox.account_id).await else { continue };
                let ctx =
                    AccountCtx { account_id: account.id, slug: account.slug, region: cell.spec.name.clone(), store };
                if let Err(e) = poll(&app, &ctx, &mailbox).await {
                    tracing::warn!(account = %ctx.slug, mailbox = %mailbox.address, error = %e, "IMAP fetch failed");
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

async fn poll(app: &App, ctx: &AccountCtx, mailbox: &Mailbox) -> anyhow::Result<()> {
    let Some(imap) = &mailbox.imap else { return Ok(()) };
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
    let from = ctx
        .store
        .imap_state(ctx.account_id, mailbox.id)
        .await?
        .and_then(|s| serde_json::from_str::<(u32, u32)>(&s).ok())
        .map(|(uid_validity, last_uid)| ImapPosition { uid_validity, last_uid })
        .unwrap_or_default();
    let mut conn = ImapConnection::open(&target).await?;
    let (validity, messages) = conn.fetch_after(&target.folder, from, PER_ROUND).await?;
    for (uid, raw) in messages {
        email::accept(app, ctx, "imap", None, mailbox.address.as_str(), &raw).await?;
        ctx.store.set_imap_state(ctx.account_id, mailbox.id, &serde_json::to_string(&(validity, uid))?).await?;
        conn.done(uid, imap.move_to.as_deref()).await?;
    }
    conn.close().await;
    Ok(())
}
