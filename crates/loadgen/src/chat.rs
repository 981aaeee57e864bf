//! Live chat under load: N visitors each hold a WebSocket to one `parley serve`; visitors send messages at a
//! steady total rate (each acknowledged once stored) while agents answer through the API; reports connections
//! held, messages per second, the visitor's wait for the acknowledgement, the agent's answer's way to the visitor,
//! and the server's memory per idle connection.

use crate::server::Server;
use crate::stats::{ms, Latencies};
use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;

/// What a visitor's or the agent's task measured.
enum Sample {
    Acked(Duration),
    Delivered(Duration),
    ToAgent(Duration),
}

struct Visitor {
    token: String,
    conversation: String,
}

async fn new_visitor(http: &reqwest::Client, base: &str, i: usize) -> anyhow::Result<Visitor> {
    // Visitors arrive from many addresses, through a proxy Parley trusts (the per-address limit on new visitors
    // is for abuse, not for a crowd).
    let addr = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let v: Value = http
        .post(format!("{base}/chat/v1/visitors"))
        .header("x-forwarded-for", addr)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = v["token"].as_str().context("token")?.to_string();
    let c: Value = http
        .post(format!("{base}/chat/v1/conversations"))
        .bearer_auth(&token)
        .json(&json!({"name": format!("Visitor {i}"), "message": {"client_id": "first", "body": "Hello"}}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Visitor { token, conversation: c["conversation_id"].as_str().context("conversation")?.to_string() })
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(port: u16, v: &Visitor) -> anyhow::Result<Socket> {
    let url = format!("ws://127.0.0.1:{port}/chat/v1/socket");
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)?;
    req.headers_mut().insert("host", format!("bench.localhost:{port}").parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    let hello = json!({"type": "hello", "token": v.token, "conversation_id": v.conversation, "after": 1});
    ws.send(Frame::Text(hello.to_string().into())).await?;
    loop {
        match ws.next().await.context("closed before ready")?? {
            Frame::Text(t) if t.contains("\"ready\"") => return Ok(ws),
            Frame::Text(_) | Frame::Ping(_) | Frame::Pong(_) => continue,
            other => anyhow::bail!("unexpected frame {other:?}"),
        }
    }
}

/// One visitor's socket: sends what it is told to, and measures acks and the agents' answers (whose bodies carry
/// the time they were sent, as microseconds since `epoch`).
async fn visitor_task(
    mut ws: Socket,
    mut outbox: mpsc::Receiver<String>,
    samples: mpsc::UnboundedSender<Sample>,
    epoch: Instant,
    open: Arc<AtomicUsize>,
) {
    let mut sent: HashMap<String, Instant> = HashMap::new();
    loop {
        tokio::select! {
            cmd = outbox.recv() => {
                let Some(client_id) = cmd else { break };
                let body = format!("v:{}", epoch.elapsed().as_micros());
                let frame = json!({"type": "message", "client_id": client_id, "body": body});
                sent.insert(client_id, Instant::now());
                if ws.send(Frame::Text(frame.to_string().into())).await.is_err() {
                    break;
                }
            }
            frame = ws.next() => {
                let Some(Ok(Frame::Text(t))) = frame else {
                    if matches!(frame, Some(Ok(_))) { continue; }
                    break;
                };
                let Ok(v) = serde_json::from_str::<Value>(&t) else { continue };
                match v["type"].as_str() {
                    Some("ack") => {
                        if let Some(at) = v["client_id"].as_str().and_then(|c| sent.remove(c)) {
                            let _ = samples.send(Sample::Acked(at.elapsed()));
                        }
                    }
                    Some("event") => {
                        let micros = v["event"]["body"].as_str().and_then(|b| b.strip_prefix("t:")).and_then(|m| m.parse::<u64>().ok());
                        if let Some(m) = micros {
                            let _ = samples.send(Sample::Delivered(epoch.elapsed().saturating_sub(Duration::from_micros(m))));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    open.fetch_sub(1, Ordering::Relaxed);
}

fn set_cookie(res: &reqwest::Response, name: &str) -> anyhow::Result<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .map(String::from)
        .with_context(|| format!("no {name} cookie"))
}

/// The owner signs in and opens the agents' socket, available for chats.
async fn agent_socket(http: &reqwest::Client, base: &str, port: u16, owner: &Value) -> anyhow::Result<Socket> {
    let form = http.get(format!("{base}/login")).send().await?;
    let csrf_cookie = set_cookie(&form, "parley_csrf")?;
    let html = form.text().await?;
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no csrf token on the sign-in page")?
        .to_string();
    let email = owner["email"].as_str().context("owner email")?;
    let password = owner["password"].as_str().context("owner password")?;
    let signed = http
        .post(format!("{base}/login"))
        .header("cookie", csrf_cookie)
        .form(&[("email", email), ("password", password), ("_csrf", csrf.as_str())])
        .send()
        .await?;
    let session = set_cookie(&signed, "parley_session")?;
    let url = format!("ws://127.0.0.1:{port}/agent/socket");
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)?;
    let host = format!("bench.localhost:{port}");
    req.headers_mut().insert("origin", format!("http://{host}").parse()?);
    req.headers_mut().insert("host", host.parse()?);
    req.headers_mut().insert("cookie", session.parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    ws.send(Frame::Text(json!({"type": "presence", "status": "available"}).to_string().into())).await?;
    Ok(ws)
}

/// The agent's socket: every visitor message arrives here; their bodies carry the time they were sent.
async fn agent_task(mut ws: Socket, samples: mpsc::UnboundedSender<Sample>, epoch: Instant) {
    while let Some(Ok(frame)) = ws.next().await {
        let Frame::Text(t) = frame else { continue };
        let Ok(v) = serde_json::from_str::<Value>(&t) else { continue };
        let micros = v["event"]["body"].as_str().and_then(|b| b.strip_prefix("v:")).and_then(|m| m.parse::<u64>().ok());
        if let Some(m) = micros {
            let _ = samples.send(Sample::ToAgent(epoch.elapsed().saturating_sub(Duration::from_micros(m))));
        }
    }
}

pub async fn run(visitors: usize, seconds: u64, rate: u64, agent_rate: u64) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("parley-chat-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let result = bench(&dir, visitors, seconds, rate, agent_rate).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn bench(dir: &std::path::Path, visitors: usize, seconds: u64, rate: u64, agent_rate: u64) -> anyhow::Result<()> {
    let server = Server::start(dir, vec![("PARLEY_TRUSTED_PROXIES".into(), "127.0.0.1".into())])?;
    let created = server.bench_account_json()?;
    let key = created["api_key"].as_str().context("api key")?.to_string();
    let http = parley_test_support::http_client(false);
    let base = format!("http://bench.localhost:{}", server.port);
    println!("chat: {visitors} visitors, {rate} visitor messages/s and {agent_rate} agent answers/s for {seconds} s");

    // Visitors and their conversations, 32 at a time.
    let started = Instant::now();
    let mut made = Vec::with_capacity(visitors);
    let mut pending = futures_util::stream::iter(0..visitors)
        .map(|i| {
            let (http, base) = (http.clone(), base.clone());
            async move { new_visitor(&http, &base, i).await }
        })
        .buffer_unordered(32);
    while let Some(v) = pending.next().await {
        made.push(v?);
    }
    println!("  {} conversations opened in {:.1} s", made.len(), started.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = server.rss_mib();

    // Their sockets.
    let epoch = Instant::now();
    let connecting = Instant::now();
    let open = Arc::new(AtomicUsize::new(0));
    let (samples_tx, mut samples_rx) = mpsc::unbounded_channel();
    let mut outboxes = Vec::with_capacity(made.len());
    let mut sockets = futures_util::stream::iter(made.iter()).map(|v| connect(server.port, v)).buffer_unordered(64);
    while let Some(ws) = sockets.next().await {
        let (tx, rx) = mpsc::channel(16);
        outboxes.push(tx);
        open.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(visitor_task(ws?, rx, samples_tx.clone(), epoch, open.clone()));
    }
    println!("  {} sockets connected in {:.1} s", outboxes.len(), connecting.elapsed().as_secs_f64());
    let agent = agent_socket(&http, &base, server.port, &created["owner"]).await?;
    tokio::spawn(agent_task(agent, samples_tx.clone(), epoch));
    drop(samples_tx);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = server.rss_mib();
    let held = open.load(Ordering::Relaxed);
    println!(
        "  {held} sockets held; RSS {rss_before:.1} → {rss_idle:.1} MiB: {:.1} KB per idle connection",
        (rss_idle - rss_before).max(0.0) * 1024.0 / held.max(1) as f64
    );

    // Load: visitors write round-robin at `rate`; agents answer random conversations at `agent_rate`.
    let stop = Instant::now() + Duration::from_secs(seconds);
    let writer = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1) as f64));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut n = 0usize;
        while Instant::now() < stop {
            tick.tick().await;
            let target = &outboxes[n % outboxes.len()];
            let _ = target.try_send(format!("m{n}"));
            n += 1;
        }
        // Kept until the end: dropping them would close the sockets before they are counted.
        (n, outboxes)
    });
    let conversations: Vec<String> = made.iter().map(|v| v.conversation.clone()).collect();
    let agents = {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / agent_rate.max(1) as f64));
            let mut n = 0usize;
            let mut inflight = tokio::task::JoinSet::new();
            while Instant::now() < stop {
                tick.tick().await;
                let id = conversations[(n * 7919) % conversations.len()].clone();
                let (http, base, key) = (http.clone(), base.clone(), key.clone());
                let body = format!("t:{}", epoch.elapsed().as_micros());
                inflight.spawn(async move {
                    let _ = http
                        .post(format!("{base}/api/v1/tickets/{id}/messages"))
                        .bearer_auth(key)
                        .json(&json!({"body": body}))
                        .send()
                        .await;
                });
                n += 1;
            }
            while inflight.join_next().await.is_some() {}
            n
        })
    };
    let load_started = Instant::now();
    let (written, outboxes) = writer.await?;
    let answered = agents.await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let elapsed = load_started.elapsed().as_secs_f64() - 2.0;
    let rss_busy = server.rss_mib();
    let (mut acked, mut delivered, mut to_agent) = (Vec::new(), Vec::new(), Vec::new());
    while let Ok(s) = samples_rx.try_recv() {
        match s {
            Sample::Acked(d) => acked.push(d),
            Sample::Delivered(d) => delivered.push(d),
            Sample::ToAgent(d) => to_agent.push(d),
        }
    }
    let (acked, delivered, to_agent) = (Latencies::new(acked), Latencies::new(delivered), Latencies::new(to_agent));
    println!(
        "  visitor messages: {written} sent, {} acknowledged as stored: {:.0}/s; ack {}",
        acked.count(),
        acked.count() as f64 / elapsed,
        acked.summary()
    );
    println!("  visitor messages on the agent's socket: {}; visitor → agent {}", to_agent.count(), to_agent.summary());
    println!(
        "  agent answers: {answered} posted, {} delivered to the visitor's socket; API → visitor {}",
        delivered.count(),
        delivered.summary()
    );
    println!(
        "  sockets still open at the end: {}; RSS under load {rss_busy:.1} MiB; p99 ack {:.1} ms",
        open.load(Ordering::Relaxed),
        ms(acked.pct(99.0))
    );
    drop(outboxes);
    Ok(())
}
