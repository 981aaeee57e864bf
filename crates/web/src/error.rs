//! The one mapping from what went wrong to an HTTP answer: RFC 9457 `application/problem+json`, with a stable
//! snake_case code, the fields at fault, and nothing of the internals (those go to the log).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use parley_app::AppError;
use parley_domain::ticket::TicketRuleError;
use parley_domain::FieldError;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    /// The body is not JSON at all.
    MalformedJson(String),
    /// Fields have wrong values, types, or should not be there.
    Invalid(Vec<FieldError>),
    UnsupportedMediaType,
    PayloadTooLarge,
    Unauthenticated,
    Forbidden(String),
    Conflict(String),
    Rule(TicketRuleError),
    RateLimited(u64),
    Unavailable(String),
    /// Behind on work the request would add to; nothing was taken. Seconds to wait.
    Busy(u64),
    Internal(anyhow::Error),
    /// Not sent: these messages came after the one the sender had seen.
    RepliedMeanwhile(Vec<parley_domain::message::Message>),
}

/// A problem report (RFC 9457).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:parley:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With `replied_meanwhile`: the messages added since the one the sender had seen, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<parley_domain::message::Message>>,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "There is nothing here.".into()),
            ApiError::MalformedJson(d) => {
                (StatusCode::BAD_REQUEST, "malformed_json", format!("The body is not valid JSON: {d}"))
            }
            ApiError::Invalid(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Some fields are not valid.".into())
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as application/json.".into(),
            ),
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The body is too large.".into())
            }
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authenticate with `Authorization: Bearer <API key>`.".into(),
            ),
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, "forbidden", d.clone()),
            ApiError::Conflict(d) => (StatusCode::CONFLICT, "conflict", d.clone()),
            ApiError::Rule(r) => {
                let code = match r {
                    TicketRuleError::Closed(_) => "ticket_closed",
                    TicketRuleError::Merged(_) => "ticket_merged",
                    TicketRuleError::MergeIntoSelf => "merge_into_self",
                };
                (StatusCode::CONFLICT, code, r.to_string())
            }
            ApiError::RateLimited(s) => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("Too many attempts; try again in {s} seconds."))
            }
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is temporarily unavailable; try again shortly.".into(),
            ),
            // 429 rather than 503: the client is asked to slow down, and the access log's failure classification
            // (every 5xx logged as an error) is kept for real failures; a refused burst logged a line per request.
            ApiError::Busy(s) => (
                StatusCode::TOO_MANY_REQUESTS,
                "busy",
                format!("Parley is catching up with work already taken; nothing was stored. Try again in {s} seconds."),
            ),
            ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side.".into())
            }
            ApiError::RepliedMeanwhile(m) => (
                StatusCode::CONFLICT,
                "replied_meanwhile",
                format!(
                    "{} message(s) were added since the one you saw; nothing was sent. Read them, then send again \
                     with \"force\": true (or a newer after_message_id).",
                    m.len()
                ),
            ),
        }
    }

    pub fn problem(&self) -> (StatusCode, Problem) {
        let (status, code, detail) = self.parts();
        let errors = match self {
            ApiError::Invalid(e) => e.clone(),
            _ => Vec::new(),
        };
        let messages = match self {
            ApiError::RepliedMeanwhile(m) => Some(m.clone()),
            _ => None,
        };
        let title = status.canonical_reason().unwrap_or("Error").to_string();
        (
            status,
            Problem {
                kind: format!("urn:parley:problem:{code}"),
                title,
                status: status.as_u16(),
                detail,
                code,
                errors,
                messages,
            },
        )
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::NotFound,
            AppError::Invalid(i) => ApiError::Invalid(i.0),
            AppError::Conflict(c) => ApiError::Conflict(c),
            AppError::Rule(r) => ApiError::Rule(r),
            AppError::Forbidden(f) => ApiError::Forbidden(f),
            AppError::Unauthenticated => ApiError::Unauthenticated,
            AppError::RateLimited { retry_after_secs } => ApiError::RateLimited(retry_after_secs),
            AppError::Unavailable(u) => ApiError::Unavailable(u),
            AppError::Busy { retry_after_secs } => ApiError::Busy(retry_after_secs),
            AppError::Internal(i) => ApiError::Internal(i),
            AppError::RepliedMeanwhile(m) => ApiError::RepliedMeanwhile(m),
        }
    }
}

impl From<parley_domain::Invalid> for ApiError {
    fn from(e: parley_domain::Invalid) -> Self {
        ApiError::Invalid(e.0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(e) => tracing::error!(error = %format!("{e:#}"), "request failed"),
            ApiError::Unavailable(why) => tracing::warn!(why = %why, "request failed: unavailable"),
            _ => {}
        }
        let (status, problem) = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match self {
            ApiError::Unauthenticated => {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited(s) | ApiError::Busy(s) => {
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
