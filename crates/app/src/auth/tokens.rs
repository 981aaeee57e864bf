//! Random secrets from the operating system's generator.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS generator failing means the machine cannot make secrets at all; nothing sensible can go on.
    #[allow(clippy::expect_used)]
    getrandom::getrandom(&mut b).expect("the operating system's random generator failed");
    b
}

/// 32 random bytes, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A password for a first sign-in: 20 characters without look-alikes (about 115 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_bytes::<20>().iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

/// Random bytes for keys (webhook secrets).
pub fn random_key() -> Vec<u8> {
    random_bytes::<32>().to_vec()
}
