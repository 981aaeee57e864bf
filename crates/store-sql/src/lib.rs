//! Parley's stores in SQL, for SQLite (the embedded default) and PostgreSQL.
//!
//! One implementation serves both engines: the queries are written in the SQL the two share (`$n` parameters,
//! `ON CONFLICT`, `RETURNING`, row values) and run through the small interface in [`db`]; where the engines differ
//! (ticket numbering, row locking, schema types) the code says so by matching on [`Engine`]. Each engine has its
//! own migrations. Values cross as text and 64-bit integers only: ids are UUID text, times Unix milliseconds,
//! flags 0/1.

mod accounts;
mod agents;
mod assignment;
mod audit;
mod automations;
pub mod backup;
mod business_hours;
mod canned;
mod chat;
mod chat_routing;
mod contact_merge;
mod contacts;
mod db;
mod directory;
mod erasure;
mod error;
mod features;
mod followers;
mod incidents;
mod knowledge;
mod mail;
mod migrate;
mod news;
mod rows;
mod search;
mod sla;
mod support;
mod ticket_sla;
mod tickets;
pub mod transfer;
mod triggers;
mod url;
mod viewers;
mod views;
mod voice;
mod webhooks;

pub use chat::ChatSignal;
pub use directory::SqlDirectory;
pub use news::TicketSignal;
pub use url::{DatabaseUrl, Engine, UrlError};

use db::Db;
use parley_store::{RegionStore, StoreError};

/// How many connections a store may open for reading.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    /// PostgreSQL: connections per process. SQLite: reading connections (writes have their own).
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
    db: Db,
    news: news::NewsOut,
}

impl SqlStore {
    /// Open the database (creating a SQLite file if missing). Does not migrate: see [`SqlStore::migrate`].
    pub async fn connect(url: &DatabaseUrl, size: PoolSize) -> Result<Self, StoreError> {
        Ok(SqlStore { db: Db::connect(url, size.max_connections).await?, news: news::NewsOut::default() })
    }

    pub fn engine(&self) -> Engine {
        self.db.engine()
    }

    /// Bring the schema up to date. Returns the migration versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        migrate::migrate(&self.db, migrate::Schema::Region).await
    }

    /// The size of the write-ahead log now, on SQLite (kept under a bound by restarting it); `None` on
    /// PostgreSQL, whose log belongs to the server.
    pub fn wal_bytes(&self) -> Option<u64> {
        self.db.wal_bytes()
    }

    /// On SQLite, the virtual-machine steps this store's statements have run so far: the work done, whatever the
    /// machine's speed (tests compare it between runs of the same job). `None` on PostgreSQL.
    pub fn statement_steps(&self) -> Option<u64> {
        self.db.steps()
    }

    /// Finish queued writes and close every connection.
    pub async fn close(&self) {
        self.db.close().await;
    }
}

impl RegionStore for SqlStore {}
