//! The OpenAPI document is generated from the code and describes the routes that exist.

use crate::helpers::{spawn_app, Engine};
use serde_json::Value;

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let doc: Value = app.http.get(app.url(&a.slug, "/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    for (path, method) in [
        ("/api/v1/tickets", "post"),
        ("/api/v1/tickets", "get"),
        ("/api/v1/tickets/{id}", "patch"),
        ("/api/v1/tickets/{id}/messages", "post"),
        ("/api/v1/tickets/{id}/merge", "post"),
        ("/api/v1/contacts", "get"),
        ("/api/v1/companies/{id}", "patch"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/agents", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is documented");
    }
    for schema in ["Ticket", "Contact", "Message", "Problem", "CreateTicket", "TicketPage", "Status"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} is documented");
    }
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
    // Every documented GET route exists: lists answer 200, unknown ids 404, routes with a required query parameter
    // asked without it 422; none is "method not allowed".
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item["get"].is_null() {
            continue;
        }
        let concrete = path
            .replace("{id}", "00000000-0000-7000-8000-000000000000")
            .replace("{kb}", "00000000-0000-7000-8000-000000000000");
        let res = app.http.get(app.url(&a.slug, &concrete)).bearer_auth(&a.api_key).send().await.unwrap();
        let needs_query = item["get"]["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" && p["required"] == true));
        let want = if path.contains("{id}") || path.contains("{kb}") {
            404
        } else if needs_query {
            422
        } else {
            200
        };
        assert_eq!(res.status().as_u16(), want, "GET {path}");
    }
}
