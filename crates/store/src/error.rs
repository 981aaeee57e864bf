/// What can go wrong in storage, in the terms the layers above act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was hit (a slug, an email address); the text names what.
    #[error("already exists: {0}")]
    Conflict(String),
    /// Another writer changed the row first; the caller may read again and retry.
    #[error("changed concurrently")]
    Stale,
    /// The database could not be reached or timed out; worth retrying later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("storage failed: {0}")]
    Other(String),
}
