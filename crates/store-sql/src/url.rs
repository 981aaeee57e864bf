//! Database URLs: which engine, and for SQLite where the file is. Anything else is refused at start.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A checked database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    engine: Engine,
    url: String,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://HOST/DB")]
    Scheme(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            return Err(UrlError::Scheme(redact(url)));
        };
        Ok(DatabaseUrl { engine, url: url.to_string() })
    }

    /// The SQLite database file at `path`, created if missing.
    pub fn sqlite_file(path: &Path) -> Self {
        DatabaseUrl { engine: Engine::Sqlite, url: format!("sqlite://{}?mode=rwc", path.display()) }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.url
    }

    /// The file a SQLite URL points at.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        if self.engine != Engine::Sqlite {
            return None;
        }
        let rest = self.url.trim_start_matches("sqlite:").trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// The URL with any password replaced, for logs and messages.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }
}

fn redact(url: &str) -> String {
    // scheme://user:password@host → scheme://user:***@host
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_and_paths() {
        let u = DatabaseUrl::parse("postgres://parley:secret@db/parley_eu").unwrap();
        assert_eq!(u.engine(), Engine::Postgres);
        assert_eq!(u.redacted(), "postgres://parley:***@db/parley_eu");
        assert!(!format!("{u:?}").contains("secret"));
        let s = DatabaseUrl::sqlite_file(Path::new("/data/eu/parley.db"));
        assert_eq!(s.sqlite_path(), Some(PathBuf::from("/data/eu/parley.db")));
        assert!(DatabaseUrl::parse("mysql://x/y").is_err());
    }
}
