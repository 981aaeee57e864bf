//! Canned responses, macros and bulk actions, on both engines: CRUD, placeholders refused and filled, personal
//! items seen only by their owner, a macro's changes and reply on a ticket, bulk changes that report what could
//! not change, and other accounts' ids answered as unknown.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use parley_app::canned::{self, CannedInput, CannedQuery, MacroInput};
use parley_app::{AccountCtx, AppError, Caller};
use parley_domain::account::AccountSlug;
use parley_domain::canned::MacroReply;
use parley_domain::ids::AgentId;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const NIL: &str = "00000000-0000-7000-8000-000000000000";

async fn ctx(app: &TestApp, slug: &str) -> AccountCtx {
    app.app.regions.context(&AccountSlug::parse(slug).unwrap()).await.unwrap()
}

/// An agent added through the API, as the caller the workspace's pages act as.
async fn agent(app: &TestApp, a: &TestAccount, email: &str, name: &str, role: &str) -> Caller {
    let (s, out) = app.api(a, Method::POST, "/agents", Some(json!({"email": email, "name": name, "role": role}))).await;
    assert_eq!(s, StatusCode::CREATED, "{out}");
    let id = AgentId::parse(out["agent"]["id"].as_str().unwrap()).unwrap();
    let c = ctx(app, &a.slug).await;
    Caller::Agent(c.store.get_agent(c.account_id, id).await.unwrap().unwrap())
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

fn errors(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {v}"))
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string()))
        .collect()
}

fn titles(v: &Value) -> Vec<String> {
    v["canned_responses"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_string()).collect()
}

async fn canned_responses(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let b = app.account("bravo", "eu").await;

    // An unknown placeholder is refused when saved, by name.
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/canned-responses",
            Some(json!({"title": "Hi", "body": "Dear {{foo}}, {{ticket.number}}"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(errors(&p), [("body".to_string(), "unknown placeholder {{foo}}".to_string())]);
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/canned-responses",
            Some(json!({"title": "", "body": "x", "shortcut": "two words", "language": "english!"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = errors(&p).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["title", "shortcut", "language"]);
    // An API key belongs to no agent: it keeps no personal responses.
    let (s, p) = app
        .api(&a, Method::POST, "/canned-responses", Some(json!({"title": "Mine", "body": "x", "shared": false})))
        .await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "shared"));

    let body = "Hi {{requester.first_name}} <b>({{ requester.email }})</b>, about {{ticket.number}} \
                \"{{ticket.subject}}\": refunded. {{requester.name}} / {{agent.first_name}} of {{agent.name}}{{agent.signature}}";
    let (s, refund) = app
        .api(
            &a,
            Method::POST,
            "/canned-responses",
            Some(json!({"title": "Refund done", "body": body, "shared": true, "shortcut": "#Refund",
                "folder": "Billing", "language": "en"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{refund}");
    assert_eq!((refund["shortcut"].as_str(), refund["shared"].as_bool()), (Some("refund"), Some(true)));
    assert_eq!(refund["body"], body, "HTML is kept as text");
    let rid = id_of(&refund);
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            "/canned-responses",
            Some(json!({"title": "Thanks", "body": "Thanks!", "shortcut": "thanks"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, p) = app
        .api(&a, Method::POST, "/canned-responses", Some(json!({"title": "Again", "body": "x", "shortcut": "refund"})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a shortcut is unique: {p}");

    // Listing: search by title or shortcut, by language, by folder.
    let list = |q: &'static str| {
        let app = &app;
        let a = &a;
        async move { app.api(a, Method::GET, &format!("/canned-responses{q}"), None).await }
    };
    assert_eq!(titles(&list("").await.1), ["Thanks", "Refund done"], "no folder first");
    assert_eq!(titles(&list("?q=REFUN").await.1), ["Refund done"]);
    assert_eq!(titles(&list("?q=%23tha").await.1), ["Thanks"]);
    assert_eq!(titles(&list("?q=%23done").await.1), Vec::<String>::new(), "# searches shortcuts only");
    assert_eq!(titles(&list("?language=en").await.1), ["Refund done"]);
    assert_eq!(titles(&list("?language=de").await.1), Vec::<String>::new());
    assert_eq!(titles(&list("?folder=Billing").await.1), ["Refund done"]);
    let (s, p) = list("?colour=red").await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "colour"));

    // Change, with the same checks.
    let path = format!("/canned-responses/{rid}");
    let (s, p) = app.api(&a, Method::PATCH, &path, Some(json!({"body": "Hi {{requester.nmae}}"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&p), [("body".to_string(), "unknown placeholder {{requester.nmae}}".to_string())]);
    let (s, changed) = app.api(&a, Method::PATCH, &path, Some(json!({"title": "Refunded", "folder": null}))).await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!((changed["title"].as_str(), changed["folder"].is_null()), (Some("Refunded"), true));
    assert_eq!(changed["shortcut"], "refund");
    let (_, shown) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(shown, changed);

    // Rendered for a ticket: every placeholder filled; the account's first key was made by its owner.
    let (s, t) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "Card charged twice", "message": {"body": "Help"},
            "requester": {"email": "jane@example.com", "name": "Jane van Dijk"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let tid = id_of(&t);
    let number = t["number"].as_i64().unwrap();
    let (s, r) = app.api(&a, Method::GET, &format!("/tickets/{tid}/canned-responses/{rid}/render"), None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        r["body"].as_str().unwrap(),
        format!(
            "Hi Jane <b>(jane@example.com)</b>, about #{number} \"Card charged twice\": refunded. Jane van Dijk / \
             Olivia of Olivia Owner"
        )
    );

    // Recorded in the audit log.
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed", None).await;
    let mine: Vec<&Value> =
        log["entries"].as_array().unwrap().iter().filter(|e| e["target"] == format!("canned_response:{rid}")).collect();
    let changes: Vec<&str> = mine.iter().map(|e| e["detail"]["change"].as_str().unwrap()).collect();
    assert_eq!(changes, ["changed", "created"], "{log}");

    // Another account's ids are unknown, whatever is asked.
    let (_, bt) = app
        .api(
            &b,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "B", "message": {"body": "b"}, "requester": {"email": "x@example.com"}})),
        )
        .await;
    let btid = id_of(&bt);
    for (method, body) in
        [(Method::GET, None), (Method::PATCH, Some(json!({"title": "Stolen"}))), (Method::DELETE, None)]
    {
        let (s, _) = app.api(&b, method.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} another account's response");
    }
    assert!(titles(&app.api(&b, Method::GET, "/canned-responses", None).await.1).is_empty());
    let (s, _) = app.api(&b, Method::GET, &format!("/tickets/{btid}/canned-responses/{rid}/render"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{btid}/canned-responses/{rid}/render"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nor are another account's tickets");
    let (s, _) = app.api(&a, Method::GET, "/canned-responses/not-an-id", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, _) = app.api(&a, Method::DELETE, &path, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::DELETE, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed&page[size]=1", None).await;
    assert_eq!(log["entries"][0]["detail"]["change"], "deleted");
}

#[tokio::test]
async fn the_new_routes_are_documented() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let doc: Value = app.http.get(app.url(&a.slug, "/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for (path, methods) in [
        ("/api/v1/canned-responses", &["get", "post"][..]),
        ("/api/v1/canned-responses/{id}", &["get", "patch", "delete"]),
        ("/api/v1/tickets/{id}/canned-responses/{canned_id}/render", &["get"]),
        ("/api/v1/macros", &["get", "post"]),
        ("/api/v1/macros/{id}", &["get", "patch", "delete"]),
        ("/api/v1/tickets/{id}/macros/{macro_id}", &["post"]),
        ("/api/v1/tickets/bulk", &["post"]),
    ] {
        for m in methods {
            assert!(doc["paths"][path][m].is_object(), "{m} {path} is documented");
        }
    }
    for schema in ["CannedResponse", "Macro", "BulkBody", "BulkResult", "NewMacroBody", "NewCannedBody"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} is documented");
    }
}

#[tokio::test]
async fn canned_responses_on_sqlite() {
    canned_responses(Engine::Sqlite).await;
}

#[tokio::test]
async fn canned_responses_on_postgres() {
    canned_responses(Engine::Postgres).await;
}

/// Two agents: each sees the shared items and their own, never the other's; API keys see shared ones only.
async fn personal_and_shared(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let ann = agent(&app, &a, "ann@acme.example", "Ann Agent", "agent").await;
    let bob = agent(&app, &a, "bob@acme.example", "Bob Agent", "agent").await;
    let c = ctx(&app, "acme").await;
    let input = |title: &str, shared: bool, shortcut: &str| CannedInput {
        title: title.into(),
        body: "Regards, {{agent.name}}".into(),
        shared,
        shortcut: Some(shortcut.into()),
        folder: None,
        language: None,
    };

    let anns = canned::create_canned(&c, &ann, input("Ann's", false, "#thanks")).await.unwrap();
    assert!(!anns.shared);
    assert!(
        matches!(canned::create_canned(&c, &ann, input("Shared by Ann", true, "x")).await, Err(AppError::Forbidden(_))),
        "shared responses are made by administrators"
    );
    let bobs = canned::create_canned(&c, &bob, input("Bob's", false, "thanks")).await.unwrap();
    let (s, shared) = app
        .api(&a, Method::POST, "/canned-responses", Some(json!({"title": "Team", "body": "Hello", "shortcut": "team"})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .api(&a, Method::POST, "/canned-responses", Some(json!({"title": "T", "body": "x", "shortcut": "thanks"})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a shared shortcut may not repeat one an agent uses");

    let seen = |caller: &'static str| {
        let c = &c;
        let who = if caller == "ann" { &ann } else { &bob };
        async move {
            let list = canned::list_canned(c, who, CannedQuery::default()).await.unwrap();
            list.into_iter().map(|x| x.title).collect::<Vec<_>>()
        }
    };
    assert_eq!(seen("ann").await, ["Ann's", "Team"]);
    assert_eq!(seen("bob").await, ["Bob's", "Team"]);
    assert!(matches!(canned::get_canned(&c, &bob, anns.id).await, Err(AppError::NotFound)));
    assert!(matches!(canned::delete_canned(&c, &bob, anns.id).await, Err(AppError::NotFound)));
    let patch = canned::CannedPatch { title: Some("Mine now".into()), ..Default::default() };
    assert!(matches!(canned::update_canned(&c, &bob, anns.id, patch).await, Err(AppError::NotFound)));
    // An agent may not change a shared one either; the owner may change their own.
    let shared_id = shared["id"].as_str().unwrap().parse().unwrap();
    let patch = canned::CannedPatch { title: Some("Ann's team".into()), ..Default::default() };
    assert!(matches!(canned::update_canned(&c, &ann, shared_id, patch).await, Err(AppError::Forbidden(_))));
    let patch = canned::CannedPatch { title: Some("Ann's own".into()), ..Default::default() };
    assert_eq!(canned::update_canned(&c, &ann, anns.id, patch).await.unwrap().title, "Ann's own");
    // Rendered for Bob with Bob's name.
    let t = app.ticket(&a, "Hello", "Hi", "jane@example.com").await;
    let tid = t["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(canned::render_canned(&c, &bob, tid, bobs.id).await.unwrap(), "Regards, Bob Agent");
    assert!(matches!(canned::render_canned(&c, &bob, tid, anns.id).await, Err(AppError::NotFound)));

    // API keys see the shared ones only.
    let (_, list) = app.api(&a, Method::GET, "/canned-responses", None).await;
    assert_eq!(titles(&list), ["Team"]);
    let (s, _) = app.api(&a, Method::GET, &format!("/canned-responses/{}", anns.id), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Macros the same way.
    let mine = MacroInput {
        title: "Ann's macro".into(),
        actions: vec![json!({"action": "add_tags", "value": ["ann"]})],
        reply: Some(MacroReply { body: "Noted by {{agent.first_name}}".into(), internal: true }),
        shared: false,
    };
    let m = canned::create_macro(&c, &ann, mine).await.unwrap();
    assert_eq!(canned::list_macros(&c, &ann).await.unwrap().len(), 1);
    assert!(canned::list_macros(&c, &bob).await.unwrap().is_empty());
    assert!(matches!(canned::apply_macro(&app.app, &c, &bob, tid, m.id).await, Err(AppError::NotFound)));
    let (s, _) = app.api(&a, Method::GET, &format!("/macros/{}", m.id), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::POST, &format!("/tickets/{tid}/macros/{}", m.id), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let applied = canned::apply_macro(&app.app, &c, &ann, tid, m.id).await.unwrap();
    assert_eq!(applied.ticket.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(), ["ann"]);
    let note = applied.timeline.messages.last().unwrap();
    assert_eq!((note.body.as_str(), note.internal), ("Noted by Ann", true));

    // A ticket of a department Ann is not in is as unknown to her bulk action as another account's.
    let (s, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{dept}");
    let hidden = app.ticket(&a, "Billing only", "x", "jane@example.com").await;
    let hid = id_of(&hidden);
    let (s, _) =
        app.api(&a, Method::PATCH, &format!("/tickets/{hid}"), Some(json!({"department_id": dept["id"]}))).await;
    assert_eq!(s, StatusCode::OK);
    let out = canned::bulk_update(&app.app, &c, &ann, vec![hid.clone(), tid.to_string()], canned::BulkOperation::Spam)
        .await
        .unwrap();
    assert_eq!(out.updated, [tid]);
    assert_eq!(out.failed.len(), 1);
    assert!(matches!(&out.failed[0], canned::BulkFailure { id, error: AppError::NotFound } if *id == hid));
    let (_, still) = app.api(&a, Method::GET, &format!("/tickets/{hid}"), None).await;
    assert_eq!(still["status"], "new");
}

#[tokio::test]
async fn personal_and_shared_on_sqlite() {
    personal_and_shared(Engine::Sqlite).await;
}

#[tokio::test]
async fn personal_and_shared_on_postgres() {
    personal_and_shared(Engine::Postgres).await;
}

async fn macros(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let b = app.account("bravo", "eu").await;
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            "/ticket-fields",
            Some(json!({"key": "plan", "label": "Plan", "type": "dropdown", "options": ["gold", "silver"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // Bad actions are refused, each named.
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/macros",
            Some(json!({"title": "Bad", "actions": [
                {"action": "set", "field": "colour", "value": "red"},
                {"action": "explode", "value": 1},
                {"action": "set", "field": "status", "value": "bogus"},
                {"action": "set", "field": "custom_fields.plan", "value": "bronze"},
                {"action": "set", "field": "assignee_id", "value": NIL},
            ], "reply": {"body": "Hi {{customer.name}}"}})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields: Vec<String> = errors(&p).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["reply.body", "actions[0].field", "actions[1].action", "actions[2].value", "actions[3].value"],
        "{p}"
    );
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/macros",
            Some(json!({"title": "Ghost", "actions": [{"action": "set", "field": "assignee_id", "value": NIL}]})),
        )
        .await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "actions[0].value"));
    let (s, p) = app.api(&a, Method::POST, "/macros", Some(json!({"title": "Nothing"}))).await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "actions"));

    let (s, m) = app
        .api(
            &a,
            Method::POST,
            "/macros",
            Some(json!({"title": "Refund done", "actions": [
                {"action": "set", "field": "status", "value": "pending"},
                {"action": "set", "field": "priority", "value": "high"},
                {"action": "add_tags", "value": ["refund"]},
                {"action": "remove_tags", "value": ["old"]},
                {"action": "set", "field": "custom_fields.plan", "value": "gold"},
            ], "reply": {"body": "Hi {{requester.first_name}}, {{ticket.number}} is refunded.", "internal": false}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["shared"], true);
    assert_eq!(m["actions"][2], json!({"action": "add_tags", "value": ["refund"]}));
    let mid = id_of(&m);
    let (_, list) = app.api(&a, Method::GET, "/macros", None).await;
    assert_eq!(list["macros"].as_array().unwrap().len(), 1);
    let (_, shown) = app.api(&a, Method::GET, &format!("/macros/{mid}"), None).await;
    assert_eq!(shown, m);

    let (s, t) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "Refund", "message": {"body": "Money back?"},
            "requester": {"email": "jane@example.com", "name": "Jane Doe"}, "tags": ["old", "billing"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let tid = id_of(&t);
    let (s, after) = app.api(&a, Method::POST, &format!("/tickets/{tid}/macros/{mid}"), None).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!((after["status"].as_str(), after["priority"].as_str()), (Some("pending"), Some("high")));
    assert_eq!(after["tags"], json!(["billing", "refund"]));
    assert_eq!(after["custom_fields"]["plan"], "gold");
    let timeline = after["timeline"].as_array().unwrap();
    let reply = timeline.iter().rfind(|e| e["kind"] == "message").unwrap();
    assert_eq!(reply["body"], format!("Hi Jane, #{} is refunded.", t["number"]));
    assert_eq!(reply["internal"], false);
    let (_, shown) = app.api(&a, Method::GET, &format!("/tickets/{tid}"), None).await;
    assert_eq!(shown, after, "the answer is the ticket as GET shows it");
    let events: Vec<&str> =
        timeline.iter().filter(|e| e["kind"] == "event").filter_map(|e| e["type"].as_str()).collect();
    assert!(events.len() >= 4, "each change is a timeline event: {timeline:?}");

    // On an email ticket the reply goes out as mail, as any reply does.
    let (s, mail) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "By mail", "message": {"body": "Refund?"}, "channel": "email",
            "requester": {"email": "mail@example.com", "name": "Mia Mail"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mail}");
    let (s, after) = app.api(&a, Method::POST, &format!("/tickets/{}/macros/{mid}", id_of(&mail)), None).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    let reply = after["timeline"].as_array().unwrap().iter().rfind(|e| e["kind"] == "message").unwrap().clone();
    assert_eq!(reply["body"], format!("Hi Mia, #{} is refunded.", mail["number"]));
    assert_eq!(reply["email"]["to"], json!(["mail@example.com"]), "{reply}");

    // Changing a macro, and removing its reply.
    let (s, changed) = app
        .api(&a, Method::PATCH, &format!("/macros/{mid}"), Some(json!({"title": "Refund (no reply)", "reply": null})))
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert!(changed["reply"].is_null());
    let (s, p) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/macros/{mid}"),
            Some(json!({"actions": [{"action": "set", "field": "nope", "value": 1}]})),
        )
        .await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "actions[0].field"));

    // A closed ticket refuses it.
    let closed = app.ticket(&a, "Closed", "x", "jane@example.com").await;
    let cid = id_of(&closed);
    let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{cid}"), Some(json!({"status": "closed"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = app.api(&a, Method::POST, &format!("/tickets/{cid}/macros/{mid}"), None).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("ticket_closed")));

    // Isolation: another account's macro and tickets are unknown.
    let bt = app.ticket(&b, "B", "b", "x@example.com").await;
    let btid = id_of(&bt);
    for path in [format!("/tickets/{btid}/macros/{mid}"), format!("/tickets/{tid}/macros/{mid}")] {
        let (s, _) = app.api(&b, Method::POST, &path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app.api(&a, Method::POST, &format!("/tickets/{btid}/macros/{mid}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for (method, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"title": "x"}))), (Method::DELETE, None)] {
        let (s, _) = app.api(&b, method.clone(), &format!("/macros/{mid}"), body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method}");
    }
    let (_, list) = app.api(&b, Method::GET, "/macros", None).await;
    assert!(list["macros"].as_array().unwrap().is_empty());

    let (s, _) = app.api(&a, Method::DELETE, &format!("/macros/{mid}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.api(&a, Method::POST, &format!("/tickets/{tid}/macros/{mid}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed", None).await;
    let changes: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("macro:{mid}"))
        .map(|e| e["detail"]["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["deleted", "changed", "created"]);
}

#[tokio::test]
async fn macros_on_sqlite() {
    macros(Engine::Sqlite).await;
}

#[tokio::test]
async fn macros_on_postgres() {
    macros(Engine::Postgres).await;
}

async fn bulk(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let b = app.account("bravo", "eu").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id_of(&app.ticket(&a, &format!("T{i}"), "x", "jane@example.com").await));
    }
    let foreign = id_of(&app.ticket(&b, "Foreign", "x", "x@example.com").await);
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    let owner = agents["agents"][0]["id"].as_str().unwrap().to_string();

    let body = json!({"ids": [ids[0], ids[1], foreign, NIL, "not-an-id", ids[0], ids[1].to_uppercase()],
        "changes": {"status": "pending", "assignee_id": owner, "add_tags": ["bulk"]}});
    let (s, out) = app.api(&a, Method::POST, "/tickets/bulk", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["updated"], json!([ids[0], ids[1]]));
    let failed: Vec<(&str, &str)> = out["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(failed, [(foreign.as_str(), "not_found"), (NIL, "not_found"), ("not-an-id", "not_found")]);
    let (_, t0) = app.api(&a, Method::GET, &format!("/tickets/{}", ids[0]), None).await;
    assert_eq!((t0["status"].as_str(), t0["assignee_id"].as_str()), (Some("pending"), Some(owner.as_str())));
    assert_eq!(t0["tags"], json!(["bulk"]));
    let types: Vec<&str> = t0["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "event")
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(types.contains(&"status_changed") && types.contains(&"tags_changed"), "{types:?}");
    let (_, untouched) = app.api(&b, Method::GET, &format!("/tickets/{foreign}"), None).await;
    assert_eq!((untouched["status"].as_str(), untouched["tags"].clone()), (Some("new"), json!([])), "never changed");

    // The limit, and requests that say nothing clear.
    let many: Vec<String> = (0..10_000).map(|_| ids[0].clone()).collect();
    let (s, p) = app.api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": many, "spam": true}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (field, message) = errors(&p).remove(0);
    assert_eq!(field, "ids");
    assert!(message.contains("1000"), "{message}");
    let (s, p) = app.api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[0]]}))).await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "changes"));
    let (s, _) = app
        .api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[0]], "spam": true, "merge_into": ids[1]})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, p) =
        app.api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[0]], "changes": {"status": "gone"}}))).await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "changes.status"));
    let (s, p) = app.api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[0]], "macro_id": NIL}))).await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "macro_id"));
    let (s, p) =
        app.api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[0]], "merge_into": foreign}))).await;
    assert_eq!((s, errors(&p)[0].0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "merge_into"));

    // Spam is a status.
    let (s, out) = app.api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[2]], "spam": true}))).await;
    assert_eq!((s, out["updated"].clone()), (StatusCode::OK, json!([ids[2]])));
    let (_, t2) = app.api(&a, Method::GET, &format!("/tickets/{}", ids[2]), None).await;
    assert_eq!(t2["status"], "spam");

    // A macro on a selection: each ticket gets its own reply.
    let (_, m) = app
        .api(
            &a,
            Method::POST,
            "/macros",
            Some(json!({"title": "Ack", "actions": [{"action": "set", "field": "priority", "value": "urgent"}],
            "reply": {"body": "Seen: {{ticket.subject}}"}})),
        )
        .await;
    let (s, out) = app
        .api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[3], ids[4], foreign], "macro_id": m["id"]})))
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["updated"], json!([ids[3], ids[4]]));
    assert_eq!(out["failed"][0]["code"], "not_found");
    for (i, id) in [(3, &ids[3]), (4, &ids[4])] {
        let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
        assert_eq!(t["priority"], "urgent");
        let reply = t["timeline"].as_array().unwrap().iter().rfind(|e| e["kind"] == "message").unwrap().clone();
        assert_eq!(reply["body"], format!("Seen: T{i}"));
    }

    // Merging a selection; a merged ticket then fails with the code a single change would get.
    let (s, out) = app
        .api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[1], ids[0], ids[3]], "merge_into": ids[0]})))
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["updated"], json!([ids[1], ids[3]]));
    assert_eq!(out["failed"][0]["code"], "merge_into_self");
    let (s, out) = app
        .api(&a, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[1]], "changes": {"priority": "low"}})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(out["failed"][0]["code"], "ticket_merged", "{out}");

    // Another account's key changes nothing of this one.
    let (s, out) =
        app.api(&b, Method::POST, "/tickets/bulk", Some(json!({"ids": [ids[0], ids[4]], "spam": true}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(out["updated"], json!([]));
    assert_eq!(out["failed"].as_array().unwrap().len(), 2);
    let (_, t4) = app.api(&a, Method::GET, &format!("/tickets/{}", ids[4]), None).await;
    assert_ne!(t4["status"], "spam");
}

#[tokio::test]
async fn bulk_on_sqlite() {
    bulk(Engine::Sqlite).await;
}

#[tokio::test]
async fn bulk_on_postgres() {
    bulk(Engine::Postgres).await;
}
