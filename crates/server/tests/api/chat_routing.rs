//! Routing chats to agents, from outside: a new chat rings one available agent with Parley open (least busy
//! first), rings the next when unanswered for the ring time or declined, never rings an agent at their limit, an
//! agent without Parley open, or one outside the chat's team; visitors see their place in the queue; agents take,
//! hand on and end chats over their socket or the API.

use crate::chat::agents::{agent_socket, session_of};
use crate::chat::socket::{next, next_of, open_on, say, Socket};
use crate::chat::{call, start_chat};
use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use parley_test_support::http_client;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A new agent of acme (in these departments) with a password, and their session cookie.
pub(crate) async fn agent(app: &TestApp, a: &TestAccount, name: &str, departments: &[&Value]) -> (String, String) {
    let email = format!("{}@acme.example", name.to_lowercase());
    let ids: Vec<&Value> = departments.iter().map(|d| &d["id"]).collect();
    let (s, made) = app
        .api(
            a,
            Method::POST,
            "/agents",
            Some(json!({"email": email, "name": name, "role": "agent", "department_ids": ids})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let setup = made["setup_url"].as_str().unwrap().to_string();
    let c = http_client(true);
    let (_, html) = crate::ui::get(&c, &setup).await;
    let token = setup.split("token=").nth(1).unwrap();
    let r = c
        .post(app.url("acme", "/password/reset"))
        .form(&[("token", token), ("password", "a long password!"), ("_csrf", &crate::ui::csrf_in(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = made["agent"]["id"].as_str().unwrap().to_string();
    (id, session_of(app, &email, "a long password!").await)
}

/// The agent's socket, open and available.
pub(crate) async fn online(app: &TestApp, session: &str) -> Socket {
    let mut ws = agent_socket(app, session, "http://{host}").await.unwrap();
    assert_eq!(next(&mut ws).await["type"], "ready");
    say(&mut ws, json!({"type": "presence", "status": "available"})).await;
    assert_eq!(next_of(&mut ws, "presence").await["status"], "available");
    ws
}

/// A visitor's new chat; returns the visitor's token and the chat's id.
async fn chat(app: &TestApp, body: &str, department: Option<&Value>) -> (String, String) {
    let mut b = json!({"name": body, "message": {"client_id": "c1", "body": body}});
    if let Some(d) = department {
        b["department_id"] = d["id"].clone();
    }
    start_chat(app, "acme", b).await
}

/// The next offer the agent's socket gets, and for which chat.
async fn offer(ws: &mut Socket) -> String {
    next_of(ws, "offer").await["conversation_id"].as_str().unwrap().to_string()
}

/// Whether the agent's socket gets an offer within `wait`.
async fn offered_within(ws: &mut Socket, wait: Duration) -> Option<String> {
    let end = Instant::now() + wait;
    while Instant::now() < end {
        let left = end - Instant::now();
        let Ok(f) = tokio::time::timeout(left, next(ws)).await else { return None };
        if f["type"] == "offer" {
            return f["conversation_id"].as_str().map(String::from);
        }
    }
    None
}

async fn route(app: &TestApp, a: &TestAccount, id: &str) -> Value {
    let (s, r) = app.api(a, Method::GET, &format!("/chats/{id}"), None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

#[tokio::test]
async fn a_chat_rings_the_least_busy_agent_then_the_next_and_is_taken_once() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (s, set) = app.api(&a, Method::PUT, "/settings/chat", Some(json!({"ring_seconds": 5}))).await;
    assert_eq!(
        (s, set["ring_seconds"].as_u64(), set["routing"].as_str()),
        (StatusCode::OK, Some(5), Some("least_busy"))
    );
    let (ann_id, ann_session) = agent(&app, &a, "Ann", &[]).await;
    let (bob_id, bob_session) = agent(&app, &a, "Bob", &[]).await;
    let (_, cy_session) = agent(&app, &a, "Cy", &[]).await;
    // Cy is available but has Parley closed: never rung.
    let mut cy = online(&app, &cy_session).await;
    drop(cy.close(None).await);
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    let cy_id = agents["agents"].as_array().unwrap().iter().find(|x| x["name"] == "Cy").unwrap()["id"].clone();
    let cy_id = cy_id.as_str().unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    while app.api(&a, Method::GET, &format!("/agents/{cy_id}/presence"), None).await.1["online"] != false {
        assert!(Instant::now() < end, "Cy's closed page stops counting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut ann = online(&app, &ann_session).await;
    let mut bob = online(&app, &bob_session).await;

    // Both hold nothing and were never rung: the tie goes to the lower id (Ann, made first), the same in every
    // process.
    let (_, first) = chat(&app, "First", None).await;
    assert_eq!(offer(&mut ann).await, first);
    let (s, p) = app.api(&a, Method::POST, &format!("/chats/{first}/accept"), Some(json!({"agent_id": ann_id}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{p}");
    assert_eq!(route(&app, &a, &first).await["state"], "assigned");
    assert_eq!(next_of(&mut ann, "offer_withdrawn").await["conversation_id"], first.as_str());
    let (s, p) = app.api(&a, Method::POST, &format!("/chats/{first}/accept"), Some(json!({"agent_id": bob_id}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "taken once: {p}");
    let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{first}"), None).await;
    assert_eq!((t["assignee_id"].as_str(), t["status"].as_str()), (Some(ann_id.as_str()), Some("open")), "{t}");

    let (token, second) = chat(&app, "Second", None).await;
    assert_eq!(offer(&mut bob).await, second, "the least busy agent is rung first");
    let rang = Instant::now();
    let r = route(&app, &a, &second).await;
    assert_eq!((r["state"].as_str(), r["agent_id"].as_str()), (Some("ringing"), Some(bob_id.as_str())), "{r}");
    // The visitor waits first in line.
    let mut v = open_on(app.port, "acme").await;
    say(&mut v, json!({"type": "hello", "token": token, "conversation_id": second, "after": 1})).await;
    assert_eq!(next(&mut v).await["type"], "ready");
    assert_eq!(next_of(&mut v, "queue").await["position"], 1);

    // Bob lets it ring out: after the ring time it rings Ann instead.
    assert_eq!(offer(&mut ann).await, second);
    assert!(rang.elapsed() >= Duration::from_secs(4), "rang Bob for its ring time first: {:?}", rang.elapsed());
    assert_eq!(next_of(&mut bob, "offer_withdrawn").await["conversation_id"], second.as_str());
    // Ann declines: back to Bob (the ring time has passed since he let it ring out).
    say(&mut ann, json!({"type": "decline", "conversation_id": second})).await;
    assert_eq!(next_of(&mut ann, "done").await["action"], "decline");
    assert_eq!(offer(&mut bob).await, second);
    say(&mut bob, json!({"type": "accept", "conversation_id": second})).await;
    assert_eq!(next_of(&mut bob, "done").await["action"], "accept");
    // The visitor hears both, in either order: Bob joined, and no place in the queue any more.
    let (mut joined, mut place) = (None, None);
    while joined.is_none() || place.is_none() {
        let f = crate::chat::socket::frame(&mut v).await;
        match f["type"].as_str() {
            Some("event") => joined = Some(f),
            Some("queue") => place = Some(f),
            _ => {}
        }
    }
    let joined = joined.unwrap();
    assert_eq!(
        (joined["event"]["type"].as_str(), joined["event"]["name"].as_str()),
        (Some("agent_joined"), Some("Bob"))
    );
    assert_eq!(place.unwrap()["position"], Value::Null, "no longer waiting");

    // Each side sees the other type; nothing of it is stored.
    say(&mut v, json!({"type": "typing"})).await;
    let t = next_of(&mut bob, "typing").await;
    assert_eq!((t["conversation_id"].as_str(), t["who"].as_str()), (Some(second.as_str()), Some("visitor")), "{t}");
    say(&mut bob, json!({"type": "typing", "conversation_id": second})).await;
    assert_eq!(next_of(&mut v, "typing").await["name"], "Bob");
    let mut t = next_of(&mut ann, "typing").await;
    assert_eq!(t["who"], "visitor", "colleagues see the visitor type: {t}");
    t = next_of(&mut ann, "typing").await;
    assert_eq!((t["who"].as_str(), t["name"].as_str()), (Some("agent"), Some("Bob")), "and each other: {t}");

    // Bob hands it to Ann: he leaves, she joins, it is hers.
    say(&mut bob, json!({"type": "transfer", "conversation_id": second, "agent_id": ann_id})).await;
    assert_eq!(next_of(&mut bob, "done").await["action"], "transfer");
    let left = next_of(&mut v, "event").await;
    assert_eq!((left["event"]["type"].as_str(), left["event"]["name"].as_str()), (Some("agent_left"), Some("Bob")));
    let joined = next_of(&mut v, "event").await;
    assert_eq!(
        (joined["event"]["type"].as_str(), joined["event"]["name"].as_str()),
        (Some("agent_joined"), Some("Ann"))
    );
    assert_eq!(route(&app, &a, &second).await["agent_id"], ann_id.as_str());
    let (_, p) = app.api(&a, Method::GET, &format!("/agents/{ann_id}/presence"), None).await;
    assert_eq!((p["chats"].as_u64(), p["online"].as_bool()), (Some(2), Some(true)), "{p}");

    // Ann ends it: the visitor hears, and it rings nobody again.
    say(&mut ann, json!({"type": "end", "conversation_id": second})).await;
    assert_eq!(next_of(&mut ann, "done").await["action"], "end");
    assert_eq!(next_of(&mut v, "event").await["event"]["type"], "chat_ended");
    assert_eq!(route(&app, &a, &second).await["state"], "ended");
    let (s, _) = app.api(&a, Method::POST, &format!("/chats/{second}/accept"), Some(json!({"agent_id": bob_id}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "an ended chat is not taken");
}

#[tokio::test]
async fn limits_teams_and_closed_parley_decide_who_is_rung_and_visitors_see_their_place() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (_, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let (_, tech) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Tech"}))).await;
    let (dee_id, dee_session) = agent(&app, &a, "Dee", &[&billing]).await;
    let (_, tom_session) = agent(&app, &a, "Tom", &[&tech]).await;

    // Nobody has Parley open: chats wait in line, and each visitor sees their place.
    let (t1, c1) = chat(&app, "One", Some(&billing)).await;
    let (t2, c2) = chat(&app, "Two", Some(&billing)).await;
    let (_, c3) = chat(&app, "Three", Some(&tech)).await;
    let (_, q) = app.api(&a, Method::GET, "/chats/queue", None).await;
    let places: Vec<(&str, u64)> = q["chats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["queue_position"].as_u64().unwrap()))
        .collect();
    assert_eq!(places, [(c1.as_str(), 1), (c2.as_str(), 2), (c3.as_str(), 1)], "a place per team: {q}");
    let (_, e) =
        call(&app, "acme", &t2, Method::GET, &format!("/chat/v1/conversations/{c2}/events?after=1"), None).await;
    assert_eq!(e["queue_position"], 2, "{e}");
    let mut v2 = open_on(app.port, "acme").await;
    say(&mut v2, json!({"type": "hello", "token": t2, "conversation_id": c2, "after": 1})).await;
    assert_eq!(next_of(&mut v2, "queue").await["position"], 2);

    // Dee (Billing) may hold one chat; Tom (Tech) comes online too.
    let mut dee = online(&app, &dee_session).await;
    let (s, p) = app.api(&a, Method::PUT, &format!("/agents/{dee_id}/presence"), Some(json!({"max_chats": 1}))).await;
    assert_eq!((s, p["max_chats"].as_u64()), (StatusCode::OK, Some(1)), "{p}");
    let (s, p) = app.api(&a, Method::PUT, &format!("/agents/{dee_id}/presence"), Some(json!({"max_chats": 0}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let mut tom = online(&app, &tom_session).await;
    assert_eq!(offer(&mut tom).await, c3, "Tom is rung only for his team's chat");
    let first = offer(&mut dee).await;
    assert_eq!(first, c1, "the longest waiting chat rings first");
    say(&mut dee, json!({"type": "accept", "conversation_id": c1})).await;
    assert_eq!(next_of(&mut dee, "done").await["action"], "accept");
    // The second visitor moves up to first place, but Dee, at her limit, is not rung for it.
    assert_eq!(next_of(&mut v2, "queue").await["position"], 1);
    assert_eq!(offered_within(&mut dee, Duration::from_secs(3)).await, None, "at her limit");
    assert_eq!(route(&app, &a, &c2).await["state"], "queued");
    let (s, p) = app.api(&a, Method::POST, &format!("/chats/{c2}/accept"), Some(json!({"agent_id": dee_id}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "taking one beyond the limit is refused: {p}");

    // Her first chat is resolved: she has room again and is rung for the next.
    let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{c1}"), Some(json!({"status": "resolved"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(offer(&mut dee).await, c2);
    // The visitor of the first chat sees an agent took it; a Tech chat handed to Billing rings Dee later.
    let (_, e) =
        call(&app, "acme", &t1, Method::GET, &format!("/chat/v1/conversations/{c1}/events?after=1"), None).await;
    assert_eq!(e["events"][0]["type"], "agent_joined", "{e}");
    assert!(e.get("queue_position").is_none(), "{e}");
    let (s, p) = app
        .api(&a, Method::POST, &format!("/chats/{c3}/transfer"), Some(json!({"department_id": billing["id"]})))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{p}");
    let r = route(&app, &a, &c3).await;
    assert_eq!(r["department_id"], billing["id"], "{r}");
    assert_eq!(next_of(&mut tom, "offer_withdrawn").await["conversation_id"], c3.as_str());

    // Another account's key sees none of it; bad requests say what is wrong.
    let other = app.account("other", "eu").await;
    let (s, _) = app.api(&other, Method::GET, &format!("/chats/{c2}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::POST, &format!("/chats/{c2}/end"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = app.api(&a, Method::POST, &format!("/chats/{c2}/accept"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an API key names the agent: {p}");
    let (s, p) = app.api(&a, Method::POST, &format!("/chats/{c2}/transfer"), Some(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, p) =
        app.api(&a, Method::PUT, "/settings/chat", Some(json!({"routing": "random", "ring_seconds": 1}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["routing", "ring_seconds"]);

    // The visitor ends their chat; the other visitor's token cannot.
    let (s, _) = call(&app, "acme", &t1, Method::POST, &format!("/chat/v1/conversations/{c2}/end"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&app, "acme", &t2, Method::POST, &format!("/chat/v1/conversations/{c2}/end"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(next_of(&mut dee, "offer_withdrawn").await["conversation_id"], c2.as_str());
    assert_eq!(route(&app, &a, &c2).await["state"], "ended");
}

/// Visitors opening chats all at once (stored in batches, not always in the order they joined) each learn their
/// place in line on their socket, as the queue lists them, and one more visitor joins at the end: the queue as
/// read is read on, not read again per visitor.
#[tokio::test]
async fn visitors_arriving_at_once_each_see_their_place() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let names: Vec<String> = (0..24).map(|i| format!("Crowd {i}")).collect();
    let opened = futures_util::future::join_all(names.iter().map(|n| chat(&app, n, None))).await;
    let (_, q) = app.api(&a, Method::GET, "/chats/queue", None).await;
    let line: Vec<&str> = q["chats"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(line.len(), opened.len(), "{q}");
    for (token, id) in &opened {
        let place = line.iter().position(|c| c == id).unwrap() + 1;
        let mut v = open_on(app.port, "acme").await;
        say(&mut v, json!({"type": "hello", "token": token, "conversation_id": id, "after": 1})).await;
        assert_eq!(next_of(&mut v, "queue").await["position"], place, "{id}");
    }
    let (token, last) = chat(&app, "Late", None).await;
    let (_, e) =
        call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{last}/events?after=1"), None).await;
    assert_eq!(e["queue_position"], opened.len() + 1, "{e}");
}

#[tokio::test]
async fn round_robin_rings_each_agent_in_turn() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (s, _) = app.api(&a, Method::PUT, "/settings/chat", Some(json!({"routing": "round_robin"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, ann_session) = agent(&app, &a, "Ann", &[]).await;
    let (_, bob_session) = agent(&app, &a, "Bob", &[]).await;
    let mut ann = online(&app, &ann_session).await;
    // Ann alone takes two chats.
    for i in 0..2 {
        let (_, id) = chat(&app, &format!("Early {i}"), None).await;
        assert_eq!(offer(&mut ann).await, id);
        say(&mut ann, json!({"type": "accept", "conversation_id": id})).await;
        assert_eq!(next_of(&mut ann, "done").await["action"], "accept");
    }
    // Bob comes: never rung, he is next; then Ann, rung longer ago, although she holds more (least busy would
    // ring Bob again).
    let mut bob = online(&app, &bob_session).await;
    let (_, third) = chat(&app, "Third", None).await;
    assert_eq!(offer(&mut bob).await, third);
    say(&mut bob, json!({"type": "accept", "conversation_id": third})).await;
    assert_eq!(next_of(&mut bob, "done").await["action"], "accept");
    let (_, fourth) = chat(&app, "Fourth", None).await;
    assert_eq!(offer(&mut ann).await, fourth);
    assert_eq!(offered_within(&mut bob, Duration::from_millis(500)).await, None);
}

mod processes {
    //! Two `parley serve` processes on one region's PostgreSQL: the agent's socket on one, the visitor on the
    //! other. The chat rings the agent across processes; when the agent's process is killed, its socket stops
    //! counting once the process no longer says it is alive, the ring goes back to the queue, and when the agent
    //! reconnects to the other process it rings them there.

    use super::*;
    use crate::chat::agents::{agent_socket_on, session_at};
    use crate::cli::{parley, Server};
    use parley_test_support::PgTestDb;

    async fn until(what: &str, mut f: impl AsyncFnMut() -> bool) {
        let end = Instant::now() + Duration::from_secs(30);
        while !f().await {
            assert!(Instant::now() < end, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    #[tokio::test]
    async fn a_chat_rings_an_agent_on_another_process_and_survives_that_process_dying() {
        let directory = PgTestDb::create().await;
        let region = PgTestDb::create().await;
        let env = [
            ("PARLEY_DIRECTORY_URL", directory.url()),
            ("PARLEY_REGION_EU_DATABASE_URL", region.url()),
            ("PARLEY_REGIONS", "eu"),
            ("PARLEY_CHAT_LIVENESS_SECS", "3"),
        ];
        let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut one = Server::start(dir1.path(), &env);
        let two = Server::start(dir2.path(), &env);
        let o = parley(
            dir1.path(),
            &[
                "account",
                "create",
                "--slug",
                "acme",
                "--region",
                "eu",
                "--owner-email",
                "me@example.com",
                "--owner-name",
                "Olivia Owner",
                "--json",
            ],
            &env,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let made: Value = serde_json::from_slice(&o.stdout).unwrap();
        let key = made["api_key"].as_str().unwrap().to_string();
        let (owner, password) = (made["owner"]["id"].as_str().unwrap(), made["owner"]["password"].as_str().unwrap());
        let http = http_client(false);
        let api = |server: &Server, method: Method, path: &str, body: Option<Value>| {
            let mut req = http.request(method, server.url("acme", &format!("/api/v1{path}"))).bearer_auth(&key);
            if let Some(b) = body {
                req = req.json(&b);
            }
            async move {
                let r = req.send().await.unwrap();
                let s = r.status();
                (s, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (s, _) = api(&two, Method::PUT, "/settings/chat", Some(json!({"ring_seconds": 5}))).await;
        assert_eq!(s, StatusCode::OK);

        // The agent is on process one; the visitor starts a chat on process two; it rings on process one.
        let session = session_at(&one.url("acme", "/login"), "me@example.com", password).await;
        let mut agent = agent_socket_on(one.port, &session, "http://{host}").await.unwrap();
        assert_eq!(next(&mut agent).await["type"], "ready");
        say(&mut agent, json!({"type": "presence", "status": "available"})).await;
        assert_eq!(next_of(&mut agent, "presence").await["status"], "available");
        let v: Value = http.post(two.url("acme", "/chat/v1/visitors")).send().await.unwrap().json().await.unwrap();
        let token = v["token"].as_str().unwrap().to_string();
        let conv: Value = http
            .post(two.url("acme", "/chat/v1/conversations"))
            .bearer_auth(&token)
            .json(&json!({"message": {"client_id": "p1", "body": "Anyone?"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = conv["conversation_id"].as_str().unwrap().to_string();
        assert_eq!(super::offer(&mut agent).await, id, "rung across processes");
        // Typing crosses processes too: the visitor's socket is on process two.
        let mut v = open_on(two.port, "acme").await;
        say(&mut v, json!({"type": "hello", "token": token, "conversation_id": id, "after": 1})).await;
        assert_eq!(next(&mut v).await["type"], "ready");
        say(&mut v, json!({"type": "typing"})).await;
        assert_eq!(next_of(&mut agent, "typing").await["who"], "visitor");
        say(&mut agent, json!({"type": "typing", "conversation_id": id})).await;
        assert_eq!(next_of(&mut v, "typing").await["name"], "Olivia Owner");

        // Process one dies with the agent's socket. Soon the agent no longer counts as online, the ring runs out
        // and the chat waits in the queue: nobody else is rung for it.
        one.child.kill().unwrap();
        one.child.wait().unwrap();
        until("the agent to count as gone", async || {
            api(&two, Method::GET, &format!("/agents/{owner}/presence"), None).await.1["online"] == false
        })
        .await;
        until("the ring to run out", async || {
            api(&two, Method::GET, &format!("/chats/{id}"), None).await.1["state"] == "queued"
        })
        .await;
        let (_, p) = api(&two, Method::GET, &format!("/agents/{owner}/presence"), None).await;
        assert_eq!(p["status"], "available", "what the agent set stays: {p}");

        // The agent's page reconnects to process two (the same session): the chat rings there; they take it and
        // the visitor sees them join.
        let mut agent = agent_socket_on(two.port, &session, "http://{host}").await.unwrap();
        let ready = next(&mut agent).await;
        assert_eq!(ready["presence"]["online"], true, "{ready}");
        let rung = tokio::time::timeout(Duration::from_secs(20), super::offer(&mut agent)).await.unwrap();
        assert_eq!(rung, id);
        say(&mut agent, json!({"type": "accept", "conversation_id": id})).await;
        assert_eq!(next_of(&mut agent, "done").await["action"], "accept");
        let (_, e) = http
            .get(two.url("acme", &format!("/chat/v1/conversations/{id}/events?after=1")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .map(|v| (StatusCode::OK, v))
            .unwrap();
        assert_eq!(e["events"][0]["type"], "agent_joined", "{e}");
    }
}

#[tokio::test]
async fn an_admin_sets_the_widgets_look_for_every_site() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let widget = || async {
        let r = app.http.get(app.url("acme", "/widget.js")).send().await.unwrap();
        r.text().await.unwrap()
    };
    assert!(widget().await.contains("Object.assign({}, {}, window.ParleySettings"), "Parley's own look at first");
    let look = json!({"color": "#0A7D4F", "position": "left", "greeting": "Hi </script><b>there</b>"});
    let (s, set) = app.api(&a, Method::PUT, "/settings/chat", Some(json!({"look": look}))).await;
    assert_eq!(s, StatusCode::OK, "{set}");
    assert_eq!(set["look"]["color"], "#0a7d4f");
    let js = widget().await;
    assert!(
        js.contains(r##""color":"#0a7d4f","position":"left","greeting":"Hi \u003c/script>\u003cb>there\u003c/b>""##),
        "{}",
        &js[..600]
    );
    let (s, p) =
        app.api(&a, Method::PUT, "/settings/chat", Some(json!({"look": {"color": "red;}", "position": "top"}}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (_, now) = app.api(&a, Method::GET, "/settings/chat", None).await;
    assert_eq!(now["look"]["position"], "left", "a refused change changes nothing");
}

#[tokio::test]
async fn a_chats_ticket_decides_its_route_when_changed_as_a_ticket() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (_, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let (_, tech) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Tech"}))).await;
    let (_, dee_session) = agent(&app, &a, "Dee", &[&billing]).await;
    let (tom_id, tom_session) = agent(&app, &a, "Tom", &[&tech]).await;
    let mut dee = online(&app, &dee_session).await;
    let mut tom = online(&app, &tom_session).await;

    // A Billing chat rings Dee; moved to Tech on the ticket itself, it rings Tom instead.
    let (_, id) = chat(&app, "Moved", Some(&billing)).await;
    assert_eq!(offer(&mut dee).await, id);
    let (s, _) =
        app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"department_id": tech["id"]}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(next_of(&mut dee, "offer_withdrawn").await["conversation_id"], id.as_str());
    assert_eq!(offer(&mut tom).await, id, "the ticket's team is the chat's");
    assert_eq!(route(&app, &a, &id).await["department_id"], tech["id"]);

    // Closed on the ticket, it stops ringing and leaves the queue.
    let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "closed"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(next_of(&mut tom, "offer_withdrawn").await["conversation_id"], id.as_str());
    assert_eq!(route(&app, &a, &id).await["state"], "ended");
    let (_, q) = app.api(&a, Method::GET, "/chats/queue", None).await;
    assert_eq!(q["chats"].as_array().unwrap().len(), 0, "{q}");

    // Tom takes another chat; Dee, not holding it and no administrator, cannot hand it to herself.
    let (_, other) = chat(&app, "Held", Some(&tech)).await;
    assert_eq!(offer(&mut tom).await, other);
    say(&mut tom, json!({"type": "accept", "conversation_id": other})).await;
    assert_eq!(next_of(&mut tom, "done").await["action"], "accept");
    let (s, _) =
        app.api(&a, Method::PATCH, &format!("/tickets/{other}"), Some(json!({"department_id": billing["id"]}))).await;
    assert_eq!(s, StatusCode::OK, "Dee may see it now");
    let dee_id = route(&app, &a, &other).await["agent_id"].clone();
    assert_eq!(dee_id, tom_id.as_str());
    let mut dee_pages = dee;
    let (_, me) = app.api(&a, Method::GET, "/agents", None).await;
    let dee_agent = me["agents"].as_array().unwrap().iter().find(|x| x["name"] == "Dee").unwrap()["id"].clone();
    say(&mut dee_pages, json!({"type": "transfer", "conversation_id": other, "agent_id": dee_agent})).await;
    assert_eq!(next_of(&mut dee_pages, "error").await["code"], "forbidden");
    assert_eq!(route(&app, &a, &other).await["agent_id"], tom_id.as_str());
}

/// Two chats accepted for one agent at the same moment: the limit is counted where the assignment is written, so
/// only one of them gets through.
async fn simultaneous_accepts_keep_the_limit(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let (_, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let (dee_id, _) = agent(&app, &a, "Dee", &[&billing]).await;
    let (s, _) = app.api(&a, Method::PUT, &format!("/agents/{dee_id}/presence"), Some(json!({"max_chats": 1}))).await;
    assert_eq!(s, StatusCode::OK);
    for round in 0..3 {
        let (_, c1) = chat(&app, &format!("One {round}"), Some(&billing)).await;
        let (_, c2) = chat(&app, &format!("Two {round}"), Some(&billing)).await;
        let take = |c: String| {
            let (app, a, dee) = (&app, &a, dee_id.clone());
            async move { app.api(a, Method::POST, &format!("/chats/{c}/accept"), Some(json!({"agent_id": dee}))).await }
        };
        let ((s1, p1), (s2, p2)) = tokio::join!(take(c1.clone()), take(c2.clone()));
        let taken = [s1, s2].iter().filter(|s| s.is_success()).count();
        assert_eq!(taken, 1, "round {round}: exactly one is taken: {s1} {p1} / {s2} {p2}");
        assert!([s1, s2].contains(&StatusCode::CONFLICT), "the other is refused: {s1} {p1} / {s2} {p2}");
        let states = [route(&app, &a, &c1).await["state"].clone(), route(&app, &a, &c2).await["state"].clone()];
        assert_eq!(states.iter().filter(|s| *s == "assigned").count(), 1, "{states:?}");
        // Resolve the one taken, so the next round starts with room for one.
        let held = if s1.is_success() { c1 } else { c2 };
        let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{held}"), Some(json!({"status": "resolved"}))).await;
        assert_eq!(s, StatusCode::OK);
    }
}

#[tokio::test]
async fn simultaneous_accepts_keep_the_limit_on_sqlite() {
    simultaneous_accepts_keep_the_limit(Engine::Sqlite).await;
}

#[tokio::test]
async fn simultaneous_accepts_keep_the_limit_on_postgres() {
    simultaneous_accepts_keep_the_limit(Engine::Postgres).await;
}
