//! The mail workers: one turns stored mail into tickets, one sends the outbox through the relay. Both serve every
//! region this process serves and leave a crashed process's work to be taken up (pending mail stays pending;
//! leased outgoing mail is leased again when the lease runs out).

use super::process;
use super::relay::RelayUrl;
use crate::{AccountCtx, App};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::AsyncTransport;
use parley_domain::ids::{AccountId, InboundId};
use parley_domain::Timestamp;
use parley_store::{MailOutcome, OutboundMail, RegionStore};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How many times processing a mail may fail before it is set aside (it stays stored, marked failed).
const MAX_ATTEMPTS: u32 = 5;

/// Mail is processed in this many lanes at once. A sender's mail always takes the same lane, in the order it
/// arrived, so a reply is processed after the mail it answers.
const LANES: usize = 8;

type Failures = Arc<std::sync::Mutex<HashMap<InboundId, u32>>>;

pub async fn run_ingest(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let failures: Failures = Arc::default();
    loop {
        let mut progressed = false;
        for cell in app.regions.working().await {
            let Ok(store) = cell.store().await else { continue };
            let pending = match parley_store::InboundStore::pending_inbound(store, 256).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(region = %cell.spec.name, error = %e, "could not read pending mail");
                    continue;
                }
            };
            let mut lanes: Vec<Vec<(AccountId, InboundId)>> = vec![Vec::new(); LANES];
            for (account, id, sender) in pending {
                if failures.lock().map(|f| f.get(&id).copied().unwrap_or(0) >= MAX_ATTEMPTS).unwrap_or(false) {
                    continue;
                }
                let lane = sender.as_deref().map(lane_of).unwrap_or(0);
                lanes[lane].push((account, id));
            }
            let mut running = tokio::task::JoinSet::new();
            for lane in lanes.into_iter().filter(|l| !l.is_empty()) {
                let (app, failures, region) = (app.clone(), failures.clone(), cell.spec.name.clone());
                let store: Arc<dyn RegionStore> = Arc::new(store.clone());
                running.spawn(async move { work_lane(&app, store, region, lane, &failures).await });
            }
            while let Some(done) = running.join_next().await {
                progressed |= done.unwrap_or(false);
            }
        }
        if progressed {
            continue;
        }
        tokio::select! {
            _ = app.mail_arrived.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

fn lane_of(sender: &str) -> usize {
    let h = sender
        .to_ascii_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    (h % LANES as u64) as usize
}

/// Process one lane's mail in order. True if any was processed.
async fn work_lane(
    app: &App,
    store: Arc<dyn RegionStore>,
    region: parley_domain::region::RegionName,
    lane: Vec<(AccountId, InboundId)>,
    failures: &Failures,
) -> bool {
    let mut contexts: HashMap<AccountId, AccountCtx> = HashMap::new();
    let mut progressed = false;
    for (account_id, id) in lane {
        if !contexts.contains_key(&account_id) {
            let Ok(Some(account)) = store.get_account(account_id).await else { continue };
            let ctx = AccountCtx {
                account_id,
                slug: account.slug,
                region: region.clone(),
                store: store.clone(),
                clock: app.regions.clock().clone(),
            };
            contexts.insert(account_id, ctx);
        }
        let Some(ctx) = contexts.get(&account_id) else { continue };
        match process(app, ctx, id).await {
            Ok(outcome) => {
                progressed = true;
                if let Ok(mut f) = failures.lock() {
                    f.remove(&id);
                }
                tracing::debug!(account = %ctx.slug, inbound = %id, ?outcome, "mail processed");
            }
            Err(e) => {
                let n = failures
                    .lock()
                    .map(|mut f| {
                        let n = f.entry(id).or_insert(0);
                        *n += 1;
                        *n
                    })
                    .unwrap_or(MAX_ATTEMPTS);
                tracing::warn!(account = %ctx.slug, inbound = %id, attempt = n, error = %e, "mail processing failed");
                if n >= MAX_ATTEMPTS {
                    let _ = ctx.store.close_inbound(ctx.account_id, id, "failed").await;
                }
            }
        }
    }
    progressed
}

/// How outgoing mail is sent.
#[derive(Debug, Clone)]
pub struct SendPolicy {
    pub relay: Option<RelayUrl>,
    /// Wait before each retry; after the last, the mail is marked failed.
    pub retry_delays: Vec<Duration>,
}

impl Default for SendPolicy {
    fn default() -> Self {
        let secs = [30, 120, 600, 1800, 3600, 7200, 14_400];
        SendPolicy { relay: None, retry_delays: secs.into_iter().map(Duration::from_secs).collect() }
    }
}

const LEASE_SECS: i64 = 120;

pub async fn run_sender(app: Arc<App>, policy: SendPolicy, mut stop: watch::Receiver<bool>) {
    let transport = match policy.relay.as_ref().map(RelayUrl::transport) {
        None => {
            tracing::warn!("no mail relay is configured (PARLEY_SMTP_RELAY): outgoing mail stays queued");
            return;
        }
        Some(Err(e)) => {
            tracing::error!(error = %e, "the mail relay cannot be used; outgoing mail stays queued");
            return;
        }
        Some(Ok(t)) => t,
    };
    loop {
        let mut sent_any = false;
        for cell in app.regions.working().await {
            let Ok(store) = cell.store().await else { continue };
            let now = Timestamp::now();
            let claimed = match parley_store::MailOutbox::claim_mail(store, now, now.plus_seconds(LEASE_SECS), 16).await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(region = %cell.spec.name, error = %e, "could not read the mail outbox");
                    continue;
                }
            };
            // Whether each account lets its mail go through the relay, read once a round.
            let mut allowed: HashMap<AccountId, bool> = HashMap::new();
            for (mail, attempts) in claimed {
                sent_any = true;
                let outcome = match is_service_mail(&mail.kind) {
                    true => Ok(true),
                    false => relay_allowed(store, &mut allowed, mail.account_id).await,
                };
                let outcome = match outcome {
                    Ok(true) => send_one(store, &transport, &mail, attempts, &policy).await,
                    Ok(false) => MailOutcome::Failed {
                        error: "not sent: the account has not switched on email delivery (the email feature), so \
                                its mail is not handed to the relay; an owner switches it on on the privacy page"
                            .into(),
                    },
                    Err(error) => MailOutcome::Retry { error, at: now.plus_seconds(30) },
                };
                match &outcome {
                    MailOutcome::Sent => tracing::info!(mail = %mail.id, kind = %mail.kind, "mail sent"),
                    MailOutcome::Retry { error, .. } => {
                        tracing::warn!(mail = %mail.id, error = %error, "mail not sent; will retry")
                    }
                    MailOutcome::Failed { error } => {
                        tracing::warn!(mail = %mail.id, error = %error, "mail could not be sent")
                    }
                }
                if let Err(e) =
                    parley_store::MailOutbox::finish_mail(store, mail.account_id, &mail.id, &outcome, Timestamp::now())
                        .await
                {
                    tracing::error!(mail = %mail.id, error = %e, "could not record how sending went");
                }
            }
        }
        if sent_any {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Mail the operator sends the account's own people about the service (a password reset or an invitation to set
/// one, a change of the subprocessor register, a security incident) goes out whatever the account's features.
/// Everything else carries
/// the account's conversations (replies, acknowledgements, agents' notifications, customers' sign-in links), and
/// the relay is a third party: it gets that mail only from accounts that switched email on, with an owner's consent.
fn is_service_mail(kind: &str) -> bool {
    matches!(kind, "password_reset" | "agent_invitation" | "register_change" | "incident")
}

async fn relay_allowed(
    store: &parley_store_sql::SqlStore,
    known: &mut HashMap<AccountId, bool>,
    account: AccountId,
) -> Result<bool, String> {
    if let Some(&ok) = known.get(&account) {
        return Ok(ok);
    }
    let on = parley_store::FeatureStore::enabled_features(store, account)
        .await
        .map_err(|e| format!("could not read the account's features: {e}"))?;
    let ok = on.contains(&parley_domain::subprocessors::Feature::Email);
    known.insert(account, ok);
    Ok(ok)
}

async fn send_one(
    store: &parley_store_sql::SqlStore,
    transport: &lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    mail: &OutboundMail,
    attempts: i64,
    policy: &SendPolicy,
) -> MailOutcome {
    let message = match build(store, mail).await {
        Ok(m) => m,
        Err(e) => return MailOutcome::Failed { error: e },
    };
    match transport.send(message).await {
        Ok(_) => MailOutcome::Sent,
        Err(e) if e.is_permanent() => MailOutcome::Failed { error: format!("the relay refused it: {e}") },
        Err(e) => match policy.retry_delays.get(usize::try_from(attempts).unwrap_or(usize::MAX)) {
            Some(d) => {
                MailOutcome::Retry { error: e.to_string(), at: Timestamp::now().plus_seconds(d.as_secs() as i64) }
            }
            None => MailOutcome::Failed { error: format!("gave up after {} attempts: {e}", attempts + 1) },
        },
    }
}

/// Header text from our own data: one line, no control characters. (lettre encodes what is left.)
fn one_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

#[derive(Clone)]
struct SuppressAutoResponse;

impl Header for SuppressAutoResponse {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(SuppressAutoResponse)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".into())
    }
}

async fn build(store: &parley_store_sql::SqlStore, mail: &OutboundMail) -> Result<lettre::Message, String> {
    let meta = &mail.meta;
    let addr = |s: &str| s.parse::<lettre::Address>().map_err(|e| format!("'{s}' is not an address: {e}"));
    let from = Mailbox::new(meta.from_name.as_deref().map(one_line), addr(&meta.from)?);
    let mut b = lettre::Message::builder()
        .from(from)
        .to(Mailbox::new(None, addr(&mail.to)?))
        .subject(one_line(&mail.subject))
        .date_now();
    if !meta.message_id.is_empty() {
        b = b.message_id(Some(format!("<{}>", one_line(&meta.message_id))));
    }
    for cc in &meta.cc {
        b = b.cc(Mailbox::new(None, addr(cc)?));
    }
    if let Some(r) = &meta.reply_to {
        b = b.reply_to(Mailbox::new(None, addr(r)?));
    }
    if let Some(r) = &meta.in_reply_to {
        b = b.in_reply_to(format!("<{}>", one_line(r)));
    }
    if !meta.references.is_empty() {
        b = b.references(meta.references.iter().map(|r| format!("<{}>", one_line(r))).collect::<Vec<_>>().join(" "));
    }
    if meta.automatic {
        b = b.header(AutoSubmitted).header(SuppressAutoResponse);
    }
    let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone());
    let body = match &meta.html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone())),
        None => MultiPart::mixed().singlepart(text),
    };
    let mut mixed = MultiPart::mixed().multipart(body);
    for att in &meta.attachments {
        let found =
            parley_store::InboundStore::attachment(store, mail.account_id, *att).await.map_err(|e| e.to_string())?;
        if let Some((info, _, data)) = found {
            let ct = ContentType::parse(&info.content_type)
                .unwrap_or(ContentType::parse("application/octet-stream").map_err(|e| e.to_string())?);
            mixed = mixed.singlepart(lettre::message::Attachment::new(one_line(&info.filename)).body(data, ct));
        }
    }
    b.multipart(mixed).map_err(|e| e.to_string())
}
