//! The ticket benchmark: creation throughput and latency with concurrent API clients, then the first page of open
//! tickets in an account holding `list_size` tickets, and the server's memory throughout.

use crate::server::Server;
use crate::stats::Latencies;

use crate::Engine;
use serde_json::json;
use std::time::{Duration, Instant};

pub(crate) fn pg_admin() -> String {
    std::env::var("PARLEY_BENCH_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

const WORDS: &[&str] = &[
    "invoice",
    "refund",
    "password",
    "login",
    "printer",
    "shipping",
    "order",
    "delivery",
    "account",
    "billing",
    "error",
    "crash",
    "update",
    "subscription",
    "cancel",
    "upgrade",
    "discount",
    "warranty",
    "broken",
    "missing",
    "slow",
    "email",
    "export",
    "import",
    "report",
    "mobile",
    "app",
    "sync",
    "payment",
    "card",
    "address",
    "label",
];

pub(crate) fn words(seed: u64, n: usize) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Squaring skews the pick toward the first words, as real vocabularies are skewed.
            let r = (x % 1000) as f64 / 1000.0;
            WORDS[((r * r) * WORDS.len() as f64) as usize % WORDS.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn run(
    engine: Engine,
    clients: usize,
    seconds: u64,
    list_size: u64,
    list_seconds: u64,
) -> anyhow::Result<()> {
    println!("== tickets on {engine:?}: {clients} clients for {seconds} s, then listing with {list_size} tickets");
    let ws = crate::server::Workspace::create(engine).await?;
    let result = bench(engine, &ws.dir, ws.env.clone(), clients, seconds, list_size, list_seconds).await;
    ws.remove().await;
    result
}

async fn bench(
    engine: Engine,
    dir: &std::path::Path,
    env: Vec<(String, String)>,
    clients: usize,
    seconds: u64,
    list_size: u64,
    list_seconds: u64,
) -> anyhow::Result<()> {
    let db_url = env.iter().find(|(k, _)| k == "PARLEY_REGION_EU_DATABASE_URL").map(|(_, v)| v.clone());
    let server = Server::start(dir, env)?;
    let (key, account_id) = server.bench_account()?;
    let http = parley_test_support::http_client(false);
    let base = format!("http://bench.localhost:{}", server.port);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = server.rss_mib();
    println!("idle RSS: {idle:.1} MiB");

    // Creation.
    let (h, b, k) = (http.clone(), base.clone(), key.clone());
    let create = move |i: u64| {
        let http = h.clone();
        let url = format!("{b}/api/v1/tickets");
        let key = k.clone();
        async move {
            let body = json!({
                "subject": words(i, 6),
                "message": {"body": format!("Hello, {}. Order {i}. {}", words(i + 1, 20), words(i + 2, 20))},
                "requester": {"email": format!("customer{}@example.com", i % 5000), "name": "A Customer"},
                "tags": [words(i + 3, 1)],
            });
            let t = Instant::now();
            let ok = http
                .post(&url)
                .bearer_auth(&key)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16() == 201)
                .unwrap_or(false);
            (ok, t.elapsed())
        }
    };
    for i in 0..200 {
        create(1_000_000_000 + i).await;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let busy_before = busy_seconds();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let create = create.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut i) = (Vec::new(), 0u64, c as u64);
            while Instant::now() < deadline {
                let (ok, d) = create(i).await;
                if ok {
                    lat.push(d);
                } else {
                    errors += 1;
                }
                i += clients as u64;
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let lat = Latencies::new(all);
    println!(
        "create: {} tickets in {elapsed:.1} s = {:.0} tickets/s ({errors} errors); {}",
        lat.count(),
        lat.count() as f64 / elapsed,
        lat.summary()
    );
    println!("RSS after creation: {:.1} MiB (peak {:.1} MiB)", server.rss_mib(), server.peak_rss_mib());
    let url = db_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("eu/parley.db").display()));

    // The search index is written beside creation: a server that leaves it behind has not done the work yet.
    let waiting = unindexed(&url, engine).await?;
    let t = Instant::now();
    while unindexed(&url, engine).await? > 0 && t.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drained = t.elapsed().as_secs_f64();
    let busy = busy_seconds() - busy_before;
    println!(
        "search index: {waiting} tickets not yet indexed when creation ended, all indexed {drained:.1} s later \
         ({:.0} tickets/s created and indexed; the machine's CPU time per ticket: {:.2} ms, load generator and \
         database included)",
        lat.count() as f64 / (elapsed + drained),
        busy * 1000.0 / lat.count().max(1) as f64
    );

    // Listing in a large account.
    let have = lat.count() as u64 + 200;
    if list_size > have {
        let t = Instant::now();
        seed(&url, engine, &account_id, list_size - have).await?;
        println!("seeded {} tickets in {:.1} s", list_size - have, t.elapsed().as_secs_f64());
    }
    let list_url = format!("{base}/api/v1/tickets?status=new,open&page[size]=25");
    let deadline = Instant::now() + Duration::from_secs(list_seconds);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, key, list_url) = (http.clone(), key.clone(), list_url.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let r = http.get(&list_url).bearer_auth(&key).send().await;
                let ok = match r {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if ok {
                    lat.push(t.elapsed());
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let lat = Latencies::new(all);
    println!(
        "list first page of open tickets ({list_size} in the account, 8 clients): {} requests, {}",
        lat.count(),
        lat.summary()
    );
    println!("peak RSS: {:.1} MiB", server.peak_rss_mib());
    Ok(())
}

/// CPU time the whole machine has spent busy since boot (all cores; idle and I/O wait left out), from `/proc/stat`:
/// what a ticket costs, whatever the machine's speed that day.
fn busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> =
        stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal guest…, in USER_HZ (100 a second on Linux); guest time is
    // counted in user already.
    let busy: f64 = ticks.iter().enumerate().filter(|(i, _)| matches!(i, 0 | 1 | 2 | 5 | 6 | 7)).map(|(_, v)| v).sum();
    busy / 100.0
}

/// How many tickets wait for the search indexer.
pub(crate) async fn unindexed(url: &str, engine: Engine) -> anyhow::Result<u64> {
    const SQL: &str = "SELECT COUNT(*) FROM search_dirty";
    Ok(match engine {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://").to_string();
            tokio::task::spawn_blocking(move || -> anyhow::Result<i64> {
                let conn = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                Ok(conn.query_row(SQL, [], |r| r.get(0))?)
            })
            .await??
        }
        Engine::Postgres => {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
            let (n,): (i64,) = sqlx::query_as(SQL).fetch_one(&mut conn).await?;
            n
        }
    }
    .max(0) as u64)
}

/// Insert tickets straight into the region's database: the fixture for the list benchmark.
pub(crate) async fn seed(url: &str, engine: Engine, account: &str, n: u64) -> anyhow::Result<()> {
    match engine {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://").to_string();
            let account = account.to_string();
            tokio::task::spawn_blocking(move || seed_sqlite(&path, &account, n)).await?
        }
        Engine::Postgres => seed_postgres(url, account, n).await,
    }
}

/// The columns of a seeded ticket, as text and numbers.
fn seed_row(i: u64, n: u64, start: i64, now_ms: i64, account: &str, requester: &str) -> (Vec<String>, Vec<i64>) {
    let status = match i % 20 {
        0 | 1 => "new",
        2..=4 => "open",
        5..=7 => "pending",
        8..=11 => "resolved",
        _ => "closed",
    };
    let created = now_ms - ((n - i) as i64) * 60_000;
    (
        vec![
            uuid::Uuid::now_v7().to_string(),
            account.to_string(),
            words(i, 6),
            status.to_string(),
            requester.to_string(),
        ],
        vec![start + 1 + i as i64, created, created + 3_600_000],
    )
}

const SEED_INSERT: &str = "INSERT INTO tickets (id, account_id, subject, status, requester_id, number, created_at, \
    updated_at, priority, channel, tags, custom_fields, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'normal', \
    'email', '[]', '{}', 1)";

fn seed_sqlite(path: &str, account: &str, n: u64) -> anyhow::Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    let contacts: Vec<String> = conn
        .prepare("SELECT id FROM contacts WHERE account_id = ?1 LIMIT 5000")?
        .query_map([account], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let start: i64 =
        conn.query_row("SELECT COALESCE(MAX(number), 0) FROM tickets WHERE account_id = ?1", [account], |r| r.get(0))?;
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let mut done = 0u64;
    while done < n {
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare(SEED_INSERT)?;
            for i in done..(done + 50_000).min(n) {
                let (t, num) = seed_row(i, n, start, now_ms, account, &contacts[(i as usize) % contacts.len()]);
                st.execute(rusqlite::params![t[0], t[1], t[2], t[3], t[4], num[0], num[1], num[2]])?;
            }
        }
        tx.commit()?;
        done = (done + 50_000).min(n);
        if done % 200_000 == 0 {
            println!("  seeded {done}/{n}");
        }
    }
    conn.execute(
        "UPDATE accounts SET next_ticket_number = ?1 WHERE id = ?2",
        rusqlite::params![start + n as i64 + 1, account],
    )?;
    conn.execute_batch("ANALYZE")?;
    Ok(())
}

async fn seed_postgres(url: &str, account: &str, n: u64) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(url).await?;
    let contacts: Vec<(String,)> = sqlx::query_as("SELECT id FROM contacts WHERE account_id = $1 LIMIT 5000")
        .bind(account)
        .fetch_all(&pool)
        .await?;
    let start: (i64,) = sqlx::query_as("SELECT COALESCE(MAX(number), 0)::bigint FROM tickets WHERE account_id = $1")
        .bind(account)
        .fetch_one(&pool)
        .await?;
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    // One statement per 10,000 rows, from arrays: fast and with few parameters.
    let mut done = 0u64;
    while done < n {
        let end = (done + 10_000).min(n);
        let (mut t, mut num): (Vec<Vec<String>>, Vec<Vec<i64>>) = (vec![Vec::new(); 5], vec![Vec::new(); 3]);
        for i in done..end {
            let (text, ints) = seed_row(i, n, start.0, now_ms, account, &contacts[(i as usize) % contacts.len()].0);
            for (k, v) in text.into_iter().enumerate() {
                t[k].push(v);
            }
            for (k, v) in ints.into_iter().enumerate() {
                num[k].push(v);
            }
        }
        sqlx::query(
            "INSERT INTO tickets (id, account_id, subject, status, requester_id, number, created_at, updated_at, \
             priority, channel, tags, custom_fields, version) \
             SELECT *, 'normal', 'email', '[]', '{}', 1 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
             $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])",
        )
        .bind(&t[0])
        .bind(&t[1])
        .bind(&t[2])
        .bind(&t[3])
        .bind(&t[4])
        .bind(&num[0])
        .bind(&num[1])
        .bind(&num[2])
        .execute(&pool)
        .await?;
        done = end;
        if done % 200_000 == 0 {
            println!("  seeded {done}/{n}");
        }
    }
    let seq = format!("ticket_numbers_{}", account.replace('-', ""));
    sqlx::query(&format!("SELECT setval('{seq}', {})", start.0 + n as i64)).execute(&pool).await?;
    sqlx::query("ANALYZE tickets").execute(&pool).await?;
    pool.close().await;
    Ok(())
}
