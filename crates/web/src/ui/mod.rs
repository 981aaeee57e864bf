//! The agent's pages, rendered on the server: sign-in, password reset, the ticket list and the ticket view.
//! Every form carries a CSRF token; pages forbid framing and inline scripts.

mod agent_socket;
pub(crate) use agent_socket::transfer_target;
mod audit;
mod auth;
mod canned;
mod chat;
mod companies;
mod contacts;
mod files;
mod knowledge;
mod macros;
mod pages;
pub(crate) mod privacy;
mod profile;
mod reply_form;
mod search;
pub(crate) mod session;
mod settings;
mod shell;
mod ticket_list;
mod tickets;
mod views;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub(crate) fn router(max_file_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/assets/parley.css", get(pages::stylesheet))
        .route("/assets/agent.js", get(pages::agent_script))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/password/forgot", get(auth::forgot_form).post(auth::forgot))
        .route("/password/reset", get(auth::reset_form).post(auth::reset))
        .route("/tickets", get(ticket_list::list))
        .route("/views", post(views::create))
        .route("/views/new", get(views::new))
        .route("/views/{id}", post(views::update))
        .route("/views/{id}/edit", get(views::edit))
        .route("/views/{id}/delete", post(views::delete))
        .route("/presence", post(tickets::set_presence))
        .route("/search", get(search::page))
        .route("/profile", get(profile::show).post(profile::save))
        .route("/contacts", get(contacts::list))
        .route("/contacts/{id}", get(contacts::show).post(contacts::save))
        .route("/contacts/{id}/merge", post(contacts::merge))
        .route("/companies", get(companies::list).post(companies::create))
        .route("/companies/{id}", get(companies::show).post(companies::save))
        .route("/canned-responses", get(canned::list).post(canned::create))
        .route("/canned-responses/{id}/delete", post(canned::delete))
        .route("/macros", get(macros::list).post(macros::create))
        .route("/macros/{id}", get(macros::edit).post(macros::update))
        .route("/macros/{id}/delete", post(macros::delete))
        .route("/knowledge", get(knowledge::list).post(knowledge::create))
        .route("/knowledge/{kb}", get(knowledge::show))
        .route("/knowledge/{kb}/categories", post(knowledge::add_category))
        .route("/knowledge/{kb}/articles", post(knowledge::create_article))
        .route("/knowledge/{kb}/articles/{id}", get(knowledge::edit).post(knowledge::save_article))
        .route("/agent/socket", get(agent_socket::upgrade))
        .route("/tickets/{number}", get(tickets::show).post(tickets::update))
        .route(
            "/tickets/{number}/messages",
            // Room for a message's attachments (their sum is held to one file's limit) and its text.
            post(tickets::reply).layer(axum::extract::DefaultBodyLimit::max(max_file_bytes + (1 << 20))),
        )
        .route("/tickets/{number}/merge", post(tickets::merge_into))
        .route("/tickets/{number}/follow", post(tickets::follow))
        .route("/tickets/{number}/messages/{message}/split", post(tickets::split))
        .route("/tickets/{number}/block-visitor", post(tickets::block_visitor))
        .route(
            "/tickets/{number}/files",
            post(chat::share_file).layer(axum::extract::DefaultBodyLimit::max(max_file_bytes + 1024)),
        )
        .route("/subprocessors", get(privacy::page))
        .route("/settings/privacy", get(privacy::settings))
        .route("/settings/privacy/features/{feature}", post(privacy::set_feature))
        .route("/settings/privacy/notices/{version}/object", post(privacy::object))
        .route("/settings/privacy/dpa/{version}/accept", post(privacy::accept_dpa))
        .route("/settings/privacy/grants", post(privacy::create_grant))
        .route("/settings/privacy/retention", post(privacy::set_retention))
        .route("/settings/privacy/grants/{id}/revoke", post(privacy::revoke_grant))
        .route("/settings/privacy/dpa/{version}/record", get(privacy::dpa_record))
        .route("/settings/chat", get(chat::page).post(chat::save))
        .route("/audit", get(audit::page))
        .route("/audit/export", get(audit::export))
        .route("/attachments/{id}", get(files::attachment))
        .route("/messages/{id}/original", get(files::original))
        .merge(settings::router())
}
