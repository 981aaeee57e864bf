//! Live chat's visitor protocol from outside (HTTP with long polling): a visitor from another site opens a
//! conversation, an agent answers through the API, the visitor reads what they missed from the last number they
//! hold; a message sent twice is stored once; another visitor or account sees nothing; hostile input is refused or
//! kept as text.

use crate::helpers::{spawn_app, Engine, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub(crate) async fn visitor(app: &TestApp, slug: &str) -> String {
    let res = app
        .http
        .post(app.url(slug, "/chat/v1/visitors"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["access-control-allow-origin"], "https://shop.example");
    let v: Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// A new visitor of `slug` starts a conversation with `body` (`{"name", "message": {...}, ...}`); their token and
/// the conversation's id (its ticket's).
pub(crate) async fn start_chat(app: &TestApp, slug: &str, body: Value) -> (String, String) {
    let token = visitor(app, slug).await;
    let (s, conv) = call(app, slug, &token, Method::POST, "/chat/v1/conversations", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{conv}");
    (token, conv["conversation_id"].as_str().unwrap().to_string())
}

pub(crate) async fn call(
    app: &TestApp,
    slug: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.url(slug, path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn seqs(v: &Value) -> Vec<i64> {
    v["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_visitor_and_an_agent_talk_and_nothing_is_lost_or_doubled_on_sqlite() {
    talk(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_visitor_and_an_agent_talk_and_nothing_is_lost_or_doubled_on_postgres() {
    talk(Engine::Postgres).await;
}

async fn talk(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let token = visitor(&app, "acme").await;

    // A preflight from the embedding site is answered.
    let pre = app
        .http
        .request(Method::OPTIONS, app.url("acme", "/chat/v1/conversations"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), StatusCode::NO_CONTENT);
    assert!(pre.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));

    let hostile = "<img src=x onerror=alert(1)>";
    let (s, conv) = call(
        &app,
        "acme",
        &token,
        Method::POST,
        "/chat/v1/conversations",
        Some(json!({"name": "Vera Visitor", "message": {"client_id": "c1", "body": hostile}})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{conv}");
    let id = conv["conversation_id"].as_str().unwrap().to_string();
    assert_eq!(conv["events"][0]["seq"], 1);
    assert_eq!(conv["events"][0]["body"], hostile, "kept as written; shown as text");
    assert_eq!(conv["events"][0]["author"]["type"], "visitor");

    // The agent sees a chat ticket with the visitor's words, escaped on the page.
    let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!((t["channel"].as_str(), t["subject"].as_str()), (Some("chat"), Some("Chat with Vera Visitor")), "{t}");
    let (web, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, page) = crate::ui::get(&web, &app.url("acme", &format!("/tickets/{}", t["number"]))).await;
    assert!(
        (page.contains("&#60;img src=x onerror=alert(1)&#62;") || page.contains("&lt;img src=x"))
            && !page.contains(hostile),
        "escaped on the agent's page: {page}"
    );

    // A reader waiting for what comes after 1 is woken by the agent's answer through the API.
    let waiting = {
        let (http, url, token) = (
            app.http.clone(),
            app.url("acme", &format!("/chat/v1/conversations/{id}/events?after=1&wait=20")),
            token.clone(),
        );
        tokio::spawn(async move {
            let started = Instant::now();
            let v: Value = http.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
            (v, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, _) = app
        .api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "Hello Vera, how can I help?"})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (got, took) = waiting.await.unwrap();
    assert_eq!(seqs(&got), [2], "{got}");
    assert_eq!(got["events"][0]["body"], "Hello Vera, how can I help?");
    assert!(took < Duration::from_secs(5), "woken by the answer, not by the timeout: {took:?}");
    // An internal note never reaches the visitor.
    app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "VIP?", "internal": true})))
        .await;

    // The visitor writes again; the answer to the first try is lost, so the client sends the same message again.
    let path = format!("/chat/v1/conversations/{id}/messages");
    let (s, first) =
        call(&app, "acme", &token, Method::POST, &path, Some(json!({"client_id": "c2", "body": "My order is late."})))
            .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) =
        call(&app, "acme", &token, Method::POST, &path, Some(json!({"client_id": "c2", "body": "My order is late."})))
            .await;
    assert_eq!(s, StatusCode::OK, "a resent message is recognised: {again}");
    assert_eq!(again["seq"], first["seq"]);
    let (_, msgs) = app.api(&a, Method::GET, &format!("/tickets/{id}/messages"), None).await;
    let late = msgs["messages"].as_array().unwrap().iter().filter(|m| m["body"] == "My order is late.").count();
    assert_eq!(late, 1, "stored once: {msgs}");

    // Reconnecting with the last number held replays exactly what came after it, in order.
    let (_, all) =
        call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=0"), None).await;
    assert_eq!(seqs(&all), [1, 2, 3], "{all}");
    let (_, missed) =
        call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=1"), None).await;
    assert_eq!(seqs(&missed), [2, 3]);
    let started = Instant::now();
    let (_, none) =
        call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=3&wait=1"), None)
            .await;
    assert_eq!(seqs(&none), Vec::<i64>::new());
    assert!(started.elapsed() >= Duration::from_millis(900), "a wait with nothing new lasts its time");

    // Another visitor, a visitor token on another account, or no token: nothing.
    let stranger = visitor(&app, "acme").await;
    let (s, _) = call(&app, "acme", &stranger, Method::GET, &format!("/chat/v1/conversations/{id}/events"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) =
        call(&app, "acme", &stranger, Method::POST, &path, Some(json!({"client_id": "x1", "body": "hi"}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&app, "other", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a visitor token of another account opens nothing");
    let (s, _) =
        call(&app, "acme", &a.api_key, Method::GET, &format!("/chat/v1/conversations/{id}/events"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "an API key is not a visitor token");
    let (_, theirs) = app.api(&other, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(theirs["code"], "not_found");

    // Bad input is refused, naming the field; nothing is stored.
    for (body, field) in [
        (json!({"client_id": "c9", "body": "x".repeat(4001)}), "body"),
        (json!({"client_id": "bad id!", "body": "hi"}), "client_id"),
        (json!({"client_id": "c9", "body": "   "}), "body"),
    ] {
        let (s, p) = call(&app, "acme", &token, Method::POST, &path, Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (s, p) =
        call(&app, "acme", &token, Method::POST, &path, Some(json!({"client_id": "c9", "body": "hi", "html": true})))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {p}");
    let (s, _) =
        call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=zero"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, all) = call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events"), None).await;
    assert_eq!(seqs(&all), [1, 2, 3], "nothing refused was stored");
}

#[tokio::test]
async fn a_visitor_writing_like_a_script_is_slowed_down() {
    let app = spawn_app(Engine::Sqlite).await;
    app.account("acme", "eu").await;
    let token = visitor(&app, "acme").await;
    let (_, conv) = call(
        &app,
        "acme",
        &token,
        Method::POST,
        "/chat/v1/conversations",
        Some(json!({"message": {"client_id": "m0", "body": "hi"}})),
    )
    .await;
    let path = format!("/chat/v1/conversations/{}/messages", conv["conversation_id"].as_str().unwrap());
    let mut statuses = Vec::new();
    for i in 1..40 {
        let (s, _) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            &path,
            Some(json!({"client_id": format!("m{i}"), "body": "spam"})),
        )
        .await;
        statuses.push(s);
    }
    assert!(statuses.iter().take(29).all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

pub(crate) mod socket {
    //! The same conversation over the visitor's WebSocket: a reconnect replays exactly what was missed, a resent
    //! client id is acknowledged with its first number, acks in any order are fine, and a token of another account
    //! or a bad first frame closes the socket.

    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message as Frame;

    pub(crate) type Socket =
        tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

    async fn open(app: &TestApp, slug: &str) -> Socket {
        open_on(app.port, slug).await
    }

    pub(crate) async fn open_on(port: u16, slug: &str) -> Socket {
        let url = format!("ws://127.0.0.1:{port}/chat/v1/socket");
        let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
        req.headers_mut().insert("host", format!("{slug}.localhost:{port}").parse().unwrap());
        tokio_tungstenite::connect_async(req).await.unwrap().0
    }

    /// The next frame, passing over the visitor's place in the queue (which these tests do not look at).
    pub(crate) async fn next(ws: &mut Socket) -> Value {
        loop {
            let f = frame(ws).await;
            if f["type"] != "queue" {
                return f;
            }
        }
    }

    /// The next frame, whatever it is.
    pub(crate) async fn frame(ws: &mut Socket) -> Value {
        loop {
            let f = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a frame in time");
            match f.expect("the socket stays open").unwrap() {
                Frame::Text(t) => return serde_json::from_str(&t).unwrap(),
                Frame::Close(c) => return json!({"type": "closed", "code": c.map(|c| u16::from(c.code))}),
                _ => continue,
            }
        }
    }

    /// The next frame of this type, passing over others (presence, offers, events the test does not look at).
    pub(crate) async fn next_of(ws: &mut Socket, kind: &str) -> Value {
        loop {
            let f = frame(ws).await;
            if f["type"] == kind || f["type"] == "closed" {
                return f;
            }
        }
    }

    pub(crate) async fn say(ws: &mut Socket, v: Value) {
        ws.send(Frame::Text(v.to_string().into())).await.unwrap();
    }

    #[tokio::test]
    async fn a_reconnecting_visitor_misses_nothing_and_doubles_nothing() {
        let app = spawn_app(Engine::Sqlite).await;
        let a = app.account("acme", "eu").await;
        app.account("other", "eu").await;
        let token = visitor(&app, "acme").await;
        let (_, conv) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"message": {"client_id": "w1", "body": "Hello?"}})),
        )
        .await;
        let id = conv["conversation_id"].as_str().unwrap().to_string();

        let mut ws = open(&app, "acme").await;
        say(&mut ws, json!({"type": "hello", "token": token, "conversation_id": id, "after": 0})).await;
        assert_eq!(next(&mut ws).await["type"], "ready");
        assert_eq!(next(&mut ws).await["event"]["seq"], 1, "what came before is replayed");
        say(&mut ws, json!({"type": "message", "client_id": "w2", "body": "Anyone there?"})).await;
        let mut got = vec![next(&mut ws).await, next(&mut ws).await];
        got.sort_by_key(|f| f["type"].as_str().unwrap().to_string());
        assert_eq!(
            (got[0]["type"].as_str(), got[0]["seq"].as_i64(), got[0]["duplicate"].as_bool()),
            (Some("ack"), Some(2), Some(false)),
            "{got:?}"
        );
        assert_eq!(got[1]["event"]["body"], "Anyone there?");
        // Acks out of order are taken without complaint.
        say(&mut ws, json!({"type": "ack", "seq": 2})).await;
        say(&mut ws, json!({"type": "ack", "seq": 1})).await;
        // The agent answers; the socket delivers it.
        app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "Yes, Ann here."}))).await;
        let e = next(&mut ws).await;
        assert_eq!(
            (e["event"]["seq"].as_i64(), e["event"]["author"]["type"].as_str()),
            (Some(3), Some("system")),
            "{e}"
        );

        // The connection drops; meanwhile the agent writes twice.
        drop(ws);
        for body in ["Your parcel left today.", "Anything else?"] {
            app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": body}))).await;
        }
        let mut ws = open(&app, "acme").await;
        say(&mut ws, json!({"type": "hello", "token": token, "conversation_id": id, "after": 3})).await;
        assert_eq!(next(&mut ws).await["type"], "ready");
        let (m4, m5) = (next(&mut ws).await, next(&mut ws).await);
        assert_eq!((m4["event"]["seq"].as_i64(), m5["event"]["seq"].as_i64()), (Some(4), Some(5)));
        assert_eq!(m5["event"]["body"], "Anything else?");
        // The client did not get its ack for w2 before the drop, so it sends it again: recognised.
        say(&mut ws, json!({"type": "message", "client_id": "w2", "body": "Anyone there?"})).await;
        let ack = next(&mut ws).await;
        assert_eq!((ack["seq"].as_i64(), ack["duplicate"].as_bool()), (Some(2), Some(true)), "{ack}");
        // Bad frames get an error and the socket stays.
        say(&mut ws, json!({"type": "message", "client_id": "w3", "body": ""})).await;
        assert_eq!(next(&mut ws).await["code"], "validation_failed");
        ws.send(Frame::Text("not json".into())).await.unwrap();
        assert_eq!(next(&mut ws).await["code"], "validation_failed");
        let (_, all) =
            call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events"), None).await;
        assert_eq!(seqs(&all), [1, 2, 3, 4, 5], "one of each, in order");

        // A token of another account, a stranger's conversation, or no hello: closed.
        let mut ws = open(&app, "other").await;
        say(&mut ws, json!({"type": "hello", "token": token, "conversation_id": id})).await;
        assert_eq!(next(&mut ws).await["code"], 4401);
        let stranger = visitor(&app, "acme").await;
        let mut ws = open(&app, "acme").await;
        say(&mut ws, json!({"type": "hello", "token": stranger, "conversation_id": id})).await;
        assert_eq!(next(&mut ws).await["code"], 4404);
        let mut ws = open(&app, "acme").await;
        say(&mut ws, json!({"type": "message", "client_id": "x", "body": "no hello"})).await;
        assert_eq!(next(&mut ws).await["code"], 4400);
    }
    #[tokio::test]
    async fn a_long_conversation_is_replayed_whole() {
        let app = spawn_app(Engine::Sqlite).await;
        let a = app.account("acme", "eu").await;
        let token = visitor(&app, "acme").await;
        let (_, conv) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"message": {"client_id": "l0", "body": "Tell me everything."}})),
        )
        .await;
        let id = conv["conversation_id"].as_str().unwrap().to_string();
        // More than one page of events (200).
        for i in 0..210 {
            app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": format!("Part {i}")})))
                .await;
        }
        let mut ws = open(&app, "acme").await;
        say(&mut ws, json!({"type": "hello", "token": token, "conversation_id": id, "after": 0})).await;
        assert_eq!(next(&mut ws).await["type"], "ready");
        for seq in 1..=211 {
            assert_eq!(next(&mut ws).await["event"]["seq"], seq, "replayed without waiting for news");
        }
    }
}

mod processes {
    //! Two `parley serve` processes on one region's PostgreSQL: the visitor's socket on one, the agent on the other,
    //! talk as if on one (the database's notifications carry the news); when the visitor's process dies, the socket
    //! reconnects to the other and misses nothing.

    use super::socket::{next, next_of, open_on, say};
    use crate::cli::{parley, Server};
    use parley_test_support::{http_client, PgTestDb};
    use serde_json::{json, Value};
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn a_visitor_on_one_process_and_an_agent_on_another_talk_as_if_on_one() {
        let directory = PgTestDb::create().await;
        let region = PgTestDb::create().await;
        let env = [
            ("PARLEY_DIRECTORY_URL", directory.url()),
            ("PARLEY_REGION_EU_DATABASE_URL", region.url()),
            ("PARLEY_REGIONS", "eu"),
        ];
        let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut one = Server::start(dir1.path(), &env);
        let two = Server::start(dir2.path(), &env);
        let o = parley(
            dir1.path(),
            &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
            &env,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let key = serde_json::from_slice::<Value>(&o.stdout).unwrap()["api_key"].as_str().unwrap().to_string();
        let http = http_client(false);
        let v: Value = http.post(one.url("acme", "/chat/v1/visitors")).send().await.unwrap().json().await.unwrap();
        let token = v["token"].as_str().unwrap().to_string();
        let conv: Value = http
            .post(one.url("acme", "/chat/v1/conversations"))
            .bearer_auth(&token)
            .json(&json!({"message": {"client_id": "p1", "body": "Hello from process one"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = conv["conversation_id"].as_str().unwrap().to_string();

        let mut ws = open_on(one.port, "acme").await;
        say(&mut ws, json!({"type": "hello", "token": token, "conversation_id": id, "after": 1})).await;
        assert_eq!(next(&mut ws).await["type"], "ready");
        // Each answer written through the other process arrives at once: notified, not found by polling (which
        // would take up to a second).
        let mut slowest = Duration::ZERO;
        for i in 0..5 {
            let sent = Instant::now();
            let r = http
                .post(two.url("acme", &format!("/api/v1/tickets/{id}/messages")))
                .bearer_auth(&key)
                .json(&json!({"body": format!("Answer {i} from process two")}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let e = next_of(&mut ws, "event").await;
            slowest = slowest.max(sent.elapsed());
            assert_eq!(e["event"]["body"], format!("Answer {i} from process two"), "{e}");
        }
        assert!(slowest < Duration::from_millis(600), "delivered by notification: slowest {slowest:?}");

        // Process one dies; meanwhile the agent writes; the visitor reconnects to process two from where it was.
        one.child.kill().unwrap();
        one.child.wait().unwrap();
        let dropped =
            tokio::time::timeout(Duration::from_secs(10), futures_util::StreamExt::next(&mut ws)).await.unwrap();
        assert!(!matches!(dropped, Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_)))), "{dropped:?}");
        let r = http
            .post(two.url("acme", &format!("/api/v1/tickets/{id}/messages")))
            .bearer_auth(&key)
            .json(&json!({"body": "Written while you were away"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let mut ws = open_on(two.port, "acme").await;
        say(&mut ws, json!({"type": "hello", "token": token, "conversation_id": id, "after": 6})).await;
        assert_eq!(next(&mut ws).await["type"], "ready");
        let e = next_of(&mut ws, "event").await;
        assert_eq!(
            (e["event"]["seq"].as_i64(), e["event"]["body"].as_str()),
            (Some(7), Some("Written while you were away"))
        );
        say(&mut ws, json!({"type": "message", "client_id": "p2", "body": "Thanks"})).await;
        let mut got = vec![next(&mut ws).await, next(&mut ws).await];
        got.sort_by_key(|f| f["type"].as_str().unwrap().to_string());
        assert_eq!(got[0]["seq"], 8, "{got:?}");
    }
}

mod settings {
    //! The account decides which sites may embed its chat, vouches for its users' identities with a secret, and
    //! its agents can block a visitor.

    use super::*;
    use hmac::{Hmac, Mac};

    fn sign(secret: &str, id: &str) -> String {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(id.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    #[tokio::test]
    async fn only_listed_sites_vouched_identities_and_unblocked_visitors_get_in() {
        let app = spawn_app(Engine::Sqlite).await;
        let a = app.account("acme", "eu").await;
        let (s, set) = app.api(&a, Method::GET, "/settings/chat", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(set["allowed_origins"], json!([]));
        assert!(set["embed"].as_str().unwrap().contains("/widget.js"), "{set}");
        let secret = set["identity_secret"].as_str().unwrap().to_string();
        assert!(secret.len() >= 32);

        let (s, p) = app
            .api(
                &a,
                Method::PUT,
                "/settings/chat",
                Some(json!({"allowed_origins": ["shop.example", "https://ok.example"]})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(p["errors"][0]["field"], "allowed_origins", "{p}");
        let (s, set) = app
            .api(&a, Method::PUT, "/settings/chat", Some(json!({"allowed_origins": ["https://Shop.Example/"]})))
            .await;
        assert_eq!(s, StatusCode::OK, "{set}");
        assert_eq!(set["allowed_origins"], json!(["https://shop.example"]));
        assert_eq!(set["identity_secret"], secret.as_str(), "kept unless rotated");

        // A listed site gets in; another gets 403 without CORS headers, on HTTP and on the socket.
        let token = visitor(&app, "acme").await;
        let evil = app
            .http
            .post(app.url("acme", "/chat/v1/visitors"))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(evil.status(), StatusCode::FORBIDDEN);
        assert!(evil.headers().get("access-control-allow-origin").is_none());
        let url = format!("ws://127.0.0.1:{}/chat/v1/socket", app.port);
        let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
        req.headers_mut().insert("host", format!("acme.localhost:{}", app.port).parse().unwrap());
        req.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
        assert!(tokio_tungstenite::connect_async(req).await.is_err(), "the socket refuses other sites");

        // An identity the site vouched for makes the visitor that contact; a forged one changes nothing.
        let (_, existing) =
            app.api(&a, Method::POST, "/contacts", Some(json!({"email": "ida@customer.example", "name": "Ida"}))).await;
        let (s, _) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/identify",
            Some(json!({"id": "user-7", "email": "ida@customer.example", "hash": sign("not the secret", "user-7")})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "an identity without a valid hash is not merged");
        let (_, conv) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"message": {"client_id": "i1", "body": "Where is my refund?"}})),
        )
        .await;
        let id = conv["conversation_id"].as_str().unwrap().to_string();
        let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
        assert_ne!(t["requester_id"], existing["id"], "still anonymous");
        let (s, _) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/identify",
            Some(json!({"id": "user-7", "email": "ida@customer.example", "hash": sign(&secret, "user-7")})),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
        assert_eq!(t["requester_id"], existing["id"], "the chat moved to the contact the site vouched for: {t}");

        // An agent blocks the visitor: they can no longer write.
        let (s, _) = app.api(&a, Method::POST, &format!("/tickets/{id}/block-visitor"), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            &format!("/chat/v1/conversations/{id}/messages"),
            Some(json!({"client_id": "i2", "body": "hello?"})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed", None).await;
        assert!(log.to_string().contains("settings:chat") && log.to_string().contains("visitor:"), "{log}");
        let (_, plain) = app
            .api(
                &a,
                Method::POST,
                "/tickets",
                Some(json!({"subject": "s", "requester": {"email": "x@y.example"}, "message": {"body": "b"}})),
            )
            .await;
        let (s, _) =
            app.api(&a, Method::POST, &format!("/tickets/{}/block-visitor", plain["id"].as_str().unwrap()), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not a chat");
    }

    #[tokio::test]
    async fn an_admin_copies_the_line_and_lists_sites_and_an_agent_blocks_from_the_ticket() {
        let app = spawn_app(Engine::Sqlite).await;
        let a = app.account("acme", "eu").await;
        let (web, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
        let (s, html) = crate::ui::get(&web, &app.url("acme", "/settings/chat")).await;
        assert_eq!(s, StatusCode::OK);
        let line = format!(
            "&#60;script src=&#34;http://acme.localhost:{}/widget.js&#34; async&#62;&#60;/script&#62;",
            app.port
        );
        assert!(html.contains(&line) || html.contains("/widget.js&quot;"), "{html}");
        let csrf = crate::ui::csrf_in(&html);
        let r = web
            .post(app.url("acme", "/settings/chat"))
            .form(&[("_csrf", csrf.as_str()), ("origins", "https://shop.example\nhttps://blog.example")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, set) = app.api(&a, Method::GET, "/settings/chat", None).await;
        assert_eq!(set["allowed_origins"], json!(["https://blog.example", "https://shop.example"]));
        let r = web
            .post(app.url("acme", "/settings/chat"))
            .form(&[("_csrf", csrf.as_str()), ("origins", "not a site")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a bad site is refused");

        let token = visitor(&app, "acme").await;
        let (_, conv) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"message": {"client_id": "b1", "body": "spam spam"}})),
        )
        .await;
        let id = conv["conversation_id"].as_str().unwrap();
        let (_, t) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
        let page_url = app.url("acme", &format!("/tickets/{}", t["number"]));
        let (_, html) = crate::ui::get(&web, &page_url).await;
        assert!(html.contains("Block this visitor"), "{html}");
        let r = web
            .post(format!("{page_url}/block-visitor"))
            .form(&[("_csrf", crate::ui::csrf_in(&html).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (s, _) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            &format!("/chat/v1/conversations/{id}/messages"),
            Some(json!({"client_id": "b2", "body": "more spam"})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn with_nobody_available_a_visitor_leaves_a_message_that_becomes_a_ticket() {
        let app = spawn_app(Engine::Sqlite).await;
        let a = app.account("acme", "eu").await;
        let other = app.account("other", "eu").await;
        let available = |slug: &'static str| {
            let (http, url) = (app.http.clone(), app.url(slug, "/chat/v1/availability"));
            async move { http.get(url).send().await.unwrap().json::<Value>().await.unwrap()["available"].clone() }
        };
        assert_eq!(available("acme").await, false, "nobody has said they take chats");
        let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
        let owner = agents["agents"][0]["id"].as_str().unwrap().to_string();
        let (s, p) =
            app.api(&a, Method::PUT, &format!("/agents/{owner}/presence"), Some(json!({"status": "busy"}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (s, _) =
            app.api(&a, Method::PUT, &format!("/agents/{owner}/presence"), Some(json!({"status": "available"}))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(available("acme").await, true);
        assert_eq!(available("other").await, false, "presence is per account");
        let (s, _) =
            app.api(&other, Method::PUT, &format!("/agents/{owner}/presence"), Some(json!({"status": "away"}))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another account's agent");
        // Agents set their own presence on the ticket list.
        let (web, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
        let (_, html) = crate::ui::get(&web, &app.url("acme", "/tickets")).await;
        let r = web
            .post(app.url("acme", "/presence"))
            .form(&[("_csrf", crate::ui::csrf_in(&html).as_str()), ("status", "away")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(available("acme").await, false);
        let (_, p) = app.api(&a, Method::GET, &format!("/agents/{owner}/presence"), None).await;
        assert_eq!(p["status"], "away");

        let offline = |body: Value| {
            let (http, url) = (app.http.clone(), app.url("acme", "/chat/v1/offline"));
            async move {
                let r = http.post(url).header("origin", "https://shop.example").json(&body).send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (s, p) = offline(json!({"email": "nope", "message": ""})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["email", "body"], "{p}");
        let (s, left) =
            offline(json!({"name": "Olga", "email": "olga@customer.example", "message": "Call me <b>back</b>"})).await;
        assert_eq!(s, StatusCode::CREATED, "{left}");
        let (_, list) = app.api(&a, Method::GET, "/tickets?requester=olga@customer.example", None).await;
        let t = &list["tickets"][0];
        assert_eq!(
            (t["channel"].as_str(), t["display_number"].as_str()),
            (Some("web"), left["ticket"].as_str()),
            "{list}"
        );
        let (_, msgs) =
            app.api(&a, Method::GET, &format!("/tickets/{}/messages", t["id"].as_str().unwrap()), None).await;
        assert_eq!(msgs["messages"][0]["body"], "Call me <b>back</b>");
    }
}

pub(crate) mod agents {
    //! The agents' socket: the agent's own page opens it with the session; a new chat's events reach it, the
    //! agent answers through it and the visitor gets the answer; presence is set through it; another site's page
    //! cannot open it with the agent's cookie.

    use super::socket::{next, next_of, say};
    use super::*;

    fn cookie(res: &reqwest::Response, name: &str) -> String {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {name} cookie"))
    }

    /// Signs in without a cookie jar and returns the session cookie (`name=value`).
    async fn session(app: &TestApp, a: &crate::helpers::TestAccount) -> String {
        session_of(app, &a.email, &a.password).await
    }

    pub(crate) async fn session_of(app: &TestApp, email: &str, password: &str) -> String {
        session_at(&app.url("acme", "/login"), email, password).await
    }

    /// Signs in at this login page's URL and returns the session cookie.
    pub(crate) async fn session_at(login: &str, email: &str, password: &str) -> String {
        let http = parley_test_support::http_client(false);
        let form = http.get(login).send().await.unwrap();
        let csrf_cookie = cookie(&form, "parley_csrf");
        let csrf = crate::ui::csrf_in(&form.text().await.unwrap());
        let res = http
            .post(login)
            .header("cookie", &csrf_cookie)
            .form(&[("email", email), ("password", password), ("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        cookie(&res, "parley_session")
    }

    pub(crate) async fn agent_socket(
        app: &TestApp,
        session: &str,
        origin: &str,
    ) -> Result<super::socket::Socket, String> {
        agent_socket_on(app.port, session, origin).await
    }

    pub(crate) async fn agent_socket_on(
        port: u16,
        session: &str,
        origin: &str,
    ) -> Result<super::socket::Socket, String> {
        let url = format!("ws://127.0.0.1:{port}/agent/socket");
        let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
        let host = format!("acme.localhost:{port}");
        req.headers_mut().insert("host", host.parse().unwrap());
        req.headers_mut().insert("origin", origin.replace("{host}", &host).parse().unwrap());
        req.headers_mut().insert("cookie", session.parse().unwrap());
        tokio_tungstenite::connect_async(req).await.map(|(ws, _)| ws).map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn an_agent_takes_a_chat_over_their_socket() {
        let app = spawn_app(Engine::Sqlite).await;
        let a = app.account("acme", "eu").await;
        let session = session(&app, &a).await;
        assert!(agent_socket(&app, &session, "https://evil.example").await.is_err(), "another site is refused");
        let mut agent = agent_socket(&app, &session, "http://{host}").await.unwrap();
        let ready = next(&mut agent).await;
        assert_eq!(ready["presence"]["status"], "offline", "{ready}");
        assert_eq!(ready["presence"]["online"], true, "this socket is Parley open: {ready}");
        say(&mut agent, json!({"type": "presence", "status": "available"})).await;
        assert_eq!(next(&mut agent).await["status"], "available");
        let (_, avail) = call(&app, "acme", "", Method::GET, "/chat/v1/availability", None).await;
        assert_eq!(avail["available"], true);

        let token = visitor(&app, "acme").await;
        let (_, conv) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"name": "Vic", "message": {"client_id": "v1", "body": "Is anyone there?"}})),
        )
        .await;
        let id = conv["conversation_id"].as_str().unwrap().to_string();
        let got = next_of(&mut agent, "chat").await;
        assert_eq!(got["conversation_id"], id.as_str(), "{got}");
        assert_eq!(got["event"]["body"], "Is anyone there?");
        let offer = next_of(&mut agent, "offer").await;
        assert_eq!(
            (offer["conversation_id"].as_str(), offer["number"].as_i64()),
            (Some(id.as_str()), Some(1)),
            "{offer}"
        );

        // Answering a chat that rings for them takes it: the visitor sees the agent join, then the answer.
        say(&mut agent, json!({"type": "message", "conversation_id": id, "client_id": "a1", "body": "Yes, Ann here."}))
            .await;
        let sent = next_of(&mut agent, "sent").await;
        assert_eq!(sent["client_id"], "a1");
        let (_, events) =
            call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=1"), None).await;
        assert_eq!(events["events"][0]["type"], "agent_joined", "{events}");
        assert_eq!(events["events"][0]["name"], "Olivia Owner");
        assert_eq!(events["events"][1]["body"], "Yes, Ann here.");
        assert_eq!(events["events"][1]["author"]["name"], "Olivia Owner");
        // The answer to the first send was lost, so the agent's page sends it again: recognised, stored once.
        say(&mut agent, json!({"type": "message", "conversation_id": id, "client_id": "a1", "body": "Yes, Ann here."}))
            .await;
        let again = next_of(&mut agent, "sent").await;
        assert_eq!(again["duplicate"].as_bool(), Some(true), "{again}");
        let (_, events) =
            call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=1"), None).await;
        assert_eq!(seqs(&events), [2, 3], "{events}");

        say(&mut agent, json!({"type": "message", "conversation_id": "nope", "client_id": "a2", "body": "x"})).await;
        assert_eq!(next_of(&mut agent, "error").await["code"], "not_found");
    }
}

mod files {
    //! Files shared in a chat: the visitor's are kept as the ticket's attachments under mail's rules (size, a
    //! harmless name, a plain type) and stored once per client id; agents share theirs through the API; each side
    //! fetches them back, and nobody else can.

    use super::*;
    use crate::helpers::{spawn_with, Options};

    async fn upload(app: &TestApp, token: &str, id: &str, q: &str, ct: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let r = app
            .http
            .post(app.url("acme", &format!("/chat/v1/conversations/{id}/files?{q}")))
            .bearer_auth(token)
            .header("content-type", ct)
            .header("origin", "https://shop.example")
            .body(body)
            .send()
            .await
            .unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn visitors_and_agents_share_files_that_only_they_can_fetch() {
        let app = spawn_with(Options {
            env: vec![
                ("PARLEY_MAIL_MAX_MESSAGE_MB".into(), "3".into()),
                ("PARLEY_MAIL_MAX_ATTACHMENT_MB".into(), "1".into()),
            ],
            ..Default::default()
        })
        .await;
        let a = app.account("acme", "eu").await;
        let token = visitor(&app, "acme").await;
        let (_, conv) = call(
            &app,
            "acme",
            &token,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"message": {"client_id": "m1", "body": "My invoice is wrong"}})),
        )
        .await;
        let id = conv["conversation_id"].as_str().unwrap().to_string();
        let pdf = b"%PDF-1.4 not really".to_vec();
        let (s, e) = upload(&app, &token, &id, "client_id=f1&name=invoice.pdf", "application/pdf", pdf.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let f = &e["files"][0];
        assert_eq!(
            (f["name"].as_str(), f["content_type"].as_str(), f["size"].as_i64()),
            (Some("invoice.pdf"), Some("application/pdf"), Some(19)),
            "{e}"
        );
        let (s, again) =
            upload(&app, &token, &id, "client_id=f1&name=invoice.pdf", "application/pdf", pdf.clone()).await;
        assert_eq!((s, again["seq"].clone()), (StatusCode::OK, e["seq"].clone()), "a resent file is stored once");

        // Hostile names and types are made harmless; empty and oversized files are refused, naming the limit.
        let q = "client_id=f2&name=..%2F..%2Fetc%2Fpasswd%E2%80%AEfdp.exe";
        let (s, e2) = upload(&app, &token, &id, q, "text/html\"><script>", b"<script>alert(1)</script>".to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{e2}");
        let name = e2["files"][0]["name"].as_str().unwrap();
        assert!(!name.contains('/') && !name.contains('\u{202e}') && name.starts_with("passwd"), "{name}");
        assert_eq!(e2["files"][0]["content_type"], "application/octet-stream");
        let (s, p) = upload(&app, &token, &id, "client_id=f3&name=empty.txt", "text/plain", vec![]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (s, p) = upload(
            &app,
            &token,
            &id,
            "client_id=f4&name=big.bin",
            "application/octet-stream",
            vec![7; 1024 * 1024 + 1],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(p["errors"][0]["message"].as_str().unwrap().contains("1 MB"), "{p}");
        let (s, _) = upload(&app, &token, &id, "name=x.txt", "text/plain", b"x".to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a client id is required");

        // The agent sees the file on the ticket and shares one back; the visitor fetches both, as downloads.
        let (_, msgs) = app.api(&a, Method::GET, &format!("/tickets/{id}/messages"), None).await;
        let att = msgs["messages"][1]["attachments"][0].clone();
        assert_eq!(att["filename"], "invoice.pdf", "{msgs}");
        let got = app
            .http
            .get(app.url("acme", &format!("/api/v1/attachments/{}", att["id"].as_str().unwrap())))
            .bearer_auth(&a.api_key)
            .send()
            .await
            .unwrap();
        assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
        let r = app
            .http
            .post(app.url("acme", &format!("/api/v1/chats/{id}/files?client_id=a1&name=label.png")))
            .bearer_auth(&a.api_key)
            .header("content-type", "image/png")
            .body(b"\x89PNG fake".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let shared: Value = r.json().await.unwrap();
        let (_, events) =
            call(&app, "acme", &token, Method::GET, &format!("/chat/v1/conversations/{id}/events?after=3"), None).await;
        assert_eq!(events["events"][0]["files"][0]["name"], "label.png", "{events}");
        for (file, bytes) in [
            (f["id"].as_str().unwrap(), pdf.as_slice()),
            (shared["files"][0]["id"].as_str().unwrap(), b"\x89PNG fake".as_slice()),
        ] {
            let r = app
                .http
                .get(app.url("acme", &format!("/chat/v1/conversations/{id}/files/{file}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert_eq!(r.bytes().await.unwrap().as_ref(), bytes);
        }
        let pdf_id = f["id"].as_str().unwrap();
        let disposition = app
            .http
            .get(app.url("acme", &format!("/chat/v1/conversations/{id}/files/{pdf_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("attachment"), "{disposition}");

        // Another visitor, another account, or a file of another conversation: nothing.
        let stranger = visitor(&app, "acme").await;
        let (s, _) =
            call(&app, "acme", &stranger, Method::GET, &format!("/chat/v1/conversations/{id}/files/{pdf_id}"), None)
                .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, other_conv) = call(
            &app,
            "acme",
            &stranger,
            Method::POST,
            "/chat/v1/conversations",
            Some(json!({"message": {"client_id": "s1", "body": "Hi"}})),
        )
        .await;
        let other_id = other_conv["conversation_id"].as_str().unwrap();
        let (s, _) = call(
            &app,
            "acme",
            &stranger,
            Method::GET,
            &format!("/chat/v1/conversations/{other_id}/files/{pdf_id}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a file is fetched only through its own conversation");
        let (s, _) = upload(&app, &stranger, &id, "client_id=x1&name=x.txt", "text/plain", b"x".to_vec()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "nor shared into another's");
        let other = app.account("other", "eu").await;
        let r = app
            .http
            .post(app.url("other", &format!("/api/v1/chats/{id}/files?client_id=o1&name=o.txt")))
            .bearer_auth(&other.api_key)
            .body(b"o".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
}
