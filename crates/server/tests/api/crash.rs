//! Killing the server mid-delivery loses no acknowledged mail and processes none twice.

use crate::cli::{parley, Server};
use parley_test_support::http_client;
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Four connections deliver `count` messages each, recording every `250` in a file as it comes.
const SENDER: &str = r#"
import smtplib, sys, threading
host, port, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
def run(c):
    conn = None
    for i in range(count):
        subject = f"crash-{c}-{i}"
        data = f"From: c{c}@customer.example\r\nTo: support@acme.localhost\r\nSubject: {subject}\r\nMessage-ID: <{subject}@customer.example>\r\n\r\nbody {subject}\r\n"
        try:
            if conn is None:
                conn = smtplib.SMTP(host, port, timeout=10)
            conn.sendmail(f"c{c}@customer.example", ["support@acme.localhost"], data)
            with lock:
                with open(out, "a") as f:
                    f.write(subject + "\n")
                    f.flush()
        except Exception:
            conn = None
            return
threads = [threading.Thread(target=run, args=(c,)) for c in range(4)]
for t in threads: t.start()
for t in threads: t.join()
"#;

fn acknowledged(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_string).collect()
}

#[tokio::test]
async fn sigkill_during_delivery_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[("PARLEY_SMTP_LISTEN", "127.0.0.1:0")]);
    let o = parley(
        dir.path(),
        &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
        &[],
    );
    let key = serde_json::from_slice::<Value>(&o.stdout).unwrap()["api_key"].as_str().unwrap().to_string();
    let smtp_port = server.smtp_port;
    let acks = dir.path().join("acks.txt");
    let mut sender = Command::new("python3")
        .args(["-c", SENDER, "127.0.0.1", &smtp_port.to_string(), "200"])
        .arg(&acks)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it with messages in flight: once some are acknowledged.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged(&acks).len() < 60 {
        assert!(Instant::now() < deadline, "delivery did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let _ = server.child.wait();
    let _ = sender.wait();
    let acked = acknowledged(&acks);
    assert!(acked.len() >= 60 && acked.len() < 800, "{} acknowledged", acked.len());

    // Start again: what was stored but not processed is processed now, once.
    let server = Server::start(dir.path(), &[("PARLEY_SMTP_LISTEN", "127.0.0.1:0")]);
    let http = http_client(false);
    let url = server.url("acme", "/api/v1/tickets?status=new,open&page[size]=100");
    let deadline = Instant::now() + Duration::from_secs(60);
    let subjects: HashMap<String, usize> = loop {
        let mut all: Vec<Value> = Vec::new();
        let mut next = Some(url.clone());
        while let Some(u) = next {
            let page: Value = http.get(&u).bearer_auth(&key).send().await.unwrap().json().await.unwrap();
            all.extend(page["tickets"].as_array().unwrap().iter().cloned());
            next = page["links"]["next"].as_str().map(|n| n.replace(":8080", &format!(":{}", server.port)));
        }
        let mut counts = HashMap::new();
        for t in &all {
            *counts.entry(t["subject"].as_str().unwrap().to_string()).or_insert(0) += 1;
        }
        if acked.iter().all(|s| counts.contains_key(s)) || Instant::now() > deadline {
            break counts;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for s in &acked {
        assert_eq!(subjects.get(s).copied().unwrap_or(0), 1, "{s} was acknowledged: it must be in exactly one ticket");
    }
    assert!(subjects.values().all(|n| *n == 1), "no mail made two tickets");
}
