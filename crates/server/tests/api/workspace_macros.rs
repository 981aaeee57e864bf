//! The macros page, on both engines: a macro made from its form is applied through the API and changes the ticket;
//! it is changed (what the form cannot show kept) and deleted from the page; a bad placeholder or tag is named with
//! what was typed kept; another agent's personal macro and another account's are not found; HTML is text.

use crate::helpers::{spawn_app, Engine, TestApp};
use crate::ui::{csrf_in, get, sign_in};
use parley_app::people::{add_agent, AddAgent};
use parley_domain::account::AccountSlug;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// A signed-in client and its CSRF token.
async fn session(app: &TestApp, email: &str, password: &str) -> (Client, String) {
    let (c, s) = sign_in(app, "acme", email, password).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{email} signs in");
    let (_, html) = get(&c, &app.url("acme", "/macros")).await;
    let csrf = csrf_in(&html);
    (c, csrf)
}

/// An agent with a password, added as the operator would, so the story runs on both engines.
async fn agent(app: &TestApp, email: &str, name: &str) -> String {
    let ctx = app.app.regions.context(&AccountSlug::parse("acme").unwrap()).await.unwrap();
    let input = AddAgent {
        email: email.into(),
        name: name.into(),
        role: "agent".into(),
        department_ids: vec![],
        password: Some("correct horse battery staple".into()),
    };
    let (a, _) = add_agent(&ctx, None, input, false).await.unwrap();
    a.id.to_string()
}

/// The session API: a JSON answer, writes carrying the page's token.
async fn session_api(
    c: &Client,
    csrf: &str,
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = c.request(method, app.url("acme", &format!("/api/v1{path}"))).header("X-CSRF-Token", csrf);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn post(c: &Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status(), location, r.text().await.unwrap())
}

async fn macros_page(engine: Engine) {
    let app = spawn_app(engine).await;
    let acct = app.account("acme", "eu").await;
    let ann_id = agent(&app, "ann@acme.example", "Ann Agent").await;
    let (c, csrf) = session(&app, &acct.email, &acct.password).await;
    let (ann, ann_csrf) = session(&app, "ann@acme.example", "correct horse battery staple").await;
    let (s, dept) = app.api(&acct, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{dept}");
    let dept_id = dept["id"].as_str().unwrap().to_string();
    let t = app.ticket(&acct, "Refund please", "Money back?", "jane@example.com").await;
    let tid = t["id"].as_str().unwrap().to_string();
    let (s, _) =
        app.api(&acct, Method::PATCH, &format!("/tickets/{tid}"), Some(json!({"tags": ["old", "keep"]}))).await;
    assert_eq!(s, StatusCode::OK);

    let url = app.url("acme", "/macros");
    let (s, html) = get(&c, &url).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No macros yet.") && html.contains("href=\"/macros\" aria-current=\"page\""), "{html}");
    let (_, canned) = get(&c, &app.url("acme", "/canned-responses")).await;
    assert!(canned.contains("href=\"/macros\""), "the saved responses page links to macros");

    // A form without its token is refused.
    let (s, _, _) = post(&c, &url, &[("_csrf", "forged"), ("title", "x"), ("status", "open")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // An unknown placeholder is named, and what was typed stays.
    let form = |reply: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("title", "Refund <b>done</b>".to_string()),
            ("status", "resolved".into()),
            ("priority", "high".into()),
            ("assignee", ann_id.clone()),
            ("department", dept_id.clone()),
            ("add_tags", "refund, vip".into()),
            ("remove_tags", "old".into()),
            ("reply", reply.into()),
        ]
    };
    let bad = form("Hi {{requester.nickname}}, <i>refunded</i>.");
    let r = c.post(&url).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Reply: unknown placeholder {{requester.nickname}}"), "{html}");
    assert!(html.contains("Hi {{requester.nickname}}, &#60;i&#62;refunded&#60;/i&#62;."), "the reply is kept");
    assert!(html.contains("value=\"Refund &#60;b&#62;done&#60;/b&#62;\"") && html.contains("value=\"refund, vip\""));
    assert!(
        html.contains("<option value=\"resolved\" selected>")
            && html.contains(&format!("<option value=\"{ann_id}\" selected>"))
    );
    assert!(!html.contains("<b>done</b>"), "HTML is text");

    // Made from the form.
    let good = form("Hi {{requester.first_name}}, <i>refunded</i>.");
    let r = c.post(&url).form(&good).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/macros?saved=1"));
    let (_, html) = get(&c, &format!("{url}?saved=1")).await;
    assert!(html.contains("Refund &#60;b&#62;done&#60;/b&#62;") && !html.contains("<b>done</b>"), "{html}");
    assert!(
        html.contains(
            "Status → resolved · Priority → high · Assign to: Ann Agent · Department → Billing · Add tags: refund, vip \
             · Remove tags: old · Reply: Hi {{requester.first_name}}, &#60;i&#62;refunded&#60;/i&#62;."
        ),
        "{html}"
    );
    let (_, list) = session_api(&c, &csrf, &app, Method::GET, "/macros", None).await;
    let m = list["macros"][0].clone();
    assert_eq!((m["title"].as_str(), m["shared"].as_bool()), (Some("Refund <b>done</b>"), Some(false)), "{list}");
    let mid = m["id"].as_str().unwrap().to_string();

    // Applied through the API, it changes the ticket.
    let (s, after) = session_api(&c, &csrf, &app, Method::POST, &format!("/tickets/{tid}/macros/{mid}"), None).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!((after["status"].as_str(), after["priority"].as_str()), (Some("resolved"), Some("high")));
    assert_eq!(
        (after["assignee_id"].as_str(), after["department_id"].as_str()),
        (Some(ann_id.as_str()), Some(dept_id.as_str()))
    );
    assert_eq!(after["tags"], json!(["keep", "refund", "vip"]));
    let reply = after["timeline"].as_array().unwrap().iter().rfind(|e| e["kind"] == "message").unwrap().clone();
    assert_eq!(
        (reply["body"].as_str(), reply["internal"].as_bool()),
        (Some("Hi Requester, <i>refunded</i>."), Some(false))
    );

    // Changed from the page: the form shows it; a subject set through the API, which the form cannot show, is kept.
    let actions = json!([{"action": "set", "field": "status", "value": "resolved"},
        {"action": "add_tags", "value": ["refund", "vip"]},
        {"action": "set", "field": "subject", "value": "Refund: done"}]);
    let (s, _) =
        session_api(&c, &csrf, &app, Method::PATCH, &format!("/macros/{mid}"), Some(json!({"actions": actions}))).await;
    assert_eq!(s, StatusCode::OK);
    let edit = app.url("acme", &format!("/macros/{mid}"));
    let (s, html) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<option value=\"resolved\" selected>") && html.contains("value=\"refund, vip\""), "{html}");
    assert!(html.contains("It also sets, and keeps when saved: Subject → Refund: done"), "{html}");
    assert!(html.contains(&format!("action=\"/macros/{mid}\"")) && html.contains("Hi {{requester.first_name}}"));
    let change = |remove: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("title", "Refund sent".to_string()),
            ("status", "pending".into()),
            ("priority", String::new()),
            ("assignee", "none".into()),
            ("department", String::new()),
            ("add_tags", String::new()),
            ("remove_tags", remove.into()),
            ("reply", "Noted.".into()),
            ("internal", "1".into()),
        ]
    };
    let r = c.post(&edit).form(&change("vip, two words")).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Remove tags: &#39;two words&#39; is not a tag"), "{html}");
    assert!(html.contains("value=\"vip, two words\"") && html.contains("<option value=\"none\" selected>"), "kept");
    let r = c.post(&edit).form(&change("vip")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, shown) = session_api(&c, &csrf, &app, Method::GET, &format!("/macros/{mid}"), None).await;
    assert_eq!(shown["title"], "Refund sent");
    assert_eq!(
        shown["actions"],
        json!([{"action": "set", "field": "status", "value": "pending"},
            {"action": "set", "field": "assignee_id", "value": null},
            {"action": "remove_tags", "value": ["vip"]},
            {"action": "set", "field": "subject", "value": "Refund: done"}])
    );
    assert_eq!(shown["reply"], json!({"body": "Noted.", "internal": true}));

    // Ann keeps her own; she neither sees nor changes the owner's personal one, nor changes a shared one.
    let ann_form = [("_csrf", ann_csrf.as_str()), ("title", "Ann's own"), ("priority", "low"), ("shared", "1")];
    let (s, _, html) = post(&ann, &url, &ann_form).await;
    assert_eq!(s, StatusCode::OK, "an agent may not share one");
    assert!(html.contains("administrator"), "{html}");
    let (s, _, _) = post(&ann, &url, &ann_form[..3]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let shared = [("_csrf", csrf.as_str()), ("title", "Team triage"), ("priority", "urgent"), ("shared", "1")];
    assert_eq!(post(&c, &url, &shared).await.0, StatusCode::SEE_OTHER);
    let (_, html) = get(&ann, &url).await;
    assert!(html.contains("Ann&#39;s own") && html.contains("Team triage") && !html.contains("Refund sent"), "{html}");
    assert!(!html.contains("name=\"shared\""), "only administrators share");
    let (_, list) = session_api(&ann, &ann_csrf, &app, Method::GET, "/macros", None).await;
    let id_of = |title: &str| {
        list["macros"].as_array().unwrap().iter().find(|m| m["title"] == title).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (anns, team) = (id_of("Ann's own"), id_of("Team triage"));
    assert!(html.contains(&format!("href=\"/macros/{anns}\"")) && !html.contains(&format!("href=\"/macros/{team}\"")));
    let (s, _) = get(&ann, &edit).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another agent's personal macro");
    let theirs = [("_csrf", ann_csrf.as_str()), ("title", "Mine now"), ("status", "open")];
    assert_eq!(post(&ann, &edit, &theirs).await.0, StatusCode::NOT_FOUND);
    assert_eq!(post(&ann, &format!("{edit}/delete"), &theirs[..1]).await.0, StatusCode::NOT_FOUND);
    let (s, _) = get(&ann, &app.url("acme", &format!("/macros/{team}"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        post(&ann, &app.url("acme", &format!("/macros/{team}/delete")), &theirs[..1]).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _) = get(&c, &app.url("acme", &format!("/macros/{anns}"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nor does the owner see Ann's");

    // Another account's macro is unknown here.
    let other = app.account("other", "eu").await;
    let (s, theirs_m) = app
        .api(
            &other,
            Method::POST,
            "/macros",
            Some(json!({"title": "Theirs", "actions": [{"action": "add_tags", "value": ["x"]}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let foreign = app.url("acme", &format!("/macros/{}", theirs_m["id"].as_str().unwrap()));
    assert_eq!(get(&c, &foreign).await.0, StatusCode::NOT_FOUND);
    let steal = [("_csrf", csrf.as_str()), ("title", "Stolen"), ("status", "open")];
    assert_eq!(post(&c, &foreign, &steal).await.0, StatusCode::NOT_FOUND);
    assert_eq!(post(&c, &format!("{foreign}/delete"), &steal[..1]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&c, &app.url("acme", "/macros/not-an-id")).await.0, StatusCode::NOT_FOUND);
    let (_, still) = app.api(&other, Method::GET, &format!("/macros/{}", theirs_m["id"].as_str().unwrap()), None).await;
    assert_eq!(still["title"], "Theirs");

    // Deleted from the page; each change was audited as the API's are.
    let (s, location, _) = post(&c, &format!("{edit}/delete"), &[("_csrf", csrf.as_str())]).await;
    assert_eq!((s, location.as_str()), (StatusCode::SEE_OTHER, "/macros"));
    let (s, _) = session_api(&c, &csrf, &app, Method::GET, &format!("/macros/{mid}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, html) = get(&c, &url).await;
    assert!(!html.contains("Refund sent") && html.contains("Team triage"));
    let (_, log) = app.api(&acct, Method::GET, "/audit-log?action=settings.changed", None).await;
    let changes: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("macro:{mid}"))
        .map(|e| e["detail"]["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["deleted", "changed", "changed", "created"]);
}

#[tokio::test]
async fn macros_are_kept_on_their_page_on_sqlite() {
    macros_page(Engine::Sqlite).await;
}

#[tokio::test]
async fn macros_are_kept_on_their_page_on_postgres() {
    macros_page(Engine::Postgres).await;
}
