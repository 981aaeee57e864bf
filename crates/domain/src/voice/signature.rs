//! The signature Twilio puts on every webhook it sends (`X-Twilio-Signature`), so that a request claiming to be a
//! call of the account is believed only when it was made with the account's auth token.
//!
//! Twilio signs the full URL it requested (scheme, host, port, path and query, as it saw them) followed by every
//! POST parameter, sorted by name, as name and value run together: HMAC-SHA1 with the auth token, in base64. A
//! request whose body is not form parameters (JSON) carries `bodySHA256=<hex SHA-256 of the body>` in its query
//! instead, and the URL alone is signed.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

type HmacSha1 = Hmac<Sha1>;

/// The signature of a form-encoded request: `url` exactly as requested, `params` in any order.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Sorted by name, and by value for a name given more than once, so that the order they came in never matters.
    sorted.sort();
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; an empty signature matches nothing.
    let Ok(mut mac) = HmacSha1::new_from_slice(auth_token.as_bytes()) else { return String::new() };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What a request carried, to check its signature against.
pub enum Signed<'a> {
    /// Form parameters (`application/x-www-form-urlencoded`), the usual webhook.
    Form(&'a [(String, String)]),
    /// Any other body, checked by the `bodySHA256` in the URL's query.
    Body(&'a [u8]),
}

/// Whether `signature` is the one Twilio makes for this request with `auth_token`. Compared in constant time.
pub fn verify(auth_token: &str, url: &str, signed: Signed<'_>, signature: &str) -> bool {
    let expected = match signed {
        Signed::Form(params) => sign(auth_token, url, params),
        Signed::Body(body) => {
            let Some(claimed) = query_value(url, "bodySHA256") else { return false };
            let actual = hex(&Sha256::digest(body));
            if !constant_eq(claimed.as_bytes(), actual.as_bytes()) {
                return false;
            }
            sign(auth_token, url, &[])
        }
    };
    !expected.is_empty() && constant_eq(expected.as_bytes(), signature.trim().as_bytes())
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_ascii_lowercase())
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Twilio's own published example of a signed request.
    #[test]
    fn twilios_published_example() {
        let params = p(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(sign("12345", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        let mut shuffled = params.clone();
        shuffled.reverse();
        assert!(verify("12345", url, Signed::Form(&shuffled), "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), "order is irrelevant");
        assert!(!verify("12346", url, Signed::Form(&params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), "another token");
        let mut changed = params.clone();
        changed[2].1 = "1235".into();
        assert!(!verify("12345", url, Signed::Form(&changed), "0/KCTR6DLpKmkAf8muzZqo1nDgQ="), "a changed value");
        assert!(
            !verify(
                "12345",
                "http://mycompany.com/myapp.php?foo=1&bar=2",
                Signed::Form(&params),
                "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
            ),
            "another scheme"
        );
        assert!(!verify("12345", url, Signed::Form(&params), ""), "no signature");
    }

    #[test]
    fn body_variant_checks_the_hash_and_signs_the_url_alone() {
        let body = br#"{"CallSid":"CA1"}"#;
        let url = format!("https://acme.example.com/voice/twilio/incoming?bodySHA256={}", hex(&Sha256::digest(body)));
        let sig = sign("tok", &url, &[]);
        assert!(verify("tok", &url, Signed::Body(body), &sig));
        assert!(!verify("tok", &url, Signed::Body(br#"{"CallSid":"CA2"}"#), &sig), "another body");
        let no_hash = "https://acme.example.com/voice/twilio/incoming";
        assert!(!verify("tok", no_hash, Signed::Body(body), &sign("tok", no_hash, &[])), "no hash in the URL");
    }
}
