//! Passwords are stored as argon2id hashes. Hashing is deliberately slow, so it runs off the async threads.

use crate::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

/// At most this many hashes at once: each takes ~19 MiB and a core for a moment, and unauthenticated requests
/// (sign-in) can ask for them. A process-wide limit on a resource, not application state.
static HASHING: Semaphore = Semaphore::const_new(2);

async fn slot() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    HASHING.acquire().await.map_err(|_| AppError::Unavailable("password hashing is closed".into()))
}

pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    let salt_bytes = super::tokens::random_key();
    let _slot = slot().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt_bytes[..16]).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
}

/// True if `password` matches `hash`. A missing hash is checked against a fixed one, so the answer takes as long
/// whether or not the account exists.
pub async fn verify_password(hash: Option<String>, password: &str) -> Result<bool, AppError> {
    let password = password.to_string();
    let _slot = slot().await?;
    tokio::task::spawn_blocking(move || {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return Ok(false);
        };
        let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(real && ok)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("verification task failed: {e}")))?
}

/// argon2id of a random string nobody knows, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4r5bzGvdbK6ZRuJFzpYF7OLuXZE2yWjGGd0B6nzxR6k";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = hash_password("correct horse battery").await.unwrap();
        let b = hash_password("correct horse battery").await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password(Some(a.clone()), "correct horse battery").await.unwrap());
        assert!(!verify_password(Some(a), "wrong horse battery").await.unwrap());
        assert!(!verify_password(None, "anything").await.unwrap());
    }
}
