//! Bad input on every write route: a clear 4xx problem, never a 500, and nothing written.

use crate::helpers::{spawn_app, Engine, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Counts of what a bad request could have written.
async fn counts(app: &TestApp, acct: &crate::helpers::TestAccount, ticket: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for path in [
        "/tickets?status=new,open,pending,resolved,closed,spam&page[size]=100",
        "/contacts?page[size]=100",
        "/companies",
        "/agents",
        "/departments",
        "/ticket-fields",
        "/webhooks",
    ] {
        let (s, b) = app.api(acct, Method::GET, path, None).await;
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
        let list = b.as_object().unwrap().values().find(|v| v.is_array()).unwrap();
        out.push(list.as_array().unwrap().len());
    }
    let (_, t) = app.api(acct, Method::GET, &format!("/tickets/{ticket}"), None).await;
    out.push(t["timeline"].as_array().unwrap().len());
    out
}

async fn raw(
    app: &TestApp,
    acct: &crate::helpers::TestAccount,
    method: Method,
    path: &str,
    ctype: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let res = app
        .http
        .request(method, app.url(&acct.slug, &format!("/api/v1{path}")))
        .bearer_auth(&acct.api_key)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    (status, res.json().await.unwrap())
}

async fn bad_input_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    let acct = app.account("acme", "eu").await;
    let other = app.account("other", "us").await;
    let t = app.ticket(&acct, "Existing", "hello", "jane@example.com").await;
    let id = t["id"].as_str().unwrap().to_string();
    let contact = t["requester"]["id"].as_str().unwrap().to_string();
    let (_, agents) = app.api(&acct, Method::GET, "/agents", None).await;
    let agent = agents["agents"][0]["id"].as_str().unwrap().to_string();
    let foreign = app.ticket(&other, "Theirs", "x", "x@example.com").await["id"].as_str().unwrap().to_string();
    let before = counts(&app, &acct, &id).await;

    let routes: Vec<(Method, String)> = vec![
        (Method::POST, "/tickets".into()),
        (Method::PATCH, format!("/tickets/{id}")),
        (Method::POST, format!("/tickets/{id}/messages")),
        (Method::POST, format!("/tickets/{id}/merge")),
        (Method::POST, "/contacts".into()),
        (Method::PATCH, format!("/contacts/{contact}")),
        (Method::POST, "/companies".into()),
        (Method::POST, "/agents".into()),
        (Method::PATCH, format!("/agents/{agent}")),
        (Method::POST, "/departments".into()),
        (Method::POST, "/ticket-fields".into()),
        (Method::POST, "/webhooks".into()),
    ];
    let huge = format!("{{\"body\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    for (m, path) in &routes {
        let (s, p) = raw(&app, &acct, m.clone(), path, "application/json", b"{\"subject\": ".to_vec()).await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")), "{m} {path}: {p}");
        let (s, p) = raw(&app, &acct, m.clone(), path, "application/json", b"[1, 2]".to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{m} {path} with an array: {p}");
        let (s, p) = raw(&app, &acct, m.clone(), path, "application/json", b"{\"no_such_field\": 1}".to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{m} {path} with an unknown field: {p}");
        assert!(!p["errors"].as_array().unwrap().is_empty(), "field errors are listed: {p}");
        let (s, p) = raw(&app, &acct, m.clone(), path, "text/plain", b"{}".to_vec()).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{m} {path}: {p}");
        let (s, p) = raw(&app, &acct, m.clone(), path, "application/json", huge.clone().into_bytes()).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{m} {path}: {p}");
    }

    // Wrong values and types, field by field.
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/tickets".into(),
            json!({"message": {"body": "x"}, "requester": {"email": "a@b.example"}}),
            "subject",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": 7, "message": {"body": "x"}, "requester": {"email": "a@b.example"}}),
            "subject",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "not an email"}}),
            "requester.email",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "status": "bogus"}),
            "status",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "priority": "meh"}),
            "priority",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "tags": ["two words"]}),
            "tags",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "assignee_id": "nope"}),
            "assignee_id",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x", "message": {"body": "x"}, "requester": {"email": "a@b.example"}, "custom_fields": {"missing": 1}}),
            "custom_fields.missing",
        ),
        (
            Method::POST,
            "/tickets".into(),
            json!({"subject": "x\r\nBcc: evil@example.com", "message": {"body": "x"}, "requester": {"email": "a@b.example"}}),
            "subject",
        ),
        (Method::PATCH, format!("/tickets/{id}"), json!({"status": "nope"}), "status"),
        (Method::PATCH, format!("/tickets/{id}"), json!({"assignee_id": contact}), "assignee_id"),
        (Method::POST, format!("/tickets/{id}/messages"), json!({"body": ""}), "body"),
        (Method::POST, format!("/tickets/{id}/messages"), json!({"body": "x", "internal": "yes"}), "internal"),
        (Method::POST, format!("/tickets/{id}/merge"), json!({"ids": []}), "ids"),
        (Method::POST, "/contacts".into(), json!({"email": "jane@example.com"}), ""),
        (Method::POST, "/contacts".into(), json!({"phones": ["call me"]}), "phones"),
        (Method::PATCH, format!("/contacts/{contact}"), json!({"email": "bad"}), "email"),
        (Method::POST, "/companies".into(), json!({"name": "", "domains": ["no"]}), "name"),
        (Method::POST, "/agents".into(), json!({"email": "a@b.example", "name": "A", "role": "overlord"}), "role"),
        (Method::PATCH, format!("/agents/{agent}"), json!({"active": "no"}), "active"),
        (Method::POST, "/departments".into(), json!({"name": ""}), "name"),
        (Method::POST, "/ticket-fields".into(), json!({"key": "Bad Key", "label": "x", "type": "text"}), "key"),
        (Method::POST, "/ticket-fields".into(), json!({"key": "plan", "label": "Plan", "type": "dropdown"}), "options"),
        (Method::POST, "/webhooks".into(), json!({"url": "ftp://example.com/", "events": ["ticket.created"]}), "url"),
        (
            Method::POST,
            "/webhooks".into(),
            json!({"url": "http://127.0.0.1:9/", "events": ["ticket.exploded"]}),
            "events",
        ),
    ];
    for (m, path, body, field) in cases {
        let (s, p) = app.api(&acct, m.clone(), &path, Some(body.clone())).await;
        assert!(s.is_client_error(), "{m} {path} {body}: {s} {p}");
        if s == StatusCode::UNPROCESSABLE_ENTITY && !field.is_empty() {
            let fields: Vec<&str> =
                p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(fields.contains(&field), "{m} {path} {body}: expected an error on {field}, got {p}");
        }
    }
    // A contact that already exists is a conflict, not a second contact.
    let (s, _) = app.api(&acct, Method::POST, "/contacts", Some(json!({"email": "JANE@example.com"}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Foreign ids in the path: 404. In a merge body: 404 and nothing merged.
    let (s, _) = app.api(&acct, Method::PATCH, &format!("/tickets/{foreign}"), Some(json!({"status": "open"}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&acct, Method::POST, &format!("/tickets/{id}/merge"), Some(json!({"ids": [foreign]}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&acct, Method::GET, "/tickets/not-an-id", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = app.api(&acct, Method::GET, "/tickets?page[after]=garbage", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, p) = app.api(&acct, Method::GET, "/tickets?page[size]=1000", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");

    assert_eq!(counts(&app, &acct, &id).await, before, "nothing was written by bad requests");
}

#[tokio::test]
async fn bad_input_is_refused_on_sqlite() {
    bad_input_is_refused(Engine::Sqlite).await;
}

#[tokio::test]
async fn bad_input_is_refused_on_postgres() {
    bad_input_is_refused(Engine::Postgres).await;
}
