//! The delivery worker: leases due deliveries from each served region's outbox, posts them signed, and records the
//! outcome. Failed deliveries are retried on a schedule; a crashed worker's leases run out and another claims them.

use super::guard::{literal_allowed, GuardedResolver};
use crate::App;
use parley_domain::Timestamp;
use parley_store::{Delivery, DeliveryOutcome, WebhookQueue};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Retry schedule and limits for deliveries.
#[derive(Debug, Clone)]
pub struct DeliveryPolicy {
    /// Wait before each retry; after the last, the delivery is given up.
    pub retry_delays: Vec<Duration>,
    pub timeout: Duration,
    pub allow_private: bool,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        // The Standard Webhooks recommendation: about a day and a half of retries.
        let secs = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
        DeliveryPolicy {
            retry_delays: secs.into_iter().map(Duration::from_secs).collect(),
            timeout: Duration::from_secs(15),
            allow_private: false,
        }
    }
}

/// How long a claimed delivery stays with this worker before another may take it.
const LEASE: Duration = Duration::from_secs(60);
const BATCH: u32 = 32;

pub fn client(policy: &DeliveryPolicy) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        // A proxy from the environment would resolve and connect for us, around the guard.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(GuardedResolver { allow_private: policy.allow_private }))
        .user_agent(concat!("Parley-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Run until `stop` turns true: deliver what is due in every served region, then sleep until more is.
pub async fn run_worker(app: Arc<App>, policy: DeliveryPolicy, mut stop: watch::Receiver<bool>) {
    let client = match client(&policy) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; webhooks will not be delivered");
            return;
        }
    };
    loop {
        let mut sleep = Duration::from_millis(500);
        for cell in app.regions.working().await {
            let Ok(store) = cell.store().await else {
                continue;
            };
            match deliver_due(store, &client, &policy).await {
                Ok(n) if n > 0 => sleep = Duration::ZERO,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(region = %cell.spec.name, error = %e, "webhook delivery round failed")
                }
            }
            if let Ok(Some(due)) = store.next_due(Timestamp::now()).await {
                let wait = due.millis().saturating_sub(Timestamp::now().millis()).max(0) as u64;
                sleep = sleep.min(Duration::from_millis(wait));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep.max(Duration::from_millis(20))) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round on one region: claim what is due and deliver it. Returns how many deliveries were attempted.
pub async fn deliver_due(
    queue: &dyn WebhookQueue,
    client: &reqwest::Client,
    policy: &DeliveryPolicy,
) -> Result<usize, parley_store::StoreError> {
    let now = Timestamp::now();
    let lease = now.plus_seconds(LEASE.as_secs() as i64);
    let due = queue.claim_deliveries(now, lease, BATCH).await?;
    let n = due.len();
    let mut tasks = tokio::task::JoinSet::new();
    for d in due {
        let client = client.clone();
        let policy = policy.clone();
        tasks.spawn(async move {
            let outcome = attempt(&client, &policy, &d).await;
            (d, outcome)
        });
    }
    while let Some(done) = tasks.join_next().await {
        let Ok((d, outcome)) = done else { continue };
        match &outcome {
            DeliveryOutcome::Delivered { status } => {
                tracing::info!(webhook = %d.webhook_id, event = %d.event_id, status, "webhook delivered");
            }
            DeliveryOutcome::Failed { error, retry_at } => {
                tracing::warn!(webhook = %d.webhook_id, event = %d.event_id, attempt = d.attempts + 1, error = %error,
                    gave_up = retry_at.is_none(), "webhook delivery failed");
            }
        }
        // One outcome that cannot be recorded must not abandon the others in flight; this one is attempted again
        // when its lease runs out.
        if let Err(e) = queue.finish_delivery(&d.event_id, d.webhook_id, &outcome, Timestamp::now()).await {
            tracing::error!(webhook = %d.webhook_id, event = %d.event_id, error = %e, "could not record a delivery");
        }
    }
    Ok(n)
}

async fn attempt(client: &reqwest::Client, policy: &DeliveryPolicy, d: &Delivery) -> DeliveryOutcome {
    let failed = |error: String| {
        let retry_at = policy
            .retry_delays
            .get(usize::try_from(d.attempts).unwrap_or(usize::MAX))
            .map(|delay| Timestamp::from_millis(Timestamp::now().millis() + delay.as_millis() as i64));
        DeliveryOutcome::Failed { error, retry_at }
    };
    let Ok(url) = reqwest::Url::parse(&d.url) else {
        return failed("the stored URL does not parse".into());
    };
    if !literal_allowed(&url, policy.allow_private) {
        return failed("the URL points at a private address".into());
    }
    let ts = Timestamp::now().millis() / 1000;
    let signature = d.secret.sign(&d.event_id, ts, d.payload.as_bytes());
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.event_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone())
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => DeliveryOutcome::Delivered { status: r.status().as_u16() },
        Ok(r) => failed(format!("the receiver answered {}", r.status())),
        // Without the URL: webhook URLs often carry tokens, and this text is logged and shown.
        Err(e) => failed(format!("could not deliver: {}", error_chain(&e.without_url()))),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
