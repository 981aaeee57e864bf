//! Agent sessions in cookies, CSRF tokens, and how page errors are shown.

use crate::error::ApiError;
use crate::extract::{cookie, Account};
use crate::state::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use parley_app::{auth, AccountCtx, AppError};
use parley_domain::agent::Agent;
use parley_domain::auth::Session;

pub(crate) const SESSION_COOKIE: &str = "parley_session";
pub(crate) const CSRF_COOKIE: &str = "parley_csrf";

/// A signed-in agent. Pages that need one send everyone else to the sign-in page.
pub(crate) struct AgentSession {
    pub ctx: AccountCtx,
    pub agent: Agent,
    pub session: Session,
    pub token: String,
    /// The most bytes a file may have (the composer tells before it sends more).
    pub max_file_bytes: usize,
}

impl FromRequestParts<AppState> for AgentSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Account(ctx) = Account::from_request_parts(parts, state).await.map_err(PageError::Api)?;
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Err(PageError::SignIn);
        };
        match auth::session_agent(&ctx, &token).await {
            Ok(Some((agent, session))) => {
                let max_file_bytes = state.app.mail.max_attachment_bytes;
                Ok(AgentSession { ctx, agent, session, token, max_file_bytes })
            }
            Ok(None) => Err(PageError::SignIn),
            Err(e) => Err(PageError::Api(e.into())),
        }
    }
}

impl AgentSession {
    /// Forms of a session carry its token; anything else is refused.
    pub fn check_csrf(&self, given: &str) -> Result<(), PageError> {
        if constant_time_eq(given.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }

    pub fn caller(&self) -> parley_app::Caller {
        parley_app::Caller::Agent(self.agent.clone())
    }
}

/// A form that carries nothing but its page's token: buttons that delete, follow, split.
#[derive(serde::Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(rename = "_csrf")]
    pub csrf: String,
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A `Set-Cookie` value with the attributes every Parley cookie has.
pub(crate) fn cookie_header(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.app.settings.public_scheme == "https" { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Something went wrong on a page.
pub(crate) enum PageError {
    SignIn,
    /// Somewhere else to sign in (the portal's customers).
    Redirect(String),
    Csrf,
    Api(ApiError),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::Api(e.into())
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::Api(e)
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub title: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            PageError::SignIn => return Redirect::to("/login").into_response(),
            PageError::Redirect(to) => return Redirect::to(&to).into_response(),
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "This form has expired".to_string(),
                "Go back, reload the page and send the form again.".to_string(),
            ),
            PageError::Api(e) => {
                if let ApiError::Internal(err) = &e {
                    tracing::error!(error = %format!("{err:#}"), "page failed");
                }
                let (status, p) = e.problem();
                let mut text = p.detail;
                for f in p.errors {
                    text.push_str(&format!(" {}: {}.", f.field, f.message));
                }
                (status, p.title, text)
            }
        };
        let page = MessagePage { title, text, link: Some(("/tickets".into(), "Back to tickets".into())) };
        (status, render(&page)).into_response()
    }
}

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// [`POLICY`] with images from anywhere, for a page where the agent asked to see a message's remote images.
const POLICY_REMOTE_IMAGES: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                                    img-src 'self' data: https: http:; frame-ancestors 'none'; form-action 'self'; \
                                    base-uri 'none'";

/// Lets the browser load remote images on a rendered page (and nothing else it would not have loaded).
pub(crate) fn allow_remote_images(res: &mut Response) {
    if res.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY_REMOTE_IMAGES));
    }
}

/// Render a page; a template that fails to render is a bug, shown as a plain error.
pub(crate) fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => {
            let mut res = Html(html).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page could not be rendered").into_response()
        }
    }
}

impl From<parley_domain::Invalid> for PageError {
    fn from(e: parley_domain::Invalid) -> Self {
        PageError::Api(e.into())
    }
}
