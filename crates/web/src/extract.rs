//! Extractors: the account (resolved from the host by the middleware), the API caller, the client's address.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use parley_app::{auth, AccountCtx, Caller};
use std::net::SocketAddr;

/// The account the request is for. Routes that need one answer 404 on the service's own host.
pub struct Account(pub AccountCtx);

impl<S: Send + Sync> FromRequestParts<S> for Account {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<AccountCtx>().cloned().map(Account).ok_or(ApiError::NotFound)
    }
}

/// An API request's account and caller, from `Authorization: Bearer <key>`. The key is looked up only within the
/// account the host names, so a key never opens another account.
pub struct ApiCaller {
    pub ctx: AccountCtx,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Account(ctx) = Account::from_request_parts(parts, state).await?;
        let Some(auth) = parts.headers.get(header::AUTHORIZATION) else {
            return signed_in_agent(parts, ctx).await;
        };
        let secret = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        if parley_app::support::is_staff_token(secret) {
            return staff(parts, ctx, secret).await;
        }
        let key = auth::authenticate_api_key(&ctx, secret).await?.ok_or(ApiError::Unauthenticated)?;
        let Ok(ClientAddr(ip)) = ClientAddr::from_request_parts(parts, state).await;
        auth::note_api_key_use(&ctx, &key, &ip).await?;
        Ok(ApiCaller { ctx, caller: Caller::ApiKey(key) })
    }
}

/// The agent workspace calls the API with the agent's session cookie instead of a key. A cookie rides along with
/// any request the browser makes, so every request that can change something must also carry the session's CSRF
/// token in `X-CSRF-Token`, which only the account's own pages can read.
async fn signed_in_agent(parts: &Parts, ctx: AccountCtx) -> Result<ApiCaller, ApiError> {
    use crate::ui::session::{constant_time_eq, SESSION_COOKIE};
    let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?;
    let (agent, session) = auth::session_agent(&ctx, token).await?.ok_or(ApiError::Unauthenticated)?;
    let reads = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
    if !reads {
        let given = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !constant_time_eq(given.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(ApiError::Forbidden("this request needs the page's X-CSRF-Token".into()));
        }
    }
    Ok(ApiCaller { ctx, caller: Caller::Agent(agent) })
}

/// A staff request under the account's grant: the grant must be in force now, a read-only grant reads only, and
/// the request is written to the account's audit log before anything else happens, refused or not.
async fn staff(parts: &Parts, ctx: parley_app::AccountCtx, token: &str) -> Result<ApiCaller, ApiError> {
    use parley_app::support;
    use parley_domain::support::GrantScope;
    let caller = support::authenticate_staff(&ctx, token).await?.ok_or(ApiError::Unauthenticated)?;
    let reads = matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD);
    let refused = matches!(&caller, Caller::Staff { grant, .. } if grant.scope == GrantScope::ReadOnly) && !reads;
    // The path as the client sent it, not as the nested API router sees it.
    let uri = parts.extensions.get::<axum::extract::OriginalUri>().map(|o| &o.0).unwrap_or(&parts.uri);
    let path = logged_path(uri);
    support::record_access(&ctx, &caller, parts.method.as_str(), &path, refused).await?;
    if refused {
        return Err(ApiError::Forbidden("this support grant is read-only".into()));
    }
    Ok(ApiCaller { ctx, caller })
}

/// What the audit log keeps of a staff request's address: the path and the names of its query parameters, never
/// their values. A search or a filter by email would otherwise put a customer's words into the log, which is
/// append-only and so would outlive the customer's erasure.
fn logged_path(uri: &axum::http::Uri) -> String {
    let mut out = uri.path().to_string();
    if let Some(q) = uri.query() {
        let names: Vec<&str> = q
            .split('&')
            .filter_map(|pair| pair.split('=').next())
            .filter(|n| !n.is_empty())
            .map(|n| {
                if n.len() <= 40 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"_[]%-.".contains(&b)) {
                    n
                } else {
                    "?"
                }
            })
            .take(10)
            .collect();
        if !names.is_empty() {
            out.push('?');
            out.push_str(&names.join("&"));
        }
    }
    out
}

/// The client's address, for rate limits.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
            return Ok(ClientAddr("unknown".into()));
        };
        if !state.web.trusted_proxies.contains(&peer) {
            return Ok(ClientAddr(peer.to_string()));
        }
        // The nearest address the trusted proxies did not add themselves.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .collect::<Vec<_>>();
        let client = forwarded.iter().rev().find(|a| !state.web.trusted_proxies.contains(a)).copied().unwrap_or(peer);
        Ok(ClientAddr(client.to_string()))
    }
}

/// A cookie's value from the request.
pub(crate) fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
