//! No request of one account reaches another account's data, and no byte of an account lands outside its region.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;

struct Seeded {
    ticket: String,
    contact: String,
    company: String,
    agent: String,
    webhook: String,
}

/// Give the account one of everything, with texts unique to it.
async fn seed(app: &TestApp, a: &TestAccount, marker: &str) -> Seeded {
    let t = app
        .ticket(a, &format!("Subject {marker}"), &format!("Body {marker}"), &format!("{marker}@customer.example"))
        .await;
    let (s, _) = app
        .api(
            a,
            Method::POST,
            &format!("/tickets/{}/messages", t["id"].as_str().unwrap()),
            Some(json!({"body": format!("Reply {marker}")})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, company) = app
        .api(
            a,
            Method::POST,
            "/companies",
            Some(json!({"name": format!("Company {marker}"), "domains": [format!("{marker}.example")]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{company}");
    let (s, agents) = app.api(a, Method::GET, "/agents", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, hook) = app
        .api(
            a,
            Method::POST,
            "/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    Seeded {
        ticket: t["id"].as_str().unwrap().into(),
        contact: t["requester"]["id"].as_str().unwrap().into(),
        company: company["id"].as_str().unwrap().into(),
        agent: agents["agents"][0]["id"].as_str().unwrap().into(),
        webhook: hook["webhook"]["id"].as_str().unwrap().into(),
    }
}

async fn cross_account_requests(engine: Engine) -> TestApp {
    let app = spawn_app(engine).await;
    let eu = app.account("eu-shop", "eu").await;
    let us = app.account("us-shop", "us").await;
    let e = seed(&app, &eu, "zebraeu").await;
    let u = seed(&app, &us, "quokkaus").await;

    // Every route that takes an id, with the other account's key and ids: 404, never 403, never data.
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/tickets/{}", e.ticket), None),
        (Method::PATCH, format!("/tickets/{}", e.ticket), Some(json!({"status": "pending"}))),
        (Method::GET, format!("/tickets/{}/messages", e.ticket), None),
        (Method::POST, format!("/tickets/{}/messages", e.ticket), Some(json!({"body": "intruder"}))),
        (Method::POST, format!("/tickets/{}/merge", e.ticket), Some(json!({"ids": [u.ticket]}))),
        (Method::POST, format!("/tickets/{}/merge", u.ticket), Some(json!({"ids": [e.ticket]}))),
        (Method::GET, format!("/contacts/{}", e.contact), None),
        (Method::PATCH, format!("/contacts/{}", e.contact), Some(json!({"name": "intruder"}))),
        (Method::GET, format!("/companies/{}", e.company), None),
        (Method::GET, format!("/agents/{}", e.agent), None),
        (Method::PATCH, format!("/agents/{}", e.agent), Some(json!({"name": "intruder"}))),
        (Method::GET, format!("/webhooks/{}", e.webhook), None),
        (Method::DELETE, format!("/webhooks/{}", e.webhook), None),
    ];
    for (method, path, body) in attempts {
        let (s, b) = app.api(&us, method.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path} with the other account's key: {b}");
        let text = b.to_string();
        assert!(!text.contains("zebraeu"), "{method} {path} leaked data: {text}");
    }

    // References in bodies are checked against the caller's account: refused, and nothing is written.
    let (_, before) = app.api(&us, Method::GET, "/tickets", None).await;
    for body in [
        json!({"subject": "x", "message": {"body": "x"}, "requester": {"id": e.contact}}),
        json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "assignee_id": e.agent}),
        json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "account_id": "whatever"}),
    ] {
        let (s, b) = app.api(&us, Method::POST, "/tickets", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
    let (s, b) = app.api(&us, Method::POST, "/contacts", Some(json!({"name": "x", "company_id": e.company}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (_, after) = app.api(&us, Method::GET, "/tickets", None).await;
    assert_eq!(before["tickets"].as_array().unwrap().len(), after["tickets"].as_array().unwrap().len());

    // A key works only on its own account's host.
    let (s, _) = app.api_with_key(&eu.slug, &us.api_key, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // The eu ticket is untouched.
    let (_, t) = app.api(&eu, Method::GET, &format!("/tickets/{}", e.ticket), None).await;
    assert_eq!(t["status"], "open");
    assert!(!t.to_string().contains("intruder"));
    let (s, _) = app.api(&eu, Method::GET, &format!("/webhooks/{}", e.webhook), None).await;
    assert_eq!(s, StatusCode::OK, "the eu webhook survived the us delete attempt");
    app
}

#[tokio::test]
async fn accounts_cannot_reach_each_other_on_sqlite() {
    cross_account_requests(Engine::Sqlite).await;
}

#[tokio::test]
async fn accounts_cannot_reach_each_other_on_postgres() {
    cross_account_requests(Engine::Postgres).await;
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn holds(files: &[std::path::PathBuf], needle: &str) -> Vec<String> {
    files
        .iter()
        .filter(|f| std::fs::read(f).map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes())).unwrap_or(false))
        .map(|f| f.display().to_string())
        .collect()
}

#[tokio::test]
async fn no_byte_of_an_account_is_written_outside_its_region() {
    let app = cross_account_requests(Engine::Sqlite).await;
    let data = app.data().to_path_buf();
    let (_, _dir, _) = app.stop().await;
    let eu_files = files_under(&data.join("eu"));
    let us_files = files_under(&data.join("us"));
    let mut outside_eu = us_files.clone();
    outside_eu.extend(files_under(&data.join("uk")));
    outside_eu.extend(files_under(&data.join("apac")));
    outside_eu.push(data.join("directory.db"));
    for f in ["directory.db-wal", "directory.db-shm"] {
        if data.join(f).exists() {
            outside_eu.push(data.join(f));
        }
    }
    let mut outside_us: Vec<_> = outside_eu.iter().filter(|f| !f.starts_with(data.join("us"))).cloned().collect();
    outside_us.extend(eu_files.clone());
    for (marker, home, outside) in [("zebraeu", &eu_files, &outside_eu), ("quokkaus", &us_files, &outside_us)] {
        for text in [
            format!("Subject {marker}"),
            format!("Body {marker}"),
            format!("Reply {marker}"),
            format!("{marker}@customer.example"),
            format!("Company {marker}"),
        ] {
            assert!(!holds(home, &text).is_empty(), "control: '{text}' is stored in its own region");
            assert!(holds(outside, &text).is_empty(), "'{text}' found outside its region: {:?}", holds(outside, &text));
        }
    }
}
