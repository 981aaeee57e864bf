//! The saved responses page: every agent keeps their own; administrators also share them with the account. The
//! composer inserts them by `#shortcut` or by searching their title.

use super::session::{render, AgentSession, CsrfForm, PageError};
use super::shell::Shell;
use crate::api::path_id;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::canned::{self, CannedInput, CannedQuery};
use parley_app::AppError;
use parley_domain::ids::CannedResponseId;
use serde::Deserialize;

pub(crate) struct CannedRow {
    id: String,
    title: String,
    shortcut: String,
    folder: String,
    language: String,
    shared: bool,
    body: String,
    /// Whether this agent may delete it: their own, or a shared one for an administrator.
    mine: bool,
}

#[derive(Template)]
#[template(path = "canned.html")]
struct CannedPage {
    shell: Shell,
    rows: Vec<CannedRow>,
    errors: Vec<String>,
    saved: bool,
    /// What was typed in the form, kept when it is refused: (title, shortcut, folder, language, body, shared).
    typed: (String, String, String, String, String, bool),
}

#[derive(Deserialize)]
pub(crate) struct ShownQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn page(
    s: &AgentSession,
    errors: Vec<String>,
    saved: bool,
    typed: Option<&NewForm>,
) -> Result<Response, PageError> {
    let shell = Shell::build(s, "profile", Some("canned")).await?;
    let me = s.agent.id;
    let admin = s.agent.role.is_admin();
    let rows = canned::list_canned(&s.ctx, &s.caller(), CannedQuery::default())
        .await?
        .into_iter()
        .map(|c| CannedRow {
            id: c.id.to_string(),
            title: c.title,
            shortcut: c.shortcut.map(|x| format!("#{}", x.as_str())).unwrap_or_default(),
            folder: c.folder.unwrap_or_default(),
            language: c.language.map(|l| l.as_str().to_string()).unwrap_or_default(),
            mine: if c.shared { admin } else { c.owner_id == Some(me) },
            shared: c.shared,
            body: c.body,
        })
        .collect();
    let typed = typed
        .map(|f| {
            (
                f.title.clone(),
                f.shortcut.clone(),
                f.folder.clone(),
                f.language.clone(),
                f.body.clone(),
                f.shared.is_some(),
            )
        })
        .unwrap_or_default();
    Ok(render(&CannedPage { shell, rows, errors, saved, typed }))
}

pub(crate) async fn list(s: AgentSession, Query(q): Query<ShownQuery>) -> Result<Response, PageError> {
    page(&s, Vec::new(), q.saved.is_some(), None).await
}

#[derive(Deserialize)]
pub(crate) struct NewForm {
    title: String,
    #[serde(default)]
    shortcut: String,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    language: String,
    body: String,
    #[serde(default)]
    shared: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Saves a new response; a refused one (an unknown placeholder, a shortcut taken) comes back named, as typed.
pub(crate) async fn create(s: AgentSession, Form(f): Form<NewForm>) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let some = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    let input = CannedInput {
        title: f.title.clone(),
        body: f.body.clone(),
        shared: f.shared.is_some(),
        shortcut: some(&f.shortcut),
        folder: some(&f.folder),
        language: some(&f.language),
    };
    match canned::create_canned(&s.ctx, &s.caller(), input).await {
        Ok(_) => Ok(Redirect::to("/canned-responses?saved=1").into_response()),
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid.lines();
            page(&s, errors, false, Some(&f)).await
        }
        Err(AppError::Conflict(detail) | AppError::Forbidden(detail)) => page(&s, vec![detail], false, Some(&f)).await,
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn delete(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let id = path_id(&id, CannedResponseId::parse)?;
    canned::delete_canned(&s.ctx, &s.caller(), id).await?;
    Ok(Redirect::to("/canned-responses").into_response())
}
