//! The relay outgoing mail goes through: `smtp://[user:pass@]host:port` (STARTTLS when the server offers it) or
//! `smtps://…` (TLS from the start), reached with lettre.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::time::Duration;

#[derive(Clone, PartialEq, Eq)]
pub struct RelayUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    password: Option<String>,
}

impl std::fmt::Debug for RelayUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the relay URL '{0}' is not smtp://[user:password@]host[:port] or smtps://…")]
pub struct BadRelay(String);

fn decode(s: &str) -> String {
    // Percent-decoding for user names and passwords that hold @ or :.
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            if let Ok(v) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or(""), 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl RelayUrl {
    pub fn parse(url: &str) -> Result<Self, BadRelay> {
        let bad = || BadRelay(redact(url));
        let (tls, rest) = if let Some(r) = url.strip_prefix("smtps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("smtp://") {
            (false, r)
        } else {
            return Err(bad());
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (hostport, if tls { 465 } else { 25 }),
        };
        if host.is_empty() || host.contains('/') {
            return Err(bad());
        }
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((a, b)) => (Some(decode(a)), Some(decode(b))),
                None => (Some(decode(u)), None),
            },
            None => (None, None),
        };
        Ok(RelayUrl { tls, host: host.to_string(), port, user, password })
    }

    pub fn redacted(&self) -> String {
        let scheme = if self.tls { "smtps" } else { "smtp" };
        match &self.user {
            Some(u) => format!("{scheme}://{u}:***@{}:{}", self.host, self.port),
            None => format!("{scheme}://{}:{}", self.host, self.port),
        }
    }

    pub fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
        let params = TlsParameters::new(self.host.clone())?;
        let tls = if self.tls { Tls::Wrapper(params) } else { Tls::Opportunistic(params) };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.clone())
            .port(self.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(u), Some(p)) = (&self.user, &self.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(b.build())
    }
}

fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://***@{host}"),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_urls() {
        let r = RelayUrl::parse("smtp://user%40x:p%3Ass@mail.example:2525").unwrap();
        assert_eq!((r.tls, r.host.as_str(), r.port, r.user.as_deref()), (false, "mail.example", 2525, Some("user@x")));
        assert_eq!(r.password.as_deref(), Some("p:ss"));
        assert!(!format!("{r:?}").contains("p:ss"));
        assert_eq!(RelayUrl::parse("smtps://relay.example").unwrap().port, 465);
        assert!(RelayUrl::parse("http://x").is_err());
        assert!(RelayUrl::parse("smtp://x:notaport").is_err());
    }
}
