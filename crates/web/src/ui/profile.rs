//! The agent's own profile page: name, language, time zone, signature and notifications.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::people::{self, ProfileChange};
use parley_app::AppError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    shell: Shell,
    saved: bool,
    errors: Vec<String>,
    name: String,
    language: String,
    time_zone: String,
    signature: String,
    languages: Vec<(&'static str, &'static str)>,
    zones: &'static [&'static str],
}

/// Zones offered as the agent types; any zone of the database is taken.
pub(crate) const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Budapest",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Manila",
    "Asia/Singapore",
    "Australia/Sydney",
];

#[derive(Deserialize)]
pub(crate) struct ShownQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn page(shell: Shell, s: &AgentSession, form: Option<&ProfileForm>, saved: bool, errors: Vec<String>) -> Response {
    let p = &s.agent.profile;
    render(&ProfilePage {
        saved,
        errors,
        name: form.map(|f| f.name.clone()).unwrap_or_else(|| s.agent.name.clone()),
        language: form.map(|f| f.language.clone()).unwrap_or_else(|| p.language.clone()),
        time_zone: form.map(|f| f.time_zone.clone()).unwrap_or_else(|| p.time_zone.clone()),
        signature: form.map(|f| f.signature.clone()).unwrap_or_else(|| p.signature.clone()),
        languages: parley_i18n::LANGUAGES.iter().map(|l| (l.code, l.name)).collect(),
        zones: COMMON_ZONES,
        shell,
    })
}

pub(crate) async fn show(s: AgentSession, Query(q): Query<ShownQuery>) -> Result<Response, PageError> {
    let shell = Shell::build(&s, "profile", Some("profile")).await?;
    Ok(page(shell, &s, None, q.saved.is_some(), Vec::new()))
}

#[derive(Deserialize)]
pub(crate) struct ProfileForm {
    name: String,
    language: String,
    time_zone: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    notify_desktop: Option<String>,
    #[serde(default)]
    notify_sound: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Saves the profile; what does not pass is shown beside what was typed, which is kept.
pub(crate) async fn save(s: AgentSession, Form(f): Form<ProfileForm>) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let change = ProfileChange {
        name: Some(f.name.clone()),
        language: Some(f.language.clone()),
        time_zone: Some(f.time_zone.clone()),
        signature: Some(f.signature.clone()),
        notify_desktop: Some(f.notify_desktop.is_some()),
        notify_sound: Some(f.notify_sound.is_some()),
    };
    match people::update_profile(&s.ctx, &s.caller(), change).await {
        Ok(_) => Ok(Redirect::to("/profile?saved=1").into_response()),
        Err(AppError::Invalid(invalid)) => {
            let shell = Shell::build(&s, "profile", Some("profile")).await?;
            let errors = invalid.lines();
            Ok(page(shell, &s, Some(&f), false, errors))
        }
        Err(e) => Err(e.into()),
    }
}
