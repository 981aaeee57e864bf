//! `/settings/assignment`: whether new email, web and API tickets are offered to available agents, how, up to how
//! many open tickets each, and whether only in business hours (the API's `/api/v1/settings/assignment`).

use super::{frame, refusals, refused, Fields};
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::assignment;
use parley_domain::assignment::AssignmentInput;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_assignment.html")]
struct AssignmentPage {
    shell: Shell,
    enabled: bool,
    strategy: String,
    /// As typed: a refused number is shown again.
    max_open: String,
    business_hours: bool,
    strategies: Vec<(&'static str, String)>,
    saved: bool,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct Shown {
    #[serde(default)]
    saved: Option<String>,
}

async fn build(
    s: &AgentSession,
    form: Option<&Fields>,
    saved: bool,
    errors: Vec<String>,
) -> Result<AssignmentPage, PageError> {
    let shell = frame(s, "assignment").await?;
    let now = assignment::get(&s.ctx, &s.caller()).await?;
    let strategies =
        ["least_busy", "round_robin"].map(|k| (k, shell.tr(&format!("ws-rule-strategy-{}", k.replace('_', "-")))));
    Ok(AssignmentPage {
        enabled: form.map_or(now.enabled, |f| f.has("enabled")),
        strategy: form.map_or_else(|| now.strategy.as_str().to_string(), |f| f.one("strategy")),
        max_open: form.map_or_else(|| now.max_open.to_string(), |f| f.one("max_open")),
        business_hours: form.map_or(now.business_hours, |f| f.has("business_hours")),
        strategies: strategies.to_vec(),
        saved,
        errors,
        shell,
    })
}

pub(crate) async fn page(s: AgentSession, Query(q): Query<Shown>) -> Result<Response, PageError> {
    Ok(render(&build(&s, None, q.saved.is_some(), Vec::new()).await?))
}

pub(crate) async fn save(s: AgentSession, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let typed = f.one("max_open");
    // A number that is not one is refused by the same check as one out of range, naming the field.
    let max_open = Some(typed.trim().parse::<i64>().unwrap_or(0));
    let input = AssignmentInput {
        enabled: Some(f.has("enabled")),
        strategy: Some(f.one("strategy")),
        max_open,
        business_hours: Some(f.has("business_hours")),
    };
    match assignment::set(&s.ctx, &s.caller(), input).await {
        Ok(_) => Ok(Redirect::to("/settings/assignment?saved=1").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&s, Some(&f), false, errors).await?))
        }
    }
}
