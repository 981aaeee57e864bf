//! How writes reach the database.
//!
//! PostgreSQL: each unit of work is its own transaction on the pool; the server commits concurrent transactions
//! together on its own. SQLite allows one writer at a time and every commit waits for an fsync, so a single task
//! owns the write connection and commits whatever units of work are queued in one transaction, each inside a
//! savepoint: one that fails is rolled back alone, and every caller hears back only after the commit that made its
//! work durable.

use crate::error::SqlResultExt;
use crate::url::Engine;
use parley_store::StoreError;
use sqlx::{AnyConnection, AnyPool};
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Called after the batch's commit with its outcome.
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A unit of work: runs against the connection inside the batch's transaction; says whether it succeeded.
type Job = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// Most units of work one SQLite commit takes.
const MAX_BATCH: usize = 256;

#[derive(Clone)]
pub(crate) enum Writer {
    Pool(AnyPool),
    Queue(mpsc::Sender<Job>),
}

impl Writer {
    pub(crate) fn new(engine: Engine, pool: AnyPool) -> Self {
        match engine {
            Engine::Postgres => Writer::Pool(pool),
            Engine::Sqlite => {
                let (tx, rx) = mpsc::channel::<Job>(4096);
                tokio::spawn(run_batches(pool, rx));
                Writer::Queue(tx)
            }
        }
    }

    /// Run `f` as one unit of work and return its result once it is committed.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        match self {
            Writer::Pool(pool) => {
                let mut tx = pool.begin().await.db()?;
                let value = f(&mut tx).await?;
                tx.commit().await.db()?;
                Ok(value)
            }
            Writer::Queue(queue) => {
                let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
                let job: Job = Box::new(move |conn| {
                    Box::pin(async move {
                        let result = f(conn).await;
                        let ok = result.is_ok();
                        let finish: Finish = Box::new(move |commit| {
                            let _ = reply.send(commit.and(result));
                        });
                        (ok, finish)
                    })
                });
                queue.send(job).await.map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?;
                answer.await.map_err(|_| StoreError::Unavailable("the write could not be committed".into()))?
            }
        }
    }
}

async fn run_batches(pool: AnyPool, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        let (finishes, outcome) = run_batch(&pool, jobs).await;
        if let Err(e) = &outcome {
            tracing::error!(error = %e, "a write batch failed");
        }
        for finish in finishes {
            finish(outcome.clone());
        }
    }
}

/// Run one batch in one transaction. Returns the finishers of the jobs that ran, and the batch's outcome. Jobs that
/// never ran are dropped with their reply channels, so their callers hear that the write was not taken.
async fn run_batch(pool: &AnyPool, jobs: Vec<Job>) -> (Vec<Finish>, Result<(), StoreError>) {
    let mut finishes = Vec::with_capacity(jobs.len());
    let mut conn = match pool.acquire().await.db() {
        Ok(c) => c,
        Err(e) => return (finishes, Err(e)),
    };
    if let Err(e) = exec(&mut conn, "BEGIN IMMEDIATE").await {
        return (finishes, Err(e));
    }
    for job in jobs {
        if let Err(e) = exec(&mut conn, "SAVEPOINT unit").await {
            let _ = exec(&mut conn, "ROLLBACK").await;
            return (finishes, Err(e));
        }
        let (ok, finish) = job(&mut conn).await;
        finishes.push(finish);
        let end = if ok { "RELEASE unit" } else { "ROLLBACK TO unit; RELEASE unit" };
        if let Err(e) = exec(&mut conn, end).await {
            let _ = exec(&mut conn, "ROLLBACK").await;
            return (finishes, Err(e));
        }
    }
    let commit = exec(&mut conn, "COMMIT").await;
    if commit.is_err() {
        let _ = exec(&mut conn, "ROLLBACK").await;
    }
    (finishes, commit)
}

fn exec<'a>(conn: &'a mut AnyConnection, sql: &'static str) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move { sqlx::Executor::execute(conn, sql).await.db().map(|_| ()) })
}
