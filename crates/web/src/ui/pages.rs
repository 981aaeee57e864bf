//! The service's own pages and the agent home.

use super::session::render;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::AccountCtx;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    example: String,
}

/// `/`: on an account's host, the inbox; on the service's host, what this is and how to start.
pub(crate) async fn home(State(state): State<AppState>, req: Request) -> Response {
    if req.extensions().get::<AccountCtx>().is_some() {
        return Redirect::to("/tickets").into_response();
    }
    render(&HomePage { example: state.app.settings.account_url("acme") })
}

/// The script that makes the agent's pages live.
pub(crate) async fn agent_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/agent.js"),
    )
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/parley.css"),
    )
}
