//! A fresh PostgreSQL database per test, dropped afterwards.
//!
//! The server comes from `PARLEY_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`). PostgreSQL is
//! part of the test suite, not an option: if it cannot be reached, the test fails and says so.

use sqlx::{Connection, Executor, PgConnection};

pub struct PgTestDb {
    pub name: String,
    admin_url: String,
    url: String,
}

fn admin_url() -> String {
    std::env::var("PARLEY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl PgTestDb {
    pub async fn create() -> PgTestDb {
        let admin_url = admin_url();
        let name = format!("parley_t_{}", uuid::Uuid::now_v7().simple());
        let mut conn = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is needed by this test and is not reachable at {admin_url}: {e}. Start it, or set PARLEY_TEST_PG_URL.")
        });
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        let base = admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin_url.clone());
        PgTestDb { url: format!("{base}/{name}"), name, admin_url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; the database is dropped from a thread with its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&admin).await {
                    let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                }
            });
        })
        .join();
    }
}
