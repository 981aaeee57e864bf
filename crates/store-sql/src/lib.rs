//! Parley's stores in SQL, for SQLite (the embedded default) and PostgreSQL.
//!
//! One implementation serves both engines through sqlx's `Any` driver: the queries are written in the SQL the two
//! share (`$n` parameters, `ON CONFLICT`, `RETURNING`, row values), and where they differ (ticket numbering, row
//! locking, schema types) the code says so by matching on [`Engine`]. Each engine has its own migrations. Values
//! cross the driver as text and 64-bit integers only: ids are UUID text, times Unix milliseconds, flags 0/1.

mod accounts;
mod agents;
mod contacts;
mod directory;
mod error;
mod mail;
mod migrate;
mod rows;
mod tickets;
mod url;
mod webhooks;
mod writer;

pub use directory::SqlDirectory;
pub use url::{DatabaseUrl, Engine, UrlError};

use error::SqlResultExt;
use parley_store::{RegionStore, StoreError};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::time::Duration;
use writer::Writer;

/// How many connections a store may open.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    /// PostgreSQL: connections per process. SQLite: reading connections (writes use one more).
    pub max_connections: u32,
}

impl Default for PoolSize {
    fn default() -> Self {
        PoolSize { max_connections: 8 }
    }
}

/// One region's database.
#[derive(Clone)]
pub struct SqlStore {
    engine: Engine,
    read: AnyPool,
    write_pool: AnyPool,
    writer: Writer,
}

impl SqlStore {
    /// Open the database (creating a SQLite file if missing). Does not migrate: see [`SqlStore::migrate`].
    pub async fn connect(url: &DatabaseUrl, size: PoolSize) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = url.engine();
        let (read, write_pool) = match engine {
            Engine::Postgres => {
                let pool = pg_pool(url, size.max_connections).await?;
                (pool.clone(), pool)
            }
            Engine::Sqlite => {
                let write = sqlite_pool(url, 1, false).await?;
                // WAL lets readers go on while the writer commits; it is a property of the file, set once.
                sqlx::Executor::execute(&write, "PRAGMA journal_mode = WAL").await.db()?;
                let read = sqlite_pool(url, size.max_connections, true).await?;
                (read, write)
            }
        };
        let writer = Writer::new(engine, write_pool.clone());
        Ok(SqlStore { engine, read, write_pool, writer })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Bring the schema up to date. Returns the migration versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        migrate::migrate(&self.write_pool, self.engine, migrate::Schema::Region).await
    }

    /// Wait for open connections to finish and close them.
    pub async fn close(&self) {
        self.read.close().await;
        self.write_pool.close().await;
    }
}

impl RegionStore for SqlStore {}

pub(crate) async fn pg_pool(url: &DatabaseUrl, max: u32) -> Result<AnyPool, StoreError> {
    AnyPoolOptions::new()
        .max_connections(max.max(1))
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(300))
        .connect(url.as_str())
        .await
        .map_err(|e| StoreError::Unavailable(format!("{}: {e}", url.redacted())))
}

pub(crate) async fn sqlite_pool(url: &DatabaseUrl, max: u32, read_only: bool) -> Result<AnyPool, StoreError> {
    AnyPoolOptions::new()
        .max_connections(max.max(1))
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                // FULL: a commit is on disk before it is acknowledged. secure_delete: erased data is overwritten,
                // not left in free pages.
                conn.execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
                     PRAGMA secure_delete = ON; PRAGMA cache_size = -8000;",
                )
                .await?;
                if read_only {
                    conn.execute("PRAGMA query_only = ON").await?;
                }
                Ok(())
            })
        })
        .connect(url.as_str())
        .await
        .map_err(|e| StoreError::Unavailable(format!("{}: {e}", url.redacted())))
}
