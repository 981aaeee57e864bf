//! The REST API under `/api/v1`, described by an OpenAPI document generated from these handlers.

mod agents;
mod assignment;
mod audit;
mod automations;
mod bulk;
mod business_hours;
mod canned;
mod chat_settings;
mod chats;
mod contact_merge;
mod contacts;
mod dpa;
mod features;
mod fields;
mod followers;
mod knowledge;
mod macros;
mod mail;
mod mail_settings;
mod openapi;
mod retention;
mod search;
mod sla;
mod subprocessors;
mod support;
mod tickets;
mod triggers;
mod viewers;
mod views;
mod voice;
mod webhooks;

pub(crate) use audit::json_lines as audit_json_lines;
pub use openapi::openapi_document;

use crate::state::AppState;
use axum::routing::get;
use axum::Router;

/// `max_message_bytes`: the largest mail taken; `max_file_bytes`: the largest file shared in a chat.
pub(crate) fn router(max_message_bytes: usize, max_file_bytes: usize) -> Router<AppState> {
    Router::new()
        .merge(tickets::router(max_file_bytes))
        .merge(viewers::router())
        .merge(followers::router())
        .merge(contacts::router())
        .merge(contact_merge::router())
        .merge(agents::router())
        .merge(audit::router())
        .merge(subprocessors::router())
        .merge(features::router())
        .merge(dpa::router())
        .merge(support::router())
        .merge(retention::router())
        .merge(chat_settings::router())
        .merge(assignment::router())
        .merge(voice::router())
        .merge(chats::router(max_file_bytes + 1024))
        .merge(search::router())
        .merge(knowledge::router(max_file_bytes))
        .merge(fields::router())
        .merge(webhooks::router())
        .merge(mail::router(max_message_bytes))
        .merge(mail_settings::router())
        .merge(canned::router())
        .merge(macros::router())
        .merge(bulk::router())
        .merge(views::router())
        .merge(business_hours::router())
        .merge(sla::router())
        .merge(triggers::router())
        .merge(automations::router())
        .route("/openapi.json", get(openapi::serve))
        .fallback(|| async { crate::error::ApiError::NotFound })
}

/// Path ids that don't parse are as unknown as ids of another account.
pub(crate) fn path_id<T>(s: &str, parse: fn(&str) -> Option<T>) -> Result<T, crate::error::ApiError> {
    parse(s).ok_or(crate::error::ApiError::NotFound)
}
