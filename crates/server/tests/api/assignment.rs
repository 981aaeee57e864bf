//! Assignment of new tickets (issue 15, item 5), on both engines: off by default; switched on, new API tickets go
//! to the available agents of their department (never to one who is offline), least busy first, each up to the
//! limit of open tickets; a ticket nobody can take waits until an agent finishes one; with business hours asked
//! for, nothing is offered while the hours are closed and waiting tickets go out when they open. Bad settings are
//! refused by field; changes are audited.

use crate::chat_routing::{agent, online};
use crate::helpers::{spawn_with, Engine, Options, TestAccount, TestApp};
use parley_domain::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn open_in(app: &TestApp, a: &TestAccount, department: &Value, subject: &str) -> String {
    let (s, t) = app
        .api(
            a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": subject, "message": {"body": "Hello"},
            "requester": {"email": "jane@customer.example"}, "department_id": department["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t["id"].as_str().unwrap().to_string()
}

async fn assignee(app: &TestApp, a: &TestAccount, id: &str) -> Option<String> {
    let (s, t) = app.api(a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t["assignee_id"].as_str().map(str::to_string)
}

/// Waits until the ticket has an assignee (the runner looks every two seconds).
async fn assigned(app: &TestApp, a: &TestAccount, id: &str) -> String {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(x) = assignee(app, a, id).await {
            return x;
        }
        assert!(Instant::now() < end, "{id} is assigned");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A round of the runner's, done here so that "nothing is offered" is seen after a round, not after a guess.
async fn a_round(app: &TestApp) -> usize {
    parley_app::assignment::runner::round(&app.app).await
}

async fn assignment_story(engine: Engine) {
    let app = spawn_with(Options { engine, ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    let (s, support) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Support"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{support}");
    let (ann, ann_session) = agent(&app, &a, "Ann", &[&support]).await;
    let (bob, bob_session) = agent(&app, &a, "Bob", &[&support]).await;
    let (carl, _offline) = agent(&app, &a, "Carl", &[&support]).await;
    let _sockets = (online(&app, &ann_session).await, online(&app, &bob_session).await);

    // Off by default: a new ticket stays with nobody.
    let (s, settings) = app.api(&a, Method::GET, "/settings/assignment", None).await;
    assert_eq!(s, StatusCode::OK, "{settings}");
    assert_eq!(settings, json!({"enabled": false, "strategy": "least_busy", "max_open": 20, "business_hours": true}));
    let first = open_in(&app, &a, &support, "First").await;
    a_round(&app).await;
    assert_eq!(assignee(&app, &a, &first).await, None, "off by default");

    // Bad settings name their fields and change nothing.
    let (s, e) = app
        .api(
            &a,
            Method::PUT,
            "/settings/assignment",
            Some(json!({"enabled": true, "strategy": "random", "max_open": 0})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["strategy", "max_open"], "{e}");
    let (_, settings) = app.api(&a, Method::GET, "/settings/assignment", None).await;
    assert_eq!(settings["enabled"], false);

    // On, least busy, one open ticket each: the waiting ticket and a new one go to Ann and Bob, one each; Carl is
    // not online and gets none.
    let (s, on) = app
        .api(
            &a,
            Method::PUT,
            "/settings/assignment",
            Some(json!({"enabled": true, "strategy": "least_busy", "max_open": 1, "business_hours": false})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{on}");
    assert_eq!(on, json!({"enabled": true, "strategy": "least_busy", "max_open": 1, "business_hours": false}));
    let second = open_in(&app, &a, &support, "Second").await;
    let to_first = assigned(&app, &a, &first).await;
    let to_second = assigned(&app, &a, &second).await;
    assert_ne!(to_first, to_second, "one each");
    for x in [&to_first, &to_second] {
        assert!(*x == ann || *x == bob, "{x} is Ann or Bob, never Carl ({carl})");
    }
    let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{first}"), None).await;
    let kinds: Vec<&str> = t["timeline"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"offered") && kinds.contains(&"assignee_changed"), "{kinds:?}");

    // Both at their limit: the third waits, however many rounds run, until the first is resolved.
    let third = open_in(&app, &a, &support, "Third").await;
    a_round(&app).await;
    a_round(&app).await;
    assert_eq!(assignee(&app, &a, &third).await, None, "nobody under the limit");
    let (s, e) = app.api(&a, Method::PATCH, &format!("/tickets/{first}"), Some(json!({"status": "resolved"}))).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(assigned(&app, &a, &third).await, to_first, "to the one who finished a ticket");

    // Business hours: Monday to Friday in Budapest. On a Saturday nothing is offered; on Monday morning it is.
    let periods: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "start": "08:00", "end": "17:00"}))
        .collect();
    let (s, h) = app
        .api(
            &a,
            Method::POST,
            "/business-hours",
            Some(json!({"name": "Office", "time_zone": "Europe/Budapest", "periods": periods, "default": true})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let (s, _) = app.api(&a, Method::PUT, "/settings/assignment", Some(json!({"business_hours": true}))).await;
    assert_eq!(s, StatusCode::OK);
    app.app.regions.clock().set(Timestamp::parse("2026-01-10T12:00:00Z").unwrap());
    for id in [&second, &third] {
        let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "resolved"}))).await;
        assert_eq!(s, StatusCode::OK);
    }
    let weekend = open_in(&app, &a, &support, "Saturday").await;
    a_round(&app).await;
    assert_eq!(assignee(&app, &a, &weekend).await, None, "closed on Saturday");
    app.app.regions.clock().set(Timestamp::parse("2026-01-12T08:00:00Z").unwrap());
    let monday = assigned(&app, &a, &weekend).await;
    assert!(monday == ann || monday == bob, "{monday}");

    // The changes are audited with what they were.
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.", None).await;
    let entry = log["entries"].as_array().unwrap().iter().find(|e| e["target"] == "settings:assignment").cloned();
    let entry = entry.unwrap_or_else(|| panic!("audited: {log}"));
    assert_eq!(entry["detail"]["before"]["business_hours"], false, "{entry}");
    assert_eq!(entry["detail"]["after"]["business_hours"], true, "{entry}");

    // Another account's settings are its own.
    let other = app.account("globex", "eu").await;
    let (_, theirs) = app.api(&other, Method::GET, "/settings/assignment", None).await;
    assert_eq!(theirs["enabled"], false);
}

#[tokio::test]
async fn assignment_on_sqlite() {
    assignment_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn assignment_on_postgres() {
    assignment_story(Engine::Postgres).await;
}

/// The same settings on their page: shown, switched on with a limit, a bad limit refused by name with what was
/// typed kept.
#[tokio::test]
async fn assignment_is_set_on_its_page() {
    use crate::settings_pages::{owner, post};
    use crate::ui::get;
    let app = crate::helpers::spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let url = app.url("acme", "/settings/assignment");
    let (s, html) = get(&c, &url).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"name="max_open" value="20""#), "the default limit shown: {html}");
    assert!(!html.contains(r#"name="enabled" value="1" checked"#), "off by default");

    let form = [("_csrf", csrf.as_str()), ("enabled", "1"), ("strategy", "round_robin"), ("max_open", "3")];
    let (s, to, _) = post(&c, &url, &form).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/assignment?saved=1"));
    let (_, settings) = app.api(&a, Method::GET, "/settings/assignment", None).await;
    assert_eq!(settings, json!({"enabled": true, "strategy": "round_robin", "max_open": 3, "business_hours": false}));

    let bad = [("_csrf", csrf.as_str()), ("enabled", "1"), ("strategy", "least_busy"), ("max_open", "lots<b>")];
    let (s, _, html) = post(&c, &url, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("max_open"), "the field is named: {html}");
    assert!(html.contains("lots&lt;b&gt;") || html.contains("lots&#60;b&#62;"), "kept, as text: {html}");
    let (_, settings) = app.api(&a, Method::GET, "/settings/assignment", None).await;
    assert_eq!(settings["max_open"], 3, "nothing changed");
}
