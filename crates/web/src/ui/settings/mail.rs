//! `/settings/mail`: whether mail that opens a ticket is acknowledged, and the account's own wording of the
//! acknowledgement per language (empty: Parley's own text, shown as the starting point).

use super::{frame, refusals, refused, Fields};
use crate::state::AppState;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::email;
use parley_domain::mail_template::{MailTemplate, PLACEHOLDERS};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(super) struct Language {
    code: String,
    subject: String,
    body: String,
    default_subject: String,
    default_body: String,
}

#[derive(Template)]
#[template(path = "settings_mail.html")]
struct MailPage {
    shell: Shell,
    acknowledge: bool,
    languages: Vec<Language>,
    placeholders: String,
    saved: bool,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct Shown {
    #[serde(default)]
    saved: Option<String>,
}

async fn build(
    state: &AppState,
    s: &AgentSession,
    form: Option<&Fields>,
    saved: bool,
    errors: Vec<String>,
) -> Result<MailPage, PageError> {
    let shell = frame(s, "mail").await?;
    let view = email::mail_settings(&state.app, &s.ctx, &s.caller()).await?;
    let mut codes: Vec<String> = view.defaults.keys().cloned().collect();
    codes.extend(view.settings.acknowledgement.keys().filter(|k| !view.defaults.contains_key(*k)).cloned());
    let languages = codes
        .into_iter()
        .map(|code| {
            let own = view.settings.acknowledgement.get(&code);
            let default = view.defaults.get(&code);
            let typed = |part: &str| form.map(|f| f.one(&format!("{part}_{code}")));
            Language {
                subject: typed("subject").unwrap_or_else(|| own.map(|t| t.subject.clone()).unwrap_or_default()),
                body: typed("body").unwrap_or_else(|| own.map(|t| t.body.clone()).unwrap_or_default()),
                default_subject: default.map(|t| t.subject.clone()).unwrap_or_default(),
                default_body: default.map(|t| t.body.clone()).unwrap_or_default(),
                code,
            }
        })
        .collect();
    Ok(MailPage {
        acknowledge: form.map(|f| f.has("acknowledge")).unwrap_or(view.settings.acknowledge),
        languages,
        placeholders: PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", "),
        saved,
        errors,
        shell,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    s: AgentSession,
    Query(q): Query<Shown>,
) -> Result<Response, PageError> {
    Ok(render(&build(&state, &s, None, q.saved.is_some(), Vec::new()).await?))
}

/// Replaces the settings whole, as the API's PUT does: a language whose subject and body are both empty uses
/// Parley's own text.
pub(crate) async fn save(
    State(state): State<AppState>,
    s: AgentSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let mut templates = BTreeMap::new();
    for lang in f.all("language") {
        let subject = f.one(&format!("subject_{lang}"));
        let body = f.one(&format!("body_{lang}"));
        if !subject.trim().is_empty() || !body.trim().is_empty() {
            templates.insert(lang, MailTemplate { subject, body });
        }
    }
    match email::set_mail_settings(&state.app, &s.ctx, &s.caller(), f.has("acknowledge"), templates).await {
        Ok(_) => Ok(Redirect::to("/settings/mail?saved=1").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&state, &s, Some(&f), false, errors).await?))
        }
    }
}
