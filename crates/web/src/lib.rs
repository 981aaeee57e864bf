//! Parley's HTTP edge: the REST API under `/api/v1`, the agent pages, and the mapping of every error to one
//! response. Handlers are thin: extract, call one use case, shape the answer.

mod api;
mod chat;
mod chat_socket;
mod error;
mod extract;
mod files;
mod health;
mod host;
mod json;
mod portal;
mod query;
mod socket_frames;
mod state;
mod ui;
mod voice;
mod zip;

pub use api::openapi_document;
pub use state::{AppState, WebSettings};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The whole application: every route, the account resolution and the common headers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::health))
        .nest("/api/v1", api::router(state.app.mail.max_message_bytes, state.app.mail.max_attachment_bytes))
        .merge(ui::router(state.app.mail.max_attachment_bytes))
        .merge(chat::router(state.app.mail.max_attachment_bytes))
        .merge(portal::router())
        .merge(voice::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), host::resolve_account))
        .layer(DefaultBodyLimit::max(state.web.body_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
