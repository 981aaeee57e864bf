//! SQLite through rusqlite.
//!
//! Every commit waits for an fsync (`synchronous = FULL`) and SQLite has one writer at a time, so one thread owns
//! the write connection: it takes whatever units of work are queued, runs them in one transaction, each inside a
//! savepoint when there are several (one that fails is rolled back alone), commits once, and only then answers each
//! caller. Units of work run synchronously on that thread; their futures never wait on anything else. Reads run on
//! a pool of read-only connections, off the async threads.

use super::{BoxFuture, Row, Tx, Value};
use async_trait::async_trait;
use parley_store::StoreError;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, Statement, ToSql};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tokio::sync::{mpsc, oneshot, Semaphore};

type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type Job = Box<dyn for<'c> FnOnce(&'c mut dyn Tx) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// Most units of work one commit takes.
const MAX_BATCH: usize = 256;

pub(crate) struct SqliteDb {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    readers: Arc<Readers>,
    /// Dropping the sender stops the checkpointer; closing waits for its thread, so that once `close` returns no
    /// connection of this database is open.
    checkpoints: Mutex<Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>>,
    /// Virtual-machine steps run by every statement of this database so far (see `SqliteDb::steps`).
    steps: Arc<AtomicU64>,
}

/// How often the checkpointer copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// How large the WAL may grow before the writer restarts it. Under steady writes a PASSIVE checkpoint never
/// catches up with the end of the log (frames are appended while it copies), and SQLite reuses the log from its
/// start only once a writer finds every frame copied: the log grew by gigabytes a minute (11.7 GB after 4 minutes
/// of ticket creation), and every reader looking a page up walked a longer log.
const WAL_BOUND: u64 = 64 * 1024 * 1024;

/// The WAL file is cut back to this size whenever it starts over (`journal_size_limit`).
const WAL_KEEP: u64 = WAL_BOUND;

/// How long the writer waits for readers of old pages when it restarts the WAL. Reads are one statement each and
/// short; one that outlasts this leaves the restart to the writer's next round.
const RESTART_WAITS_AT_MOST: std::time::Duration = std::time::Duration::from_millis(250);

/// Copy committed pages from the WAL into the database file, beside the writer rather than in its way. PASSIVE
/// never waits for readers or the writer; when the log has grown past [`WAL_BOUND`] anyway, the writer is asked to
/// restart it (see `restart_wal`), which then has little left to copy.
fn checkpointer(path: PathBuf, stop: std::sync::mpsc::Receiver<()>, restart: Arc<AtomicBool>) {
    let Ok(conn) = open(&path, false).and_then(|c| c.execute_batch("PRAGMA query_only = OFF").map(|_| c).map_err(err))
    else {
        tracing::error!(path = %path.display(), "the checkpointer could not open the database");
        return;
    };
    let mut rounds: u64 = 0;
    loop {
        match stop.recv_timeout(CHECKPOINT_EVERY) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
                    // The frames in the log (`-1` when the database is not in WAL mode).
                    Ok(frames) => {
                        if wal_frames_bytes(&conn, frames) > WAL_BOUND {
                            restart.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
                }
                // Now and then, let SQLite refresh the statistics its query planner uses (never those of the search
                // indexes' own tables, see FORGET_INDEX_STATS).
                rounds += 1;
                if rounds % 1200 == 20 {
                    if let Err(e) = optimize(&conn) {
                        tracing::warn!(error = %e, "refreshing the planner's statistics failed");
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                }
            }
            _ => {
                // Closing: leave a small WAL behind.
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                return;
            }
        }
    }
}

/// What `frames` frames of the log take on disk.
fn wal_frames_bytes(conn: &Connection, frames: i64) -> u64 {
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap_or(4096);
    // Each frame is a page and a 24-byte header.
    u64::try_from(frames.max(0) * (page + 24)).unwrap_or(0)
}

/// Restarts the WAL on the write connection, between transactions: copies what is left into the database file and
/// waits (briefly) for readers of older pages, so that the next write starts the log over.
fn restart_wal(conn: &Connection) {
    let restarted = conn
        .busy_timeout(RESTART_WAITS_AT_MOST)
        .and_then(|_| conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0)));
    if let Err(e) = conn.busy_timeout(WRITER_BUSY_TIMEOUT) {
        tracing::warn!(error = %e, "could not set the writer's busy timeout back");
    }
    match restarted {
        Ok(0) => {}
        Ok(_) => tracing::debug!("readers held the write-ahead log; restarting it later"),
        Err(e) => tracing::warn!(error = %e, "restarting the write-ahead log failed"),
    }
}

/// How long the writer waits for a lock another connection holds (a checkpoint's, an operator's).
const WRITER_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

fn err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::ConstraintViolation if matches!(f.extended_code, 2067 | 1555) => {
                StoreError::Conflict(msg.clone().unwrap_or_else(|| e.to_string()))
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Unavailable(e.to_string()),
            // The extended code tells one I/O failure from another (a short read, a lock, an fsync).
            _ => StoreError::Other(format!("{e} (SQLite code {})", f.extended_code)),
        },
        _ => StoreError::Other(e.to_string()),
    }
}

/// FTS5 removes a merged segment's pages with `DELETE FROM <index>_data WHERE id >= ? AND id <= ?`, a range of the
/// table's key, unless the planner's statistics say the table is tiny: after an `ANALYZE` run while the index was
/// empty (an operator's, or the benchmark's after seeding), SQLite planned a full scan for every such delete, and
/// each merge step read the whole index (2.5 GB/s read for 1.5 MB/s written, a quarter of a million tickets indexed
/// in 13 minutes). FTS5 reads its tables only by key, so their statistics are never worth having.
const FORGET_INDEX_STATS: &str = "DELETE FROM sqlite_stat1 WHERE tbl GLOB 'ticket_search_*' OR tbl GLOB 'kb_search_*';";

/// `PRAGMA optimize`, less the search indexes' statistics, in one transaction: no connection ever loads them.
fn optimize(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE; PRAGMA optimize;").map_err(err)?;
    drop_index_stats(conn)?;
    conn.execute_batch("COMMIT").map_err(err)
}

/// Deletes the search indexes' rows from `sqlite_stat1`, which exists only once something was analyzed.
fn drop_index_stats(conn: &Connection) -> Result<(), StoreError> {
    let analyzed: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')", [], |r| r.get(0))
        .map_err(err)?;
    if analyzed {
        conn.execute_batch(FORGET_INDEX_STATS).map_err(err)?;
    }
    Ok(())
}

/// Removes the search indexes' statistics before the writer loads the schema (a connection keeps the statistics it
/// loaded), on a connection of its own.
fn forget_index_stats(path: &Path) -> Result<(), StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
    drop_index_stats(&conn)
}

fn open(path: &Path, writer: bool) -> Result<Connection, StoreError> {
    if writer {
        forget_index_stats(path)?;
    }
    let conn = Connection::open(path).map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
    // FULL: a commit is on disk before it is acknowledged. secure_delete: erased data is overwritten, not left in
    // free pages. The statement journal of savepoints stays in memory.
    // The writer does not checkpoint (a checkpoint inside a commit makes every queued writer wait for it); the
    // checkpointer thread does, on its own connection. Its page cache is small: SQLite walks it at every commit.
    let pragmas = if writer {
        format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; \
             PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; \
             PRAGMA cache_size = -4000; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {WAL_KEEP};"
        )
    } else {
        "PRAGMA busy_timeout = 10000; PRAGMA query_only = ON; PRAGMA cache_size = -8000;".to_string()
    };
    conn.execute_batch(&pragmas).map_err(err)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Int(i) => ToSqlOutput::from(*i),
            Value::Text(s) => ToSqlOutput::from(s.as_str()),
            Value::Bytes(b) => ToSqlOutput::from(b.as_slice()),
            Value::NullInt | Value::NullText => ToSqlOutput::from(rusqlite::types::Null),
        })
    }
}

/// Bind `$n` parameters by their number: SQLite numbers named parameters by first appearance, which is not always
/// `n`.
fn bind(st: &mut Statement<'_>, args: &[Value]) -> Result<(), StoreError> {
    for i in 1..=st.parameter_count() {
        let n = match st.parameter_name(i) {
            Some(name) => name
                .trim_start_matches(['$', '?'])
                .parse::<usize>()
                .map_err(|_| StoreError::Other(format!("unsupported parameter {name}")))?,
            None => i,
        };
        let v =
            args.get(n.wrapping_sub(1)).ok_or_else(|| StoreError::Other(format!("no argument for parameter {n}")))?;
        st.raw_bind_parameter(i, v).map_err(err)?;
    }
    Ok(())
}

fn run_query(conn: &Connection, sql: &str, args: &[Value], steps: &AtomicU64) -> Result<Vec<Row>, StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(err)?;
    bind(&mut st, args)?;
    let names: Arc<[String]> = st.column_names().into_iter().map(str::to_string).collect();
    let width = names.len();
    let mut rows = st.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(err)? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(match r.get_ref(i).map_err(err)? {
                ValueRef::Null => Value::NullText,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Real(f) => Value::Text(f.to_string()),
                ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
            });
        }
        out.push(Row::new(names.clone(), values));
    }
    drop(rows);
    count_steps(&st, steps);
    Ok(out)
}

/// Adds what the statement did since it was last counted to `steps`: virtual-machine steps, a measure of work that
/// does not depend on the machine's speed (a scan of a table costs a few per row it reads, a lookup by key a few
/// in all).
fn count_steps(st: &Statement<'_>, steps: &AtomicU64) {
    let n = st.reset_status(rusqlite::StatementStatus::VmStep);
    steps.fetch_add(u64::try_from(n).unwrap_or(0), Ordering::Relaxed);
}

/// A statement without arguments, kept prepared: transaction control runs several times per batch.
fn control(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql).and_then(|mut st| st.raw_execute()).map(|_| ()).map_err(err)
}

fn run_exec(conn: &Connection, sql: &str, args: &[Value], steps: &AtomicU64) -> Result<u64, StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(err)?;
    bind(&mut st, args)?;
    let done = st.raw_execute().map(|n| n as u64).map_err(err);
    count_steps(&st, steps);
    done
}

/// The write connection, as units of work see it.
struct WriteTx {
    conn: Connection,
    steps: Arc<AtomicU64>,
}

#[async_trait]
impl Tx for WriteTx {
    async fn exec(&mut self, sql: &str, args: Vec<Value>) -> Result<u64, StoreError> {
        run_exec(&self.conn, sql, &args, &self.steps)
    }
    async fn query(&mut self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        run_query(&self.conn, sql, &args, &self.steps)
    }
    async fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(err)
    }
}

/// Run a unit of work's future to its end on this thread. Units of work only call the connection, which answers
/// at once, so the future is ready on the first poll; one that is not is a bug and is abandoned.
fn run_now<T>(mut fut: BoxFuture<'_, T>) -> Option<T> {
    let mut cx = Context::from_waker(Waker::noop());
    // A unit of work that panics must not take the writer thread (and every later write) down with it.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(&mut cx))) {
        Ok(Poll::Ready(v)) => Some(v),
        Ok(Poll::Pending) => {
            tracing::error!("a unit of work waited on something other than the database; it was abandoned");
            None
        }
        Err(_) => {
            tracing::error!("a unit of work panicked; it was abandoned");
            None
        }
    }
}

fn writer_loop(
    path: PathBuf,
    conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    restart: Arc<AtomicBool>,
    steps: Arc<AtomicU64>,
) {
    let mut tx = WriteTx { conn, steps };
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let (finishes, outcome) = run_batch(&mut tx, std::mem::take(&mut batch));
        if let Err(e) = &outcome {
            tracing::error!(error = %e, "a write batch failed");
        }
        for finish in finishes {
            let outcome = outcome.clone();
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| finish(outcome))).is_err() {
                tracing::error!("answering a writer panicked");
            }
        }
        // Between transactions, where a checkpoint may run: the log starts over with the next write.
        if tx.conn.is_autocommit() && restart.swap(false, Ordering::Relaxed) {
            restart_wal(&tx.conn);
        }
        // A connection left inside a transaction (a ROLLBACK that failed too) would refuse every later BEGIN:
        // start over with a fresh one.
        if !tx.conn.is_autocommit() {
            tracing::error!("the write connection was left in a transaction; reopening it");
            match open(&path, true) {
                Ok(c) => tx.conn = c,
                Err(e) => tracing::error!(error = %e, "could not reopen the write connection"),
            }
        }
    }
}

/// One transaction for the batch. Returns the finishers of the jobs that ran and the commit's outcome; jobs that
/// never ran are dropped with their reply channels, so their callers hear the write was not taken.
fn run_batch(tx: &mut WriteTx, jobs: Vec<Job>) -> (Vec<Finish>, Result<(), StoreError>) {
    let mut finishes = Vec::with_capacity(jobs.len());
    if let Err(e) = control(&tx.conn, "BEGIN IMMEDIATE") {
        return (finishes, Err(e));
    }
    // A lone unit of work needs no savepoint: if it fails, the whole transaction is rolled back.
    let alone = jobs.len() == 1;
    let mut any_ok = false;
    for job in jobs {
        if !alone {
            if let Err(e) = control(&tx.conn, "SAVEPOINT unit") {
                let _ = control(&tx.conn, "ROLLBACK");
                return (finishes, Err(e));
            }
        }
        let Some((ok, finish)) = run_now(job(tx)) else {
            let _ = control(&tx.conn, "ROLLBACK");
            return (finishes, Err(StoreError::Other("a unit of work did not finish".into())));
        };
        finishes.push(finish);
        any_ok |= ok;
        if !alone {
            let end = if ok {
                control(&tx.conn, "RELEASE unit")
            } else {
                tx.conn.execute_batch("ROLLBACK TO unit; RELEASE unit").map_err(err)
            };
            if let Err(e) = end {
                let _ = control(&tx.conn, "ROLLBACK");
                return (finishes, Err(e));
            }
        }
    }
    let end = if any_ok { "COMMIT" } else { "ROLLBACK" };
    let outcome = control(&tx.conn, end);
    if outcome.is_err() {
        let _ = control(&tx.conn, "ROLLBACK");
    }
    (finishes, outcome)
}

impl Readers {
    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        match idle {
            Some(c) => Ok(c),
            None => open(&self.path, false),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut v) = self.idle.lock() {
            v.push(conn);
        }
    }
}

impl SqliteDb {
    pub(crate) async fn open(path: &Path, readers: u32) -> Result<SqliteDb, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let p = path.to_path_buf();
        let conn = tokio::task::spawn_blocking(move || open(&p, true))
            .await
            .map_err(|e| StoreError::Other(format!("opening the database: {e}")))??;
        let (tx, rx) = mpsc::channel::<Job>(4096);
        let writer_path = path.to_path_buf();
        // Set by the checkpointer when the WAL has grown past WAL_BOUND: the writer then restarts it.
        let restart_wal = Arc::new(AtomicBool::new(false));
        let steps = Arc::new(AtomicU64::new(0));
        let (restart, counted) = (restart_wal.clone(), steps.clone());
        let writer = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(writer_path, conn, rx, restart, counted))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer thread: {e}")))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let p = path.to_path_buf();
        let restart = restart_wal;
        let checkpointing = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpointer(p, stopped, restart))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the checkpointer: {e}")))?;
        Ok(SqliteDb {
            checkpoints: Mutex::new(Some((stop, checkpointing))),
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(Readers {
                path: path.to_path_buf(),
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(readers.max(1) as usize),
            }),
            steps,
        })
    }

    /// Virtual-machine steps run by this database's statements so far, reads and writes (FTS5's own statements
    /// inside an index write are not counted).
    pub(crate) fn steps(&self) -> u64 {
        self.steps.load(Ordering::Relaxed)
    }

    /// The size of the write-ahead log file now.
    pub(crate) fn wal_bytes(&self) -> u64 {
        let mut wal = self.readers.path.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).map_or(0, |m| m.len())
    }

    pub(crate) async fn query(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Row>, StoreError> {
        let _permit = self
            .readers
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the database is closed".into()))?;
        let (readers, steps) = (self.readers.clone(), self.steps.clone());
        let sql = sql.to_string();
        tokio::task::spawn_blocking(move || {
            let conn = readers.take()?;
            let result = run_query(&conn, &sql, &args, &steps);
            readers.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Other(format!("a read failed: {e}")))?
    }

    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Tx) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let queue = self.jobs.lock().ok().and_then(|q| q.clone());
        let Some(queue) = queue else { return Err(StoreError::Unavailable("the database is closed".into())) };
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |tx| {
            Box::pin(async move {
                let result = f(tx).await;
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

    /// Let queued writes finish, stop the writer and close every connection.
    /// Copies everything in the write-ahead log into the database file and empties the log, so that pages
    /// overwritten since (erased data, zeroed by `secure_delete`) leave no older copy in the log. Waits briefly for
    /// readers that still hold old pages.
    pub(crate) async fn truncate_wal(&self) -> Result<(), StoreError> {
        let path = self.readers.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = open(&path, false)?;
            conn.execute_batch("PRAGMA query_only = OFF").map_err(err)?;
            for _ in 0..100 {
                let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).map_err(err)?;
                if busy == 0 {
                    return Ok(());
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(StoreError::Unavailable("the write-ahead log is held by readers; try again".into()))
        })
        .await
        .map_err(|e| StoreError::Other(format!("emptying the write-ahead log: {e}")))?
    }

    pub(crate) async fn close(&self) {
        if let Ok(mut q) = self.jobs.lock() {
            q.take();
        }
        let handle = self.writer.lock().ok().and_then(|mut h| h.take());
        if let Some(h) = handle {
            let _ = tokio::task::spawn_blocking(move || h.join()).await;
        }
        self.readers.permits.close();
        if let Ok(mut idle) = self.readers.idle.lock() {
            idle.clear();
        }
        // Last, with no reader left to wait for: its final checkpoint, then its connection closes.
        let checkpointing = self.checkpoints.lock().ok().and_then(|mut c| c.take());
        if let Some((stop, thread)) = checkpointing {
            drop(stop);
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
