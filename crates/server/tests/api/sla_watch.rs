//! SLA end to end, on the app's clock: the Budapest calendar and urgent policy; a ticket written at 16:30 on
//! a Friday is due for its first reply on Monday at 08:30; its warning and breach are told once each (timeline,
//! webhook, mail to the assignee), however many rounds the watch makes; pending pauses the resolution clock and
//! open resumes it; lists filter and sort by SLA. On both engines.

use crate::helpers::{spawn_with, Engine, Options, TestAccount, TestApp};
use parley_domain::Timestamp;
use parley_test_support::{CaptureRelay, WebhookReceiver};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

fn at(rfc3339: &str) -> Timestamp {
    Timestamp::parse(rfc3339).unwrap()
}

/// Moves the app's clock (only tests can: the `test-clock` feature) and lets the watch look.
async fn clock_to(app: &TestApp, when: &str) {
    app.app.regions.clock().set(at(when));
}

async fn ticket(app: &TestApp, a: &TestAccount, id: &str) -> Value {
    let (s, t) = app.api(a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t
}

fn target<'a>(t: &'a Value, metric: &str) -> &'a Value {
    t["sla"]["targets"].as_array().unwrap().iter().find(|x| x["metric"] == metric).unwrap_or_else(|| panic!("{t}"))
}

fn sla_events(t: &Value) -> Vec<String> {
    t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|k| k.starts_with("sla_"))
        .map(str::to_string)
        .collect()
}

/// Waits until the ticket's timeline holds `n` SLA events (the watch looks twice a second).
async fn wait_events(app: &TestApp, a: &TestAccount, id: &str, n: usize) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let t = ticket(app, a, id).await;
        if sla_events(&t).len() >= n {
            return t;
        }
        assert!(std::time::Instant::now() < deadline, "{n} SLA events expected: {:?}", sla_events(&t));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn listed(app: &TestApp, a: &TestAccount, query: &str) -> Vec<String> {
    let (s, l) = app.api(a, Method::GET, &format!("/tickets?{query}"), None).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    l["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

fn hooks_of(rx: &WebhookReceiver, kind: &str) -> Vec<Value> {
    rx.received()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| b["type"] == kind)
        .collect()
}

fn mail_with_subject(relay: &CaptureRelay, to: &str, subject: &str) -> usize {
    relay
        .mail()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == to) && m.header("Subject").is_some_and(|s| s.starts_with(subject)))
        .count()
}

async fn sla_story(engine: Engine) {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options {
        engine,
        env: vec![("PARLEY_SMTP_RELAY".into(), relay.url()), ("PARLEY_MAIL_RETRY_DELAYS".into(), "1,1".into())],
        ..Default::default()
    })
    .await;
    // Friday 9 January 2026, 16:30 in Budapest (UTC+1). The clock stands still until moved.
    clock_to(&app, "2026-01-09T15:30:00Z").await;
    let a = app.account("acme", "eu").await;
    app.switch_on_email(&a).await;
    let rx = WebhookReceiver::start().await;
    let (s, hook) = app
        .api(&a, Method::POST, "/webhooks", Some(json!({"url": rx.url(), "events": ["sla.warning", "sla.breached"]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let (s, ada) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "ada@acme.example", "name": "Ada", "role": "agent"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ada}");
    let ada = ada["agent"]["id"].as_str().unwrap().to_string();
    let (s, hours) = app
        .api(
            &a,
            Method::POST,
            "/business-hours",
            Some(json!({"name": "Budapest", "time_zone": "Europe/Budapest", "periods": [
                {"day": "mon", "start": "08:00", "end": "12:00"}, {"day": "mon", "start": "13:00", "end": "17:00"},
                {"day": "tue", "start": "08:00", "end": "12:00"}, {"day": "tue", "start": "13:00", "end": "17:00"},
                {"day": "wed", "start": "08:00", "end": "12:00"}, {"day": "wed", "start": "13:00", "end": "17:00"},
                {"day": "thu", "start": "08:00", "end": "12:00"}, {"day": "thu", "start": "13:00", "end": "17:00"},
                {"day": "fri", "start": "08:00", "end": "12:00"}, {"day": "fri", "start": "13:00", "end": "17:00"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hours}");
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/sla-policies",
            Some(json!({"name": "Urgent tickets",
                "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}]},
                "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": true},
                            {"priority": "urgent", "metric": "resolution", "minutes": 480, "business_hours": true}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");

    // A customer writes at 16:30 on a Friday; the ticket is urgent and Ada's.
    let (s, t) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "Refund please", "message": {"body": "I was charged twice."},
            "requester": {"email": "jane@customer.example"}, "priority": "urgent", "assignee_id": ada})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let calm = app.ticket(&a, "Just a question", "When do you open?", "joe@customer.example").await;
    let calm = calm["id"].as_str().unwrap().to_string();
    let t = wait_events(&app, &a, &id, 1).await;
    assert_eq!(sla_events(&t), ["sla_applied"]);
    assert_eq!(target(&t, "first_reply")["due_at"], "2026-01-12T07:30:00Z", "Monday 08:30 in Budapest: {t}");
    assert_eq!(target(&t, "first_reply")["state"], "active");

    // Lists: by state, and the soonest due first (a ticket without SLA last, either way the filter goes).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while listed(&app, &a, "sla=active").await != std::slice::from_ref(&id) {
        assert!(std::time::Instant::now() < deadline, "the urgent ticket is listed as running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(listed(&app, &a, "sort=sla_due").await, [id.clone(), calm.clone()]);
    assert_eq!(listed(&app, &a, "sort=-sla_due").await, [calm.clone(), id.clone()]);
    assert!(listed(&app, &a, "sla=breached").await.is_empty());
    assert_eq!(listed(&app, &a, "sla_due_before=2026-01-12T08:00:00Z").await, std::slice::from_ref(&id));
    assert!(listed(&app, &a, "sla_due_before=2026-01-12T07:00:00Z").await.is_empty());
    let (s, bad) = app.api(&a, Method::GET, "/tickets?sla=late", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "sla", "{bad}");

    // Monday 08:16: the first reply is due within 15 minutes. Told once: timeline, webhook, mail to Ada.
    clock_to(&app, "2026-01-12T07:16:00Z").await;
    let t = wait_events(&app, &a, &id, 2).await;
    assert_eq!(sla_events(&t), ["sla_applied", "sla_warning"]);
    let warned = rx.wait_for(1, 15).await;
    assert_eq!(warned.len(), 1);
    let body: Value = serde_json::from_slice(&warned[0].body).unwrap();
    assert_eq!(body["type"], "sla.warning");
    assert_eq!(body["data"]["ticket"]["id"], id.as_str());
    assert_eq!(body["data"]["target"]["metric"], "first_reply");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while mail_with_subject(&relay, "ada@acme.example", "SLA due soon: first reply on ticket #1") < 1 {
        assert!(std::time::Instant::now() < deadline, "the warning reaches Ada by mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // 08:20: Ada answers in time and sets the ticket pending: first reply met, resolution paused.
    clock_to(&app, "2026-01-12T07:20:00Z").await;
    let (s, m) =
        app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "Looking into it."}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let (s, u) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "pending"}))).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    let t = wait_events(&app, &a, &id, 4).await;
    assert_eq!(sla_events(&t), ["sla_applied", "sla_warning", "sla_fulfilled", "sla_paused"], "{t}");
    assert_eq!(target(&t, "first_reply")["state"], "fulfilled");
    assert_eq!(target(&t, "resolution")["state"], "paused");
    assert!(listed(&app, &a, "sla=paused").await.contains(&id));

    // Tuesday 09:00 it is open again: 50 business minutes were spent (Friday 30, Monday 20), 430 remain: Tuesday
    // 09:00–12:00 and 13:00–17:00 give 420, so it is due on Wednesday at 08:10.
    clock_to(&app, "2026-01-13T08:00:00Z").await;
    let (s, u) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "open"}))).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    let t = wait_events(&app, &a, &id, 5).await;
    assert_eq!(sla_events(&t)[4], "sla_resumed", "{:?} {t}", sla_events(&t));
    assert_eq!(target(&t, "resolution")["due_at"], "2026-01-14T07:10:00Z", "{t}");

    // Wednesday 08:30, nobody looked in between: the breach is told (without a warning it is too late for), once.
    clock_to(&app, "2026-01-14T07:30:00Z").await;
    let t = wait_events(&app, &a, &id, 6).await;
    assert_eq!(sla_events(&t)[5], "sla_breached", "{t}");
    assert_eq!(target(&t, "resolution")["breached_at"], "2026-01-14T07:10:00Z");
    rx.wait_for(2, 15).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while mail_with_subject(&relay, "ada@acme.example", "SLA breached: resolution on ticket #1") < 1 {
        assert!(std::time::Instant::now() < deadline, "the breach reaches Ada by mail");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(listed(&app, &a, "sla=breached").await, std::slice::from_ref(&id));
    // Many rounds later, and a day on: still one warning and one breach, by webhook and by mail.
    clock_to(&app, "2026-01-15T07:30:00Z").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(hooks_of(&rx, "sla.breached").len(), 1, "one breach webhook");
    assert_eq!(hooks_of(&rx, "sla.warning").len(), 1, "one warning webhook");
    assert_eq!(mail_with_subject(&relay, "ada@acme.example", "SLA breached"), 1);
    assert_eq!(mail_with_subject(&relay, "ada@acme.example", "SLA due soon"), 1);
    assert_eq!(sla_events(&ticket(&app, &a, &id).await).len(), 6);

    // Another account sees none of it.
    let other = app.account("globex", "eu").await;
    let (s, _) = app.api(&other, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(listed(&app, &other, "sla=breached").await.is_empty());
}

#[tokio::test]
async fn sla_is_watched_on_sqlite() {
    sla_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn sla_is_watched_on_postgres() {
    sla_story(Engine::Postgres).await;
}
