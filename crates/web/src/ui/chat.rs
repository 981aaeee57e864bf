//! The account's chat settings page (admins): the line to put on a site, the sites that may embed it, and the
//! identity secret; and files agents share in chats from the ticket page.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::chat::settings;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "chat_settings.html")]
struct ChatSettingsPage {
    shell: Shell,
    csrf: String,
    embed: String,
    origins: String,
    secret: String,
    round_robin: bool,
    ring_seconds: u32,
    color: String,
    left: bool,
    greeting: String,
}

pub(crate) async fn page(State(state): State<AppState>, s: AgentSession) -> Result<Response, PageError> {
    let current = settings::get(&s.ctx, &s.caller()).await?;
    let url = state.app.settings.account_url(s.ctx.slug.as_str());
    Ok(render(&ChatSettingsPage {
        shell: Shell::build(&s, "settings", Some("chat")).await?,
        csrf: s.session.csrf_token.clone(),
        embed: format!(r#"<script src="{url}/widget.js" async></script>"#),
        origins: current.allowed_origins.join("\n"),
        secret: current.identity_secret,
        round_robin: current.routing.strategy == parley_domain::chat_routing::RoutingStrategy::RoundRobin,
        ring_seconds: current.routing.ring_secs,
        color: current.look.color.clone().unwrap_or_default(),
        left: current.look.position.as_deref() == Some("left"),
        greeting: current.look.greeting.clone().unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct ChatForm {
    #[serde(default)]
    origins: String,
    #[serde(default)]
    rotate: Option<String>,
    #[serde(default)]
    routing: Option<String>,
    #[serde(default)]
    ring_seconds: Option<String>,
    #[serde(flatten)]
    look: settings::LookInput,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn save(s: AgentSession, axum::Form(f): axum::Form<ChatForm>) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let origins =
        f.origins.split(['\n', ',', ' ']).map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect();
    let change = settings::ChatSettingsChange {
        allowed_origins: Some(origins),
        rotate_secret: f.rotate.is_some(),
        routing: f.routing,
        ring_seconds: f.ring_seconds.as_deref().map(|n| n.trim().parse::<i64>().unwrap_or(-1)),
        look: Some(f.look),
    };
    settings::set(&s.ctx, &s.caller(), change).await?;
    Ok(Redirect::to("/settings/chat").into_response())
}

#[derive(Deserialize)]
pub(crate) struct FileQuery {
    client_id: String,
    name: String,
}

/// The agent shares a file in a chat from its ticket page (the page's script sends the bytes as the body).
pub(crate) async fn share_file(
    State(state): State<AppState>,
    s: AgentSession,
    Path(number): Path<String>,
    axum::extract::Query(q): axum::extract::Query<FileQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // The page's script sends the form token in a header: a query string ends up in logs.
    let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    s.check_csrf(csrf)?;
    let number = super::tickets::parse_number(&number)?;
    let ticket = parley_app::tickets::find_by_number(&s.ctx, &s.caller(), number).await?;
    let file =
        crate::chat::shared_file(crate::chat::FileQuery { client_id: q.client_id, name: q.name }, &headers, body);
    let caller = s.caller();
    let sender = parley_app::chat::files::Sender::Agent(&caller);
    parley_app::chat::files::share(&state.app, &s.ctx, sender, ticket.id, file).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
