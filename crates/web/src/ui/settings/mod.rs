//! The account's settings pages in the workspace (admins and owners): agents, departments, mailboxes, mail
//! settings, webhooks, custom fields, API keys, business hours, SLA policies, triggers and automations. Each page
//! calls the same use cases as the API, so every change is checked and audited exactly as it is there; an agent is
//! refused here as the API refuses them.

mod agents;
mod api_keys;
mod assignment;
mod automations;
mod business_hours;
mod condition_rows;
mod departments;
mod fields;
mod mail;
mod mailboxes;
mod rule_form;
mod rule_pages;
mod sla_form;
mod sla_policies;
mod triggers;
mod webhooks;

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use crate::state::AppState;
use askama::Template;
use automations::Automations;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use parley_app::AppError;
use rule_pages::Rules;
use triggers::Triggers;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/agents", get(agents::page).post(agents::invite))
        .route("/settings/agents/{id}", get(agents::edit).post(agents::save))
        .route("/settings/departments", get(departments::page).post(departments::create))
        .route("/settings/mailboxes", get(mailboxes::page).post(mailboxes::create))
        .route("/settings/mailboxes/{id}/test", post(mailboxes::test))
        .route("/settings/mail", get(mail::page).post(mail::save))
        .route("/settings/assignment", get(assignment::page).post(assignment::save))
        .route("/settings/webhooks", get(webhooks::page).post(webhooks::create))
        .route("/settings/webhooks/{id}", get(webhooks::deliveries))
        .route("/settings/webhooks/{id}/delete", post(webhooks::delete))
        .route("/settings/webhooks/{id}/deliveries/{event}/redeliver", post(webhooks::redeliver))
        .route("/settings/fields", get(fields::page).post(fields::create))
        .route("/settings/api-keys", get(api_keys::page).post(api_keys::create))
        .route("/settings/api-keys/{id}/revoke", post(api_keys::revoke))
        .route("/settings/business-hours", get(business_hours::list).post(business_hours::create))
        .route("/settings/business-hours/new", get(business_hours::new))
        .route("/settings/business-hours/{id}", get(business_hours::edit).post(business_hours::save))
        .route("/settings/business-hours/{id}/delete", post(business_hours::delete))
        .route("/settings/sla-policies", get(sla_policies::list).post(sla_policies::create))
        .route("/settings/sla-policies/new", get(sla_policies::new))
        .route("/settings/sla-policies/{id}", get(sla_policies::edit).post(sla_policies::save))
        .route("/settings/sla-policies/{id}/move", post(sla_policies::reorder))
        .route("/settings/sla-policies/{id}/delete", get(sla_policies::confirm_delete).post(sla_policies::delete))
        .merge(rules::<Triggers>(get(triggers::edit)))
        .merge(rules::<Automations>(get(rule_pages::edit::<Automations>)))
}

/// The pages of a kind of rule under its list's path; `edit` shows one (a trigger's has the test box).
fn rules<R: Rules>(edit: axum::routing::MethodRouter<AppState>) -> Router<AppState> {
    let list = R::LIST;
    Router::new()
        .route(list, get(rule_pages::list::<R>).post(rule_pages::create::<R>))
        .route(&format!("{list}/new"), get(rule_pages::new::<R>))
        .route(&format!("{list}/{{id}}"), edit.post(rule_pages::save::<R>))
        .route(&format!("{list}/{{id}}/move"), post(rule_pages::reorder::<R>))
        .route(&format!("{list}/{{id}}/delete"), get(rule_pages::confirm_delete::<R>).post(rule_pages::delete::<R>))
}

/// The frame of the settings page `page` (its key in the settings column), for admins only: the pages show and
/// change what only admins may, and an agent gets the API's `403`, not an empty page.
pub(super) async fn frame(s: &AgentSession, page: &'static str) -> Result<Shell, PageError> {
    s.caller().require_admin()?;
    Shell::build(s, "settings", Some(page)).await
}

/// A posted form as its pairs, so that a name may come several times (checkboxes of departments or events).
pub(super) struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or empty.
    pub fn one(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Refuses a form without its session's token.
    pub fn check(&self, s: &AgentSession) -> Result<(), PageError> {
        s.check_csrf(&self.one("_csrf"))
    }
}

/// A posted form about the item `id` of a settings list: its fields once the session's token is checked, and the
/// id read (an id that is no id is not found).
pub(super) fn posted<T>(
    s: &AgentSession,
    pairs: Vec<(String, String)>,
    id: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<(Fields, T), PageError> {
    let f = Fields(pairs);
    f.check(s)?;
    Ok((f, crate::api::path_id(id, parse)?))
}

/// What a use case refused in what was typed, as lines to show above the form; any other error is the page's.
pub(super) fn refusals(e: AppError) -> Result<Vec<String>, PageError> {
    match e {
        AppError::Invalid(invalid) => Ok(invalid.lines()),
        AppError::Conflict(what) => Ok(vec![what]),
        other => Err(other.into()),
    }
}

/// A page shown again with what was refused: `422`, so scripts and tests see the form did not pass.
pub(super) fn refused<T: Template>(page: &T) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response()
}

/// A time for a table cell, in the agent's time zone.
pub(super) fn when(shell: &Shell, t: parley_domain::Timestamp) -> String {
    t.in_zone(&shell.time_zone)
}

/// The question before something of a settings list is deleted, under `list` (`/settings/triggers`).
#[derive(Template)]
#[template(path = "settings_delete.html")]
pub(super) struct DeletePage {
    pub shell: Shell,
    pub list: &'static str,
    pub list_label: String,
    pub heading: String,
    pub id: String,
    pub question: String,
}

/// A department to tick in a form: (id, name, ticked).
pub(super) type Choice = (String, String, bool);
