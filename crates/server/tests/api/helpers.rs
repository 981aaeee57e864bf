//! `spawn_app()`: a Parley on a free port with a fresh data directory (and fresh PostgreSQL databases when asked),
//! returned once it is ready, stopped when dropped.

use parley::config::{Config, Overrides};
use parley::Application;
use parley_app::accounts::{create_account, CreateAccount};
use parley_app::App;
use parley_domain::account::AccountSlug;
use parley_domain::email::EmailAddress;
use parley_domain::region::RegionName;
use parley_test_support::{http_client, PgTestDb};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct Options {
    pub engine: Engine,
    pub allow_private_webhooks: bool,
    pub retry_delays: &'static str,
    pub env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options { engine: Engine::Sqlite, allow_private_webhooks: true, retry_delays: "1,1,1", env: vec![] }
    }
}

pub struct TestApp {
    pub port: u16,
    /// Where the app receives mail.
    pub smtp: std::net::SocketAddr,
    /// Where the app receives LMTP, when `PARLEY_LMTP_LISTEN` was given.
    pub lmtp: Option<std::net::SocketAddr>,
    pub data_dir: tempfile::TempDir,
    pub app: Arc<App>,
    pub http: reqwest::Client,
    pub config: Config,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    pub pg: Vec<PgTestDb>,
}

pub struct TestAccount {
    pub slug: String,
    pub api_key: String,
    pub email: String,
    pub password: String,
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_with(Options { engine, ..Default::default() }).await
}

pub async fn spawn_with(o: Options) -> TestApp {
    // The server's warnings and errors go to the test's own output, shown when it fails: a 500 says why there.
    let _ = tracing_subscriber::fmt().with_test_writer().with_max_level(tracing::Level::WARN).try_init();
    let data_dir = tempfile::tempdir().unwrap();
    let mut pg = Vec::new();
    let mut env: BTreeMap<String, String> = o.env.into_iter().collect();
    if o.engine == Engine::Postgres {
        // eu and us each get their own database, as two regions would.
        for region in ["EU", "US"] {
            let db = PgTestDb::create().await;
            env.insert(format!("PARLEY_REGION_{region}_DATABASE_URL"), db.url().to_string());
            pg.push(db);
        }
    }
    env.insert("PARLEY_WEBHOOK_ALLOW_PRIVATE".into(), o.allow_private_webhooks.to_string());
    env.insert("PARLEY_WEBHOOK_RETRY_DELAYS".into(), o.retry_delays.into());
    let overrides = Overrides {
        data_dir: Some(data_dir.path().to_path_buf()),
        listen: Some("127.0.0.1:0".into()),
        smtp_listen: Some("127.0.0.1:0".into()),
        ..Default::default()
    };
    let config = Config::load_with(&overrides, &|k| env.get(k).cloned()).unwrap();
    start(config, data_dir, pg).await
}

/// Start (again) on a given configuration and data directory.
pub async fn start(config: Config, data_dir: tempfile::TempDir, pg: Vec<PgTestDb>) -> TestApp {
    let application = Application::build(config.clone()).await.unwrap();
    let port = application.port();
    let smtp = application.smtp_address();
    let lmtp = application.lmtp_address();
    let config = application.config().clone();
    let app = application.app();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until_stopped(async {
        let _ = rx.await;
    }));
    TestApp {
        port,
        smtp,
        lmtp,
        data_dir,
        app,
        http: http_client(false),
        config,
        stop: Some(tx),
        server: Some(server),
        pg,
    }
}

impl TestApp {
    pub fn url(&self, slug: &str, path: &str) -> String {
        format!("http://{slug}.localhost:{}{path}", self.port)
    }

    pub fn root_url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    pub fn data(&self) -> &Path {
        self.data_dir.path()
    }

    /// Create an account the way `parley account create` does.
    pub async fn account(&self, slug: &str, region: &str) -> TestAccount {
        let created = create_account(
            &self.app,
            CreateAccount {
                slug: AccountSlug::parse(slug).unwrap(),
                region: RegionName::parse(region).unwrap(),
                name: None,
                owner_email: EmailAddress::parse(&format!("owner@{slug}.example")).unwrap(),
                owner_name: Some("Olivia Owner".into()),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create account {slug}: {e}"));
        TestAccount {
            slug: slug.into(),
            api_key: created.api_key,
            email: created.owner.email.to_string(),
            password: created.owner_password,
        }
    }

    /// An owner switches on email delivery through the relay (consenting to its provider), as the privacy page
    /// asks before an account's mail may leave through a third party.
    pub async fn switch_on_email(&self, a: &TestAccount) {
        self.switch_on_feature(a, "email").await;
    }

    /// An owner switches on an optional feature on the privacy page, consenting to its providers.
    pub async fn switch_on_feature(&self, a: &TestAccount, feature: &str) {
        let (owner, _) = crate::ui::sign_in(self, &a.slug, &a.email, &a.password).await;
        let (_, html) = crate::ui::get(&owner, &self.url(&a.slug, "/settings/privacy")).await;
        let csrf = crate::ui::csrf_in(&html);
        let res = owner
            .post(self.url(&a.slug, &format!("/settings/privacy/features/{feature}")))
            .form(&[("_csrf", csrf.as_str()), ("enabled", "1"), ("consent", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "switching {feature} on for {}", a.slug);
    }

    /// Call the API as an account; returns the status and the JSON body (Null when there is none).
    pub async fn api(
        &self,
        acct: &TestAccount,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.api_with_key(&acct.slug, &acct.api_key, method, path, body).await
    }

    pub async fn api_with_key(
        &self,
        slug: &str,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(slug, &format!("/api/v1{path}"))).bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let ctype = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let text = res.text().await.unwrap();
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(ctype, "application/problem+json", "errors are problem+json: {status} {text}");
        }
        let json =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, json)
    }

    /// Open a ticket; returns its JSON.
    pub async fn ticket(&self, acct: &TestAccount, subject: &str, body: &str, requester: &str) -> Value {
        let (s, t) = self
            .api(acct, Method::POST, "/tickets", Some(serde_json::json!({
                "subject": subject, "message": {"body": body}, "requester": {"email": requester, "name": "Requester"}
            })))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        t
    }

    /// Stop the server: requests in flight finish, workers stop, databases close. Returns what a restart needs.
    pub async fn stop(mut self) -> (Config, tempfile::TempDir, Vec<PgTestDb>) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.server.take() {
            h.await.unwrap().unwrap();
        }
        let config = self.config.clone();
        let pg = std::mem::take(&mut self.pg);
        let dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap());
        (config, dir, pg)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// The path to the built `parley` binary.
pub fn parley_bin() -> &'static str {
    env!("CARGO_BIN_EXE_parley")
}
