//! The SQL both engines run, behind one small interface: values (text, 64-bit integers, typed nulls), rows read by
//! column name, and units of work.
//!
//! SQLite is driven through rusqlite: one thread owns the write connection and runs each batch of queued units of
//! work synchronously in one transaction (group commit), and reads run on a small pool of read-only connections off
//! the async threads. PostgreSQL is driven through sqlx: a unit of work is a transaction on the pool.

mod postgres;
mod sqlite;

use crate::url::{DatabaseUrl, Engine};
use async_trait::async_trait;
use parley_store::StoreError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A value crossing to or from the database. Nulls carry their type, which PostgreSQL needs for parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    NullInt,
    NullText,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullInt, Value::Int)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::NullText, Value::Text)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Value::NullText, |s| Value::Text(s.to_string()))
    }
}

/// Arguments for a query: `args![a, b, c]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { vec![$($crate::db::Value::from($v)),*] };
}
pub(crate) use args;

/// One result row. Columns are read by name; a missing column or a value of the wrong kind is a storage error.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(names: Arc<[String]>, values: Vec<Value>) -> Self {
        Row { names, values }
    }

    /// Every column with its value, in the order the query named them.
    pub(crate) fn columns(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.names.iter().map(String::as_str).zip(self.values.iter())
    }

    fn get(&self, name: &str) -> Result<&Value, StoreError> {
        self.names
            .iter()
            .position(|n| n == name)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| StoreError::Other(format!("the query has no column {name}")))
    }

    pub(crate) fn text(&self, name: &str) -> Result<String, StoreError> {
        self.opt_text(name)?.ok_or_else(|| StoreError::Other(format!("column {name} is null")))
    }

    pub(crate) fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        match self.get(name)? {
            Value::Text(s) => Ok(Some(s.clone())),
            Value::NullInt | Value::NullText => Ok(None),
            Value::Int(i) => Err(StoreError::Other(format!("column {name} holds the number {i}, not text"))),
            Value::Bytes(_) => Err(StoreError::Other(format!("column {name} holds bytes, not text"))),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Result<i64, StoreError> {
        self.opt_int(name)?.ok_or_else(|| StoreError::Other(format!("column {name} is null")))
    }

    pub(crate) fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        match self.get(name)? {
            Value::Int(i) => Ok(Some(*i)),
            Value::NullInt | Value::NullText => Ok(None),
            Value::Text(_) | Value::Bytes(_) => Err(StoreError::Other(format!("column {name} is not a number"))),
        }
    }

    pub(crate) fn bytes(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        match self.get(name)? {
            Value::Bytes(b) => Ok(b.clone()),
            Value::Text(t) => Ok(t.as_bytes().to_vec()),
            _ => Err(StoreError::Other(format!("column {name} holds no bytes"))),
        }
    }

    /// The first column as a number (for `SELECT count(*)`, `RETURNING number` and the like).
    pub(crate) fn first_int(&self) -> Result<Option<i64>, StoreError> {
        match self.values.first() {
            Some(Value::Int(i)) => Ok(Some(*i)),
            Some(Value::NullInt | Value::NullText) => Ok(None),
            _ => Err(StoreError::Other("the first column is not a number".into())),
        }
    }
}

/// What a unit of work runs its statements through.
#[async_trait]
pub(crate) trait Tx: Send {
    /// Run a statement; returns the rows it changed.
    async fn exec(&mut self, sql: &str, args: Vec<Value>) -> Result<u64, StoreError>;
    /// Run a query; returns its rows.
    async fn query(&mut self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, StoreError>;
    /// Run several statements without arguments (schema changes).
    async fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
}

impl dyn Tx + '_ {
    pub(crate) async fn query_opt(&mut self, sql: &str, args: Vec<Value>) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args).await?.into_iter().next())
    }
}

/// One database: a region's or the directory's.
#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(Arc<sqlite::SqliteDb>),
    Postgres(postgres::PgDb),
}

impl Db {
    pub(crate) async fn connect(url: &DatabaseUrl, readers: u32) -> Result<Db, StoreError> {
        match url.engine() {
            Engine::Sqlite => {
                let path = url
                    .sqlite_path()
                    .ok_or_else(|| StoreError::Unavailable(format!("{} names no file", url.redacted())))?;
                Ok(Db::Sqlite(Arc::new(sqlite::SqliteDb::open(&path, readers).await?)))
            }
            Engine::Postgres => Ok(Db::Postgres(postgres::PgDb::connect(url, readers).await?)),
        }
    }

    pub(crate) fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// A read outside any unit of work: sees everything committed.
    pub(crate) async fn query(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        match self {
            Db::Sqlite(db) => db.query(sql, args).await,
            Db::Postgres(db) => db.query(sql, args).await,
        }
    }

    pub(crate) async fn query_opt(&self, sql: &str, args: Vec<Value>) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args).await?.into_iter().next())
    }

    /// Run `f` as one unit of work and return its result once it is committed; nothing of it stays if it fails.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Tx) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        match self {
            Db::Sqlite(db) => db.write(f).await,
            Db::Postgres(db) => db.write(f).await,
        }
    }

    /// Leaves no copy of deleted data in the database's files: on SQLite, empties the write-ahead log (deleted
    /// content is already zeroed by `secure_delete`); on PostgreSQL, whose files are the server's, nothing here.
    pub(crate) async fn purge_files(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(db) => db.truncate_wal().await,
            Db::Postgres(_) => Ok(()),
        }
    }

    /// `NOTIFY` payloads on `channel` from every process sharing the database; `None` where the engine has no such
    /// thing (SQLite, whose database one process serves).
    pub(crate) async fn listen(
        &self,
        channel: &str,
    ) -> Result<Option<tokio::sync::mpsc::Receiver<String>>, StoreError> {
        match self {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(db) => db.listen(channel).await.map(Some),
        }
    }

    /// The write-ahead log's size on SQLite; PostgreSQL's log is the server's, not the database's.
    pub(crate) fn wal_bytes(&self) -> Option<u64> {
        match self {
            Db::Sqlite(db) => Some(db.wal_bytes()),
            Db::Postgres(_) => None,
        }
    }

    /// SQLite's virtual-machine steps so far (see `SqliteDb::steps`).
    pub(crate) fn steps(&self) -> Option<u64> {
        match self {
            Db::Sqlite(db) => Some(db.steps()),
            Db::Postgres(_) => None,
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(db) => db.close().await,
            Db::Postgres(db) => db.close().await,
        }
    }
}
