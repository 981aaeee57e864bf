//! An account's phone numbers at its voice provider, what answers each (an IVR or a department's queue), whether
//! calls on it are recorded, and the account's provider credentials.

use crate::contact::parse_phone;
use crate::error::Checker;
use crate::ids::{AccountId, DepartmentId, IvrId, PhoneNumberId};
use crate::{Invalid, Timestamp};
use serde::Serialize;

/// Whether calls on a number are recorded. Every caller hears which applies before anything is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingConsent {
    /// Every answered call, after an announcement.
    Always,
    /// Only when the caller presses 1 after being asked.
    OptIn,
    /// Never; voicemail is still recorded, as the caller chooses to leave one.
    Never,
}

impl RecordingConsent {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingConsent::Always => "always",
            RecordingConsent::OptIn => "opt_in",
            RecordingConsent::Never => "never",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "always" => Ok(RecordingConsent::Always),
            "opt_in" => Ok(RecordingConsent::OptIn),
            "never" => Ok(RecordingConsent::Never),
            _ => Err(Invalid::field("recording", "must be always, opt_in or never")),
        }
    }
}

/// What answers a number: its IVR, or straight the queue of a department (the whole account's when none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answering {
    Ivr(IvrId),
    Queue(Option<DepartmentId>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PhoneNumber {
    pub id: PhoneNumberId,
    #[serde(skip)]
    pub account_id: AccountId,
    /// E.164 (`+3612345678`).
    pub number: String,
    /// The provider's id of the number (Twilio's `PN…`), if known.
    pub provider_id: Option<String>,
    pub ivr_id: Option<IvrId>,
    pub department_id: Option<DepartmentId>,
    pub recording: RecordingConsent,
    /// Whether a call that reached no one (abandoned in the queue, or no agent answered) opens a ticket.
    pub missed_call_tickets: bool,
    pub created_at: Timestamp,
}

impl PhoneNumber {
    pub fn answering(&self) -> Answering {
        match self.ivr_id {
            Some(ivr) => Answering::Ivr(ivr),
            None => Answering::Queue(self.department_id),
        }
    }
}

/// A provider id as Twilio makes them: two letters and hex, at most 64 characters.
pub fn parse_provider_id(field: &str, s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    if (2..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(s.to_string())
    } else {
        Err(Invalid::field(field, "must be the provider's id: letters and digits, at most 64"))
    }
}

/// A number as an E.164 string, for the field named.
pub fn parse_number(field: &str, s: &str) -> Result<String, Invalid> {
    parse_phone(s).map_err(|_| {
        Invalid::field(
            field,
            format!("'{}' is not a phone number in +<country><number> form", s.chars().take(40).collect::<String>()),
        )
    })
}

/// The account's credentials at Twilio. The auth token checks the webhooks' signatures and, with the account
/// SID, fetches and deletes recordings; the API key signs the softphone's access tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct VoiceCredentials {
    pub account_sid: String,
    pub auth_token: String,
    pub api_key_sid: Option<String>,
    pub api_key_secret: Option<String>,
    /// The provider's REST API, `https://api.twilio.com` unless a stand-in is configured. Recordings are fetched
    /// from this host only.
    pub api_base: String,
}

impl std::fmt::Debug for VoiceCredentials {
    // The secrets never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceCredentials")
            .field("account_sid", &self.account_sid)
            .field("api_key_sid", &self.api_key_sid)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

pub const TWILIO_API: &str = "https://api.twilio.com";

/// The credentials as given, every problem reported at once.
pub struct CredentialsInput {
    pub account_sid: String,
    pub auth_token: String,
    pub api_key_sid: Option<String>,
    pub api_key_secret: Option<String>,
    pub api_base: Option<String>,
}

impl CredentialsInput {
    pub fn parse(self, prefix: &str) -> Result<VoiceCredentials, Invalid> {
        let mut errs = Checker::new();
        let f = |n: &str| format!("{prefix}{n}");
        let account_sid = self.account_sid.trim().to_string();
        if !(account_sid.len() == 34
            && account_sid.starts_with("AC")
            && account_sid[2..].bytes().all(|b| b.is_ascii_hexdigit()))
        {
            errs.add(f("account_sid"), "must be a Twilio account SID: AC and 32 hexadecimal digits");
        }
        let auth_token = self.auth_token.trim().to_string();
        if auth_token.len() < 8 || auth_token.len() > 128 || !auth_token.bytes().all(|b| b.is_ascii_graphic()) {
            errs.add(f("auth_token"), "must be the account's auth token (8 to 128 visible characters)");
        }
        let key_sid = self.api_key_sid.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let key_secret = self.api_key_secret.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(k) = &key_sid {
            if !(k.len() == 34 && k.starts_with("SK") && k[2..].bytes().all(|b| b.is_ascii_hexdigit())) {
                errs.add(f("api_key_sid"), "must be a Twilio API key SID: SK and 32 hexadecimal digits");
            }
        }
        if let Some(s) = &key_secret {
            if s.len() < 8 || s.len() > 128 || !s.bytes().all(|b| b.is_ascii_graphic()) {
                errs.add(f("api_key_secret"), "must be the API key's secret (8 to 128 visible characters)");
            }
        }
        if key_sid.is_some() != key_secret.is_some() {
            errs.add(f("api_key_secret"), "an API key needs both its SID and its secret");
        }
        let api_base = match self.api_base.map(|s| s.trim().trim_end_matches('/').to_string()) {
            None => Some(TWILIO_API.to_string()),
            Some(b) if b.is_empty() => Some(TWILIO_API.to_string()),
            Some(b) => errs.check(parse_api_base(&f("api_base"), &b)),
        };
        errs.finish()?;
        let Some(api_base) = api_base else { return Err(Invalid::field(f("api_base"), "is not a URL")) };
        Ok(VoiceCredentials { account_sid, auth_token, api_key_sid: key_sid, api_key_secret: key_secret, api_base })
    }
}

/// An API base: `http(s)://host[:port]`, nothing after the host, no credentials in it.
pub fn parse_api_base(field: &str, s: &str) -> Result<String, Invalid> {
    let bad = || Invalid::field(field, "must be http(s)://host[:port] with nothing after it");
    let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let ok = !rest.is_empty()
        && rest.len() <= 253
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        && !rest.starts_with(':');
    if ok {
        Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CredentialsInput {
        CredentialsInput {
            account_sid: format!("AC{}", "a".repeat(32)),
            auth_token: "token-123456".into(),
            api_key_sid: None,
            api_key_secret: None,
            api_base: None,
        }
    }

    #[test]
    fn credentials_are_checked_and_default_to_twilio() {
        let c = input().parse("twilio.").unwrap();
        assert_eq!(c.api_base, TWILIO_API);
        assert!(!format!("{c:?}").contains("token-123456"), "the token stays out of logs");
        let bad = CredentialsInput {
            account_sid: "AC1".into(),
            api_key_sid: Some("SKzz".into()),
            api_base: Some("ftp://x".into()),
            ..input()
        };
        let lines = bad.parse("twilio.").unwrap_err().lines().join("\n");
        for f in ["twilio.account_sid", "twilio.api_key_sid", "twilio.api_key_secret", "twilio.api_base"] {
            assert!(lines.contains(f), "{f} in {lines}");
        }
        let local = CredentialsInput { api_base: Some("http://127.0.0.1:8080/".into()), ..input() };
        assert_eq!(local.parse("").unwrap().api_base, "http://127.0.0.1:8080");
        assert!(parse_api_base("b", "https://api.twilio.com/evil").is_err());
        assert!(parse_api_base("b", "https://user@api.twilio.com").is_err());
    }

    #[test]
    fn numbers_and_consent() {
        assert_eq!(parse_number("number", "+36 1 234 5678").unwrap(), "+3612345678");
        assert!(parse_number("number", "12345").is_err());
        assert_eq!(RecordingConsent::parse("opt_in").unwrap(), RecordingConsent::OptIn);
        assert!(RecordingConsent::parse("sometimes").is_err());
        assert!(parse_provider_id("provider_id", "PN0123abcd").is_ok());
        assert!(parse_provider_id("provider_id", "PN<script>").is_err());
    }
}
