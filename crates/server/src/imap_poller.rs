//! Fetching mailboxes by IMAP. A supervisor reads the list of mailboxes with IMAP settings in every served region
//! and keeps one task per mailbox: started when a mailbox appears, stopped when it goes, restarted when its
//! settings change. A mailbox's task fetches what is new, then waits in IDLE where the server offers it (fetching
//! again when the server reports a change), or closes and sleeps the poll interval where it does not.
//!
//! A message is stored in the account's region first and only then flagged (or moved) on the server; the position
//! reached is saved after each message, so a crash costs at most a second fetch of one message, which processing
//! recognises by its Message-ID.

use parley_app::{email, AccountCtx, App};
use parley_domain::email::EmailAddress;
use parley_domain::ids::MailboxId;
use parley_domain::mailbox::{ImapSecurity, ImapSettings, Mailbox};
use parley_domain::region::RegionName;
use parley_mail::imap::{Idled, ImapConnection, ImapPosition, ImapTarget, Security};
use parley_store::RegionStore;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Most messages taken from one mailbox in one fetch.
const PER_ROUND: usize = 100;

/// The mailbox list is read at least this often, whatever the poll interval: a new mailbox, or a changed password,
/// should take effect in seconds. One small query per region.
const LIST_EVERY: Duration = Duration::from_secs(5);

/// RFC 2177: clients re-issue IDLE within 29 minutes, lest the server sign them out as inactive.
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

/// How long a stopping mailbox task may take to finish the message in hand before it is aborted (which is no worse
/// than a crash, see above).
const GRACE: Duration = Duration::from_secs(10);

/// A running mailbox task.
struct Fetcher {
    /// What the task was started with; a change restarts it.
    settings: (EmailAddress, ImapSettings),
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// How a connection's session ended without error.
enum Ended {
    Stopped,
    /// The server does not offer IDLE: sleep the poll interval, then connect again.
    NoIdle,
}

pub async fn run(app: Arc<App>, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut running: BTreeMap<(RegionName, MailboxId), Fetcher> = BTreeMap::new();
    let mut retiring = JoinSet::new();
    loop {
        supervise(&app, every, &mut running, &mut retiring).await;
        while retiring.try_join_next().is_some() {}
        tokio::select! {
            _ = tokio::time::sleep(every.min(LIST_EVERY)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
    for (_, fetcher) in std::mem::take(&mut running) {
        retiring.spawn(retire(fetcher));
    }
    while retiring.join_next().await.is_some() {}
}

/// One round: start, restart and stop mailbox tasks to match the mailboxes listed now.
async fn supervise(
    app: &Arc<App>,
    every: Duration,
    running: &mut BTreeMap<(RegionName, MailboxId), Fetcher>,
    retiring: &mut JoinSet<()>,
) {
    let mut listed = BTreeSet::new();
    // Regions whose list could not be read keep their tasks: a database hiccup stops no fetching.
    let mut unread = BTreeSet::new();
    for cell in app.regions.working().await {
        let region = cell.spec.name.clone();
        let Ok(store) = cell.store().await else {
            unread.insert(region);
            continue;
        };
        let mailboxes = match parley_store::InboundStore::imap_mailboxes(store).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(region = %region, error = %e, "could not list IMAP mailboxes");
                unread.insert(region);
                continue;
            }
        };
        for mailbox in mailboxes {
            let Some(imap) = mailbox.imap.clone() else { continue };
            let key = (region.clone(), mailbox.id);
            listed.insert(key.clone());
            let settings = (mailbox.address.clone(), imap);
            if running.get(&key).is_some_and(|f| f.settings == settings && !f.task.is_finished()) {
                continue;
            }
            let store: Arc<dyn RegionStore> = Arc::new(store.clone());
            let account = match store.get_account(mailbox.account_id).await {
                Ok(Some(a)) => a,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(region = %region, error = %e, "could not read a mailbox's account");
                    continue;
                }
            };
            let ctx = AccountCtx {
                account_id: account.id,
                slug: account.slug,
                region: region.clone(),
                store,
                clock: app.regions.clock().clone(),
            };
            // The old task, if any, finishes before the new one connects, so two never fetch the same mailbox.
            let previous = running.remove(&key);
            let (stop, stop_rx) = watch::channel(false);
            let task = tokio::spawn(serve(app.clone(), ctx, mailbox, every, stop_rx, previous));
            running.insert(key, Fetcher { settings, stop, task });
        }
    }
    let gone: Vec<_> = running.keys().filter(|k| !listed.contains(*k) && !unread.contains(&k.0)).cloned().collect();
    for key in gone {
        if let Some(fetcher) = running.remove(&key) {
            retiring.spawn(retire(fetcher));
        }
    }
}

/// Stops a mailbox task, giving it [`GRACE`] to finish the message in hand.
async fn retire(fetcher: Fetcher) {
    let Fetcher { stop, mut task, .. } = fetcher;
    let _ = stop.send(true);
    if tokio::time::timeout(GRACE, &mut task).await.is_err() {
        task.abort();
        let _ = task.await;
    }
}

/// Resolves once `stop` says so (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// One mailbox's task: a session after another, with a pause after each that ends without IDLE or with an error.
async fn serve(
    app: Arc<App>,
    ctx: AccountCtx,
    mailbox: Mailbox,
    every: Duration,
    mut stop: watch::Receiver<bool>,
    previous: Option<Fetcher>,
) {
    if let Some(previous) = previous {
        retire(previous).await;
    }
    let Some(imap) = &mailbox.imap else { return };
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
    loop {
        if *stop.borrow() {
            return;
        }
        match session(&app, &ctx, &mailbox, &target, every, &mut stop).await {
            Ok(Ended::Stopped) => return,
            Ok(Ended::NoIdle) => {}
            // No password in the errors: a refused sign-in is reported without the server's words.
            Err(e) => tracing::warn!(
                account = %ctx.slug, mailbox = %mailbox.address, host = %target.host, port = target.port,
                error = %e, "IMAP fetch failed; trying again after the poll interval"
            ),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stopped(&mut stop) => return,
        }
    }
}

/// One connection: fetch what is new, then wait in IDLE and fetch again on each change, for as long as the server
/// offers IDLE and nothing fails.
async fn session(
    app: &App,
    ctx: &AccountCtx,
    mailbox: &Mailbox,
    target: &ImapTarget,
    every: Duration,
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<Ended> {
    let mut conn = tokio::select! {
        conn = ImapConnection::open(target) => conn?,
        _ = stopped(stop) => return Ok(Ended::Stopped),
    };
    // IDLE is renewed at the poll interval when that is shorter than RFC 2177's limit: each renewal fetches, so a
    // server that takes IDLE but fails to report new mail (some proxies and gateways do) still has it fetched as
    // often as polling would, on the same connection.
    let renew = every.min(IDLE_RENEW);
    loop {
        loop {
            let more = fetch(app, ctx, mailbox, &mut conn, stop).await?;
            if *stop.borrow() {
                conn.close().await;
                return Ok(Ended::Stopped);
            }
            if !more {
                break;
            }
        }
        if !conn.can_idle() {
            conn.close().await;
            return Ok(Ended::NoIdle);
        }
        let (back, idled) = conn.idle(renew, stopped(stop)).await?;
        conn = back;
        if idled == Idled::Stopped {
            conn.close().await;
            return Ok(Ended::Stopped);
        }
    }
}

/// Fetches and stores at most [`PER_ROUND`] new messages, stopping early when told to; true when more are waiting.
async fn fetch(
    app: &App,
    ctx: &AccountCtx,
    mailbox: &Mailbox,
    conn: &mut ImapConnection,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<bool> {
    let Some(imap) = &mailbox.imap else { return Ok(false) };
    let from = ctx
        .store
        .imap_state(ctx.account_id, mailbox.id)
        .await?
        .and_then(|s| serde_json::from_str::<(u32, u32)>(&s).ok())
        .map(|(uid_validity, last_uid)| ImapPosition { uid_validity, last_uid })
        .unwrap_or_default();
    let fetched = conn.fetch_after(&imap.folder, from, PER_ROUND).await?;
    for (uid, raw) in fetched.messages {
        if *stop.borrow() {
            return Ok(false);
        }
        email::accept(app, ctx, "imap", None, mailbox.address.as_str(), &raw).await?;
        let position = serde_json::to_string(&(fetched.uid_validity, uid))?;
        ctx.store.set_imap_state(ctx.account_id, mailbox.id, &position).await?;
        conn.done(uid, imap.move_to.as_deref()).await?;
    }
    Ok(fetched.more)
}
