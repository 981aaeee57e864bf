//! Soak: tickets created through the API faster than the search indexer writes them for a while, then slower, with
//! mail arriving beside them; optionally on top of a backlog seeded straight into the database. Prints per minute
//! what was created, the creations' p99, the search backlog and the write-ahead log's size (as the server's health
//! endpoint reports them) and the server's memory; then how long the backlog took to drain and the server to stop.

use crate::server::Server;
use crate::stats::{ms, Latencies};
use crate::Engine;
use anyhow::Context;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the run is asked to do.
pub struct Plan {
    pub engine: Engine,
    pub minutes: u64,
    /// Tickets marked for indexing before the run starts (seeded with their messages, not created through the API).
    pub backlog: u64,
    /// Concurrent clients creating tickets as fast as the server takes them, in the first part of the run.
    pub fast_clients: usize,
    /// Minutes of the fast part.
    pub fast_minutes: u64,
    /// Tickets per second in the rest of the run.
    pub slow_rate: u64,
    /// Mails per second over SMTP, throughout.
    pub mail_rate: u64,
    /// Every ticket alike (one subject, body and requester), as a load tool replaying one request sends them.
    pub alike: bool,
}

/// One creation: when it ended (since the start), how long it took, whether it was taken.
type Creation = (Duration, Duration, bool);

/// One reading of the health endpoint and the process.
#[derive(Clone, Copy, Default)]
struct Sample {
    at: Duration,
    backlog: u64,
    wal_bytes: u64,
    rss_mib: f64,
}

pub async fn run(plan: Plan) -> anyhow::Result<()> {
    println!(
        "== soak on {:?}: {} min; {} clients flat out for {} min, then {} tickets/s; {} mails/s; backlog seeded: {}",
        plan.engine, plan.minutes, plan.fast_clients, plan.fast_minutes, plan.slow_rate, plan.mail_rate, plan.backlog
    );
    let ws = crate::server::Workspace::create(plan.engine).await?;
    let result = soak(&plan, &ws.dir, ws.env.clone()).await;
    ws.remove().await;
    result
}

/// Where the soak reads the backlog and the write-ahead log.
#[derive(Clone)]
struct Probe {
    http: reqwest::Client,
    port: u16,
    url: String,
    engine: Engine,
}

impl Probe {
    /// The region's search backlog and write-ahead log as `/healthz` reports them; from the database and the file
    /// when the server does not report them (an older server, to compare with).
    async fn read(&self) -> anyhow::Result<(u64, u64)> {
        if let Ok(h) = self.health().await {
            return Ok(h);
        }
        let backlog = crate::tickets::unindexed(&self.url, self.engine).await?;
        let wal = std::fs::metadata(format!("{}-wal", self.url.trim_start_matches("sqlite://"))).map_or(0, |m| m.len());
        Ok((backlog, wal))
    }

    async fn health(&self) -> anyhow::Result<(u64, u64)> {
        let v: serde_json::Value =
            self.http.get(format!("http://127.0.0.1:{}/healthz", self.port)).send().await?.json().await?;
        let region = v["regions"].as_array().and_then(|r| r.first()).context("no region in /healthz")?;
        let backlog = region["search_backlog"].as_u64().context("no backlog in /healthz")?;
        Ok((backlog, region["wal_bytes"].as_u64().unwrap_or(0)))
    }
}

async fn soak(plan: &Plan, dir: &std::path::Path, env: Vec<(String, String)>) -> anyhow::Result<()> {
    let db_url = env.iter().find(|(k, _)| k == "PARLEY_REGION_EU_DATABASE_URL").map(|(_, v)| v.clone());
    let url = db_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("eu").join("parley.db").display()));
    let http = parley_test_support::http_client(false);
    let (key, account) = {
        let server = Server::start(dir, env.clone())?;
        let acct = server.bench_account()?;
        if plan.backlog > 0 {
            // Requesters for the seeded tickets.
            for i in 0..50 {
                let body = json!({"subject": "Hello", "message": {"body": "first"},
                    "requester": {"email": format!("customer{i}@example.com"), "name": "A Customer"}});
                http.post(format!("http://bench.localhost:{}/api/v1/tickets", server.port))
                    .bearer_auth(&acct.0)
                    .json(&body)
                    .send()
                    .await?
                    .error_for_status()?;
            }
        }
        acct
    };
    if plan.backlog > 0 {
        let t = Instant::now();
        crate::tickets::seed(&url, plan.engine, &account, plan.backlog).await?;
        crate::search::seed_messages(&url, plan.engine, &account).await?;
        mark_all(&url, plan.engine, &account).await?;
        println!("seeded and marked {} tickets in {:.1} s", plan.backlog, t.elapsed().as_secs_f64());
    }
    let mut server = Server::start(dir, env)?;
    let port = server.port;
    let started = Instant::now();
    let end = started + Duration::from_secs(plan.minutes * 60);
    let fast_end = started + Duration::from_secs(plan.fast_minutes.min(plan.minutes) * 60);

    let probe = Probe { http: http.clone(), port, url: url.clone(), engine: plan.engine };
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::default();
    let sampler = {
        let (probe, samples, pid) = (probe.clone(), samples.clone(), server.pid());
        tokio::spawn(async move {
            loop {
                let at = started.elapsed();
                if let Ok((backlog, wal_bytes)) = probe.read().await {
                    let rss_mib = crate::server::rss_mib_of(pid);
                    if let Ok(mut s) = samples.lock() {
                        s.push(Sample { at, backlog, wal_bytes, rss_mib });
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };

    let created: Arc<Mutex<Vec<Creation>>> = Arc::default();
    let create = {
        let (http, key, created) = (http.clone(), key.clone(), created.clone());
        let url = format!("http://bench.localhost:{port}/api/v1/tickets");
        let alike = plan.alike;
        move |i: u64| {
            let (http, key, created, url) = (http.clone(), key.clone(), created.clone(), url.clone());
            let i = if alike { 7 } else { i };
            async move {
                let body = json!({
                    "subject": crate::tickets::words(i, 6),
                    "message": {"body": format!("Hello. Order {i}. {} {}", crate::tickets::words(i + 1, 20),
                        crate::tickets::words(i + 2, 20))},
                    "requester": {"email": format!("customer{}@example.com", i % 5000), "name": "A Customer"},
                    "tags": [crate::tickets::words(i + 3, 1)],
                });
                let t = Instant::now();
                let answer = http.post(&url).bearer_auth(&key).json(&body).send().await;
                let took = t.elapsed();
                let ok = answer.as_ref().is_ok_and(|r| r.status().as_u16() == 201);
                if let Ok(mut c) = created.lock() {
                    c.push((started.elapsed(), took, ok));
                }
                // Refused while the server catches up: wait as told, as a well-behaved client does.
                let wait = answer.ok().filter(|r| r.status().as_u16() == 429).map(|r| {
                    let secs = r.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok());
                    Duration::from_secs(secs.unwrap_or(1))
                });
                if let Some(wait) = wait {
                    tokio::time::sleep(wait).await;
                }
            }
        }
    };
    let mut tasks = Vec::new();
    // Flat out first: more than the indexer keeps up with.
    for c in 0..plan.fast_clients {
        let create = create.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = c as u64;
            while Instant::now() < fast_end {
                create(i).await;
                i += 1 << 32;
            }
        }));
    }
    // Then at a steady rate, below it.
    {
        let create = create.clone();
        let rate = plan.slow_rate.max(1);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(fast_end.into()).await;
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut i = 1u64 << 48;
            let mut inflight = tokio::task::JoinSet::new();
            while Instant::now() < end {
                tick.tick().await;
                inflight.spawn(create(i));
                i += 1;
                while inflight.try_join_next().is_some() {}
            }
            while inflight.join_next().await.is_some() {}
        }));
    }
    // Mail beside it, throughout.
    let mails = Arc::new(std::sync::atomic::AtomicU64::new(0));
    if plan.mail_rate > 0 {
        let (smtp_port, rate, mails) = (server.smtp_port, plan.mail_rate, mails.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(mut smtp) = crate::mail::Smtp::connect(smtp_port).await else { return };
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut i = 0u64;
            while Instant::now() < end {
                tick.tick().await;
                let (from, data) = crate::mail::message(i);
                if smtp.send(&from, &data).await.is_ok() {
                    mails.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                i += 1;
            }
        }));
    }

    // A line per minute while it runs.
    let mut minute = 0;
    while Instant::now() < end {
        tokio::time::sleep_until((started + Duration::from_secs((minute + 1) * 60)).min(end).into()).await;
        minute += 1;
        report(minute, &created, &samples);
    }
    for t in tasks {
        t.await?;
    }
    println!("mails accepted over SMTP: {}", mails.load(std::sync::atomic::Ordering::Relaxed));

    // Then the backlog drains, the server idle.
    let drain_start = Instant::now();
    let at_end = probe.read().await?.0;
    let mut left = at_end;
    while left > 0 && drain_start.elapsed() < Duration::from_secs(1800) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        left = probe.read().await?.0;
    }
    let drained = drain_start.elapsed().as_secs_f64();
    println!(
        "backlog at the end: {at_end}; drained in {drained:.1} s ({:.0} tickets/s){}",
        at_end as f64 / drained.max(0.001),
        if left > 0 { format!(", {left} still waiting") } else { String::new() }
    );
    sampler.abort();
    let all = samples.lock().map(|s| s.clone()).unwrap_or_default();
    if plan.backlog > 0 {
        drain_rate(plan.backlog, &all, &created);
    }
    let wal_max = all.iter().map(|s| s.wal_bytes).max().unwrap_or(0);
    let rss_max = all.iter().map(|s| s.rss_mib).fold(0.0, f64::max);
    println!("WAL at most {:.1} MiB; RSS at most {rss_max:.1} MiB", wal_max as f64 / 1048576.0);
    let stop = server.terminate()?;
    println!("stop (SIGTERM to exit): {:.2} s", stop.as_secs_f64());
    Ok(())
}

/// The minute's creations, p99 and the health readings at its end.
fn report(minute: u64, created: &Mutex<Vec<Creation>>, samples: &Mutex<Vec<Sample>>) {
    let from = Duration::from_secs((minute - 1) * 60);
    let to = Duration::from_secs(minute * 60);
    let (lat, errors, secs) = {
        let c = created.lock().map(|c| c.clone()).unwrap_or_default();
        let this: Vec<&Creation> = c.iter().filter(|(at, ..)| *at >= from && *at < to).collect();
        let errors = this.iter().filter(|(.., ok)| !ok).count();
        let lat = Latencies::new(this.iter().filter(|(.., ok)| *ok).map(|(_, d, _)| *d).collect());
        let secs = this.last().map_or(60.0, |(at, ..)| (*at - from).as_secs_f64().max(1.0));
        (lat, errors, secs)
    };
    let s = samples.lock().map(|s| s.clone()).unwrap_or_default();
    let this: Vec<&Sample> = s.iter().filter(|x| x.at >= from && x.at < to).collect();
    let last = this.last().copied().copied().unwrap_or_default();
    let wal_max = this.iter().map(|x| x.wal_bytes).max().unwrap_or(0);
    println!(
        "minute {minute:>2}: {:>6.0} created/s ({errors} refused), p99 {:>6.1} ms; backlog {:>7}; WAL {:>6.1} MiB \
         (max {:>6.1}); RSS {:>5.1} MiB",
        lat.count() as f64 / secs,
        ms(lat.pct(99.0)),
        last.backlog,
        last.wal_bytes as f64 / 1048576.0,
        wal_max as f64 / 1048576.0,
        last.rss_mib
    );
}

/// How fast the seeded backlog went while the server served: the first reading under 1,000 waiting, and what was
/// indexed until then (the backlog's share and the tickets created meanwhile).
fn drain_rate(seeded: u64, samples: &[Sample], created: &Mutex<Vec<Creation>>) {
    let Some(low) = samples.iter().find(|s| s.backlog < 1_000) else {
        println!("the seeded backlog never went under 1,000");
        return;
    };
    let made = created.lock().map(|c| c.iter().filter(|(at, _, ok)| *ok && *at <= low.at).count()).unwrap_or(0);
    let indexed = seeded.saturating_sub(low.backlog) + made as u64;
    let secs = low.at.as_secs_f64().max(0.001);
    println!(
        "seeded backlog of {seeded}: under 1,000 after {secs:.1} s while serving ({made} created meanwhile): \
         {:.0} tickets/s indexed",
        indexed as f64 / secs
    );
}

/// Marks every ticket of the account for indexing, as a server whose indexer fell behind would have them.
async fn mark_all(url: &str, engine: Engine, account: &str) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO search_dirty (account_id, ticket_id, generation) \
        SELECT account_id, id, 1 FROM tickets WHERE account_id = $1 ON CONFLICT DO NOTHING";
    match engine {
        Engine::Sqlite => {
            let (path, account) = (url.trim_start_matches("sqlite://").to_string(), account.to_string());
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let conn = rusqlite::Connection::open(path)?;
                conn.busy_timeout(Duration::from_secs(30))?;
                conn.execute(SQL, [account])?;
                Ok(())
            })
            .await??;
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            sqlx::query(SQL).bind(account).execute(&pool).await?;
            pool.close().await;
        }
    }
    Ok(())
}
