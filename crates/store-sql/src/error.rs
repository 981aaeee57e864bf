use parley_store::StoreError;

/// A stored value that does not parse: the database holds something Parley never wrote.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("stored {what} is not valid: {value:?}"))
}

/// Give a uniqueness conflict a message that says what was taken.
pub(crate) fn conflict_as(e: StoreError, what: impl FnOnce() -> String) -> StoreError {
    match e {
        StoreError::Conflict(_) => StoreError::Conflict(what()),
        other => other,
    }
}
