//! Snapshots of a region's SQLite database for `parley backup`, taken beside a running server.
//!
//! `VACUUM INTO` reads the database in one read transaction and writes what it saw to a new file: a consistent
//! snapshot that waits for no writer and makes none wait (WAL readers never block the writer), with no extension
//! of SQLite needed. Files (attachments, images) are rows of the same database (`blobs`), so one snapshot holds
//! them too; the snapshot is then checked on its own, before anyone relies on it.

use parley_store::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// What a snapshot holds, read from the snapshot file itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotFacts {
    /// The accounts stored in it, `(id, slug)`.
    pub accounts: Vec<(String, String)>,
    pub tickets: i64,
    pub attachments: i64,
    pub audit_entries: i64,
}

/// How long the snapshot waits for a lock held by the server (a checkpoint restarting the log).
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// Writes a consistent copy of the SQLite database at `from` to `to` (which must not exist), then checks the copy:
/// SQLite's own integrity check, and every attachment's file present. `NotFound` when `from` does not exist.
pub fn snapshot_sqlite(from: &Path, to: &Path) -> Result<SnapshotFacts, StoreError> {
    if !from.exists() {
        return Err(StoreError::NotFound);
    }
    let failed = |what: &str, e: rusqlite::Error| StoreError::Other(format!("{what} {}: {e}", from.display()));
    // Read-write without create: a read-only connection could not open a WAL database whose shared-memory file is
    // gone (the server closed and removed it); this connection writes nothing to `from`.
    let conn = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| failed("cannot open", e))?;
    conn.busy_timeout(BUSY_WAIT).map_err(|e| failed("cannot wait on", e))?;
    let target = to.to_str().ok_or_else(|| StoreError::Other(format!("{} is not UTF-8", to.display())))?;
    conn.execute("VACUUM INTO ?1", [target]).map_err(|e| failed("cannot snapshot", e))?;
    drop(conn);
    check_sqlite(to)
}

/// Checks a SQLite database file that no server has open (a snapshot, or one just restored) and reads what it
/// holds.
pub fn check_sqlite(file: &Path) -> Result<SnapshotFacts, StoreError> {
    let bad = |e: rusqlite::Error| StoreError::Other(format!("{}: {e}", file.display()));
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(bad)?;
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(bad)?;
    if verdict != "ok" {
        return Err(StoreError::Other(format!("{} fails SQLite's integrity check: {verdict}", file.display())));
    }
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map_err(bad);
    let missing = count(
        "SELECT count(*) FROM attachments a WHERE NOT EXISTS \
         (SELECT 1 FROM blobs b WHERE b.account_id = a.account_id AND b.hash = a.blob_hash)",
    )?;
    if missing > 0 {
        return Err(StoreError::Other(format!("{}: {missing} attachments have no file", file.display())));
    }
    let mut st = conn.prepare("SELECT id, slug FROM accounts ORDER BY slug").map_err(bad)?;
    let accounts = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(bad)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    Ok(SnapshotFacts {
        accounts,
        tickets: count("SELECT count(*) FROM tickets")?,
        attachments: count("SELECT count(*) FROM attachments")?,
        audit_entries: count("SELECT count(*) FROM audit_log")?,
    })
}
