//! Signed webhooks: verified by an independent implementation, retried when the receiver is down, delivered after
//! a restart, and kept away from private addresses unless the operator allows them.

use crate::helpers::{spawn_with, start, Engine, Options};
use parley_test_support::{Received, WebhookReceiver};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Verify a delivery with Python's standard library, following the Standard Webhooks specification: none of
/// Parley's code takes part.
fn verify_with_python(secret: &str, r: &Received) -> bool {
    let script = r#"
import base64, hashlib, hmac, sys
secret, msg_id, ts, sig_header, body_path = sys.argv[1:6]
key = base64.b64decode(secret.removeprefix("whsec_"))
body = open(body_path, "rb").read()
expected = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
ok = any(s.split(",", 1) == ["v1", expected] for s in sig_header.split(" "))
sys.exit(0 if ok else 1)
"#;
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    std::fs::write(&body, &r.body).unwrap();
    let h = |n: &str| r.headers.get(n).unwrap().to_str().unwrap().to_string();
    std::process::Command::new("python3")
        .args(["-c", script, secret, &h("webhook-id"), &h("webhook-timestamp"), &h("webhook-signature")])
        .arg(&body)
        .status()
        .expect("python3 runs")
        .success()
}

#[tokio::test]
async fn deliveries_are_signed_and_verifiable() {
    let app = spawn_with(Options::default()).await;
    let a = app.account("acme", "eu").await;
    let rx = WebhookReceiver::start().await;
    let (s, hook) = app
        .api(
            &a,
            Method::POST,
            "/webhooks",
            Some(json!({"url": rx.url(), "events": ["ticket.created", "ticket.updated", "message.created"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let t = app.ticket(&a, "Signed", "hello", "jane@example.com").await;
    let got = rx.wait_for(2, 20).await;
    assert!(got.len() >= 2, "ticket.created and message.created arrive: {}", got.len());
    let mut types = Vec::new();
    for r in &got {
        assert!(verify_with_python(&secret, r), "the signature verifies independently");
        let mut tampered = r.clone();
        tampered.body.push(b' ');
        assert!(!verify_with_python(&secret, &tampered), "a changed body does not verify");
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["data"]["ticket"]["id"], t["id"]);
        types.push(body["type"].as_str().unwrap().to_string());
        assert_eq!(r.headers["content-type"], "application/json");
    }
    assert!(
        types.contains(&"ticket.created".to_string()) && types.contains(&"message.created".to_string()),
        "{types:?}"
    );
    // The receiver answered; the outcome is recorded right after.
    let path = format!("/webhooks/{}", hook["webhook"]["id"].as_str().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, detail) = app.api(&a, Method::GET, &path, None).await;
        let ds = detail["deliveries"].as_array().unwrap();
        if ds.len() >= 2 && ds.iter().all(|d| d["last_status"] == 200 && d["attempts"] == 1) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "deliveries recorded as delivered: {detail}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_failed_delivery_is_retried_until_the_receiver_answers() {
    let app = spawn_with(Options { retry_delays: "1,1,1,1", ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    let rx = WebhookReceiver::start().await;
    rx.answer_with(503);
    app.api(&a, Method::POST, "/webhooks", Some(json!({"url": rx.url(), "events": ["ticket.created"]}))).await;
    let t = app.ticket(&a, "Retry me", "x", "jane@example.com").await;
    // Wait for the first failure to be recorded, then let the receiver recover.
    let hooks = app.api(&a, Method::GET, "/webhooks", None).await.1;
    let hook_id = hooks["webhooks"][0]["id"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (_, d) = app.api(&a, Method::GET, &format!("/webhooks/{hook_id}"), None).await;
        if d["deliveries"][0]["attempts"].as_i64().unwrap_or(0) >= 1 {
            assert!(d["deliveries"][0]["last_error"].as_str().unwrap().contains("503"), "{d}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no failed attempt was recorded");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    rx.answer_with(200);
    let got = rx.wait_for(1, 20).await;
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["data"]["ticket"]["id"], t["id"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, d) = app.api(&a, Method::GET, &format!("/webhooks/{hook_id}"), None).await;
        if d["deliveries"][0]["last_status"] == 200 {
            assert!(d["deliveries"][0]["attempts"].as_i64().unwrap() >= 2, "{d}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the delivery is recorded: {d}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn deliveries_survive_a_restart() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let app = spawn_with(Options { engine, retry_delays: "1,1,1,1,1,1", ..Default::default() }).await;
        let a = app.account("acme", "eu").await;
        let mut rx = WebhookReceiver::start().await;
        let addr = rx.addr;
        app.api(&a, Method::POST, "/webhooks", Some(json!({"url": rx.url(), "events": ["ticket.created"]}))).await;
        rx.stop();
        let t = app.ticket(&a, "Across a restart", "x", "jane@example.com").await;
        let (config, dir, pg) = app.stop().await;
        let rx = WebhookReceiver::start_on(addr).await;
        let app = start(config, dir, pg).await;
        let got = rx.wait_for(1, 30).await;
        assert_eq!(got.len(), 1, "{engine:?}: delivered after the restart");
        let body: Value = serde_json::from_slice(&got[0].body).unwrap();
        assert_eq!(body["data"]["ticket"]["id"], t["id"]);
        drop(app);
    }
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let app = spawn_with(Options { allow_private_webhooks: false, ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
    ] {
        let (s, p) =
            app.api(&a, Method::POST, "/webhooks", Some(json!({"url": url, "events": ["ticket.created"]}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {p}");
        assert_eq!(p["errors"][0]["field"], "url");
    }
}
