//! `/settings/departments`: the account's departments, and adding one. (Departments are not renamed: the store
//! has no such change yet.)

use super::{frame, refusals, refused, when, Fields};
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::people;

#[derive(Template)]
#[template(path = "settings_departments.html")]
struct DepartmentsPage {
    shell: Shell,
    /// (name, created, agents in it)
    rows: Vec<(String, String, usize)>,
    errors: Vec<String>,
    name: String,
}

async fn build(s: &AgentSession, name: String, errors: Vec<String>) -> Result<DepartmentsPage, PageError> {
    let shell = frame(s, "departments").await?;
    let agents = people::list_agents(&s.ctx).await?;
    let rows = people::list_departments(&s.ctx)
        .await?
        .into_iter()
        .map(|d| {
            let n = agents.iter().filter(|a| a.department_ids.contains(&d.id)).count();
            (d.name, when(&shell, d.created_at), n)
        })
        .collect();
    Ok(DepartmentsPage { shell, rows, errors, name })
}

pub(crate) async fn page(s: AgentSession) -> Result<Response, PageError> {
    Ok(render(&build(&s, String::new(), Vec::new()).await?))
}

pub(crate) async fn create(s: AgentSession, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    match people::create_department(&s.ctx, &s.caller(), &f.one("name")).await {
        Ok(_) => Ok(Redirect::to("/settings/departments").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&s, f.one("name"), errors).await?))
        }
    }
}
