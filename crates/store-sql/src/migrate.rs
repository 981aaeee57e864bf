//! Schema migrations, embedded in the binary, one list per engine, applied at start and by `parley migrate`.
//!
//! All pending migrations apply in one transaction that first takes a lock (PostgreSQL: an advisory lock; SQLite:
//! `BEGIN IMMEDIATE`), so processes starting together don't race each other.

use crate::error::SqlResultExt;
use crate::url::Engine;
use parley_domain::Timestamp;
use parley_store::StoreError;
use sqlx::{AnyPool, Row};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const REGION_SQLITE: &[Migration] =
    &[Migration { version: 1, name: "core", sql: include_str!("../migrations/sqlite/0001_core.sql") }];

pub(crate) const REGION_POSTGRES: &[Migration] =
    &[Migration { version: 1, name: "core", sql: include_str!("../migrations/postgres/0001_core.sql") }];

pub(crate) const DIRECTORY: &[Migration] =
    &[Migration { version: 1, name: "directory", sql: include_str!("../migrations/directory/0001_directory.sql") }];

/// Distinguishes the directory's lock from a region's when both live in one PostgreSQL database.
#[derive(Clone, Copy)]
pub(crate) enum Schema {
    Region,
    Directory,
}

/// Apply what is missing. Returns the versions applied now.
pub(crate) async fn migrate(pool: &AnyPool, engine: Engine, schema: Schema) -> Result<Vec<i64>, StoreError> {
    let (migrations, table, lock) = match (schema, engine) {
        (Schema::Region, Engine::Sqlite) => (REGION_SQLITE, "schema_migrations", 0),
        (Schema::Region, Engine::Postgres) => (REGION_POSTGRES, "schema_migrations", 72_650_001),
        (Schema::Directory, _) => (DIRECTORY, "directory_migrations", 72_650_002),
    };
    let mut conn = pool.acquire().await.db()?;
    let begin = match engine {
        Engine::Sqlite => "BEGIN IMMEDIATE".to_string(),
        // A transaction-scoped lock, released by COMMIT or ROLLBACK whatever happens.
        Engine::Postgres => {
            format!("BEGIN; DO $$ BEGIN PERFORM pg_advisory_xact_lock({lock}); END $$;")
        }
    };
    sqlx::Executor::execute(&mut *conn, begin.as_str()).await.db()?;
    let result = apply(&mut conn, migrations, table).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    sqlx::Executor::execute(&mut *conn, end).await.db()?;
    result
}

fn apply<'a>(
    conn: &'a mut sqlx::AnyConnection,
    migrations: &'a [Migration],
    table: &'a str,
) -> crate::writer::BoxFuture<'a, Result<Vec<i64>, StoreError>> {
    Box::pin(async move {
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {table} (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        );
        sqlx::Executor::execute(&mut *conn, create.as_str()).await.db()?;
        let select = format!("SELECT version FROM {table}");
        let rows = sqlx::query(&select).fetch_all(&mut *conn).await.db()?;
        let applied: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>(0)).collect::<Result<_, _>>().db()?;
        if let Some(newest) = applied.iter().max() {
            if *newest > migrations.iter().map(|m| m.version).max().unwrap_or(0) {
                return Err(StoreError::Other(format!(
                    "the database has schema version {newest}, newer than this parley knows; upgrade parley"
                )));
            }
        }
        let mut done = Vec::new();
        let insert = format!("INSERT INTO {table} (version, name, applied_at) VALUES ($1, $2, $3)");
        for m in migrations.iter().filter(|m| !applied.contains(&m.version)) {
            sqlx::Executor::execute(&mut *conn, m.sql).await.db()?;
            sqlx::query(&insert)
                .bind(m.version)
                .bind(m.name)
                .bind(Timestamp::now().millis())
                .execute(&mut *conn)
                .await
                .db()?;
            tracing::info!(version = m.version, name = m.name, "applied migration");
            done.push(m.version);
        }
        Ok(done)
    })
}
