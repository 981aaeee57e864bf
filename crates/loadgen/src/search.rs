//! Search: an account of many tickets (three messages each, words drawn from a skewed vocabulary as real text is),
//! the index built with `parley reindex`, then one-word, two-word and phrase queries from 8 concurrent searchers,
//! and how soon a new ticket is found.

use crate::server::Server;
use crate::stats::{ms, Latencies};
use crate::tickets::seed;
use crate::Engine;
use anyhow::Context;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Words of the vocabulary: a few hundred common ones, then made-up ones, drawn log-uniformly by rank, which is
/// close to the way word frequencies fall off in real text (Zipf).
struct Vocabulary(Vec<String>);

const COMMON: &str = "the a to and of i is it for you in my on have not this with be that we can please order \
    account invoice refund password login error printer shipping delivery payment card help thanks problem issue \
    update email phone number week today yesterday again still working broken cannot receive send sent return \
    item package address change cancel subscription plan price charge charged twice wrong missing late";

impl Vocabulary {
    fn new(size: usize) -> Vocabulary {
        let mut words: Vec<String> = COMMON.split_whitespace().map(String::from).collect();
        let syllables = ["ka", "lo", "mi", "ter", "zan", "pu", "ri", "dex", "on", "sa", "vel", "qui", "bo", "nar"];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        while words.len() < size {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = 2 + (x % 3) as usize;
            let w: String = (0..n).map(|k| syllables[((x >> (k * 5)) % syllables.len() as u64) as usize]).collect();
            if !words.contains(&w) {
                words.push(w);
            }
        }
        Vocabulary(words)
    }

    /// The word of rank `log-uniform(r)`: rank 1 is far more frequent than rank 10,000.
    fn pick(&self, r: f64) -> &str {
        let rank = (self.0.len() as f64).powf(r) as usize;
        &self.0[rank.saturating_sub(1).min(self.0.len() - 1)]
    }

    fn text(&self, seed: u64, n: usize) -> String {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                self.pick((x % 1_000_000) as f64 / 1_000_000.0)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub async fn run(engine: Engine, tickets: u64, seconds: u64) -> anyhow::Result<()> {
    println!("== search on {engine:?}: {tickets} tickets of 3 messages, 8 searchers for {seconds} s per query kind");
    let ws = crate::server::Workspace::create(engine).await?;
    let result = bench(engine, &ws.dir, ws.env.clone(), tickets, seconds).await;
    ws.remove().await;
    result
}

/// The queries again, on the data directory (and PostgreSQL database) of an earlier run kept with
/// `PARLEY_BENCH_KEEP=1`: changes to searching are measured in minutes rather than after a rebuild of the index.
pub async fn again(dir: std::path::PathBuf, database: Option<String>, seconds: u64) -> anyhow::Result<()> {
    let env: Vec<(String, String)> =
        database.iter().map(|url| ("PARLEY_REGION_EU_DATABASE_URL".to_string(), url.clone())).collect();
    let engine = if database.is_some() { "Postgres" } else { "Sqlite" };
    println!("== search on {engine}, data kept in {}: 8 searchers for {seconds} s per query kind", dir.display());
    let server = Server::start(&dir, env)?;
    let made = server.command(&["apikey", "create", "--account", "bench", "--name", "search benchmark", "--json"])?;
    let made: Value = serde_json::from_str(&made)?;
    let key = made["key"].as_str().context("the new key")?.to_string();
    measure(&server, &key, seconds).await
}

async fn bench(
    engine: Engine,
    dir: &std::path::Path,
    env: Vec<(String, String)>,
    tickets: u64,
    seconds: u64,
) -> anyhow::Result<()> {
    let db_url = env.iter().find(|(k, _)| k == "PARLEY_REGION_EU_DATABASE_URL").map(|(_, v)| v.clone());
    let url = db_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("eu").join("parley.db").display()));
    let vocab = Vocabulary::new(20_000);
    // The account and its rows, written with the server stopped (a fixture, not a measurement).
    let (key, account) = {
        let server = Server::start(dir, env.clone())?;
        let acct = server.bench_account()?;
        // Requesters for the seeded tickets.
        let http = parley_test_support::http_client(false);
        for i in 0..50 {
            let body = json!({"subject": "Hello", "message": {"body": "first"},
                "requester": {"email": format!("customer{i}@example.com"), "name": vocab.text(i, 2)}});
            http.post(format!("http://bench.localhost:{}/api/v1/tickets", server.port))
                .bearer_auth(&acct.0)
                .json(&body)
                .send()
                .await?
                .error_for_status()?;
        }
        drop(server);
        acct
    };
    let t = Instant::now();
    seed(&url, engine, &account, tickets).await?;
    seed_messages_of(&url, engine, &account, &vocab).await?;
    println!("seeded {tickets} tickets and {} messages in {:.1} s", tickets * 3, t.elapsed().as_secs_f64());

    // The index, built from the tickets by the command an operator runs (alone: a serving process's indexer
    // would share the work).
    let server = Server::start(dir, env.clone())?;
    let port = server.port;
    drop(server);
    let t = Instant::now();
    crate::server::command(dir, &env, &["reindex", "--slug", "bench"])?;
    let build = t.elapsed();
    let server = Server::start(dir, env)?;
    anyhow::ensure!(server.port != 0 && port != 0, "the server did not start");
    println!(
        "index build: {tickets} tickets in {:.1} s ({:.0} tickets/s)",
        build.as_secs_f64(),
        tickets as f64 / build.as_secs_f64()
    );

    measure(&server, &key, seconds).await
}

/// Three messages for each of the account's tickets, from the benchmark's vocabulary.
pub(crate) async fn seed_messages(url: &str, engine: Engine, account: &str) -> anyhow::Result<()> {
    seed_messages_of(url, engine, account, &Vocabulary::new(20_000)).await
}

/// Queries of each kind from 8 searchers, then how soon new tickets are found.
async fn measure(server: &Server, key: &str, seconds: u64) -> anyhow::Result<()> {
    let vocab = Vocabulary::new(20_000);
    let http = parley_test_support::http_client(false);
    let base = format!("http://bench.localhost:{}/api/v1/search?q=", server.port);
    let one: Vec<String> = (0..200).map(|i| vocab.pick(0.35 + (i as f64) / 400.0).to_string()).collect();
    let two: Vec<String> = (0..200).map(|i| vocab.text(i * 7 + 1, 2)).collect();
    // Phrases taken from the seeded messages themselves, so that they exist.
    let phrases: Vec<String> =
        (0..200u64).map(|i| format!("\"{}\"", first_words(&vocab.text(i * 3 + 2, 12), 2))).collect();
    for (kind, queries) in [("one word", one), ("two words", two), ("phrase", phrases)] {
        let (lat, slowest) = searchers(&http, &base, key, queries, seconds).await;
        println!("{kind}: {} queries, {}", lat.count(), lat.summary());
        println!("  slowest: {slowest}");
    }

    // A new ticket, searchable after how long.
    let mut lags = Vec::new();
    for i in 0..20 {
        let word = format!("fresh{i}word{}", uuid::Uuid::now_v7().simple());
        let body = json!({"subject": "New", "message": {"body": format!("about {word}")}, "requester": {"email": "n@example.com"}});
        let created = Instant::now();
        let r = http
            .post(format!("http://bench.localhost:{}/api/v1/tickets", server.port))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "creating a ticket: {}", r.status());
        loop {
            let found: Value = http.get(format!("{base}{word}")).bearer_auth(key).send().await?.json().await?;
            if found["results"].as_array().is_some_and(|r| !r.is_empty()) {
                lags.push(created.elapsed());
                break;
            }
            anyhow::ensure!(created.elapsed() < Duration::from_secs(30), "a new ticket was not found in 30 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let slow = lags.iter().filter(|d| **d > Duration::from_secs(1)).count();
    let total = lags.len();
    let lags = Latencies::new(lags);
    println!(
        "search after create: p50 {:.0} ms, max {:.0} ms ({slow} of {total} over 1 s)",
        ms(lags.pct(50.0)),
        ms(lags.pct(100.0))
    );
    println!("peak RSS: {:.1} MiB", server.peak_rss_mib());
    Ok(())
}

fn first_words(s: &str, n: usize) -> String {
    s.split(' ').take(n).collect::<Vec<_>>().join(" ")
}

/// The latencies, and the slowest queries with theirs (to look into).
async fn searchers(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    queries: Vec<String>,
    seconds: u64,
) -> (Latencies, String) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..8usize {
        let (http, base, key, queries) = (http.clone(), base.to_string(), key.to_string(), queries.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = c;
            while Instant::now() < deadline {
                let asked = queries[i % queries.len()].clone();
                let q: String = asked
                    .bytes()
                    .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                    .collect();
                i += 8;
                let t = Instant::now();
                if let Ok(r) = http.get(format!("{base}{q}")).bearer_auth(&key).send().await {
                    if r.status().is_success() && r.bytes().await.is_ok() {
                        lat.push((t.elapsed(), asked));
                    }
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        if let Ok(l) = t.await {
            all.extend(l);
        }
    }
    all.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
    let slowest: Vec<String> = all.iter().take(5).map(|(d, q)| format!("{q} {:.0} ms", ms(*d))).collect();
    (Latencies::new(all.into_iter().map(|(d, _)| d).collect()), slowest.join(", "))
}

/// Three messages per seeded ticket, written straight into the region's database.
async fn seed_messages_of(url: &str, engine: Engine, account: &str, vocab: &Vocabulary) -> anyhow::Result<()> {
    match engine {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://").to_string();
            let conn = rusqlite::Connection::open(&path)?;
            let ids: Vec<(String, String)> = conn
                .prepare("SELECT id, requester_id FROM tickets WHERE account_id = ?1 ORDER BY number")?
                .query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let mut conn = conn;
            for (chunk_no, chunk) in ids.chunks(20_000).enumerate() {
                let tx = conn.transaction()?;
                {
                    let mut st = tx.prepare(
                        "INSERT INTO messages (id, account_id, ticket_id, author_type, author_id, internal, body, \
                         channel, created_at) VALUES (?1, ?2, ?3, 'contact', ?4, 0, ?5, 'email', ?6)",
                    )?;
                    for (k, (ticket, requester)) in chunk.iter().enumerate() {
                        let i = (chunk_no * 20_000 + k) as u64;
                        for m in 0..3u64 {
                            let body = vocab.text(i * 3 + m, 12 + ((i + m) % 30) as usize);
                            let id = uuid::Uuid::now_v7().to_string();
                            st.execute(rusqlite::params![
                                id,
                                account,
                                ticket,
                                requester,
                                body,
                                1_700_000_000_000i64 + m as i64
                            ])?;
                        }
                    }
                }
                tx.commit()?;
            }
            Ok(())
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            let ids: Vec<(String, String)> =
                sqlx::query_as("SELECT id, requester_id FROM tickets WHERE account_id = $1 ORDER BY number")
                    .bind(account)
                    .fetch_all(&pool)
                    .await?;
            for (chunk_no, chunk) in ids.chunks(5_000).enumerate() {
                let (mut id, mut ticket, mut author, mut body) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for (k, (t, requester)) in chunk.iter().enumerate() {
                    let i = (chunk_no * 5_000 + k) as u64;
                    for m in 0..3u64 {
                        id.push(uuid::Uuid::now_v7().to_string());
                        ticket.push(t.clone());
                        author.push(requester.clone());
                        body.push(vocab.text(i * 3 + m, 12 + ((i + m) % 30) as usize));
                    }
                }
                sqlx::query(
                    "INSERT INTO messages (id, account_id, ticket_id, author_type, author_id, internal, body, channel, \
                     created_at) SELECT x.id, $5, x.t, 'contact', x.a, 0, x.b, 'email', 1700000000000 \
                     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, t, a, b)",
                )
                .bind(&id)
                .bind(&ticket)
                .bind(&author)
                .bind(&body)
                .bind(account)
                .execute(&pool)
                .await?;
            }
            pool.close().await;
            Ok(())
        }
    }
}
