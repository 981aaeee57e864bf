//! Request bodies: JSON only, within the size limit, every field checked, unknown fields refused, each problem
//! reported with the path of the field at fault.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use parley_domain::FieldError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedJson("the body could not be read".into())
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so that broken JSON is told apart from JSON with wrong fields.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError::MalformedJson(e.to_string()));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        ApiError::Invalid(vec![field_error(&path, &inner)])
    })
}

/// Name the field: serde says "missing field `x`" about the object, we say it about `x`.
fn field_error(path: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message).to_string();
    let base = if path == "." { "" } else { path };
    // The path of an unknown field already ends with it; that of a missing one is its parent's.
    let join = |name: &str| {
        if base.is_empty() {
            name.to_string()
        } else if base == name || base.ends_with(&format!(".{name}")) {
            base.to_string()
        } else {
            format!("{base}.{name}")
        }
    };
    for (prefix, text) in [("missing field `", "is required"), ("unknown field `", "is not a field of this object")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let name = rest.split('`').next().unwrap_or("");
            return FieldError { field: join(name), message: text.to_string() };
        }
    }
    FieldError { field: if base.is_empty() { "body".into() } else { base.to_string() }, message }
}

/// For fields that may be set, cleared with `null`, or left out: `None` left out, `Some(None)` null.
pub(crate) fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Whether a request's body is a `multipart/form-data` form (files), as opposed to JSON or a plain form.
pub(crate) fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        subject: String,
        requester: Inner,
        count: Option<u32>,
    }

    fn err(body: &str) -> ApiError {
        parse::<Outer>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn problems_name_the_field() {
        match err(r#"{"requester": {"email": "a@b.c"}}"#) {
            ApiError::Invalid(e) => assert_eq!(e[0].field, "subject"),
            other => panic!("{other:?}"),
        }
        match err(r#"{"subject": "x", "requester": {"email": 5}}"#) {
            ApiError::Invalid(e) => assert_eq!(e[0].field, "requester.email"),
            other => panic!("{other:?}"),
        }
        match err(r#"{"subject": "x", "requester": {"email": "a@b.c"}, "account_id": "x"}"#) {
            ApiError::Invalid(e) => assert_eq!(e[0].field, "account_id"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(err(r#"{"subject": "x", "#), ApiError::MalformedJson(_)));
        match err(r#"{"subject": "x", "requester": {"email": "a@b.c"}, "count": -1}"#) {
            ApiError::Invalid(e) => assert_eq!(e[0].field, "count"),
            other => panic!("{other:?}"),
        }
    }
}
