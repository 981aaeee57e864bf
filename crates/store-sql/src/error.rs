//! sqlx errors in the terms the layers above act on.

use parley_store::StoreError;

pub(crate) fn store_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.constraint().map(str::to_string).unwrap_or_else(|| db.message().to_string()))
        }
        sqlx::Error::Database(db) if is_busy(db.message()) => StoreError::Unavailable(db.message().to_string()),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(e.to_string()),
    }
}

fn is_busy(msg: &str) -> bool {
    msg.contains("database is locked") || msg.contains("database is busy")
}

/// A stored value that does not parse: the database holds something Parley never wrote.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("stored {what} is not valid: {value:?}"))
}

pub(crate) trait SqlResultExt<T> {
    fn db(self) -> Result<T, StoreError>;
}

impl<T> SqlResultExt<T> for Result<T, sqlx::Error> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(store_err)
    }
}
