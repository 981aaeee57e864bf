//! A `parley serve` child process for a benchmark, with its memory read from /proc.

use anyhow::{bail, Context};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Server {
    child: Child,
    pub port: u16,
    pub smtp_port: u16,
    pub data_dir: PathBuf,
    env: Vec<(String, String)>,
}

/// The release `parley` binary beside this one.
pub fn binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let bin = me.parent().context("no directory")?.join("parley");
    if !bin.exists() {
        bail!("{} is missing: run `cargo build --release` first", bin.display());
    }
    Ok(bin)
}

impl Server {
    pub fn start(data_dir: &Path, env: Vec<(String, String)>) -> anyhow::Result<Server> {
        let mut child = Command::new(binary()?)
            .args(["serve", "--listen", "127.0.0.1:0", "--smtp-listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()?;
        let out = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(out).lines();
        let port = loop {
            let line = lines.next().context("parley exited before listening")??;
            if let Some(rest) = line.strip_prefix("Parley is listening on http://") {
                let addr = rest.split_whitespace().next().unwrap_or("");
                break addr.rsplit(':').next().unwrap_or("").parse()?;
            }
        };
        let smtp_port = loop {
            let line = lines.next().context("parley exited before receiving mail")??;
            if line.starts_with("Mail to ") {
                break line.rsplit(':').next().unwrap_or("").trim().parse()?;
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, port, smtp_port, data_dir: data_dir.to_path_buf(), env })
    }

    /// Creates the benchmark's account `bench` with the command line: its API key and id.
    pub fn bench_account(&self) -> anyhow::Result<(String, String)> {
        let created = self.bench_account_json()?;
        let key = created["api_key"].as_str().context("api key")?.to_string();
        let id = created["account"]["id"].as_str().context("account id")?.to_string();
        Ok((key, id))
    }

    /// Creates the benchmark's account `bench`: what `account create --json` prints (key, owner's password …).
    pub fn bench_account_json(&self) -> anyhow::Result<serde_json::Value> {
        let args =
            ["account", "create", "--slug", "bench", "--region", "eu", "--owner-email", "bench@example.com", "--json"];
        Ok(serde_json::from_str(&self.command(&args)?)?)
    }

    /// Run a `parley` command against the same data and configuration.
    pub fn command(&self, args: &[&str]) -> anyhow::Result<String> {
        command(&self.data_dir, &self.env, args)
    }

    fn status_field(&self, field: &str) -> u64 {
        status_field(self.child.id(), field)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Asks the server to stop (SIGTERM, as a service manager does) and waits for it: how long it took.
    pub fn terminate(&mut self) -> anyhow::Result<std::time::Duration> {
        let t = std::time::Instant::now();
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        if !sent.success() {
            bail!("could not signal the server");
        }
        self.child.wait()?;
        Ok(t.elapsed())
    }

    /// Resident memory now, in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.status_field("VmRSS:") as f64 / 1024.0
    }

    /// Peak resident memory, in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.status_field("VmHWM:") as f64 / 1024.0
    }
}

fn status_field(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resident memory of a process, in MiB.
pub fn rss_mib_of(pid: u32) -> f64 {
    status_field(pid, "VmRSS:") as f64 / 1024.0
}

/// Run a `parley` command against this data and configuration.
pub fn command(data_dir: &Path, env: &[(String, String)], args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(binary()?)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()?;
    if !out.status.success() {
        bail!("parley {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A benchmark's data directory and, on PostgreSQL, its own throwaway region database (its URL in `env`).
pub struct Workspace {
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    pub pg_url: Option<String>,
    pg: Option<(sqlx::PgPool, String)>,
}

impl Workspace {
    pub async fn create(engine: crate::Engine) -> anyhow::Result<Workspace> {
        let dir = std::env::temp_dir().join(format!("parley-bench-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir)?;
        let mut ws = Workspace { dir, env: Vec::new(), pg_url: None, pg: None };
        if engine == crate::Engine::Postgres {
            let admin_url = crate::tickets::pg_admin();
            let name = format!("parley_bench_{}", uuid::Uuid::now_v7().simple());
            let admin = sqlx::PgPool::connect(&admin_url).await.context("PostgreSQL for the benchmark")?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await?;
            let url = format!("{}/{name}", admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(""));
            ws.env.push(("PARLEY_REGION_EU_DATABASE_URL".to_string(), url.clone()));
            ws.pg_url = Some(url);
            ws.pg = Some((admin, name));
        }
        Ok(ws)
    }

    /// Drops the database and removes the directory; with `PARLEY_BENCH_KEEP` set, keeps both and says where, to
    /// look at the plans of the benchmark's queries afterwards (a large build takes minutes).
    pub async fn remove(self) {
        if std::env::var_os("PARLEY_BENCH_KEEP").is_some() {
            println!("kept: {} {}", self.dir.display(), self.pg_url.as_deref().unwrap_or(""));
            return;
        }
        if let Some((admin, name)) = self.pg {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&admin).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
