//! Contacts: found by name, address or company, and two records of one person merged: their tickets move, the
//! merge is audited, and another account's contacts are not found.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn contact_of(app: &TestApp, a: &TestAccount, email: &str) -> Value {
    let (s, list) = app.api(a, Method::GET, &format!("/contacts?email={email}"), None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["contacts"][0].clone()
}

fn emails(list: &Value) -> Vec<String> {
    let mut e: Vec<String> =
        list["contacts"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap_or("-").to_string()).collect();
    e.sort();
    e
}

#[tokio::test]
async fn contacts_are_found_and_merged_on_sqlite() {
    contacts(Engine::Sqlite).await;
}

#[tokio::test]
async fn contacts_are_found_and_merged_on_postgres() {
    contacts(Engine::Postgres).await;
}

async fn contacts(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let first = app.ticket(&a, "Order late", "x", "ann@example.com").await;
    let second = app.ticket(&a, "Order late again", "y", "ann.private@example.net").await;
    let theirs = app.ticket(&other, "Elsewhere", "z", "ann@example.com").await;
    let (s, globex) = app.api(&a, Method::POST, "/companies", Some(json!({"name": "Globex Corp"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{globex}");
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            "/contacts",
            Some(json!({"email": "hank@globex.example", "name": "Hank", "company_id": globex["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // Search by part of a name or address, any case, or by company.
    let (s, found) = app.api(&a, Method::GET, "/contacts?q=ANN", None).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert_eq!(emails(&found), vec!["ann.private@example.net", "ann@example.com"]);
    let (_, found) = app.api(&a, Method::GET, "/contacts?q=example.net", None).await;
    assert_eq!(emails(&found), vec!["ann.private@example.net"]);
    let (_, found) = app.api(&a, Method::GET, "/contacts?q=globex%20c", None).await;
    assert_eq!(emails(&found), vec!["hank@globex.example"]);
    let (_, found) = app.api(&a, Method::GET, "/contacts?q=%25", None).await;
    assert_eq!(emails(&found), Vec::<String>::new(), "% is a character, not a wildcard");
    let (s, p) = app.api(&a, Method::GET, "/contacts?q=%20", None).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("q")));
    let (_, found) = app.api(&other, Method::GET, "/contacts?q=ann", None).await;
    assert_eq!(found["contacts"].as_array().unwrap().len(), 1, "only the account's own: {found}");

    // Merge the second address into the first: its ticket moves; the other is gone.
    let kept = contact_of(&app, &a, "ann@example.com").await;
    let gone = contact_of(&app, &a, "ann.private@example.net").await;
    let (kept_id, gone_id) = (kept["id"].as_str().unwrap(), gone["id"].as_str().unwrap());
    let (s, merged) =
        app.api(&a, Method::POST, &format!("/contacts/{kept_id}/merge"), Some(json!({"from": gone_id}))).await;
    assert_eq!(s, StatusCode::OK, "{merged}");
    assert_eq!(merged["contact"]["id"], kept["id"]);
    assert_eq!(merged["tickets_moved"], json!([second["id"]]));
    let (_, list) = app.api(&a, Method::GET, &format!("/tickets?requester={kept_id}"), None).await;
    let mut ids: Vec<&Value> = list["tickets"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
    ids.sort_by_key(|v| v.as_str().unwrap().to_string());
    let mut want = vec![&first["id"], &second["id"]];
    want.sort_by_key(|v| v.as_str().unwrap().to_string());
    assert_eq!(ids, want, "both tickets are the kept contact's");
    let (s, _) = app.api(&a, Method::GET, &format!("/contacts/{gone_id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=contact.merged", None).await;
    let entry = &log["entries"][0];
    assert_eq!(entry["target"], format!("contact:{kept_id}"), "{log}");
    assert_eq!(entry["detail"]["from"], gone_id);

    // Bad input and other accounts' ids.
    let theirs_contact = theirs["requester_id"].as_str().unwrap();
    for (path, from, status) in [
        (kept_id.to_string(), json!(theirs_contact), StatusCode::NOT_FOUND),
        (theirs_contact.to_string(), json!(kept_id), StatusCode::NOT_FOUND),
        (kept_id.to_string(), json!(gone_id), StatusCode::NOT_FOUND),
        ("nope".to_string(), json!(kept_id), StatusCode::NOT_FOUND),
        (kept_id.to_string(), json!("nope"), StatusCode::UNPROCESSABLE_ENTITY),
        (kept_id.to_string(), json!(kept_id), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (s, p) = app.api(&a, Method::POST, &format!("/contacts/{path}/merge"), Some(json!({"from": from}))).await;
        assert_eq!(s, status, "{path} from {from}: {p}");
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(p["errors"][0]["field"], "from", "{p}");
        }
    }
    let (s, p) = app.api(&a, Method::POST, &format!("/contacts/{kept_id}/merge"), Some(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    // The other account's contact still has its ticket.
    let (_, list) = app.api(&other, Method::GET, &format!("/tickets?requester={theirs_contact}"), None).await;
    assert_eq!(list["tickets"].as_array().unwrap().len(), 1);
}
