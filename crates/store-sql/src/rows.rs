//! Turning stored text back into checked values. A value that does not parse means the database holds something
//! Parley never wrote; that is reported, never papered over.

use crate::error::corrupt;
use parley_store::StoreError;
use std::str::FromStr;

pub(crate) fn id<T: FromStr>(what: &str, s: &str) -> Result<T, StoreError> {
    s.parse().map_err(|_| corrupt(what, s))
}

pub(crate) fn opt_id<T: FromStr>(what: &str, s: Option<&str>) -> Result<Option<T>, StoreError> {
    s.map(|s| id(what, s)).transpose()
}

pub(crate) fn json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|_| corrupt(what, s))
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(format!("could not encode JSON: {e}")))
}

pub(crate) fn parsed<T, E>(what: &str, s: &str, f: impl FnOnce(&str) -> Result<T, E>) -> Result<T, StoreError> {
    f(s).map_err(|_| corrupt(what, s))
}

/// A list of `$n` placeholders starting at `first`, e.g. `$3, $4, $5`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
