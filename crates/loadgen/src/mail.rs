//! The mail benchmark: messages delivered over concurrent SMTP connections (mixed sizes, some with attachments,
//! some replies to tickets opened earlier in the run), timed from the end of DATA to the 250 that says the mail
//! is stored; then the time until every stored mail has been processed into tickets.

use crate::server::Server;
use crate::stats::Latencies;
use crate::Engine;
use anyhow::bail;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

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
    "broken",
    "missing",
    "slow",
    "export",
];

fn text(seed: u64, words: usize) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut out = String::with_capacity(words * 8);
    for i in 0..words {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        out.push(if i % 12 == 11 { '\n' } else { ' ' });
    }
    out.replace('\n', "\r\n")
}

/// Message `i` of the run: every 10th opens a ticket that later replies (30% of all) refer to; every 5th carries an
/// attachment; sizes vary from a line to a few pages.
pub(crate) fn message(i: u64) -> (String, String) {
    let from = format!("sender{}@customer.example", i % 500);
    let id = format!("bench-{i}@customer.example");
    let reply_to = (i % 10 >= 7 && i >= 10).then(|| format!("bench-{}@customer.example", (i / 10 - 1) * 10));
    let subject = match &reply_to {
        Some(_) => format!("Re: question {}", (i / 10 - 1) * 10),
        None => format!("question {i}"),
    };
    let words = [20, 80, 300, 1500][(i % 4) as usize];
    let mut m = format!("From: {from}\r\nTo: support@bench.localhost\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n");
    if let Some(r) = &reply_to {
        m.push_str(&format!("In-Reply-To: <{r}>\r\nReferences: <{r}>\r\n"));
    }
    m.push_str("MIME-Version: 1.0\r\n");
    if i % 5 == 0 {
        let attachment =
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n".repeat(1200);
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: text/plain\r\n\r\n{}\r\n\
             --b{i}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\r\n{attachment}--b{i}--\r\n",
            text(i, words)
        ));
    } else {
        m.push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n", text(i, words)));
    }
    (from, m)
}

pub(crate) struct Smtp {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
    /// The server offers PIPELINING (RFC 2920): MAIL, RCPT and DATA go in one write, as Postfix sends them.
    pipelining: bool,
}

impl Smtp {
    pub(crate) async fn connect(port: u16) -> anyhow::Result<Smtp> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        // The terminating dot is a 3-byte write after the message; with Nagle's algorithm it would wait for the
        // server's delayed ACK (~40 ms) and the benchmark would time the client, not the server.
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        let mut s = Smtp { r: BufReader::new(r), w, pipelining: false };
        s.expect(220).await?;
        s.w.write_all(b"EHLO bench.example\r\n").await?;
        s.pipelining = s.reply(250).await?.iter().any(|l| l.get(4..).is_some_and(|k| k.trim() == "PIPELINING"));
        Ok(s)
    }

    /// Read a (multi-line) reply, check its code, and return its lines.
    async fn reply(&mut self, code: u16) -> anyhow::Result<Vec<String>> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if self.r.read_line(&mut line).await? == 0 {
                bail!("the server closed the connection");
            }
            let last = line.len() < 4 || line.as_bytes()[3] == b' ';
            lines.push(line);
            if last {
                break;
            }
        }
        let last = lines.last().map(String::as_str).unwrap_or("");
        let got: u16 = last.get(..3).unwrap_or("").parse().unwrap_or(0);
        if got != code {
            bail!("expected {code}, got {}", last.trim());
        }
        Ok(lines)
    }

    async fn expect(&mut self, code: u16) -> anyhow::Result<()> {
        self.reply(code).await.map(drop)
    }

    async fn command(&mut self, c: &str, code: u16) -> anyhow::Result<()> {
        self.w.write_all(format!("{c}\r\n").as_bytes()).await?;
        self.expect(code).await
    }

    /// Deliver one message; returns the time from the end of DATA to the 250.
    pub(crate) async fn send(&mut self, from: &str, data: &str) -> anyhow::Result<Duration> {
        let envelope = [format!("MAIL FROM:<{from}>"), "RCPT TO:<support@bench.localhost>".into(), "DATA".into()];
        if self.pipelining {
            self.w.write_all(format!("{}\r\n", envelope.join("\r\n")).as_bytes()).await?;
            for code in [250, 250, 354] {
                self.expect(code).await?;
            }
        } else {
            for (command, code) in envelope.iter().zip([250, 250, 354]) {
                self.command(command, code).await?;
            }
        }
        self.w.write_all(data.as_bytes()).await?;
        let t = Instant::now();
        self.w.write_all(b".\r\n").await?;
        self.expect(250).await?;
        Ok(t.elapsed())
    }
}

pub async fn run(engine: Engine, connections: usize, count: u64) -> anyhow::Result<()> {
    println!("== mail on {engine:?}: {count} messages over {connections} SMTP connections");
    let ws = crate::server::Workspace::create(engine).await?;
    let result = bench(engine, &ws.dir, ws.env.clone(), ws.pg_url.clone(), connections, count).await;
    ws.remove().await;
    result
}

async fn pending(engine: Engine, dir: &std::path::Path, pg_url: &Option<String>) -> anyhow::Result<i64> {
    let sql = "SELECT COUNT(*) FROM inbound_mail WHERE status = 'pending'";
    match (engine, pg_url) {
        (Engine::Postgres, Some(url)) => {
            let pool = sqlx::PgPool::connect(url).await?;
            let n: (i64,) = sqlx::query_as(sql).fetch_one(&pool).await?;
            pool.close().await;
            Ok(n.0)
        }
        _ => {
            let path = dir.join("eu/parley.db");
            Ok(tokio::task::spawn_blocking(move || -> anyhow::Result<i64> {
                let c = rusqlite::Connection::open(path)?;
                Ok(c.query_row(sql, [], |r| r.get(0))?)
            })
            .await??)
        }
    }
}

async fn bench(
    engine: Engine,
    dir: &std::path::Path,
    env: Vec<(String, String)>,
    pg_url: Option<String>,
    connections: usize,
    count: u64,
) -> anyhow::Result<()> {
    let server = Server::start(dir, env)?;
    server.bench_account()?;
    let port = server.smtp_port;
    // Made before the clock starts, so that the load generator's work is not counted against the server's.
    let mut batches: Vec<Vec<(String, String)>> = vec![Vec::new(); connections];
    for i in 0..count {
        batches[i as usize % connections].push(message(i));
    }
    let bytes: usize = batches.iter().flatten().map(|(_, m)| m.len()).sum();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for batch in batches {
        tasks.push(tokio::spawn(async move {
            let mut smtp = Smtp::connect(port).await?;
            let mut lat = Vec::new();
            for (from, data) in batch {
                lat.push(smtp.send(&from, &data).await?);
            }
            let _ = smtp.command("QUIT", 221).await;
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let accepted = started.elapsed().as_secs_f64();
    let lat = Latencies::new(all);
    println!(
        "accepted: {} messages ({:.0} MB) in {accepted:.1} s = {:.0} messages/s; DATA→250 {}",
        lat.count(),
        bytes as f64 / 1e6,
        lat.count() as f64 / accepted,
        lat.summary()
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let left = pending(engine, dir, &pg_url).await?;
        if left == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("{left} mails still pending after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let processed = started.elapsed().as_secs_f64();
    println!(
        "processed into tickets: all {count} in {processed:.1} s = {:.0} messages/s end to end",
        count as f64 / processed
    );
    println!("peak RSS: {:.1} MiB", server.peak_rss_mib());
    Ok(())
}
