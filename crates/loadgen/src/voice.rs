//! Voice: calls placed by the Twilio stand-in of `parley-test-support` (signed webhooks, TwiML followed as Twilio
//! does) from concurrent callers for a while: three in four press 1, wait in the queue and hang up (a missed-call
//! ticket each); one in four leaves a voicemail whose recording the server fetches, keeps and deletes at the
//! stand-in meanwhile. Prints the webhooks answered per second and their latency, and how long the recordings took.

use crate::server::Server;
use crate::stats::Latencies;
use anyhow::Context;
use parley_test_support::{CallSpec, Step, TwilioStandIn};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SID: &str = "AC000000000000000000000000000000be";
const TOKEN: &str = "bench-auth-token-0123456789";
const NUMBER: &str = "+3612345678";

pub async fn run(callers: usize, seconds: u64) -> anyhow::Result<()> {
    println!("== voice on Sqlite: {callers} concurrent callers for {seconds} s");
    let ws = crate::server::Workspace::create(crate::Engine::Sqlite).await?;
    let result = bench(&ws, callers, seconds).await;
    ws.remove().await;
    result
}

async fn bench(ws: &crate::server::Workspace, callers: usize, seconds: u64) -> anyhow::Result<()> {
    let server = Server::start(&ws.dir, ws.env.clone())?;
    let created = server.bench_account_json()?;
    let key = created["api_key"].as_str().context("api key")?.to_string();
    let email = created["owner"]["email"].as_str().context("owner")?.to_string();
    let password = created["owner"]["password"].as_str().context("password")?.to_string();
    let site = format!("http://bench.localhost:{}", server.port);
    let api = format!("{site}/api/v1");

    // The owner switches voice on (consenting to its provider), then the account connects to the stand-in.
    let owner = crate::workspace::signed_in(&site, &email, &password).await?;
    let page = owner.get(format!("{site}/settings/privacy")).send().await?.text().await?;
    let at = page.find("name=\"_csrf\" value=\"").context("a CSRF field on the privacy page")? + 20;
    let csrf = page[at..].split('"').next().unwrap_or_default().to_string();
    let r = owner
        .post(format!("{site}/settings/privacy/features/voice"))
        .form(&[("_csrf", csrf.as_str()), ("enabled", "1"), ("consent", "1")])
        .send()
        .await?;
    anyhow::ensure!(r.status().is_redirection(), "switching voice on answered {}", r.status());
    let tw = TwilioStandIn::start(SID, TOKEN).await;
    let http = parley_test_support::http_client(false);
    let call = |method: reqwest::Method, path: &str, body: Value| {
        let req = http.request(method, format!("{api}{path}")).bearer_auth(&key).json(&body);
        async move {
            let r = req.send().await?;
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            anyhow::ensure!(status.is_success(), "{status}: {v}");
            Ok::<Value, anyhow::Error>(v)
        }
    };
    call(
        reqwest::Method::PUT,
        "/settings/voice",
        json!({"twilio": {"account_sid": tw.account_sid(), "auth_token": TOKEN,
        "api_base": tw.api_base()}}),
    )
    .await?;
    let orders = call(reqwest::Method::POST, "/departments", json!({"name": "Orders"})).await?;
    let ivr = call(
        reqwest::Method::POST,
        "/ivrs",
        json!({"name": "Main", "menus": [{"id": "main",
        "greeting": {"en": "Press 1 for orders, 2 to leave a message.", "hu": "Rendelésekért nyomja meg az 1-est."},
        "routes": [{"keys": "1", "action": "queue", "department_id": orders["id"], "tags": ["orders"]},
                   {"keys": "default", "action": "voicemail"}]}]}),
    )
    .await?;
    call(reqwest::Method::POST, "/phone-numbers", json!({"number": NUMBER, "ivr_id": ivr["id"]})).await?;

    let tw = Arc::new(tw);
    let placed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..callers {
        let (tw, placed, connect) = (tw.clone(), placed.clone(), format!("http://127.0.0.1:{}", server.port));
        let url = format!("{site}/voice/twilio/incoming");
        let status = format!("{site}/voice/twilio/status");
        tasks.push(tokio::spawn(async move {
            let mut out: Vec<(Duration, u16)> = Vec::new();
            let mut voicemails = 0u64;
            while Instant::now() < deadline {
                let n = placed.fetch_add(1, Ordering::Relaxed);
                // 500 callers, each calling again now and then (their calls join their open ticket).
                let from = format!("+3620{:07}", (n * 7 + c as u64) % 500);
                let mut spec = CallSpec::new(&connect, &url, &from, NUMBER);
                spec.status_callback = Some(status.clone());
                if n % 4 == 3 {
                    spec.digits = vec![Some("2".into())];
                    spec.record_seconds = 10;
                    voicemails += 1;
                } else {
                    spec.digits = vec![Some("1".into())];
                    spec.hang_up_after_waits = Some(3);
                }
                let log = tw.call(spec).await;
                if !log.steps.iter().any(|s| matches!(s, Step::Hangup | Step::Waited | Step::Recorded { .. })) {
                    eprintln!("a call went wrong: {}", log.ended);
                }
                out.extend(log.latencies.iter().copied().zip(log.requests.iter().map(|(_, s)| *s)));
            }
            (out, voicemails)
        }));
    }
    let (mut lat, mut failed, mut voicemails) = (Vec::new(), 0usize, 0u64);
    for t in tasks {
        let (out, v) = t.await?;
        voicemails += v;
        for (d, s) in out {
            if s == 200 {
                lat.push(d);
            } else {
                failed += 1;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let lat = Latencies::new(lat);
    println!(
        "  {} calls, {} signed webhooks answered ({failed} not 200): {:.0}/s; {}",
        placed.load(Ordering::Relaxed),
        lat.count(),
        lat.count() as f64 / elapsed,
        lat.summary()
    );
    let waiting = Instant::now();
    while (tw.deletions().len() as u64) < voicemails && waiting.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "  {voicemails} voicemails: {} recordings fetched into the region and {} deleted at the provider, the last {:.1} s after the calls ended",
        tw.downloads().len(),
        tw.deletions().len(),
        waiting.elapsed().as_secs_f64()
    );
    println!("  server RSS {:.1} MiB (peak {:.1} MiB)", server.rss_mib(), server.peak_rss_mib());
    Ok(())
}
