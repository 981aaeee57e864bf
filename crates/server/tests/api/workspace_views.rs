//! Views from the workspace's pages: a list ordered by a column's header, a view saved from another with its
//! filters, order and columns (dates in the agent's zone), refused input named with what was typed kept, a private
//! view that is its owner's alone, and deleting it.

use crate::helpers::{spawn_app, Engine, TestApp};
use crate::ui::{csrf_in, get, sign_in};
use parley_test_support::http_client;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Where each of `needles` first appears in `html`, for checking an order.
fn positions(html: &str, needles: &[&str]) -> Vec<usize> {
    needles.iter().map(|n| html.find(n).unwrap_or_else(|| panic!("{n} is not on the page"))).collect()
}

/// A second agent with a session of their own.
async fn agent_session(app: &TestApp, acct: &crate::helpers::TestAccount) -> reqwest::Client {
    let (s, agent) = app
        .api(
            acct,
            Method::POST,
            "/agents",
            Some(json!({"email": "bill@acme.example", "name": "Bill", "role": "agent"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{agent}");
    let setup = agent["setup_url"].as_str().unwrap().to_string();
    let c = http_client(true);
    let (_, html) = get(&c, &setup).await;
    let token = setup.split("token=").nth(1).unwrap();
    let form = [("token", token), ("password", "bills password!"), ("_csrf", &csrf_in(&html))];
    let r = c.post(app.url("acme", "/password/reset")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (c, s) = sign_in(app, "acme", "bill@acme.example", "bills password!").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    c
}

async fn views_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let acct = app.account("acme", "eu").await;
    let (c, s) = sign_in(&app, "acme", &acct.email, &acct.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url("acme", "/tickets")).await;
    let csrf = csrf_in(&html);
    let refund = app.ticket(&acct, "Bravo refund please", "Money back", "jane@example.com").await;
    app.ticket(&acct, "Alpha question", "How?", "joe@example.com").await;
    app.ticket(&acct, "Charlie complaint", "Bad", "ann@example.com").await;
    let refund_id = refund["id"].as_str().unwrap();
    let (s, _) = app
        .api(
            &acct,
            Method::PATCH,
            &format!("/tickets/{refund_id}"),
            Some(json!({"priority": "high", "tags": ["refund"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Ordered by a column's header: the header says so, and its link turns the order round.
    let (s, html) = get(&c, &app.url("acme", "/tickets?view=all_open&sort=subject")).await;
    assert_eq!(s, StatusCode::OK);
    let at = positions(&html, &["Alpha question", "Bravo refund please", "Charlie complaint"]);
    assert!(at[0] < at[1] && at[1] < at[2], "A to Z");
    assert!(html.contains("aria-sort=\"ascending\""), "the subject's header says how the list is ordered");
    assert!(html.contains("&#38;sort=-subject\" class=\"sort\""), "and offers the other way round: {html}");
    let (_, html) = get(&c, &app.url("acme", "/tickets?view=all_open&sort=-subject")).await;
    let at = positions(&html, &["Alpha question", "Bravo refund please", "Charlie complaint"]);
    assert!(at[2] < at[1] && at[1] < at[0], "Z to A");
    // People's columns order by name too: the requester's header offers A to Z.
    assert!(html.contains("&#38;sort=requester\" class=\"sort\""), "the requester's header orders: {html}");
    let (s, html) = get(&c, &app.url("acme", "/tickets?view=all_open&sort=requester")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("class=\"col-requester\" aria-sort=\"ascending\""), "{html}");
    let (s, html) = get(&c, &app.url("acme", "/tickets?view=all_open&sort=-colour")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an order that is no column is named: {html}");

    // "Save as a new view" starts from the view looked at.
    let (s, html) = get(&c, &app.url("acme", "/views/new?from=all_open")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("value=\"All open (copy)\""), "{html}");
    assert!(
        html.contains("name=\"status\" value=\"new\" checked")
            && html.contains("name=\"status\" value=\"open\" checked")
    );

    // Refused input is named, and what was typed stays; nothing is saved.
    let (_, before) = app.api(&acct, Method::GET, "/views", None).await;
    let bad = [
        ("_csrf", csrf.as_str()),
        ("name", ""),
        ("tag", "refund"),
        ("created_to", "2026-13-45"),
        ("sort", "-priority"),
        ("columns", "subject"),
    ];
    let r = c.post(app.url("acme", "/views")).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\"") && html.contains("Created up to: is not a date"), "{html}");
    assert!(html.contains("name=\"tag\" value=\"refund\""), "what was typed is kept");
    let r =
        c.post(app.url("acme", "/views")).form(&[&bad[..1], &[("name", ""), ("columns", "subject")]].concat()).send();
    let html = r.await.unwrap().text().await.unwrap();
    assert!(html.contains("name: "), "the API's own checks are named too: {html}");
    let (_, after) = app.api(&acct, Method::GET, "/views", None).await;
    assert_eq!(before["views"].as_array().unwrap().len(), after["views"].as_array().unwrap().len(), "nothing saved");

    // A good one: filters, order, columns; the list shows just those columns and the one ticket that matches.
    let r = c
        .patch(app.url("acme", "/api/v1/me"))
        .header("X-CSRF-Token", &csrf)
        .json(&json!({"time_zone": "Europe/Budapest"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let today = jiff_today_in("Europe/Budapest");
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Refunds <b>now</b>"),
        ("status", "new"),
        ("status", "open"),
        ("priority", "high"),
        ("tag", "refund"),
        ("created_from", today.as_str()),
        ("sort", "-priority"),
        ("columns", "number"),
        ("columns", "subject"),
        ("columns", "tags"),
        ("columns", "created_at"),
    ];
    let r = c.post(app.url("acme", "/views")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/tickets?view=").to_string();
    let (s, html) = get(&c, &app.url("acme", &location)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Refunds &#60;b&#62;now&#60;/b&#62;"), "the name is text");
    assert!(html.contains("Bravo refund please") && !html.contains("Alpha question"), "{html}");
    assert!(html.contains("class=\"col-tags\"") && html.contains("<span class=\"tag\">refund</span>"));
    assert!(!html.contains("class=\"col-assignee\""), "a column not chosen is not shown");
    assert!(html.contains(&format!("href=\"/views/{id}/edit\"")), "its owner may change it");

    let (s, v) = app.api(&acct, Method::GET, &format!("/views/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["filters"]["priority"], json!(["high"]));
    assert_eq!(v["filters"]["tag"], "refund");
    assert_eq!(v["sort"], "-priority");
    assert_eq!(v["columns"], json!(["number", "subject", "tags", "created_at"]));
    let from = v["filters"]["created_after"].as_str().unwrap();
    assert!(from.ends_with("T23:00:00Z") || from.ends_with("T22:00:00Z"), "midnight in Budapest, not UTC: {from}");

    // Changed from its editor, which shows what it holds.
    let (_, html) = get(&c, &app.url("acme", &format!("/views/{id}/edit"))).await;
    assert!(html.contains("name=\"tag\" value=\"refund\"") && html.contains(&format!("value=\"{today}\"")), "{html}");
    let mut changed = form.to_vec();
    changed[1] = ("name", "Refunds");
    changed.push(("columns", "assignee"));
    let r = c.post(app.url("acme", &format!("/views/{id}"))).form(&changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url("acme", &location)).await;
    assert!(html.contains("class=\"col-assignee\"") && html.contains("<h1>Refunds"), "{html}");

    // Another agent does not see it, nor change or remove it.
    let bill = agent_session(&app, &acct).await;
    let (s, _) = get(&bill, &app.url("acme", &format!("/views/{id}/edit"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, bill_page) = get(&bill, &app.url("acme", "/tickets")).await;
    let r = bill
        .post(app.url("acme", &format!("/views/{id}/delete")))
        .form(&[("_csrf", csrf_in(&bill_page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Another account's session finds nothing of it.
    let other = app.account("other", "eu").await;
    let (oc, _) = sign_in(&app, "other", &other.email, &other.password).await;
    let (s, _) = get(&oc, &app.url("other", &format!("/views/{id}/edit"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Its owner removes it.
    let r = c.post(app.url("acme", &format!("/views/{id}/delete"))).form(&[("_csrf", csrf.as_str())]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let (s, _): (StatusCode, Value) = app.api(&acct, Method::GET, &format!("/views/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// Today's date in a zone, as a date picker gives it.
fn jiff_today_in(zone: &str) -> String {
    parley_domain::Timestamp::now().date_in_zone(zone)
}

#[tokio::test]
async fn views_are_saved_and_ordered_from_the_pages_on_sqlite() {
    views_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn views_are_saved_and_ordered_from_the_pages_on_postgres() {
    views_story(Engine::Postgres).await;
}

/// A customer's message split off into a ticket of its own: same customer, priority and tags, the original keeps
/// the message and says where it went; an agent's message or a note, another account's ticket, a message of
/// another ticket are refused; from the page, the agent lands on the new ticket.
async fn split_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let acct = app.account("acme", "eu").await;
    let t = app
        .ticket(&acct, "Two questions", "Where is my parcel? Also: can I change my address?", "jane@example.com")
        .await;
    let id = t["id"].as_str().unwrap();
    let (_, _) = app
        .api(&acct, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"priority": "high", "tags": ["vip"]})))
        .await;
    let (s, reply) = app
        .api(&acct, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "Looking into it."})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, full) = app.api(&acct, Method::GET, &format!("/tickets/{id}"), None).await;
    let first = full["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "message").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let split = |m: String| {
        let path = format!("/tickets/{id}/messages/{m}/split");
        let (app, acct) = (&app, &acct);
        async move { app.api(acct, Method::POST, &path, None).await }
    };
    let (s, p) = split(reply["id"].as_str().unwrap().to_string()).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("message_id")), "{p}");
    let (s, _) = split("not-an-id".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let other_ticket = app.ticket(&acct, "Other", "Elsewhere", "joe@example.com").await;
    let (_, other_full) =
        app.api(&acct, Method::GET, &format!("/tickets/{}", other_ticket["id"].as_str().unwrap()), None).await;
    let foreign = other_full["timeline"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = split(foreign).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a message of another ticket is not this ticket's");

    let (s, new) = split(first.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    assert_eq!(new["subject"], "Two questions (from #1)");
    assert_eq!((new["priority"].as_str(), new["tags"].clone()), (Some("high"), json!(["vip"])));
    assert_eq!(new["requester_id"], t["requester_id"], "the same customer");
    let (_, new_full) = app.api(&acct, Method::GET, &format!("/tickets/{}", new["id"].as_str().unwrap()), None).await;
    let bodies: Vec<&str> = new_full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "message")
        .map(|e| e["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Where is my parcel? Also: can I change my address?"]);
    let (_, full) = app.api(&acct, Method::GET, &format!("/tickets/{id}"), None).await;
    let note = full["timeline"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "message").unwrap().clone();
    assert_eq!(
        (note["internal"].as_bool(), note["body"].as_str()),
        (Some(true), Some("Split into #3: Two questions (from #1)"))
    );

    // Another account cannot split it.
    let other = app.account("other", "eu").await;
    let (s, _) = app.api(&other, Method::POST, &format!("/tickets/{id}/messages/{first}/split"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // From the page: a button on the customer's message, and the agent lands on the new ticket.
    let (c, _) = sign_in(&app, "acme", &acct.email, &acct.password).await;
    let (_, html) = get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(
        html.contains(&format!("action=\"/tickets/1/messages/{first}/split\"")),
        "offered on the customer's message"
    );
    assert!(!html.contains(&format!("/messages/{}/split", reply["id"].as_str().unwrap())), "not on the agent's");
    let r = c
        .post(app.url("acme", &format!("/tickets/1/messages/{first}/split")))
        .form(&[("_csrf", csrf_in(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/tickets/4"));
}

#[tokio::test]
async fn a_message_is_split_into_a_new_ticket_on_sqlite() {
    split_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_message_is_split_into_a_new_ticket_on_postgres() {
    split_story(Engine::Postgres).await;
}

/// Following through the API on both engines: yourself (an API key follows as the agent who made it), another
/// agent (administrators), each once, in order; a deactivated agent or one who may not see the ticket is refused;
/// another account's ticket is not found.
async fn followers_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let acct = app.account("acme", "eu").await;
    let t = app.ticket(&acct, "Printer", "It jams", "jane@example.com").await;
    let path = format!("/tickets/{}/followers", t["id"].as_str().unwrap());
    let (s, f) = app.api(&acct, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["followers"].as_array().unwrap().len(), 1, "the key's maker follows: {f}");
    let (_, dept) = app.api(&acct, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let body = json!({"email": "bill@acme.example", "name": "Bill", "role": "agent", "department_ids": [dept["id"]]});
    let (_, bill) = app.api(&acct, Method::POST, "/agents", Some(body)).await;
    let bill_id = bill["agent"]["id"].as_str().unwrap().to_string();
    // Bill sees Billing's tickets (and those of no department), not Sales': he cannot follow one of Sales.
    let (_, sales) = app.api(&acct, Method::POST, "/departments", Some(json!({"name": "Sales"}))).await;
    let ticket_path = format!("/tickets/{}", t["id"].as_str().unwrap());
    let (s, _) = app.api(&acct, Method::PATCH, &ticket_path, Some(json!({"department_id": sales["id"]}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = app.api(&acct, Method::POST, &path, Some(json!({"agent_id": bill_id}))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agent_id")), "{p}");
    let (s, _) = app
        .api(
            &acct,
            Method::PATCH,
            &format!("/tickets/{}", t["id"].as_str().unwrap()),
            Some(json!({"department_id": dept["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, f) = app.api(&acct, Method::POST, &path, Some(json!({"agent_id": bill_id}))).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let names: Vec<&str> = f["followers"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert_eq!(names[1], "Bill", "in the order they started");
    let (s, _) = app.api(&acct, Method::PATCH, &format!("/agents/{bill_id}"), Some(json!({"active": false}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, f) = app.api(&acct, Method::DELETE, &format!("{path}/{bill_id}"), None).await;
    assert_eq!((s, f["followers"].as_array().unwrap().len()), (StatusCode::OK, 1));
    let (s, _) = app.api(&acct, Method::POST, &path, Some(json!({"agent_id": bill_id}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a deactivated agent follows nothing");
    let (s, _) = app.api(&acct, Method::DELETE, &format!("{path}/not-an-agent"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let other = app.account("other", "eu").await;
    let (s, _) = app.api(&other, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::DELETE, &format!("{path}/{bill_id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agents_follow_tickets_on_sqlite() {
    followers_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn agents_follow_tickets_on_postgres() {
    followers_story(Engine::Postgres).await;
}

/// A macro that assigns to whoever applies it: the owner's key applies it as the owner, another agent from their
/// session as themselves; its page says so.
async fn applier_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let acct = app.account("acme", "eu").await;
    let first = app.ticket(&acct, "Printer", "It jams", "jane@example.com").await;
    let second = app.ticket(&acct, "Scanner", "It hums", "joe@example.com").await;
    let body = json!({"title": "Take it", "shared": true, "actions": [
        {"action": "set", "field": "assignee_id", "value": "current_agent"},
        {"action": "set", "field": "status", "value": "open"}]});
    let (s, m) = app.api(&acct, Method::POST, "/macros", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["actions"][0]["value"], "current_agent");
    let macro_id = m["id"].as_str().unwrap().to_string();

    let (_, me) = app.api(&acct, Method::GET, "/me", None).await;
    let apply = format!("/tickets/{}/macros/{macro_id}", first["id"].as_str().unwrap());
    let (s, t) = app.api(&acct, Method::POST, &apply, None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!((t["assignee_id"].clone(), t["status"].as_str()), (me["id"].clone(), Some("open")), "the key's maker");

    let bill = agent_session(&app, &acct).await;
    let (_, page) = get(&bill, &app.url("acme", "/tickets")).await;
    let r = bill
        .post(app.url("acme", &format!("/api/v1/tickets/{}/macros/{macro_id}", second["id"].as_str().unwrap())))
        .header("X-CSRF-Token", csrf_in(&page))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let t: Value = r.json().await.unwrap();
    let (_, bill_me) = {
        let r = bill.get(app.url("acme", "/api/v1/me")).send().await.unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(t["assignee_id"], bill_me["id"], "whoever applies it");

    let (c, _) = sign_in(&app, "acme", &acct.email, &acct.password).await;
    let (_, html) = get(&c, &app.url("acme", "/macros")).await;
    assert!(html.contains("Assign to: Whoever applies it"), "{html}");
}

#[tokio::test]
async fn a_macro_assigns_whoever_applies_it_on_sqlite() {
    applier_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_macro_assigns_whoever_applies_it_on_postgres() {
    applier_story(Engine::Postgres).await;
}

/// The ticket's side panel edits its custom fields (a number as a number, a dropdown's options), clears one left
/// empty, and refuses a value of the wrong kind by name; the requester's card links to their profile.
#[tokio::test]
async fn custom_fields_are_edited_on_the_ticket_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let acct = app.account("acme", "eu").await;
    for body in [
        json!({"key": "seats", "label": "Seats", "type": "number"}),
        json!({"key": "plan", "label": "Plan <b>tier</b>", "type": "dropdown", "options": ["gold", "silver"]}),
    ] {
        let (s, f) = app.api(&acct, Method::POST, "/ticket-fields", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{f}");
    }
    let t = app.ticket(&acct, "Licence", "More seats please", "jane@example.com").await;
    let (c, _) = sign_in(&app, "acme", &acct.email, &acct.password).await;
    let (_, html) = get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(
        html.contains("name=\"cf.seats\" type=\"number\"") && html.contains("<option value=\"gold\">gold</option>")
    );
    assert!(html.contains("Plan &#60;b&#62;tier&#60;/b&#62;"), "labels are text");
    assert!(html.contains(&format!("href=\"/contacts/{}\"", t["requester_id"].as_str().unwrap())), "the card links");
    let csrf = csrf_in(&html);
    let form = |seats: &'static str, plan: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("status", "open".to_string()),
            ("priority", "normal".to_string()),
            ("assignee", String::new()),
            ("cf.seats", seats.to_string()),
            ("cf.plan", plan.to_string()),
        ]
    };
    let r = c.post(app.url("acme", "/tickets/1")).form(&form("12", "gold")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, got) = app.api(&acct, Method::GET, &format!("/tickets/{}", t["id"].as_str().unwrap()), None).await;
    assert_eq!(got["custom_fields"], json!({"seats": 12, "plan": "gold"}), "{got}");
    let (_, html) = get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(html.contains("value=\"12\"") && html.contains("<option value=\"gold\" selected>"), "shown again");

    let r = c.post(app.url("acme", "/tickets/1")).form(&form("twelve", "gold")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("seats"), "the field is named");
    let r = c.post(app.url("acme", "/tickets/1")).form(&form("", "bronze")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "not an option");
    let r = c.post(app.url("acme", "/tickets/1")).form(&form("", "silver")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, got) = app.api(&acct, Method::GET, &format!("/tickets/{}", t["id"].as_str().unwrap()), None).await;
    assert_eq!(got["custom_fields"]["plan"], "silver");
    assert!(got["custom_fields"]["seats"].is_null(), "an empty field is cleared: {got}");
}
