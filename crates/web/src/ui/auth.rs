//! Signing in and out, and resetting a forgotten password.

use super::session::{
    constant_time_eq, cookie_header, render, AgentSession, MessagePage, PageError, CSRF_COOKIE, SESSION_COOKIE,
};
use crate::extract::{cookie, Account, ClientAddr};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::auth::{self, LoginAttempt};
use parley_app::AppError;
use serde::Deserialize;

/// The double-submit token of the pages used before signing in: the same random value in a cookie and in the
/// form. Another site can make a browser send the cookie but cannot read it to put it in the form.
pub(crate) struct PreSessionCsrf(Option<String>);

impl FromRequestParts<AppState> for PreSessionCsrf {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PreSessionCsrf(cookie(&parts.headers, CSRF_COOKIE).map(str::to_string)))
    }
}

impl PreSessionCsrf {
    /// The token for a new form, and the cookie to set if there was none.
    fn issue(&self, state: &AppState) -> (String, Option<axum::http::HeaderValue>) {
        match &self.0 {
            Some(t) if t.len() == 43 => (t.clone(), None),
            _ => {
                let t = auth::tokens::random_token();
                let c = cookie_header(state, CSRF_COOKIE, &t, 86_400);
                (t, Some(c))
            }
        }
    }

    fn check(&self, given: &str) -> Result<(), PageError> {
        match &self.0 {
            Some(t) if constant_time_eq(t.as_bytes(), given.as_bytes()) => Ok(()),
            _ => Err(PageError::Csrf),
        }
    }
}

fn with_cookie(mut res: Response, cookie: Option<axum::http::HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    account: String,
    csrf: String,
    email: String,
    error: Option<String>,
}

pub(crate) async fn login_form(State(state): State<AppState>, Account(ctx): Account, csrf: PreSessionCsrf) -> Response {
    let (token, set) = csrf.issue(&state);
    with_cookie(
        render(&LoginPage { account: ctx.slug.to_string(), csrf: token, email: String::new(), error: None }),
        set,
    )
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    email: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(client): ClientAddr,
    csrf: PreSessionCsrf,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    csrf.check(&f.csrf)?;
    let attempt = LoginAttempt { email: f.email.clone(), password: f.password, client };
    match auth::login(&state.app, &ctx, attempt).await {
        Ok((_, token)) => {
            let mut res = Redirect::to("/tickets").into_response();
            let max_age = auth::SESSION_HOURS * 3600;
            res.headers_mut().append(header::SET_COOKIE, cookie_header(&state, SESSION_COOKIE, &token, max_age));
            Ok(res)
        }
        Err(e @ (AppError::Unauthenticated | AppError::RateLimited { .. })) => {
            let (status, error) = match e {
                AppError::RateLimited { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many attempts. Try again in {} minutes.", retry_after_secs.div_ceil(60)),
                ),
                _ => (StatusCode::UNAUTHORIZED, "The email address or password is not right.".to_string()),
            };
            let page = LoginPage { account: ctx.slug.to_string(), csrf: f.csrf, email: f.email, error: Some(error) };
            Ok((status, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    s: AgentSession,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    auth::logout(&s.ctx, &s.token).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie_header(&state, SESSION_COOKIE, "", 0));
    Ok(res)
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    csrf: String,
}

pub(crate) async fn forgot_form(State(state): State<AppState>, _: Account, csrf: PreSessionCsrf) -> Response {
    let (token, set) = csrf.issue(&state);
    with_cookie(render(&ForgotPage { csrf: token }), set)
}

#[derive(Deserialize)]
pub(crate) struct ForgotForm {
    email: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Always the same answer, whether or not the address has an account here.
pub(crate) async fn forgot(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(client): ClientAddr,
    csrf: PreSessionCsrf,
    Form(f): Form<ForgotForm>,
) -> Result<Response, PageError> {
    csrf.check(&f.csrf)?;
    auth::forgot_password(&state.app, &ctx, &f.email, &client).await?;
    Ok(render(&MessagePage {
        title: "Check your inbox".into(),
        text: "If that address belongs to an agent of this account, a link to set a new password is on its way. \
               The link works for one hour."
            .into(),
        link: Some(("/login".into(), "Back to sign in".into())),
    }))
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    csrf: String,
    token: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: Option<String>,
}

pub(crate) async fn reset_form(
    State(state): State<AppState>,
    _: Account,
    csrf: PreSessionCsrf,
    Query(q): Query<TokenQuery>,
) -> Response {
    let (token, set) = csrf.issue(&state);
    with_cookie(render(&ResetPage { csrf: token, token: q.token.unwrap_or_default(), error: None }), set)
}

#[derive(Deserialize)]
pub(crate) struct ResetForm {
    token: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn reset(
    Account(ctx): Account,
    csrf: PreSessionCsrf,
    Form(f): Form<ResetForm>,
) -> Result<Response, PageError> {
    csrf.check(&f.csrf)?;
    match auth::reset_password(&ctx, &f.token, &f.password).await {
        Ok(_) => Ok(render(&MessagePage {
            title: "Password set".into(),
            text: "Your new password is set. Sign in with it.".into(),
            link: Some(("/login".into(), "Sign in".into())),
        })),
        Err(AppError::Invalid(i)) => {
            let error = i.lines().join("; ");
            let page = ResetPage { csrf: f.csrf, token: f.token, error: Some(error) };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
