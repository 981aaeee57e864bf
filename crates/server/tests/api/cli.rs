//! The `parley` binary as operators use it: help, clear errors naming bad values, commands that work while the
//! server runs, and a clean stop on SIGTERM.

use crate::helpers::parley_bin;
use parley_test_support::http_client;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// A `parley serve` child process, killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub smtp_port: u16,
}

impl Server {
    /// Start and wait for the line that says where it listens.
    pub fn start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(parley_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--smtp-listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("parley starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let port: u16 = loop {
            let line = lines.next().expect("parley printed where it listens").unwrap();
            if let Some(rest) = line.strip_prefix("Parley is listening on http://") {
                let addr = rest.split_whitespace().next().unwrap();
                break addr.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        let smtp_port: u16 = loop {
            let line = lines.next().expect("parley printed where it receives mail").unwrap();
            if line.starts_with("Mail to ") {
                break line.rsplit(':').next().unwrap().trim().parse().unwrap();
            }
        };
        // Keep draining standard output so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, port, smtp_port }
    }

    pub fn url(&self, slug: &str, path: &str) -> String {
        format!("http://{slug}.localhost:{}{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn parley(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(parley_bin())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("parley runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["account", "--help"],
        vec!["account", "create", "--help"],
        vec!["account", "list", "--help"],
        vec!["account", "show", "--help"],
        vec!["agent", "add", "--help"],
        vec!["agent", "list", "--help"],
        vec!["apikey", "create", "--help"],
        vec!["apikey", "list", "--help"],
        vec!["apikey", "revoke", "--help"],
    ] {
        let o = parley(dir.path(), &args, &[]);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn bad_arguments_name_the_bad_value() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["account", "create", "--slug", "Bad_Slug", "--region", "eu", "--owner-email", "a@b.example"], "Bad_Slug"),
        (vec!["account", "create", "--slug", "fine", "--region", "mars", "--owner-email", "a@b.example"], "mars"),
        (
            vec!["account", "create", "--slug", "fine", "--region", "eu", "--owner-email", "not-an-email"],
            "not-an-email",
        ),
        (vec!["account", "create", "--slug", "fine", "--country", "ZZ", "--owner-email", "a@b.example"], "ZZ"),
        (vec!["account", "show", "--slug", "ghost"], "ghost"),
        (vec!["agent", "add", "--account", "ghost", "--email", "a@b.example", "--name", "A"], "ghost"),
        (vec!["agent", "add", "--account", "ghost", "--email", "a@b.example", "--name", "A", "--role", "king"], "king"),
        (vec!["apikey", "revoke", "--account", "ghost", "--id", "123"], "123"),
    ];
    for (args, value) in cases {
        let o = parley(dir.path(), &args, &[]);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(text(&o).contains(value), "{args:?}: the message names '{value}': {}", text(&o));
        assert!(!text(&o).contains("panicked"), "{}", text(&o));
    }
    let o = parley(dir.path(), &["migrate"], &[("PARLEY_REGION_EU_DATABASE_URL", "mysql://db/x")]);
    assert!(!o.status.success());
    assert!(text(&o).contains("mysql://db/x"), "{}", text(&o));
    let o = parley(std::path::Path::new("/proc/parley-cannot-be-here"), &["migrate"], &[]);
    assert!(!o.status.success());
    assert!(text(&o).contains("/proc/parley-cannot-be-here"), "{}", text(&o));
}

#[tokio::test]
async fn commands_work_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let o = parley(
        dir.path(),
        &["account", "create", "--slug", "acme", "--country", "HU", "--owner-email", "me@example.com", "--json"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let created: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(created["account"]["region"], "eu", "Hungary is in the eu region");
    let key = created["api_key"].as_str().unwrap();
    assert!(dir.path().join("eu/parley.db").exists());

    let http = http_client(false);
    let tickets = server.url("acme", "/api/v1/tickets");
    assert_eq!(
        http.get(&tickets).bearer_auth(key).send().await.unwrap().status(),
        200,
        "the running server sees the new account"
    );
    let o = parley(
        dir.path(),
        &["account", "create", "--slug", "acme", "--region", "us", "--owner-email", "x@example.com"],
        &[],
    );
    assert!(!o.status.success() && text(&o).contains("taken"), "slugs are unique across regions: {}", text(&o));

    let o = parley(dir.path(), &["account", "list", "--json"], &[]);
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let o = parley(dir.path(), &["account", "show", "--slug", "acme"], &[]);
    assert!(text(&o).contains("Region:   eu") && text(&o).contains("Database: main"), "{}", text(&o));

    let o = parley(
        dir.path(),
        &["agent", "add", "--account", "acme", "--email", "sam@example.com", "--name", "Sam", "--json"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = parley(dir.path(), &["agent", "list", "--account", "acme", "--json"], &[]);
    let agents: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(agents.as_array().unwrap().len(), 2);

    let o = parley(dir.path(), &["apikey", "create", "--account", "acme", "--name", "zapier", "--json"], &[]);
    let k: Value = serde_json::from_slice(&o.stdout).unwrap();
    let second = k["key"].as_str().unwrap();
    assert_eq!(http.get(&tickets).bearer_auth(second).send().await.unwrap().status(), 200);
    let o = parley(dir.path(), &["apikey", "revoke", "--account", "acme", "--id", k["id"].as_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(http.get(&tickets).bearer_auth(second).send().await.unwrap().status(), 401, "revoked at once");
    let o = parley(dir.path(), &["apikey", "list", "--account", "acme"], &[]);
    assert!(text(&o).contains("revoked") && !text(&o).contains(second), "lists show prefixes, never keys");

    let o = parley(dir.path(), &["migrate"], &[]);
    assert!(o.status.success() && text(&o).contains("up to date"), "{}", text(&o));
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[]);
    let o = parley(
        dir.path(),
        &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
        &[],
    );
    let key = serde_json::from_slice::<Value>(&o.stdout).unwrap()["api_key"].as_str().unwrap().to_string();
    let http = http_client(false);
    let url = server.url("acme", "/api/v1/tickets");
    let mut sent = Vec::new();
    for i in 0..20 {
        let (http, url, key) = (http.clone(), url.clone(), key.clone());
        sent.push(tokio::spawn(async move {
            http.post(&url)
                .bearer_auth(&key)
                .json(&serde_json::json!({"subject": format!("In flight {i}"), "message": {"body": "x"}, "requester": {"email": "j@example.com"}}))
                .send()
                .await
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut created = 0;
    for s in sent {
        // A request either completed (201) or was never taken: refused, or sent on a kept-alive connection the
        // server was closing at that moment. Which of these happened is checked below: after a restart exactly
        // the acknowledged tickets exist.
        match s.await.unwrap() {
            Ok(r) => {
                assert_eq!(r.status(), 201);
                created += 1;
            }
            Err(e) => assert!(e.is_connect() || e.is_request(), "{e}"),
        }
    }
    let status = server.child.wait().unwrap();
    assert!(status.success(), "a clean exit on SIGTERM: {status}");
    // Every ticket acknowledged is there after a restart, with consecutive numbers.
    let server = Server::start(dir.path(), &[]);
    let res: Value = http
        .get(server.url("acme", "/api/v1/tickets?page[size]=100"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["tickets"].as_array().unwrap().len(), created);
}

/// A stop while a visitor and an agent hold sockets and a visitor waits on a long poll: the sockets are told to
/// connect again (1001), the poll answers at once, the server exits cleanly within 5 s, and the message it
/// acknowledged is there after a restart.
#[tokio::test]
async fn sigterm_closes_sockets_and_stops_within_seconds_losing_nothing() {
    use crate::chat::agents::{agent_socket_on, session_at};
    use crate::chat::socket::{next, next_of, open_on, say};
    use serde_json::json;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[]);
    let o = parley(
        dir.path(),
        &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
        &[],
    );
    let created: Value = serde_json::from_slice(&o.stdout).unwrap();
    let http = http_client(false);
    let visitor: Value = http.post(server.url("acme", "/chat/v1/visitors")).send().await.unwrap().json().await.unwrap();
    let token = visitor["token"].as_str().unwrap().to_string();
    let conversation: Value = http
        .post(server.url("acme", "/chat/v1/conversations"))
        .bearer_auth(&token)
        .json(&json!({"name": "Vi", "message": {"client_id": "c1", "body": "Hello"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = conversation["conversation_id"].as_str().unwrap().to_string();
    let mut visitor_ws = open_on(server.port, "acme").await;
    say(&mut visitor_ws, json!({"type": "hello", "token": token, "conversation_id": id, "after": 1})).await;
    assert_eq!(next(&mut visitor_ws).await["type"], "ready");
    say(&mut visitor_ws, json!({"type": "message", "client_id": "c2", "body": "Still there?"})).await;
    assert_eq!(next_of(&mut visitor_ws, "ack").await["seq"], 2, "stored");
    let (email, password) =
        (created["owner"]["email"].as_str().unwrap(), created["owner"]["password"].as_str().unwrap());
    let session = session_at(&server.url("acme", "/login"), email, password).await;
    let mut agent_ws = agent_socket_on(server.port, &session, "http://{host}").await.unwrap();
    assert_eq!(next(&mut agent_ws).await["type"], "ready");
    let poll = tokio::spawn({
        let request = http
            .get(server.url("acme", &format!("/chat/v1/conversations/{id}/events?after=2&wait=25")))
            .bearer_auth(&token);
        async move { request.send().await }
    });
    // Nothing outside tells that the poll has begun waiting; on a local server it has long before this.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let pid = server.child.id().to_string();
    let told = Instant::now();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    for ws in [&mut visitor_ws, &mut agent_ws] {
        let closed = tokio::time::timeout(Duration::from_secs(5), next_of(ws, "closed")).await.unwrap();
        assert_eq!(closed["code"], 1001, "told to connect again: {closed}");
    }
    let answered = tokio::time::timeout(Duration::from_secs(5), poll).await.unwrap().unwrap().unwrap();
    assert_eq!(answered.status(), 200);
    assert_eq!(answered.json::<Value>().await.unwrap()["events"], json!([]));
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(told.elapsed() < Duration::from_secs(5), "stopped within 5 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "a clean exit on SIGTERM: {status}");

    let server = Server::start(dir.path(), &[]);
    let events: Value = http
        .get(server.url("acme", &format!("/chat/v1/conversations/{id}/events?after=0")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = events["events"].as_array().unwrap().iter().filter_map(|e| e["body"].as_str()).collect();
    assert_eq!(bodies, ["Hello", "Still there?"], "{events}");
}
