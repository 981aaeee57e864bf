//! Companies: changed over the API (a name, mail domains each of which belongs to one company of the account).
//! Another account's companies are not found.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn company(app: &TestApp, a: &TestAccount, body: Value) -> String {
    let (s, c) = app.api(a, Method::POST, "/companies", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn companies_api_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let globex = company(&app, &a, json!({"name": "Globex", "domains": ["globex.example"]})).await;
    let initech = company(&app, &a, json!({"name": "Initech"})).await;
    let path = format!("/companies/{initech}");

    // A change keeps what it leaves out; domains are stored lower-case, each once.
    let (s, c) = app
        .api(
            &a,
            Method::PATCH,
            &path,
            Some(json!({"domains": ["Initrode.Example", "initrode.example ", "initech.example"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!((c["name"].as_str(), &c["domains"]), (Some("Initech"), &json!(["initrode.example", "initech.example"])));
    let (s, c) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "  Initrode  "}))).await;
    assert_eq!((s, c["name"].as_str()), (StatusCode::OK, Some("Initrode")), "{c}");
    let (_, shown) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(shown, c, "what was answered is what is stored");
    // A new customer writing from one of its domains joins it.
    let t = app.ticket(&a, "Hello", "From Initrode", "peter@initrode.example").await;
    let (_, peter) =
        app.api(&a, Method::GET, &format!("/contacts/{}", t["requester_id"].as_str().unwrap()), None).await;
    assert_eq!(peter["company_id"].as_str(), Some(initech.as_str()));

    // Bad values are named (422), and nothing of the request is kept.
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": "Fine", "domains": ["not a domain"]}), "domains"),
        (json!({"domains": ["localhost"]}), "domains"),
        (json!({"notes": "none here"}), "body"),
    ] {
        let (s, p) = app.api(&a, Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {p}");
        if field != "body" {
            assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
        }
    }
    let (s, _) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "x".repeat(200)}))).await;
    assert_eq!(s, StatusCode::OK, "200 characters are enough");
    let (s, _) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "Initrode"}))).await;
    assert_eq!(s, StatusCode::OK);

    // A domain another company of the account has is a conflict, on a change and on a new company alike.
    let (s, p) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "Taken", "domains": ["GLOBEX.example"]}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("globex.example"), "{p}");
    let (_, after) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(
        (after["name"].as_str(), &after["domains"]),
        (Some("Initrode"), &json!(["initrode.example", "initech.example"]))
    );
    let (s, p) =
        app.api(&a, Method::POST, "/companies", Some(json!({"name": "Globex 2", "domains": ["globex.example"]}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    // Its own domains again are no conflict with itself.
    let (s, p) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/companies/{globex}"),
            Some(json!({"domains": ["globex.example", "globex.test"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");

    // Another account's company is not found, nor changed; that account may have the same domain.
    let (s, p) = app.api(&other, Method::PATCH, &format!("/companies/{globex}"), Some(json!({"name": "Stolen"}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    let (s, p) = app.api(&other, Method::PATCH, &format!("/companies/{globex}"), Some(json!({"name": ""}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not found comes before a bad value: {p}");
    let (_, g) = app.api(&a, Method::GET, &format!("/companies/{globex}"), None).await;
    assert_eq!(g["name"], "Globex");
    company(&app, &other, json!({"name": "Their Globex", "domains": ["globex.example"]})).await;
    for id in ["nope", "00000000-0000-7000-8000-000000000000"] {
        let (s, _) = app.api(&a, Method::PATCH, &format!("/companies/{id}"), Some(json!({"name": "X"}))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn companies_are_changed_over_the_api_on_sqlite() {
    companies_api_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn companies_are_changed_over_the_api_on_postgres() {
    companies_api_story(Engine::Postgres).await;
}
