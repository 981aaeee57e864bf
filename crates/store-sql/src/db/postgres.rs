//! PostgreSQL through sqlx. Several processes may share the database; each unit of work is a transaction.

use super::{BoxFuture, Row, Tx, Value};
use crate::url::DatabaseUrl;
use async_trait::async_trait;
use parley_store::StoreError;
use sqlx::postgres::{PgArguments, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::{Column, Executor, PgConnection, PgPool, Postgres, Row as _, TypeInfo};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct PgDb {
    pool: PgPool,
}

pub(crate) fn err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.constraint().map(str::to_string).unwrap_or_else(|| db.message().to_string()))
        }
        // Deadlock and serialization failures: the transaction lost a race; the caller reads again and retries,
        // as after any stale write.
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40P01" | "40001")) => StoreError::Stale,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

fn bind<'q>(mut q: Query<'q, Postgres, PgArguments>, args: Vec<Value>) -> Query<'q, Postgres, PgArguments> {
    for a in args {
        q = match a {
            Value::Int(i) => q.bind(i),
            Value::Text(s) => q.bind(s),
            Value::Bytes(b) => q.bind(b),
            Value::NullInt => q.bind(None::<i64>),
            Value::NullText => q.bind(None::<String>),
        };
    }
    q
}

fn rows(raw: Vec<PgRow>) -> Result<Vec<Row>, StoreError> {
    let Some(first) = raw.first() else { return Ok(Vec::new()) };
    let names: Arc<[String]> = first.columns().iter().map(|c| c.name().to_string()).collect();
    raw.iter()
        .map(|r| {
            let mut values = Vec::with_capacity(names.len());
            for (i, col) in r.columns().iter().enumerate() {
                let v = match col.type_info().name() {
                    "INT8" => r.try_get::<Option<i64>, _>(i).map(|v| v.map_or(Value::NullInt, Value::Int)),
                    "INT4" => {
                        r.try_get::<Option<i32>, _>(i).map(|v| v.map_or(Value::NullInt, |n| Value::Int(n.into())))
                    }
                    "INT2" => {
                        r.try_get::<Option<i16>, _>(i).map(|v| v.map_or(Value::NullInt, |n| Value::Int(n.into())))
                    }
                    "BOOL" => {
                        r.try_get::<Option<bool>, _>(i).map(|v| v.map_or(Value::NullInt, |b| Value::Int(b.into())))
                    }
                    "VOID" => Ok(Value::NullText),
                    "BYTEA" => r.try_get::<Option<Vec<u8>>, _>(i).map(|v| v.map_or(Value::NullText, Value::Bytes)),
                    _ => r.try_get::<Option<String>, _>(i).map(|v| v.map_or(Value::NullText, Value::Text)),
                }
                .map_err(err)?;
                values.push(v);
            }
            Ok(Row::new(names.clone(), values))
        })
        .collect()
}

struct PgTx<'t> {
    conn: &'t mut PgConnection,
}

#[async_trait]
impl Tx for PgTx<'_> {
    async fn exec(&mut self, sql: &str, args: Vec<Value>) -> Result<u64, StoreError> {
        Ok(bind(sqlx::query(sql), args).execute(&mut *self.conn).await.map_err(err)?.rows_affected())
    }
    async fn query(&mut self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        rows(bind(sqlx::query(sql), args).fetch_all(&mut *self.conn).await.map_err(err)?)
    }
    async fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute(sql).await.map_err(err)?;
        Ok(())
    }
}

impl PgDb {
    pub(crate) async fn connect(url: &DatabaseUrl, max: u32) -> Result<PgDb, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max.max(1))
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Duration::from_secs(300))
            .connect(url.as_str())
            .await
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", url.redacted())))?;
        Ok(PgDb { pool })
    }

    pub(crate) async fn query(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        rows(bind(sqlx::query(sql), args).fetch_all(&self.pool).await.map_err(err)?)
    }

    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Tx) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let mut tx = self.pool.begin().await.map_err(err)?;
        let value = {
            let mut w = PgTx { conn: &mut tx };
            f(&mut w).await?
        };
        tx.commit().await.map_err(err)?;
        Ok(value)
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    /// Payloads of `NOTIFY channel` from every process on this database, as they come. The listener reconnects by
    /// itself when its connection drops; what was notified meanwhile is lost, which an empty payload reports.
    pub(crate) async fn listen(&self, channel: &str) -> Result<tokio::sync::mpsc::Receiver<String>, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await.map_err(err)?;
        listener.listen(channel).await.map_err(err)?;
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(n) => {
                        if tx.send(n.payload().to_string()).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the database's notifications; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        // What was notified meanwhile is lost: an empty payload tells readers to look for themselves.
                        if tx.send(String::new()).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(rx)
    }
}
