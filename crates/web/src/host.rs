//! From a request's Host header to its account. Runs before every route: an account host gets its context in the
//! request's extensions; the service's own host gets none; an account of a region served elsewhere is redirected.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parley_app::regions::Resolution;
use parley_domain::account::AccountSlug;

/// What the host names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// The service itself: `localhost`, the base domain, an IP address.
    Service,
    Account(AccountSlug),
    /// A name that is neither.
    Foreign,
}

pub(crate) fn classify(host: &str, base_domain: &str) -> HostKind {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    // Strip a port, taking care of bracketed IPv6 literals.
    if host.starts_with('[') {
        return HostKind::Service;
    }
    // A port, if any, must be one: `acme.localhost:@evil.com` is not a host of ours.
    let name = match host.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
        Some(_) => return HostKind::Foreign,
        None => host,
    };
    if name == base_domain || name.parse::<std::net::IpAddr>().is_ok() {
        return HostKind::Service;
    }
    match name.strip_suffix(base_domain).and_then(|p| p.strip_suffix('.')) {
        Some(label) if !label.contains('.') => match AccountSlug::parse(label) {
            Ok(slug) => HostKind::Account(slug),
            Err(_) => HostKind::Foreign,
        },
        _ => HostKind::Foreign,
    }
}

pub(crate) async fn resolve_account(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Health checks come from load balancers by any name.
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or("")
        .to_string();
    match classify(&host, &state.app.settings.base_domain) {
        HostKind::Service => next.run(req).await,
        HostKind::Foreign => ApiError::NotFound.into_response(),
        HostKind::Account(slug) => match state.app.regions.resolve(&slug).await {
            Ok(Resolution::Here(ctx)) => {
                req.extensions_mut().insert(ctx);
                next.run(req).await
            }
            Ok(Resolution::Elsewhere { url: Some(base), region }) => {
                let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                tracing::debug!(%slug, %region, "account served by another region");
                let location = format!("{}{}", base.trim_end_matches('/'), path);
                (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, location)]).into_response()
            }
            Ok(Resolution::Elsewhere { url: None, region }) => {
                ApiError::Unavailable(format!("this account is served from region {region}")).into_response()
            }
            Ok(Resolution::Unknown) => ApiError::NotFound.into_response(),
            Ok(Resolution::Moving) => {
                let mut r = ApiError::Unavailable(
                    "this account is being moved to another region; try again in a few \
                     minutes"
                        .into(),
                )
                .into_response();
                r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
                r
            }
            Err(e) => ApiError::from(e).into_response(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_classified() {
        let acme = HostKind::Account(AccountSlug::parse("acme").unwrap());
        assert_eq!(classify("acme.localhost:8080", "localhost"), acme);
        assert_eq!(classify("ACME.localhost", "localhost"), acme);
        assert_eq!(classify("localhost:8080", "localhost"), HostKind::Service);
        assert_eq!(classify("127.0.0.1:8080", "localhost"), HostKind::Service);
        assert_eq!(classify("[::1]:8080", "localhost"), HostKind::Service);
        assert_eq!(classify("a.b.localhost", "localhost"), HostKind::Foreign);
        assert_eq!(classify("evil.com", "localhost"), HostKind::Foreign);
        assert_eq!(classify("acme.help.example.com", "help.example.com"), acme);
        assert_eq!(classify("acme.localhost:@evil.com", "localhost"), HostKind::Foreign);
        assert_eq!(classify("acme.localhost:80x", "localhost"), HostKind::Foreign);
    }
}
