//! The live workspace, from outside: two agents on one ticket see each other and what they write (over their
//! sockets and the viewers API), a reply sent after someone else answered is held back with what came meanwhile,
//! and every agent socket hears of tickets created, changed and removed — only those its agent may see — across
//! processes on PostgreSQL.

use crate::chat::agents::{agent_socket, session_of};
use crate::chat::socket::{frame, say, Socket};
use crate::chat_routing::agent;
use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn open(app: &TestApp, session: &str) -> Socket {
    let mut ws = agent_socket(app, session, "http://{host}").await.unwrap();
    assert_eq!(next_of(&mut ws, "ready").await["type"], "ready");
    ws
}

/// The next frame of this type, passing over others.
async fn next_of(ws: &mut Socket, kind: &str) -> Value {
    loop {
        let f = frame(ws).await;
        assert_ne!(f["type"], "closed", "the socket closed");
        if f["type"] == kind {
            return f;
        }
    }
}

/// The next viewers frame of the ticket that satisfies `ok` (lists change in steps as frames cross).
async fn viewers_until(ws: &mut Socket, ticket: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    loop {
        let f = next_of(ws, "viewers").await;
        assert_eq!(f["ticket_id"], ticket, "{f}");
        let list = f["viewers"].as_array().unwrap().clone();
        if ok(&list) {
            return list;
        }
    }
}

/// The next ticket frame (of any ticket).
async fn ticket_frame(ws: &mut Socket) -> Value {
    next_of(ws, "ticket").await
}

fn names(list: &[Value]) -> Vec<(String, Value)> {
    list.iter().map(|v| (v["name"].as_str().unwrap().to_string(), v["composing"].clone())).collect()
}

async fn department(app: &TestApp, a: &TestAccount, name: &str) -> Value {
    let (s, d) = app.api(a, Method::POST, "/departments", Some(json!({"name": name}))).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

#[tokio::test]
async fn two_agents_see_each_other_view_and_write_on_sqlite() {
    two_agents(Engine::Sqlite).await;
}

#[tokio::test]
async fn two_agents_see_each_other_view_and_write_on_postgres() {
    two_agents(Engine::Postgres).await;
}

async fn two_agents(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let t = app.ticket(&a, "Printer on fire", "Help", "c@example.com").await;
    let id = t["id"].as_str().unwrap();
    let theirs = app.ticket(&other, "Theirs", "x", "d@example.com").await;
    let (_, bob_session) = agent(&app, &a, "Bob", &[]).await;
    let mut olivia = open(&app, &session_of(&app, &a.email, &a.password).await).await;
    let mut bob = open(&app, &bob_session).await;

    say(&mut olivia, json!({"type": "viewing", "ticket_id": id})).await;
    let list = viewers_until(&mut olivia, id, |l| l.len() == 1).await;
    assert_eq!(names(&list), vec![("Olivia Owner".to_string(), Value::Null)]);
    say(&mut bob, json!({"type": "viewing", "ticket_id": id})).await;
    let both = |l: &[Value]| l.len() == 2;
    let seen_by_bob = viewers_until(&mut bob, id, both).await;
    let seen_by_olivia = viewers_until(&mut olivia, id, both).await;
    assert_eq!(seen_by_bob, seen_by_olivia, "both see the same list");
    assert_eq!(names(&seen_by_bob), vec![("Olivia Owner".into(), Value::Null), ("Bob".into(), Value::Null)]);

    // Bob writes a reply: Olivia sees it, and so does the API.
    say(&mut bob, json!({"type": "composing", "ticket_id": id, "mode": "reply"})).await;
    let list = viewers_until(&mut olivia, id, |l| l.iter().any(|v| v["composing"] == "reply")).await;
    assert_eq!(names(&list)[1], ("Bob".into(), json!("reply")));
    let (s, api) = app.api(&a, Method::GET, &format!("/tickets/{id}/viewers"), None).await;
    assert_eq!(s, StatusCode::OK);
    let api = api["viewers"].as_array().unwrap().clone();
    assert_eq!(names(&api), vec![("Olivia Owner".into(), Value::Null), ("Bob".into(), json!("reply"))]);
    assert!(api.iter().all(|v| v["since"].is_string() && v["agent_id"].is_string()), "{api:?}");
    // Writing shows for a few seconds after the page last said so; then the list comes again without it.
    let list = viewers_until(&mut olivia, id, |l| l.iter().all(|v| v["composing"].is_null())).await;
    assert_eq!(list.len(), 2);

    // Bad frames are answered, and change nothing.
    say(&mut bob, json!({"type": "composing", "ticket_id": id, "mode": "shout"})).await;
    assert_eq!(next_of(&mut bob, "error").await["code"], "validation_failed");
    say(&mut bob, json!({"type": "viewing", "ticket_id": theirs["id"]})).await;
    assert_eq!(next_of(&mut bob, "error").await["code"], "not_found", "another account's ticket is not found");
    say(&mut bob, json!({"type": "composing", "ticket_id": theirs["id"], "mode": "note"})).await;
    assert_eq!(next_of(&mut bob, "error").await["code"], "not_found");

    // Bob leaves; Olivia writes a note; Bob's socket closing leaves nothing behind either.
    say(&mut bob, json!({"type": "left", "ticket_id": id})).await;
    viewers_until(&mut olivia, id, |l| l.len() == 1).await;
    say(&mut bob, json!({"type": "viewing", "ticket_id": id})).await;
    viewers_until(&mut olivia, id, both).await;
    drop(bob);
    let list = viewers_until(&mut olivia, id, |l| l.len() == 1).await;
    assert_eq!(names(&list), vec![("Olivia Owner".to_string(), Value::Null)]);

    // The API: another account's ticket and a bad id are not found.
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{}/viewers", theirs["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::GET, "/tickets/nope/viewers", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, none) =
        app.api(&other, Method::GET, &format!("/tickets/{}/viewers", theirs["id"].as_str().unwrap()), None).await;
    assert_eq!((s, none), (StatusCode::OK, json!({"viewers": []})));
}

#[tokio::test]
async fn a_reply_after_someone_elses_is_held_back_on_sqlite() {
    replied_meanwhile(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_reply_after_someone_elses_is_held_back_on_postgres() {
    replied_meanwhile(Engine::Postgres).await;
}

async fn replied_meanwhile(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let t = app.ticket(&a, "Refund", "Where is my money?", "c@example.com").await;
    let id = t["id"].as_str().unwrap();
    let other = app.ticket(&a, "Other", "x", "c@example.com").await;
    let messages = |ticket: &str| format!("/tickets/{ticket}/messages");
    let (_, list) = app.api(&a, Method::GET, &messages(id), None).await;
    let first = list["messages"][0]["id"].as_str().unwrap().to_string();

    // Nobody wrote since: sent.
    let (s, m1) =
        app.api(&a, Method::POST, &messages(id), Some(json!({"body": "On its way", "after_message_id": first}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m1}");
    // A public answer came after the first message (any public message counts, whoever wrote it): a reply based
    // on the first message is held back, with that answer.
    let (s, problem) =
        app.api(&a, Method::POST, &messages(id), Some(json!({"body": "Refunded", "after_message_id": first}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "replied_meanwhile");
    let new: Vec<&str> = problem["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(new, vec!["On its way"]);
    let (_, list) = app.api(&a, Method::GET, &messages(id), None).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 2, "nothing was stored");

    // Sent anyway with force, or based on the newest message.
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            &messages(id),
            Some(json!({"body": "Refunded", "after_message_id": first, "force": true})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = app.api(&a, Method::GET, &messages(id), None).await;
    let last = list["messages"].as_array().unwrap().last().unwrap()["id"].as_str().unwrap().to_string();
    // The sender's own note after it does not hold back their reply.
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            &messages(id),
            Some(json!({"body": "note to self", "internal": true, "after_message_id": last})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) =
        app.api(&a, Method::POST, &messages(id), Some(json!({"body": "And done", "after_message_id": last}))).await;
    assert_eq!(s, StatusCode::CREATED);

    // Bad input: not an id, or a message of another ticket.
    let (s, p) = app.api(&a, Method::POST, &messages(id), Some(json!({"body": "x", "after_message_id": "nope"}))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("after_message_id")));
    let (_, theirs) = app.api(&a, Method::GET, &messages(other["id"].as_str().unwrap()), None).await;
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            &messages(id),
            Some(json!({"body": "x", "after_message_id": theirs["messages"][0]["id"]})),
        )
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("after_message_id")));
}

#[tokio::test]
async fn agents_hear_of_tickets_they_may_see_on_sqlite() {
    live_news(Engine::Sqlite).await;
}

#[tokio::test]
async fn agents_hear_of_tickets_they_may_see_on_postgres() {
    live_news(Engine::Postgres).await;
}

async fn live_news(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let billing = department(&app, &a, "Billing").await;
    let sales = department(&app, &a, "Sales").await;
    let (_, sam_session) = agent(&app, &a, "Sam", &[&sales]).await;
    let mut olivia = open(&app, &session_of(&app, &a.email, &a.password).await).await;
    let mut sam = open(&app, &sam_session).await;
    let new = |subject: &str, department: &Value| {
        json!({"subject": subject, "message": {"body": "x"}, "requester": {"email": "c@example.com"},
               "department_id": department["id"]})
    };

    let (s, bill) = app.api(&a, Method::POST, "/tickets", Some(new("Invoice wrong", &billing))).await;
    assert_eq!(s, StatusCode::CREATED, "{bill}");
    let f = ticket_frame(&mut olivia).await;
    assert_eq!((f["change"].as_str(), &f["ticket"]["id"]), (Some("created"), &bill["id"]), "{f}");
    assert_eq!(f["ticket"]["subject"], "Invoice wrong");
    assert_eq!(f["ticket"]["department_id"], billing["id"]);
    for key in
        ["number", "status", "priority", "assignee_id", "channel", "tags", "requester_id", "updated_at", "version"]
    {
        assert!(f["ticket"].get(key).is_some(), "{key} in {f}");
    }
    let (s, _) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/tickets/{}", bill["id"].as_str().unwrap()),
            Some(json!({"status": "pending"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let f = ticket_frame(&mut olivia).await;
    assert_eq!((f["change"].as_str(), f["ticket"]["status"].as_str()), (Some("updated"), Some("pending")), "{f}");
    assert!(f["ticket"]["version"].as_i64() > Some(0));
    // Another account's ticket is nobody's news here.
    app.ticket(&other, "Elsewhere", "x", "e@example.com").await;

    // Sam, limited to Sales, heard nothing of Billing's ticket (nor of the other account's): the first news
    // reaching him is the Sales ticket made after them.
    let (_, sold) = app.api(&a, Method::POST, "/tickets", Some(new("Quote please", &sales))).await;
    let f = ticket_frame(&mut sam).await;
    assert_eq!((f["change"].as_str(), &f["ticket"]["id"]), (Some("created"), &sold["id"]), "{f}");
    let f = ticket_frame(&mut olivia).await;
    assert_eq!(f["ticket"]["id"], sold["id"], "the other account's ticket did not reach acme: {f}");

    // A message is a change; merging removes the merged ticket from lists.
    let (_, plain) = app.api(&a, Method::POST, "/tickets", Some(new("Also a quote", &sales))).await;
    assert_eq!(ticket_frame(&mut sam).await["ticket"]["id"], plain["id"]);
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            &format!("/tickets/{}/messages", plain["id"].as_str().unwrap()),
            Some(json!({"body": "Sure"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let f = ticket_frame(&mut sam).await;
    assert_eq!((f["change"].as_str(), &f["ticket"]["id"]), (Some("updated"), &plain["id"]), "{f}");
    let (s, m) = app
        .api(
            &a,
            Method::POST,
            &format!("/tickets/{}/merge", sold["id"].as_str().unwrap()),
            Some(json!({"ids": [plain["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let mut changes = [ticket_frame(&mut sam).await, ticket_frame(&mut sam).await];
    changes.sort_by_key(|f| f["change"].as_str().unwrap().to_string());
    assert_eq!((changes[0]["change"].as_str(), &changes[0]["ticket"]["id"]), (Some("removed"), &plain["id"]));
    assert_eq!((changes[1]["change"].as_str(), &changes[1]["ticket"]["id"]), (Some("updated"), &sold["id"]));
}

pub(crate) mod processes {
    //! Two `parley serve` on one PostgreSQL: news and viewers cross between them.

    use super::next_of;
    use crate::chat::agents::{agent_socket_on, session_at};
    use crate::chat::socket::{say, Socket};
    use crate::cli::{parley, Server};
    use parley_test_support::{http_client, PgTestDb};
    use serde_json::{json, Value};

    async fn open(server: &Server, session: &str) -> Socket {
        let mut ws = agent_socket_on(server.port, session, "http://{host}").await.unwrap();
        next_of(&mut ws, "ready").await;
        ws
    }

    #[tokio::test]
    async fn a_change_on_one_process_reaches_a_socket_on_the_other() {
        let directory = PgTestDb::create().await;
        let region = PgTestDb::create().await;
        let env = [
            ("PARLEY_DIRECTORY_URL", directory.url()),
            ("PARLEY_REGION_EU_DATABASE_URL", region.url()),
            ("PARLEY_REGIONS", "eu"),
        ];
        let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let one = Server::start(dir1.path(), &env);
        let two = Server::start(dir2.path(), &env);
        let o = parley(
            dir1.path(),
            &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
            &env,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let created: Value = serde_json::from_slice(&o.stdout).unwrap();
        let key = created["api_key"].as_str().unwrap().to_string();
        let password = created["owner"]["password"].as_str().unwrap().to_string();
        let session_one = session_at(&one.url("acme", "/login"), "me@example.com", &password).await;
        let session_two = session_at(&two.url("acme", "/login"), "me@example.com", &password).await;
        let mut on_one = open(&one, &session_one).await;
        let mut on_two = open(&two, &session_two).await;

        // Created through process one: the socket on process two hears of it, with the ticket as written.
        let http = http_client(false);
        let t: Value = http
            .post(one.url("acme", "/api/v1/tickets"))
            .bearer_auth(&key)
            .json(&json!({"subject": "Via one", "message": {"body": "x"}, "requester": {"email": "j@example.com"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = t["id"].as_str().unwrap().to_string();
        let f = next_of(&mut on_two, "ticket").await;
        assert_eq!(
            (f["change"].as_str(), f["ticket"]["id"].as_str(), f["ticket"]["subject"].as_str()),
            (Some("created"), Some(id.as_str()), Some("Via one"))
        );
        // Process one's own socket hears of it once.
        assert_eq!(next_of(&mut on_one, "ticket").await["ticket"]["id"], id.as_str());
        let r = http
            .patch(two.url("acme", &format!("/api/v1/tickets/{id}")))
            .bearer_auth(&key)
            .json(&json!({"priority": "high"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let f = next_of(&mut on_one, "ticket").await;
        assert_eq!((f["change"].as_str(), f["ticket"]["priority"].as_str()), (Some("updated"), Some("high")), "{f}");
        let f = next_of(&mut on_two, "ticket").await;
        assert_eq!(f["change"], "updated", "not doubled: the next news on two is this change, {f}");

        // Viewers on both processes see each other; either process's API lists both tabs as one agent.
        say(&mut on_one, json!({"type": "viewing", "ticket_id": id})).await;
        say(&mut on_two, json!({"type": "viewing", "ticket_id": id})).await;
        say(&mut on_two, json!({"type": "composing", "ticket_id": id, "mode": "note"})).await;
        loop {
            let f = next_of(&mut on_one, "viewers").await;
            if f["viewers"][0]["composing"] == "note" {
                assert_eq!(f["viewers"].as_array().unwrap().len(), 1, "one agent, two tabs: {f}");
                break;
            }
        }
        for server in [&one, &two] {
            let v: Value = http
                .get(server.url("acme", &format!("/api/v1/tickets/{id}/viewers")))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(v["viewers"].as_array().unwrap().len(), 1, "{v}");
            assert_eq!(v["viewers"][0]["composing"], "note", "{v}");
        }
    }
}

/// The value of the hidden field `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("a {name} field")) + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn the_reply_form_keeps_a_reply_held_back_and_sends_it_anyway_on_sqlite() {
    reply_form(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_reply_form_keeps_a_reply_held_back_and_sends_it_anyway_on_postgres() {
    reply_form(Engine::Postgres).await;
}

async fn reply_form(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let t = app.ticket(&a, "Refund", "Where is my money?", "c@example.com").await;
    let (id, number) = (t["id"].as_str().unwrap(), t["number"].as_i64().unwrap());
    let (c, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let url = app.url("acme", &format!("/tickets/{number}"));
    let (_, html) = crate::ui::get(&c, &url).await;
    let seen = hidden(&html, "after_message_id");
    let csrf = crate::ui::csrf_in(&html);
    // Someone answers while the page is open.
    let (s, _) =
        app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "Sent today"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let post = |form: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = format!("{url}/messages");
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let typed = "Refunded <b>twice</b>".to_string();
    let r = post(vec![("_csrf", csrf.clone()), ("body", typed.clone()), ("after_message_id", seen.clone())]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"replied-meanwhile\""), "the warning shows");
    let kept = page.split("name=\"body\"").nth(1).unwrap().split("</textarea>").next().unwrap();
    assert!(
        kept.ends_with("twice&#60;/b&#62;") || kept.ends_with("twice&lt;/b&gt;"),
        "the typed reply is kept, as text: {kept}"
    );
    assert!(page.contains("Send anyway"));
    let (_, list) = app.api(&a, Method::GET, &format!("/tickets/{id}/messages"), None).await;
    let messages = list["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "nothing was sent");
    assert!(
        page.contains(&format!("href=\"#m-{}\"", messages[1]["id"].as_str().unwrap())),
        "the new message is linked"
    );
    assert_eq!(hidden(&page, "after_message_id"), messages[1]["id"].as_str().unwrap(), "now based on the newest");

    // Send anyway; and a form without the field (an older page) sends as before.
    let r =
        post(vec![("_csrf", csrf.clone()), ("body", typed.clone()), ("after_message_id", seen), ("force", "1".into())])
            .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(vec![("_csrf", csrf), ("body", "Plain".into())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.api(&a, Method::GET, &format!("/tickets/{id}/messages"), None).await;
    let bodies: Vec<&str> = list["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, vec!["Where is my money?", "Sent today", "Refunded <b>twice</b>", "Plain"]);
}

#[tokio::test]
async fn a_list_asks_who_views_its_rows_on_sqlite() {
    list_viewers(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_list_asks_who_views_its_rows_on_postgres() {
    list_viewers(Engine::Postgres).await;
}

/// `GET /viewers?tickets=…`: one question for a list's rows; tickets nobody views, or of another account, are left
/// out; a bad id or too many are refused by name.
async fn list_viewers(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let mut ids = Vec::new();
    for (s, who) in [("Printer", "c@example.com"), ("Scanner", "d@example.com"), ("Fax", "e@example.com")] {
        ids.push(app.ticket(&a, s, "Help", who).await["id"].as_str().unwrap().to_string());
    }
    let theirs = app.ticket(&other, "Theirs", "x", "d@example.com").await["id"].as_str().unwrap().to_string();
    let (_, bob_session) = agent(&app, &a, "Bob", &[]).await;
    let mut olivia = open(&app, &session_of(&app, &a.email, &a.password).await).await;
    let mut bob = open(&app, &bob_session).await;
    say(&mut olivia, json!({"type": "viewing", "ticket_id": ids[0]})).await;
    viewers_until(&mut olivia, &ids[0], |l| l.len() == 1).await;
    say(&mut bob, json!({"type": "viewing", "ticket_id": ids[1]})).await;
    viewers_until(&mut bob, &ids[1], |l| l.len() == 1).await;

    let q = format!("/viewers?tickets={},{},{},{theirs}", ids[0], ids[1], ids[2]);
    let (s, got) = app.api(&a, Method::GET, &q, None).await;
    assert_eq!(s, StatusCode::OK, "{got}");
    let rows: Vec<(String, Vec<String>)> = got["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let names = t["viewers"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string());
            (t["ticket_id"].as_str().unwrap().to_string(), names.collect())
        })
        .collect();
    assert_eq!(
        rows,
        vec![(ids[0].clone(), vec!["Olivia Owner".to_string()]), (ids[1].clone(), vec!["Bob".to_string()])]
    );
    let (s, none) = app.api(&other, Method::GET, &q, None).await;
    assert_eq!((s, none), (StatusCode::OK, json!({"tickets": []})), "another account learns nothing");

    let (s, p) = app.api(&a, Method::GET, "/viewers?tickets=nope", None).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("tickets")));
    let many = vec![ids[0].clone(); 101].join(",");
    let (s, _) = app.api(&a, Method::GET, &format!("/viewers?tickets={many}"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    drop(bob);
}
