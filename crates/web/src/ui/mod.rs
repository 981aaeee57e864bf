//! The agent's pages, rendered on the server: sign-in, password reset, the ticket list and the ticket view.
//! Every form carries a CSRF token; pages forbid framing and inline scripts.

mod auth;
mod files;
mod pages;
mod session;
mod tickets;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/assets/parley.css", get(pages::stylesheet))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/password/forgot", get(auth::forgot_form).post(auth::forgot))
        .route("/password/reset", get(auth::reset_form).post(auth::reset))
        .route("/tickets", get(tickets::list))
        .route("/tickets/{number}", get(tickets::show).post(tickets::update))
        .route("/tickets/{number}/messages", post(tickets::reply))
        .route("/attachments/{id}", get(files::attachment))
        .route("/messages/{id}/original", get(files::original))
}
