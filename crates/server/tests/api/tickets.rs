//! A ticket's life through the API: open, reply, note, change, list, page, merge, close.

use crate::helpers::{spawn_app, Engine, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

async fn lifecycle(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;

    let (s, field) = app
        .api(
            &a,
            Method::POST,
            "/ticket-fields",
            Some(json!({"key": "plan", "label": "Plan", "type": "dropdown", "options": ["gold", "silver"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{field}");
    let (s, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, t) = app
        .api(&a, Method::POST, "/tickets", Some(json!({
            "subject": "Invoice is wrong", "message": {"body": "I was charged twice."},
            "requester": {"email": "Jane@Example.com", "name": "Jane Doe"}, "priority": "high", "tags": ["Billing", "vip"],
            "department_id": dept["id"], "custom_fields": {"plan": "gold"}
        })))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!((t["number"].as_i64(), t["display_number"].as_str()), (Some(1), Some("#1")));
    assert_eq!(t["status"], "new");
    assert_eq!(t["tags"], json!(["billing", "vip"]));
    assert_eq!(t["custom_fields"]["plan"], "gold");
    assert_eq!(t["requester"]["email"], "jane@example.com");
    let id = t["id"].as_str().unwrap().to_string();

    // An internal note is not a first response; a public reply is, and opens the ticket.
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            &format!("/tickets/{id}/messages"),
            Some(json!({"body": "Checking with finance", "internal": true})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!((t["status"].as_str(), t["first_response_at"].is_null()), (Some("new"), true));
    let (s, m) =
        app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "Refunded, sorry!"}))).await;
    assert_eq!((s, m["internal"].as_bool()), (StatusCode::CREATED, Some(false)));
    let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(t["status"], "open");
    assert!(t["first_response_at"].is_string());
    let kinds: Vec<&str> = t["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "message").count(), 3, "{kinds:?}");
    assert!(t["timeline"].as_array().unwrap().iter().any(|e| e["type"] == "status_changed"));
    let (_, msgs) = app.api(&a, Method::GET, &format!("/tickets/{id}/messages"), None).await;
    assert_eq!(msgs["messages"][0]["author"]["type"], "contact");
    assert_eq!(msgs["messages"][1]["internal"], true);

    // Changes: one event each, unchanged fields add none.
    let (s, t) = app
        .api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "pending", "add_tags": ["refund"], "remove_tags": ["vip"], "custom_fields": {"plan": null}})))
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["tags"], json!(["billing", "refund"]));
    assert!(t["custom_fields"].as_object().unwrap().is_empty());
    let (_, again) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "pending"}))).await;
    assert_eq!(again["updated_at"], t["updated_at"], "no change, no update");
    let (s, p) =
        app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"custom_fields": {"plan": "bronze"}}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");

    // The customer's answer reopens a pending ticket only when they write; the API writes as the help desk.
    let (_, listed) = app.api(&a, Method::GET, "/tickets?status=pending&tag=refund", None).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);
    let (_, listed) = app.api(&a, Method::GET, "/tickets?requester=jane@example.com", None).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);
    let (_, listed) = app.api(&a, Method::GET, "/tickets?requester=nobody@example.com", None).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 0);

    // Merge a second ticket into the first; the source closes and its message moves.
    let other = app.ticket(&a, "Also about my invoice", "Second mail", "jane@example.com").await;
    let oid = other["id"].as_str().unwrap();
    assert_eq!(other["number"], 2);
    assert_eq!(other["requester"]["id"], t["requester_id"], "same address, same contact");
    let (s, merged) = app.api(&a, Method::POST, &format!("/tickets/{id}/merge"), Some(json!({"ids": [oid]}))).await;
    assert_eq!(s, StatusCode::OK, "{merged}");
    let (_, src) = app.api(&a, Method::GET, &format!("/tickets/{oid}"), None).await;
    assert_eq!((src["status"].as_str(), src["merged_into"].as_str()), (Some("closed"), Some(id.as_str())));
    let (_, dst) = app.api(&a, Method::GET, &format!("/tickets/{id}/messages"), None).await;
    assert!(dst["messages"].as_array().unwrap().iter().any(|m| m["body"] == "Second mail"));
    let (s, p) = app.api(&a, Method::PATCH, &format!("/tickets/{oid}"), Some(json!({"status": "open"}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_merged")));
    let (s, p) = app.api(&a, Method::POST, &format!("/tickets/{id}/merge"), Some(json!({"ids": [id]}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("merge_into_self")));

    // A merge that cannot be done in full is not done in part.
    let open_one = app.ticket(&a, "Third", "x", "jane@example.com").await;
    let closed_one = app.ticket(&a, "Fourth", "x", "jane@example.com").await;
    let cid = closed_one["id"].as_str().unwrap();
    app.api(&a, Method::PATCH, &format!("/tickets/{cid}"), Some(json!({"status": "closed"}))).await;
    let (s, p) =
        app.api(&a, Method::POST, &format!("/tickets/{id}/merge"), Some(json!({"ids": [open_one["id"], cid]}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_closed")), "{p}");
    let (_, third) = app.api(&a, Method::GET, &format!("/tickets/{}", open_one["id"].as_str().unwrap()), None).await;
    assert!(third["merged_into"].is_null(), "nothing was merged: {third}");

    // Closed is final.
    app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "closed"}))).await;
    let (s, p) = app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "more"}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_closed")));
}

#[tokio::test]
async fn ticket_lifecycle_on_sqlite() {
    lifecycle(Engine::Sqlite).await;
}

#[tokio::test]
async fn ticket_lifecycle_on_postgres() {
    lifecycle(Engine::Postgres).await;
}

async fn all_pages(app: &TestApp, a: &crate::helpers::TestAccount, first: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let (s, mut page) = app.api(a, Method::GET, first, None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    loop {
        out.extend(page["tickets"].as_array().unwrap().iter().cloned());
        let Some(next) = page["links"]["next"].as_str() else { break };
        assert_eq!(page["meta"]["has_more"], true);
        let res = app.http.get(next).bearer_auth(&a.api_key).send().await.unwrap();
        page = res.json().await.unwrap();
    }
    out
}

#[tokio::test]
async fn cursor_pages_cover_every_ticket_once() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    for i in 0..23 {
        app.ticket(&a, &format!("Ticket {i}"), "x", &format!("c{}@example.com", i % 4)).await;
    }
    for sort in ["-created_at", "created_at", "-updated_at"] {
        let got = all_pages(&app, &a, &format!("/tickets?page[size]=5&sort={sort}")).await;
        let numbers: Vec<i64> = got.iter().map(|t| t["number"].as_i64().unwrap()).collect();
        assert_eq!(numbers.len(), 23, "{sort}: {numbers:?}");
        assert_eq!(numbers.iter().collect::<HashSet<_>>().len(), 23, "{sort}: no ticket twice");
        if sort == "created_at" {
            assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        }
    }
}

#[tokio::test]
async fn contacts_companies_and_agents() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (s, co) =
        app.api(&a, Method::POST, "/companies", Some(json!({"name": "Globex", "domains": ["globex.example"]}))).await;
    assert_eq!(s, StatusCode::CREATED);
    // A new contact from the company's domain joins it.
    let t = app.ticket(&a, "Hi", "x", "hank@globex.example").await;
    assert_eq!(t["requester"]["company_id"], co["id"]);
    let (s, c) = app
        .api(&a, Method::POST, "/contacts", Some(json!({"name": "Phone Only", "phones": ["+36 (30) 123-4567"]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["phones"], json!(["+36301234567"]));
    let (s, c) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/contacts/{}", c["id"].as_str().unwrap()),
            Some(json!({"email": "po@example.com", "company_id": co["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (_, found) = app.api(&a, Method::GET, "/contacts?email=PO@example.com", None).await;
    assert_eq!(found["contacts"][0]["id"], c["id"]);
    let (s, agent) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "sam@acme.example", "name": "Sam", "role": "agent"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{agent}");
    assert!(agent["setup_url"].as_str().unwrap().contains("/password/reset?token="));
    let (s, _) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "sam@acme.example", "name": "Sam", "role": "agent"})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, p) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "boss@acme.example", "name": "Boss", "role": "owner"})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an API key may not make owners: {p}");
    let id = agent["agent"]["id"].as_str().unwrap();
    let (s, t) = app
        .api(&a, Method::PATCH, &format!("/tickets/{}", t["id"].as_str().unwrap()), Some(json!({"assignee_id": id})))
        .await;
    assert_eq!((s, t["assignee_id"].as_str()), (StatusCode::OK, Some(id)));
    let (_, listed) = app.api(&a, Method::GET, &format!("/tickets?assignee={id}"), None).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);
    let (_, listed) = app.api(&a, Method::GET, "/tickets?assignee=none", None).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 0);
}
