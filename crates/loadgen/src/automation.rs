//! Automation: ticket creation in an account without rules and in one with 20 active triggers and 5 SLA policies
//! (same server and database, alternately: without, with, without again), how long the triggers and the SLA
//! watch take to catch up, and the SLA sweep's query in an account of 1,000,000 tickets of which 200,000 have a
//! running SLA clock.

use crate::server::Server;
use crate::stats::Latencies;
use crate::Engine;
use anyhow::Context;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub async fn run(engine: Engine, clients: usize, seconds: u64, tickets: u64, clocks: u64) -> anyhow::Result<()> {
    println!("== automation on {engine:?}: {clients} clients, {seconds} s each; sweep over {tickets} tickets, {clocks} clocks");
    let ws = crate::server::Workspace::create(engine).await?;
    let result = bench(engine, &ws, clients, seconds, tickets, clocks).await;
    ws.remove().await;
    result
}

async fn bench(
    engine: Engine,
    ws: &crate::server::Workspace,
    clients: usize,
    seconds: u64,
    tickets: u64,
    clocks: u64,
) -> anyhow::Result<()> {
    let server = Server::start(&ws.dir, ws.env.clone())?;
    let (key, account_id) = server.bench_account()?;
    let http = parley_test_support::http_client(false);
    let base = format!("http://bench.localhost:{}/api/v1", server.port);
    // A second account holds the rules, so that both accounts' creation runs on the same database, alternately:
    // without, with, without again (the database grows as it goes; the two rounds without bracket the one with).
    let ruled = server.command(&[
        "account",
        "create",
        "--slug",
        "ruled",
        "--region",
        "eu",
        "--owner-email",
        "ruled@example.com",
        "--json",
    ])?;
    let ruled: Value = serde_json::from_str(&ruled)?;
    let ruled_key = ruled["api_key"].as_str().context("api key")?.to_string();
    let ruled_base = format!("http://ruled.localhost:{}/api/v1", server.port);
    let url = ws.pg_url.clone().unwrap_or_else(|| format!("sqlite://{}", ws.dir.join("eu/parley.db").display()));
    let call = |method: reqwest::Method, path: &str, body: Value| {
        let req = http.request(method, format!("{ruled_base}{path}")).bearer_auth(&ruled_key).json(&body);
        async move {
            let r = req.send().await?;
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            anyhow::ensure!(status.is_success(), "{status}: {v}");
            Ok::<Value, anyhow::Error>(v)
        }
    };
    for i in 0..200u64 {
        create(&http, &base, &key, 1_000_000_000 + i).await;
        create(&http, &ruled_base, &ruled_key, 1_000_000_000 + i).await;
    }
    indexed(&url, engine).await?;
    let without = creation(&http, &base, &key, clients, seconds, 0).await;
    println!("create without automation: {without:.0} tickets/s");

    // Five SLA policies (the last matches every ticket) and twenty triggers on new tickets, two of which match
    // the generated text.
    let periods: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "start": "08:00", "end": "17:00"}))
        .collect();
    let hours = call(
        reqwest::Method::POST,
        "/business-hours",
        json!({"name": "Office", "time_zone": "Europe/Budapest", "periods": periods}),
    )
    .await?;
    let hours = hours["id"].as_str().context("hours id")?.to_string();
    for (i, priority) in ["urgent", "high", "low", "normal"].iter().enumerate() {
        call(reqwest::Method::POST, "/sla-policies", json!({"name": format!("Policy {i}"), "business_hours_id": hours,
            "conditions": {"all": [{"field": "priority", "operator": "is", "value": priority}, {"field": "tags", "operator": "includes", "value": format!("vip{i}")}]},
            "targets": [{"priority": priority, "metric": "first_reply", "minutes": 60}]}))
        .await?;
    }
    call(
        reqwest::Method::POST,
        "/sla-policies",
        json!({"name": "Everything", "business_hours_id": hours,
        "targets": [{"priority": "normal", "metric": "first_reply", "minutes": 240},
                    {"priority": "normal", "metric": "resolution", "minutes": 2400}]}),
    )
    .await?;
    for i in 0..20 {
        // Trigger 0 matches "hello", trigger 1 every ticket tagged by trigger 0; the rest look for words the
        // generated text does not hold.
        let (cond, action) = match i {
            0 => (
                json!({"field": "text", "operator": "contains", "value": "hello"}),
                json!({"action": "add_tags", "value": ["greeted"]}),
            ),
            1 => (
                json!({"field": "tags", "operator": "includes", "value": "greeted"}),
                json!({"action": "set", "field": "priority", "value": "normal"}),
            ),
            _ => (
                json!({"field": "text", "operator": "contains", "value": format!("zzword{i}")}),
                json!({"action": "add_tags", "value": [format!("t{i}")]}),
            ),
        };
        call(
            reqwest::Method::POST,
            "/triggers",
            json!({"name": format!("Trigger {i}"), "events": ["ticket.created"],
            "conditions": {"all": [cond]}, "actions": [action]}),
        )
        .await?;
    }
    // A new policy asks for a look at every open ticket of the account (they may fall under it): the first 200.
    let relook = Instant::now();
    let (_, looks) = backlog(&url, engine).await?;
    while backlog(&url, engine).await? != (0, 0) {
        anyhow::ensure!(relook.elapsed() < Duration::from_secs(900), "the looks after the policy change did not end");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("the SLA policies' look at the {looks} open tickets took {:.1} s", relook.elapsed().as_secs_f64());
    // Both rounds start as the first did: with nothing left for the search indexer from before.
    indexed(&url, engine).await?;
    let with = creation(&http, &ruled_base, &ruled_key, clients, seconds, 1).await;
    println!("create with 20 triggers and 5 SLA policies (the second account): {with:.0} tickets/s");
    let (queued, looks) = backlog(&url, engine).await?;
    println!("when creation ended: {queued} changes waiting for triggers, {looks} SLA looks due");
    indexed(&url, engine).await?;
    let again = creation(&http, &base, &key, clients, seconds, 2).await;
    println!("create without automation again: {again:.0} tickets/s");
    println!(
        "with automation: {:.0} % of the mean of the rounds without ({:.0} % of the first, {:.0} % of the last)",
        with / ((without + again) / 2.0) * 100.0,
        with / without * 100.0,
        with / again * 100.0
    );
    let started = Instant::now();
    loop {
        let (queued, looks) = backlog(&url, engine).await?;
        if queued == 0 && looks == 0 {
            println!("triggers and SLA caught up {:.1} s after creation ended", started.elapsed().as_secs_f64());
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            println!("after 600 s still {queued} changes waiting for triggers and {looks} SLA looks");
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(server);

    // The sweep: seed the account, give `clocks` open tickets a running SLA with their next look spread over
    // thirty days (a thousand of them due now), and time the watch's query straight on the database.
    let t = Instant::now();
    crate::tickets::seed(&url, engine, &account_id, tickets).await?;
    println!("seeded {tickets} tickets in {:.1} s", t.elapsed().as_secs_f64());
    let lat = sweep(&url, engine, &account_id, clocks).await?;
    println!("sweep query (next 200 due, {clocks} clocks): {} runs, {}", lat.count(), lat.summary());
    Ok(())
}

async fn create(http: &reqwest::Client, base: &str, key: &str, i: u64) -> bool {
    let body = json!({
        "subject": format!("Question {i}"),
        "message": {"body": format!("Hello, order {i} has not arrived yet. Could you look into it?")},
        "requester": {"email": format!("customer{}@example.com", i % 5000), "name": "A Customer"},
    });
    http.post(format!("{base}/tickets"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .is_ok_and(|r| r.status().as_u16() == 201)
}

/// Creations per second with `clients` concurrent clients for `seconds`.
async fn creation(http: &reqwest::Client, base: &str, key: &str, clients: usize, seconds: u64, round: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base, key) = (http.clone(), base.to_string(), key.to_string());
        tasks.push(tokio::spawn(async move {
            let (mut n, mut i) = (0u64, round * 100_000_000 + c as u64);
            while Instant::now() < deadline {
                if create(&http, &base, &key, i).await {
                    n += 1;
                }
                i += clients as u64;
            }
            n
        }));
    }
    let mut n = 0;
    for t in tasks {
        n += t.await.unwrap_or(0);
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// Changes waiting for triggers, and tickets whose SLA look is due.
async fn backlog(url: &str, engine: Engine) -> anyhow::Result<(i64, i64)> {
    let now = now_ms();
    let q1 = "SELECT COUNT(*) FROM trigger_queue";
    let q2 = format!("SELECT COUNT(*) FROM tickets WHERE sla_check_at IS NOT NULL AND sla_check_at <= {now}");
    match engine {
        Engine::Sqlite => {
            let conn = rusqlite::Connection::open(url.trim_start_matches("sqlite://"))?;
            conn.busy_timeout(Duration::from_secs(30))?;
            Ok((conn.query_row(q1, [], |r| r.get(0))?, conn.query_row(&q2, [], |r| r.get(0))?))
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            let a: (i64,) = sqlx::query_as(q1).fetch_one(&pool).await?;
            let b: (i64,) = sqlx::query_as(&q2).fetch_one(&pool).await?;
            pool.close().await;
            Ok((a.0, b.0))
        }
    }
}

/// Waits until the search indexer has caught up, saying how long that took.
async fn indexed(url: &str, engine: Engine) -> anyhow::Result<()> {
    let started = Instant::now();
    let q = "SELECT COUNT(*) FROM search_dirty";
    let mut first = None;
    loop {
        let n: i64 = match engine {
            Engine::Sqlite => {
                let conn = rusqlite::Connection::open(url.trim_start_matches("sqlite://"))?;
                conn.busy_timeout(Duration::from_secs(30))?;
                conn.query_row(q, [], |r| r.get(0))?
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(url).await?;
                let n: (i64,) = sqlx::query_as(q).fetch_one(&pool).await?;
                pool.close().await;
                n.0
            }
        };
        let first = *first.get_or_insert(n);
        if n == 0 {
            if first > 0 {
                println!("search indexed the {first} tickets waiting in {:.1} s", started.elapsed().as_secs_f64());
            }
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(900), "the search backlog did not drain");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The watch's query, as the store writes it (`sla_checks_due`).
const SWEEP: &str = "SELECT account_id, id FROM tickets WHERE sla_check_at IS NOT NULL AND sla_check_at <= $1 \
                     ORDER BY sla_check_at LIMIT 200";

async fn sweep(url: &str, engine: Engine, account: &str, clocks: u64) -> anyhow::Result<Latencies> {
    let now = now_ms();
    let month = 30 * 24 * 3_600_000i64;
    // Clock i looks next at now - 1 s for the first thousand, else spread over the month ahead.
    let mark = format!(
        "UPDATE tickets SET sla_state = 'active', sla_due_at = {now} + (number % 1000) * 60000, \
         sla_check_at = CASE WHEN number % 200 = 0 THEN {now} - 1000 ELSE {now} + (number * 7919) % {month} END \
         WHERE account_id = '{account}' AND status IN ('new', 'open', 'pending') AND number <= {}",
        // The seed makes 8 tickets in 20 new, open or pending.
        clocks * 5 / 2
    );
    let mut lat = Vec::new();
    match engine {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://").to_string();
            let sweep = SWEEP.replace("$1", "?1");
            let all = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Duration>> {
                let conn = rusqlite::Connection::open(&path)?;
                conn.busy_timeout(Duration::from_secs(30))?;
                let n = conn.execute(&mark, [])?;
                println!("  {n} tickets with a running SLA clock");
                conn.execute("ANALYZE", [])?;
                let mut stmt = conn.prepare(&sweep)?;
                let mut out = Vec::new();
                for _ in 0..200 {
                    let t = Instant::now();
                    let rows: Vec<String> = stmt.query_map([now], |r| r.get(1))?.collect::<Result<_, _>>()?;
                    out.push(t.elapsed());
                    anyhow::ensure!(!rows.is_empty(), "the sweep found nothing due");
                }
                Ok(out)
            })
            .await??;
            lat.extend(all);
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            let n = sqlx::query(&mark).execute(&pool).await?.rows_affected();
            println!("  {n} tickets with a running SLA clock");
            sqlx::query("ANALYZE tickets").execute(&pool).await?;
            for _ in 0..200 {
                let t = Instant::now();
                let rows: Vec<(String, String)> = sqlx::query_as(SWEEP).bind(now).fetch_all(&pool).await?;
                lat.push(t.elapsed());
                anyhow::ensure!(!rows.is_empty(), "the sweep found nothing due");
            }
            pool.close().await;
        }
    }
    Ok(Latencies::new(lat))
}
