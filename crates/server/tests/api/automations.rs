//! Automations (time rules) from outside, on the app's clock and both engines: a new account's rule closes a ticket
//! solved four days ago, not one solved a minute less; a rule on pending tickets fires once per time a ticket
//! becomes pending, however many rounds pass; bad rules are refused with the field named; another account's rules
//! are unknown.

use crate::helpers::{spawn_with, Engine, Options, TestAccount, TestApp};
use parley_domain::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn clock_to(app: &TestApp, when: &str) {
    app.app.regions.clock().set(Timestamp::parse(when).unwrap());
}

async fn get(app: &TestApp, a: &TestAccount, id: &str) -> Value {
    let (s, t) = app.api(a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t
}

fn ran(t: &Value) -> Vec<String> {
    t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "automation_fired")
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until the ticket's automations have fired `n` times (the runner looks every second here).
async fn fired(app: &TestApp, a: &TestAccount, id: &str, n: usize) -> Value {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        if ran(&get(app, a, id).await).len() >= n {
            return get(app, a, id).await;
        }
        assert!(Instant::now() < end, "{n} automations fired on {id}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn set_status(app: &TestApp, a: &TestAccount, id: &str, status: &str) {
    let (s, t) = app.api(a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": status}))).await;
    assert_eq!(s, StatusCode::OK, "{t}");
}

async fn automations_story(engine: Engine) {
    let app = spawn_with(Options {
        engine,
        env: vec![("PARLEY_AUTOMATION_EVERY_SECS".into(), "1".into())],
        ..Default::default()
    })
    .await;
    clock_to(&app, "2026-03-02T09:00:00Z");
    let a = app.account("acme", "eu").await;
    let (_, list) = app.api(&a, Method::GET, "/automations", None).await;
    assert_eq!(list["automations"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["automations"][0]["name"], "Close solved tickets after 4 days");
    assert_eq!(list["automations"][0]["after"], json!({"hours": 96, "since": "solved", "business_hours": false}));

    // Solved on Monday at 09:00: still resolved on Friday at 08:59, closed once it is 09:00.
    let t = app.ticket(&a, "Thanks", "All good now", "jane@customer.example").await;
    let solved = t["id"].as_str().unwrap().to_string();
    set_status(&app, &a, &solved, "resolved").await;
    let t = app.ticket(&a, "Later", "Another", "joe@customer.example").await;
    let later = t["id"].as_str().unwrap().to_string();
    clock_to(&app, "2026-03-02T10:00:00Z");
    set_status(&app, &a, &later, "resolved").await;
    clock_to(&app, "2026-03-06T08:59:00Z");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(get(&app, &a, &solved).await["status"], "resolved", "not four days yet");
    clock_to(&app, "2026-03-06T09:00:00Z");
    let t = fired(&app, &a, &solved, 1).await;
    assert_eq!(t["status"], "closed");
    assert_eq!(ran(&t), ["Close solved tickets after 4 days"]);
    assert_eq!(get(&app, &a, &later).await["status"], "resolved", "solved an hour later: not yet");

    // A rule on pending tickets that leaves them pending: once per time a ticket becomes pending.
    let (s, nudge) = app
        .api(&a, Method::POST, "/automations", Some(json!({"name": "Nudge", "after": {"hours": 48, "since": "status_changed"},
            "conditions": {"all": [{"field": "status", "operator": "is", "value": "pending"}]},
            "actions": [{"action": "add_tags", "value": ["nudged"]}, {"action": "add_note", "value": "Waiting two days on {{requester.email}}"}]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{nudge}");
    let t = app.ticket(&a, "Waiting", "Tell me", "ann@customer.example").await;
    let waiting = t["id"].as_str().unwrap().to_string();
    set_status(&app, &a, &waiting, "pending").await;
    clock_to(&app, "2026-03-08T09:00:01Z");
    let t = fired(&app, &a, &waiting, 1).await;
    assert_eq!(t["tags"], json!(["nudged"]));
    assert_eq!(t["status"], "pending");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(ran(&get(&app, &a, &waiting).await), ["Nudge"], "once for this time it became pending");
    // Open, then pending again: a new moment, a new nudge two days later.
    set_status(&app, &a, &waiting, "open").await;
    set_status(&app, &a, &waiting, "pending").await;
    clock_to(&app, "2026-03-10T09:00:02Z");
    let t = fired(&app, &a, &waiting, 2).await;
    assert_eq!(ran(&t), ["Nudge", "Nudge"]);

    // Bad rules, named; another account sees none of them.
    let (s, e) = app
        .api(
            &a,
            Method::POST,
            "/automations",
            Some(json!({"name": "x", "after": {"hours": 0, "since": "birth"},
            "conditions": {"all": [{"field": "status", "operator": "changed_to", "value": "open"}]},
            "actions": [{"action": "set", "field": "priority", "value": "extreme"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["after.hours", "after.since", "conditions.all[0].operator", "actions[0].value"], "{e}");
    let other = app.account("globex", "eu").await;
    let id = nudge["id"].as_str().unwrap();
    let (s, _) = app.api(&other, Method::GET, &format!("/automations/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::DELETE, &format!("/automations/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::DELETE, &format!("/automations/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn automations_on_sqlite() {
    automations_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn automations_on_postgres() {
    automations_story(Engine::Postgres).await;
}

/// Two `parley serve` processes on one region's PostgreSQL, both looking every second at tickets solved five days
/// before their clocks: each ticket is closed once, by one of them.
#[tokio::test]
async fn two_processes_fire_a_time_rule_once() {
    use crate::cli::{parley, Server};
    use parley_test_support::{http_client, PgTestDb};

    let directory = PgTestDb::create().await;
    let region = PgTestDb::create().await;
    let base = [
        ("PARLEY_DIRECTORY_URL", directory.url()),
        ("PARLEY_REGION_EU_DATABASE_URL", region.url()),
        ("PARLEY_REGIONS", "eu"),
        ("PARLEY_AUTOMATION_EVERY_SECS", "1"),
    ];
    let then: Vec<(&str, &str)> = base.iter().copied().chain([("PARLEY_TEST_CLOCK", "2026-03-02T09:00:00Z")]).collect();
    let later: Vec<(&str, &str)> =
        base.iter().copied().chain([("PARLEY_TEST_CLOCK", "2026-03-07T09:00:00Z")]).collect();
    let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let o = parley(
        dir1.path(),
        &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
        &then,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let made: Value = serde_json::from_slice(&o.stdout).unwrap();
    let key = made["api_key"].as_str().unwrap().to_string();
    let http = http_client(false);
    let call = |server: &Server, method: Method, path: &str, body: Option<Value>| {
        let mut req = http.request(method, server.url("acme", &format!("/api/v1{path}"))).bearer_auth(&key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let r = req.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // Monday: ten tickets solved.
    let mut first = Server::start(dir1.path(), &then);
    let mut ids = Vec::new();
    for i in 0..10 {
        let (s, t) = call(
            &first,
            Method::POST,
            "/tickets",
            Some(json!({"subject": format!("T{i}"),
            "message": {"body": "hi"}, "requester": {"email": format!("c{i}@example.com")}, "status": "resolved"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    // Saturday, on two processes.
    let one = Server::start(dir1.path(), &later);
    let two = Server::start(dir2.path(), &later);
    let end = Instant::now() + Duration::from_secs(30);
    for id in &ids {
        loop {
            let (_, t) = call(&two, Method::GET, &format!("/tickets/{id}"), None).await;
            if t["status"] == "closed" {
                break;
            }
            assert!(Instant::now() < end, "closed: {t}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // Both keep looking for a while: each ticket was closed once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for id in &ids {
        let (_, t) = call(&one, Method::GET, &format!("/tickets/{id}"), None).await;
        assert_eq!(ran(&t), ["Close solved tickets after 4 days"], "{t}");
    }
    drop((one, two));
}
