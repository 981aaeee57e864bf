//! Views: an account of many tickets spread over statuses, priorities, agents, departments and channels as a busy
//! help desk's are, then each built-in view's first page with its count (`GET /views/{id}/tickets`, which answers
//! both), a saved view with three filters, and the list of all views with their counts, from concurrent clients.

use crate::server::Server;
use crate::stats::Latencies;
use crate::Engine;
use anyhow::Context;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub async fn run(engine: Engine, tickets: u64, seconds: u64, clients: usize) -> anyhow::Result<()> {
    println!("== views on {engine:?}: {tickets} tickets, {clients} clients, {seconds} s per view");
    let ws = crate::server::Workspace::create(engine).await?;
    let result = bench(engine, &ws, tickets, seconds, clients).await;
    ws.remove().await;
    result
}

async fn bench(
    engine: Engine,
    ws: &crate::server::Workspace,
    n: u64,
    seconds: u64,
    clients: usize,
) -> anyhow::Result<()> {
    let server = Server::start(&ws.dir, ws.env.clone())?;
    let created = server.bench_account_json()?;
    let key = created["api_key"].as_str().context("api key")?.to_string();
    let account_id = created["account"]["id"].as_str().context("account id")?.to_string();
    let owner_password = created["owner"]["password"].as_str().context("owner's password")?.to_string();
    let http = parley_test_support::http_client(false);
    let base = format!("http://bench.localhost:{}/api/v1", server.port);
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut req = http.request(method, format!("{base}{path}")).bearer_auth(&key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let r = req.send().await?;
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            anyhow::ensure!(status.is_success(), "{status}: {v}");
            Ok::<Value, anyhow::Error>(v)
        }
    };
    // Requesters: a few hundred contacts made the ordinary way.
    for i in 0..300 {
        call(
            reqwest::Method::POST,
            "/tickets",
            Some(json!({"subject": "Warm-up", "message": {"body": "Hello"},
                "requester": {"email": format!("customer{i}@example.com"), "name": "A Customer"}})),
        )
        .await?;
    }
    let mut departments = Vec::new();
    for i in 0..5 {
        let d = call(reqwest::Method::POST, "/departments", Some(json!({"name": format!("Team {i}")}))).await?;
        departments.push(d["id"].as_str().context("department id")?.to_string());
    }
    let mut agents = Vec::new();
    for i in 0..9 {
        let a = call(
            reqwest::Method::POST,
            "/agents",
            Some(json!({"email": format!("agent{i}@example.com"), "name": format!("Agent {i}"), "role": "agent"})),
        )
        .await?;
        agents.push(a["agent"]["id"].as_str().context("agent id")?.to_string());
    }
    let listed = call(reqwest::Method::GET, "/agents", None).await?;
    let owner = listed["agents"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["role"] == "owner"))
        .and_then(|x| x["id"].as_str())
        .context("owner id")?
        .to_string();
    agents.push(owner);

    let url = ws.pg_url.clone().unwrap_or_else(|| format!("sqlite://{}", ws.dir.join("eu/parley.db").display()));
    let t = Instant::now();
    let people = People { agents, departments: departments.clone() };
    seed(&url, engine, &account_id, n, &people).await?;
    println!("seeded {n} tickets in {:.1} s", t.elapsed().as_secs_f64());

    let saved = call(
        reqwest::Method::POST,
        "/views",
        Some(json!({"name": "Urgent in Team 0", "shared": true,
            "filters": {"status": ["new", "open"], "priority": ["high", "urgent"], "department": departments[0]}})),
    )
    .await?;
    let saved_id = saved["id"].as_str().context("view id")?.to_string();

    let mut views: Vec<(String, String)> = ["my_open", "unassigned", "all_open", "new", "pending", "solved"]
        .iter()
        .chain(&["chats_waiting", "chats_active"])
        .map(|v| (v.to_string(), format!("/views/{v}/tickets?page[size]=25")))
        .collect();
    views.push((format!("department:{}", departments[0]), format!("/views/department:{}/tickets", departments[0])));
    views.push(("saved, 3 filters".into(), format!("/views/{saved_id}/tickets?page[size]=25")));
    // Orders no index holds: every ticket of the view is read and sorted (names through a lookup each).
    for key in ["subject", "assignee", "requester"] {
        views.push((format!("all_open by {key}"), format!("/views/all_open/tickets?page[size]=25&sort={key}")));
    }
    views.push(("GET /views (all counts)".into(), "/views".into()));
    println!(
        "{:<26} {:>8} {:>8} {:>10} {:>10} {:>10}",
        "view (first page + count)", "count", "requests", "p50 ms", "p99 ms", "max ms"
    );
    for (name, path) in views {
        let first = call(reqwest::Method::GET, &path, None).await?;
        let count = match (&first["meta"]["count"], first["meta"]["capped"].as_bool()) {
            (Value::Number(c), Some(true)) => format!("{c}+"),
            (Value::Number(c), _) => c.to_string(),
            _ => format!("{} views", first["views"].as_array().map(Vec::len).unwrap_or(0)),
        };
        let lat = measure(&http, &format!("{base}{path}"), &key, seconds, clients).await?;
        println!(
            "{name:<26} {count:>8} {:>8} {:>10.2} {:>10.2} {:>10.2}",
            lat.count(),
            crate::stats::ms(lat.pct(50.0)),
            crate::stats::ms(lat.pct(99.0)),
            crate::stats::ms(lat.pct(100.0))
        );
    }
    let site = format!("http://bench.localhost:{}", server.port);
    crate::workspace::ticket_page(&site, "bench@example.com", &owner_password, n + 300, seconds).await?;
    crate::workspace::bulk(&base, &key).await?;
    println!("peak RSS: {:.1} MiB", server.peak_rss_mib());
    Ok(())
}

async fn measure(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    seconds: u64,
    clients: usize,
) -> anyhow::Result<Latencies> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, key, url) = (http.clone(), key.to_string(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match http.get(&url).bearer_auth(&key).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if ok {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
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
    anyhow::ensure!(errors == 0, "{errors} requests to {url} failed");
    Ok(Latencies::new(all))
}

struct People {
    /// The owner last (the API key's agent: "me").
    agents: Vec<String>,
    departments: Vec<String>,
}

/// A seeded ticket: a tenth of them each new, open …; 40 % unassigned, the rest spread over ten agents; a sixth
/// in no department; priorities mostly normal; one in fifty a chat.
fn row(i: u64, n: u64, now_ms: i64, p: &People) -> (Vec<Option<String>>, Vec<i64>) {
    let h = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 17;
    let status = match i % 20 {
        0 | 1 => "new",
        2..=4 => "open",
        5..=7 => "pending",
        8..=11 => "resolved",
        _ => "closed",
    };
    let priority = match h % 10 {
        0 | 1 => "low",
        2..=6 => "normal",
        7 | 8 => "high",
        _ => "urgent",
    };
    let assignee = match (h >> 4) % 10 {
        0..=3 => None,
        k => Some(p.agents[((h >> 8) as usize + k as usize) % p.agents.len()].clone()),
    };
    let department = match (h >> 12) % 6 {
        5 => None,
        k => Some(p.departments[k as usize].clone()),
    };
    let channel = if (h >> 16).is_multiple_of(50) { "chat" } else { "email" };
    let created = now_ms - ((n - i) as i64) * 30_000;
    // Updated some time after creation: the order by last change is not the order of creation.
    let updated = created + ((h >> 20) % 86_400_000) as i64;
    (
        vec![
            Some(uuid::Uuid::now_v7().to_string()),
            Some(format!("Ticket {i} about {}", ["billing", "login", "shipping", "refund"][(h % 4) as usize])),
            Some(status.into()),
            Some(priority.into()),
            Some(channel.into()),
            assignee,
            department,
        ],
        vec![created, updated],
    )
}

const INSERT: &str = "INSERT INTO tickets (id, subject, status, priority, channel, assignee_id, department_id, \
    created_at, updated_at, account_id, requester_id, number, tags, custom_fields, version) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '[]', '{}', 1)";

async fn seed(url: &str, engine: Engine, account: &str, n: u64, p: &People) -> anyhow::Result<()> {
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    match engine {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://").to_string();
            let (account, p) =
                (account.to_string(), People { agents: p.agents.clone(), departments: p.departments.clone() });
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let mut conn = rusqlite::Connection::open(&path)?;
                conn.busy_timeout(Duration::from_secs(30))?;
                let contacts: Vec<String> = conn
                    .prepare("SELECT id FROM contacts WHERE account_id = ?1 LIMIT 5000")?
                    .query_map([&account], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let start: i64 = conn.query_row(
                    "SELECT COALESCE(MAX(number), 0) FROM tickets WHERE account_id = ?1",
                    [&account],
                    |r| r.get(0),
                )?;
                let sql = INSERT.replace('$', "?");
                let mut done = 0u64;
                while done < n {
                    let tx = conn.transaction()?;
                    {
                        let mut st = tx.prepare(&sql)?;
                        for i in done..(done + 50_000).min(n) {
                            let (t, x) = row(i, n, now_ms, &p);
                            st.execute(rusqlite::params![
                                t[0],
                                t[1],
                                t[2],
                                t[3],
                                t[4],
                                t[5],
                                t[6],
                                x[0],
                                x[1],
                                account,
                                contacts[(i as usize) % contacts.len()],
                                start + 1 + i as i64
                            ])?;
                        }
                    }
                    tx.commit()?;
                    done = (done + 50_000).min(n);
                    if done.is_multiple_of(200_000) {
                        println!("  seeded {done}/{n}");
                    }
                }
                conn.execute(
                    "UPDATE accounts SET next_ticket_number = ?1 WHERE id = ?2",
                    rusqlite::params![start + n as i64 + 1, account],
                )?;
                conn.execute_batch("ANALYZE")?;
                Ok(())
            })
            .await?
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            let contacts: Vec<(String,)> = sqlx::query_as("SELECT id FROM contacts WHERE account_id = $1 LIMIT 5000")
                .bind(account)
                .fetch_all(&pool)
                .await?;
            let start: (i64,) =
                sqlx::query_as("SELECT COALESCE(MAX(number), 0)::bigint FROM tickets WHERE account_id = $1")
                    .bind(account)
                    .fetch_one(&pool)
                    .await?;
            let mut done = 0u64;
            while done < n {
                let end = (done + 10_000).min(n);
                let (mut t, mut x): (Vec<Vec<Option<String>>>, Vec<Vec<i64>>) =
                    (vec![Vec::new(); 9], vec![Vec::new(); 3]);
                for i in done..end {
                    let (text, ints) = row(i, n, now_ms, p);
                    for (k, v) in text.into_iter().enumerate() {
                        t[k].push(v);
                    }
                    t[7].push(Some(account.to_string()));
                    t[8].push(Some(contacts[(i as usize) % contacts.len()].0.clone()));
                    x[0].push(ints[0]);
                    x[1].push(ints[1]);
                    x[2].push(start.0 + 1 + i as i64);
                }
                sqlx::query(
                    "INSERT INTO tickets (id, subject, status, priority, channel, assignee_id, department_id, \
                     account_id, requester_id, created_at, updated_at, number, tags, custom_fields, version) \
                     SELECT *, '[]', '{}', 1 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], \
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])",
                )
                .bind(&t[0])
                .bind(&t[1])
                .bind(&t[2])
                .bind(&t[3])
                .bind(&t[4])
                .bind(&t[5])
                .bind(&t[6])
                .bind(&t[7])
                .bind(&t[8])
                .bind(&x[0])
                .bind(&x[1])
                .bind(&x[2])
                .execute(&pool)
                .await?;
                done = end;
                if done.is_multiple_of(200_000) {
                    println!("  seeded {done}/{n}");
                }
            }
            let seq = format!("ticket_numbers_{}", account.replace('-', ""));
            sqlx::query(&format!("SELECT setval('{seq}', {})", start.0 + n as i64)).execute(&pool).await?;
            // A table after its bulk load as autovacuum leaves it: statistics, and the visibility map that lets
            // counts read the indexes alone.
            sqlx::query("VACUUM ANALYZE tickets").execute(&pool).await?;
            pool.close().await;
            Ok(())
        }
    }
}
