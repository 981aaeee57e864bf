//! The access token a browser softphone registers with Twilio by: a JWT signed (HS256) with the account's API key
//! secret, issued by the key, for the account, holding a voice grant for one identity (the agent's), short-lived.
//! Its layout is Twilio's (`cty: twilio-fpa;v=1`, `grants.identity`, `grants.voice.incoming.allow`).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

/// How long a token lasts; the softphone asks for a new one before it runs out.
pub const TTL_SECS: i64 = 3600;

pub struct Grant<'a> {
    pub account_sid: &'a str,
    pub api_key_sid: &'a str,
    pub api_key_secret: &'a str,
    pub identity: &'a str,
    /// Seconds since the epoch.
    pub now: i64,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The signed token.
pub fn access_token(g: &Grant<'_>) -> String {
    let header = json!({"typ": "JWT", "alg": "HS256", "cty": "twilio-fpa;v=1"});
    let claims = json!({
        "jti": format!("{}-{}", g.api_key_sid, g.now),
        "iss": g.api_key_sid,
        "sub": g.account_sid,
        "iat": g.now,
        "nbf": g.now,
        "exp": g.now + TTL_SECS,
        "grants": {"identity": g.identity, "voice": {"incoming": {"allow": true}}},
    });
    let signing_input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; an unsigned token would be refused by Twilio.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(g.api_key_secret.as_bytes()) else { return signing_input };
    mac.update(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_three_parts_signed_over_the_first_two() {
        let t = access_token(&Grant {
            account_sid: "AC1",
            api_key_sid: "SK1",
            api_key_secret: "secret",
            identity: "agent-1",
            now: 1_700_000_000,
        });
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap())
                .unwrap();
        assert_eq!(claims["grants"]["identity"], "agent-1");
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), TTL_SECS);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        assert!(mac.verify_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).is_ok());
    }
}
