//! Keeping webhooks away from the operator's own network (SSRF). A target must resolve to public addresses only,
//! checked when the webhook is saved and again, by the resolver, at every delivery (a name can change what it
//! points at). Redirects are not followed.

use crate::AppError;
use parley_domain::Invalid;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Whether an address is on the public internet: not loopback, private, link-local, shared, documentation,
/// multicast, unspecified or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let o = v6.octets();
            let v4_at = |i: usize| Ipv4Addr::new(o[i], o[i + 1], o[i + 2], o[i + 3]);
            // Forms that carry an IPv4 address: mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d),
            // compatible (::a.b.c.d) and 6to4 (2002:aabb:ccdd::) are judged by that address.
            if s[..5] == [0, 0, 0, 0, 0] && (s[5] == 0xffff || s[5] == 0) && !(s[5] == 0 && s[6] == 0) {
                return public_v4(v4_at(12));
            }
            if s[..4] == [0, 0, 0, 0] && s[4] == 0xffff && s[5] == 0 {
                return public_v4(v4_at(12));
            }
            if s[0] == 0x2002 {
                return public_v4(v4_at(2));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
                || (s[0] & 0xffc0) == 0xfec0 // site local (deprecated, still routed by some)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] == 0) // Teredo: tunnels to hosts we cannot judge
                || (s[0] == 0x64 && s[1] == 0xff9b)) // NAT64, may reach IPv4 private space
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240)
}

/// Check a webhook URL: http(s), a host, no credentials, and (unless allowed) only public addresses.
pub async fn check_target(url: &str, allow_private: bool) -> Result<Url, AppError> {
    let bad = |why: &str| AppError::Invalid(Invalid::field("url", why));
    if url.len() > 2000 {
        return Err(bad("is longer than 2000 characters"));
    }
    let parsed = Url::parse(url).map_err(|_| bad("is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("must be an http or https URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not hold a user name or password"));
    }
    let Some(host) = parsed.host_str() else {
        return Err(bad("has no host"));
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    // One answer for "does not resolve" and "resolves to a private address": telling them apart would let any
    // account map the operator's internal names.
    let refused = || bad("must name a host on the public internet that resolves");
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await.map_err(|_| refused())?.collect();
    if addrs.is_empty() || (!allow_private && addrs.iter().any(|a| !is_public(a.ip()))) {
        return Err(refused());
    }
    Ok(parsed)
}

/// A resolver for the delivery client that refuses names resolving to non-public addresses.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| allow || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err("the webhook host resolves to no public address".into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// An IP literal in a URL never reaches the resolver, so deliveries check it here.
pub(crate) fn literal_allowed(url: &Url, allow_private: bool) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => allow_private || is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => allow_private || is_public(IpAddr::V6(ip)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::127.0.0.1",
            "::ffff:0:10.0.0.1",
            "fec0::1",
            "2002:7f00:1::",
            "2002:a00:1::",
            "2001:0:4136:e378::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must not count as public");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2002:5db8:d822::1", "::ffff:1.1.1.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[tokio::test]
    async fn targets_are_checked() {
        assert!(check_target("http://127.0.0.1:9/hook", false).await.is_err());
        assert!(check_target("http://127.0.0.1:9/hook", true).await.is_ok());
        assert!(check_target("ftp://example.com/", true).await.is_err());
        assert!(check_target("http://user:pw@127.0.0.1/", true).await.is_err());
        assert!(check_target("http://[::1]:9/", false).await.is_err());
    }
}
