//! Triggers from outside, on both engines: the refund rule (text by its stems → priority, tag, Billing,
//! round robin among Billing's available agents), later triggers seeing earlier ones' changes, mail to the
//! requester (not to an auto-responder), two triggers that undo each other firing once each, a dry run that
//! changes nothing, bad rules refused with the field named, another account's triggers unknown.

use crate::chat_routing::{agent, online};
use crate::email::{mail, send};
use crate::helpers::{spawn_with, Engine, Options, TestAccount, TestApp};
use parley_test_support::CaptureRelay;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn get(app: &TestApp, a: &TestAccount, id: &str) -> Value {
    let (s, t) = app.api(a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t
}

fn fired(t: &Value) -> Vec<Vec<String>> {
    t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "triggers_fired")
        .map(|e| e["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect())
        .collect()
}

/// Waits until the ticket's triggers have run `n` times.
async fn ran(app: &TestApp, a: &TestAccount, id: &str, n: usize) -> Value {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let t = get(app, a, id).await;
        if fired(&t).len() >= n {
            // The ticket's row and its timeline are two reads: read again, now that the run is in the timeline.
            return get(app, a, id).await;
        }
        assert!(Instant::now() < end, "triggers ran {n} times on {id}: {t}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn open(app: &TestApp, a: &TestAccount, subject: &str, body: &str, from: &str) -> String {
    let (s, t) = app
        .api(
            a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": subject, "message": {"body": body},
            "requester": {"email": from, "name": "Jane Doe"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t["id"].as_str().unwrap().to_string()
}

async fn make(app: &TestApp, a: &TestAccount, body: Value) -> Value {
    let (s, t) = app.api(a, Method::POST, "/triggers", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

fn mails_to(relay: &CaptureRelay, to: &str, subject: &str) -> usize {
    relay
        .mail()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == to) && m.header("Subject").is_some_and(|s| s.contains(subject)))
        .count()
}

async fn triggers_story(engine: Engine) {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options {
        engine,
        env: vec![("PARLEY_SMTP_RELAY".into(), relay.url()), ("PARLEY_MAIL_RETRY_DELAYS".into(), "1,1".into())],
        ..Default::default()
    })
    .await;
    let a = app.account("acme", "eu").await;
    app.switch_on_email(&a).await;
    let (s, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{billing}");
    let (ann, ann_session) = agent(&app, &a, "Ann", &[&billing]).await;
    let (bob, bob_session) = agent(&app, &a, "Bob", &[&billing]).await;
    let (_carl, _) = agent(&app, &a, "Carl", &[]).await;
    let _ann_socket = online(&app, &ann_session).await;
    let _bob_socket = online(&app, &bob_session).await;

    // The trigger, and two that build on what it does.
    let refund = make(
        &app,
        &a,
        json!({"name": "Refunds", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "text", "operator": "contains", "value": "refund"}], "any": []},
        "actions": [{"action": "set", "field": "priority", "value": "high"},
                    {"action": "add_tags", "value": ["refund"]},
                    {"action": "assign", "department_id": billing["id"], "strategy": "round_robin"}]}),
    )
    .await;
    assert_eq!(refund["position"], 1);
    assert_eq!(refund["actions"][2]["strategy"], "round_robin");
    make(
        &app,
        &a,
        json!({"name": "Tell the requester", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "tags", "operator": "includes", "value": "refund"}]},
        "actions": [{"action": "send_mail", "to": "requester", "subject": "Your refund request {{ticket.number}}",
                     "value": "Hello {{requester.first_name}}, {{agent.name}} of Billing looks at it."}]}),
    )
    .await;
    make(
        &app,
        &a,
        json!({"name": "Note the escalation", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "priority", "operator": "changed_to", "value": "high"}]},
        "actions": [{"action": "add_note", "value": "Raised to high for {{requester.email}}"}]}),
    )
    .await;

    // Round robin among Billing's available agents: each in turn, Carl (not in Billing) never.
    let mut given = Vec::new();
    for i in 0..3 {
        let id = open(&app, &a, &format!("Order {i}"), "Please send me my REFUNDS.", "jane@customer.example").await;
        let t = ran(&app, &a, &id, 1).await;
        assert_eq!(fired(&t), [vec!["Refunds".to_string(), "Tell the requester".into(), "Note the escalation".into()]]);
        assert_eq!(t["priority"], "high", "{t}");
        assert_eq!(t["tags"], json!(["refund"]));
        assert_eq!(t["department_id"], billing["id"]);
        let note = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "message" && e["internal"] == true);
        let note = note.unwrap_or_else(|| panic!("the note: {t}"));
        assert_eq!(note["body"], "Raised to high for jane@customer.example");
        assert_eq!(note["author"]["type"], "system");
        given.push(t["assignee_id"].as_str().unwrap().to_string());
    }
    assert_ne!(given[0], given[1], "each in turn: {given:?}");
    assert_eq!(given[0], given[2], "then the first again: {given:?}");
    assert!(given.iter().all(|g| *g == ann || *g == bob), "{given:?}");
    let end = Instant::now() + Duration::from_secs(15);
    while mails_to(&relay, "jane@customer.example", "Your refund request #") < 3 {
        assert!(Instant::now() < end, "three mails to the requester");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let m =
        relay.mail().into_iter().find(|m| m.header("Subject").is_some_and(|s| s.contains("Your refund request #1")));
    let m = m.unwrap();
    assert_eq!(m.header("Auto-Submitted").as_deref(), Some("auto-replied"), "marked automatic");

    // A ticket the rule does not match: nothing fires, nothing is written.
    let parcel = open(&app, &a, "Parcel", "Where is my parcel?", "joe@customer.example").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let t = get(&app, &a, &parcel).await;
    assert!(fired(&t).is_empty(), "{t}");
    assert_eq!((t["priority"].as_str(), t["assignee_id"].as_str()), (Some("normal"), None));

    // The dry run: what would fire on a ticket, and nothing changes.
    let (s, dry) = app
        .api(&a, Method::POST, "/triggers/test", Some(json!({"ticket_id": parcel, "event": "ticket.created"})))
        .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["fired"], json!([]));
    let (_, s2) =
        app.api(&a, Method::PATCH, &format!("/tickets/{parcel}"), Some(json!({"subject": "Refund for parcel"}))).await;
    assert_eq!(s2["subject"], "Refund for parcel");
    let (s, dry) = app
        .api(&a, Method::POST, "/triggers/test", Some(json!({"ticket_id": parcel, "event": "ticket.created"})))
        .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    let names: Vec<&str> = dry["fired"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Refunds", "Tell the requester", "Note the escalation"], "{dry}");
    assert_eq!(dry["after"]["priority"], "high");
    assert_eq!(dry["after"]["department_id"], billing["id"]);
    assert_eq!(dry["changes"][0], json!({"field": "priority", "from": "normal", "to": "high"}));
    let t = get(&app, &a, &parcel).await;
    assert_eq!((t["priority"].as_str(), t["assignee_id"].as_str()), (Some("normal"), None), "a dry run writes nothing");
    let (s, e) = app
        .api(&a, Method::POST, "/triggers/test", Some(json!({"ticket_id": parcel, "event": "ticket.exploded"})))
        .await;
    assert_eq!((s, e["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("event")), "{e}");

    // An auto-responder's mail about a refund: the rule runs, but its mail to the requester is held back.
    let (m, _) = mail(
        "Out of office <robot@customer.example>",
        "support@acme.localhost",
        "Auto: refund",
        &["Auto-Submitted: auto-replied".to_string()],
        "I am away. About the refund: later.",
    );
    send(&app, "robot@customer.example", &["support@acme.localhost"], &m).await.unwrap();
    let end = Instant::now() + Duration::from_secs(15);
    let robot = loop {
        let (_, l) = app.api(&a, Method::GET, "/tickets?tag=refund&sort=created_at&page[size]=100", None).await;
        let found = l["tickets"].as_array().unwrap().iter().find(|t| t["subject"] == "Auto: refund").cloned();
        if let Some(t) = found {
            break t;
        }
        assert!(Instant::now() < end, "the auto-responder's ticket is tagged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    ran(&app, &a, robot["id"].as_str().unwrap(), 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(mails_to(&relay, "robot@customer.example", "Your refund request"), 0, "no mail loop");

    // Two triggers that undo each other fire once each, and the ticket settles.
    make(
        &app,
        &a,
        json!({"name": "up", "events": ["ticket.updated"],
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "low"}]},
        "actions": [{"action": "set", "field": "priority", "value": "urgent"}]}),
    )
    .await;
    make(
        &app,
        &a,
        json!({"name": "down", "events": ["ticket.updated"],
        "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}]},
        "actions": [{"action": "set", "field": "priority", "value": "low"}]}),
    )
    .await;
    let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{parcel}"), Some(json!({"priority": "low"}))).await;
    assert_eq!(s, StatusCode::OK);
    let t = ran(&app, &a, &parcel, 1).await;
    assert_eq!(fired(&t), [vec!["up".to_string(), "down".into()]]);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let t = get(&app, &a, &parcel).await;
    assert_eq!(fired(&t).len(), 1, "their own change does not run them again: {t}");
    assert_eq!(t["priority"], "low");

    // Bad rules: each refusal names its field; nothing is kept.
    let (s, b) = app.api(&a, Method::PATCH, &format!("/agents/{bob}"), Some(json!({"active": false}))).await;
    assert_eq!(s, StatusCode::OK, "Bob is deactivated: {b}");
    let (s, e) = app
        .api(
            &a,
            Method::POST,
            "/triggers",
            Some(json!({"name": "To Bob", "events": ["ticket.created"],
            "conditions": {"all": [{"field": "colour", "operator": "is", "value": "red"}]},
            "actions": [{"action": "assign", "agent_id": bob}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["conditions.all[0].field"], "{e}");
    let (s, e) = app
        .api(
            &a,
            Method::POST,
            "/triggers",
            Some(json!({"name": "To Bob", "events": ["ticket.created"],
            "actions": [{"action": "assign", "agent_id": bob}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"][0]["field"], "actions[0]", "{e}");
    assert!(e["errors"][0]["message"].as_str().unwrap().contains("deactivated"), "{e}");
    let (_, list) = app.api(&a, Method::GET, "/triggers", None).await;
    let names: Vec<&str> = list["triggers"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Refunds", "Tell the requester", "Note the escalation", "up", "down"]);

    // Another account knows none of it.
    let other = app.account("globex", "eu").await;
    let id = refund["id"].as_str().unwrap();
    let (s, _) = app.api(&other, Method::GET, &format!("/triggers/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::PATCH, &format!("/triggers/{id}"), Some(json!({"active": false}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::POST, "/triggers/test", Some(json!({"ticket_id": parcel}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.api(&other, Method::GET, "/triggers", None).await;
    assert_eq!(list["triggers"], json!([]));
}

/// Triggers that only change fields run before a new ticket is written and are written with it: the creation's
/// answer already shows what they did, their round-robin turns are kept, and the SLA's first look is in the same
/// write (its events carry the creation's instant; a later run or look would carry its own).
async fn field_triggers_run_with_the_creation(engine: Engine) {
    let app = spawn_with(Options { engine, ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    let (s, sales) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Sales"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{sales}");
    let (ann, ann_session) = agent(&app, &a, "Ann", &[&sales]).await;
    let (bob, bob_session) = agent(&app, &a, "Bob", &[&sales]).await;
    let _sockets = (online(&app, &ann_session).await, online(&app, &bob_session).await);
    make(
        &app,
        &a,
        json!({"name": "Invoices", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "text", "operator": "contains", "value": "invoice"}]},
        "actions": [{"action": "set", "field": "priority", "value": "urgent"},
                    {"action": "add_tags", "value": ["invoice"]},
                    {"action": "assign", "department_id": sales["id"], "strategy": "round_robin"}]}),
    )
    .await;
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/sla-policies",
            Some(json!({"name": "Urgent", "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}]},
                "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": false}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");

    let mut given = Vec::new();
    for i in 0..3 {
        let (s, created) = app
            .api(
                &a,
                Method::POST,
                "/tickets",
                Some(json!({"subject": format!("Billing {i}"), "message": {"body": "My invoices are wrong."},
                "requester": {"email": "jane@customer.example"}})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!(created["priority"], "urgent", "changed before the answer: {created}");
        assert_eq!(created["tags"], json!(["invoice"]));
        assert_eq!(created["department_id"], sales["id"]);
        let t = get(&app, &a, created["id"].as_str().unwrap()).await;
        assert_eq!(fired(&t), [vec!["Invoices".to_string()]], "{t}");
        let at = |kind: &str| {
            let e = t["timeline"].as_array().unwrap().iter().find(|e| e["type"] == kind);
            e.unwrap_or_else(|| panic!("{kind} in {t}"))["created_at"].clone()
        };
        assert_eq!(at("triggers_fired"), t["created_at"], "run in the creation: {t}");
        assert_eq!(at("sla_applied"), t["created_at"], "looked at in the creation: {t}");
        assert_eq!(t["sla"]["policy"]["name"], "Urgent", "{t}");
        assert_eq!(t["sla"]["targets"][0]["state"], "active", "{t}");
        given.push(created["assignee_id"].as_str().unwrap().to_string());
    }
    assert_ne!(given[0], given[1], "each in turn: {given:?}");
    assert_eq!(given[0], given[2], "then the first again: {given:?}");
    assert!(given.iter().all(|g| *g == ann || *g == bob), "{given:?}");

    // Once the ticket is written, the triggers do not run on its creation again.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, l) = app.api(&a, Method::GET, "/tickets?tag=invoice", None).await;
    for t in l["tickets"].as_array().unwrap() {
        let t = get(&app, &a, t["id"].as_str().unwrap()).await;
        assert_eq!(fired(&t).len(), 1, "ran once: {t}");
    }

    // The rules new tickets run are kept between creations only while they stay the account's: a trigger
    // switched off, or a policy changed, counts from the next ticket on.
    let (_, list) = app.api(&a, Method::GET, "/triggers", None).await;
    let id = list["triggers"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = app.api(&a, Method::PATCH, &format!("/triggers/{id}"), Some(json!({"active": false}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/sla-policies/{}", p["id"].as_str().unwrap()),
            Some(json!({"conditions": {"all": [], "any": []},
                "targets": [{"priority": "normal", "metric": "first_reply", "minutes": 30, "business_hours": false}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, created) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "After", "message": {"body": "My invoices are wrong."},
            "requester": {"email": "jane@customer.example"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!((created["priority"].as_str(), created["tags"].clone()), (Some("normal"), json!([])), "{created}");
    let t = get(&app, &a, created["id"].as_str().unwrap()).await;
    assert!(fired(&t).is_empty(), "{t}");
    let due = t["sla"]["targets"][0]["due_at"].as_str().unwrap_or_default().to_string();
    let created_at = parley_domain::Timestamp::parse(t["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(parley_domain::Timestamp::parse(&due), Some(created_at.plus_seconds(30 * 60)), "{t}");
}

/// A trigger that applies a shared macro (its changes, its note) and tells one webhook (`trigger.notified`, to that
/// webhook alone, whatever it subscribes to); references to a webhook or macro the account lacks are refused.
async fn webhook_and_macro_actions(engine: Engine) {
    let app = spawn_with(Options { engine, ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    let rx = parley_test_support::WebhookReceiver::start().await;
    let (s, hook) =
        app.api(&a, Method::POST, "/webhooks", Some(json!({"url": rx.url(), "events": ["sla.breached"]}))).await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let (s, escalate) = app
        .api(
            &a,
            Method::POST,
            "/macros",
            Some(json!({"title": "Escalate", "shared": true,
                "actions": [{"action": "set", "field": "priority", "value": "urgent"},
                            {"action": "add_tags", "value": ["escalated"]}],
                "reply": {"body": "Escalated for {{requester.name}}", "internal": true}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{escalate}");
    let hook_id = hook["webhook"]["id"].as_str().or(hook["id"].as_str()).unwrap().to_string();
    let made = make(
        &app,
        &a,
        json!({"name": "Outages", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "text", "operator": "contains", "value": "outage"}]},
        "actions": [{"action": "apply_macro", "macro_id": escalate["id"]},
                    {"action": "notify_webhook", "webhook_id": hook_id, "value": "Outage on {{ticket.number}}"}]}),
    )
    .await;
    assert_eq!(made["actions"][0], json!({"action": "apply_macro", "macro_id": escalate["id"]}), "kept as sent");

    let id = open(&app, &a, "Outage", "A total outage since noon.", "jane@customer.example").await;
    let t = ran(&app, &a, &id, 1).await;
    assert_eq!((t["priority"].as_str(), t["tags"].clone()), (Some("urgent"), json!(["escalated"])), "{t}");
    let note = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "message" && e["internal"] == true);
    assert_eq!(note.unwrap_or_else(|| panic!("the macro's note: {t}"))["body"], "Escalated for Jane Doe");
    let got = rx.wait_for(1, 15).await;
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["type"], "trigger.notified", "{body}");
    assert_eq!(body["data"]["rule"], "Outages");
    assert_eq!(body["data"]["message"], format!("Outage on #{}", t["number"]));
    assert_eq!(body["data"]["ticket"]["id"], id.as_str());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.received().len(), 1, "one delivery, to that webhook only");

    // What the account does not have is refused, by field.
    let (s, e) = app
        .api(
            &a,
            Method::POST,
            "/triggers",
            Some(json!({"name": "Bad", "events": ["ticket.created"],
            "actions": [{"action": "notify_webhook", "webhook_id": "01a25159-da70-7703-812e-00f5c6dc1f29"},
                        {"action": "apply_macro", "macro_id": "01a25159-da70-7703-812e-00f5c6dc1f29"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["errors"].as_array().unwrap().iter().map(|x| x["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["actions[0].webhook_id", "actions[1].macro_id"], "{e}");
}

#[tokio::test]
async fn webhook_and_macro_actions_on_sqlite() {
    webhook_and_macro_actions(Engine::Sqlite).await;
}

#[tokio::test]
async fn webhook_and_macro_actions_on_postgres() {
    webhook_and_macro_actions(Engine::Postgres).await;
}

#[tokio::test]
async fn field_triggers_run_with_the_creation_on_sqlite() {
    field_triggers_run_with_the_creation(Engine::Sqlite).await;
}

#[tokio::test]
async fn field_triggers_run_with_the_creation_on_postgres() {
    field_triggers_run_with_the_creation(Engine::Postgres).await;
}

#[tokio::test]
async fn triggers_on_sqlite() {
    triggers_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn triggers_on_postgres() {
    triggers_story(Engine::Postgres).await;
}
