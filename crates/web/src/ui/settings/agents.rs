//! `/settings/agents`: the account's agents, inviting one (the set-password link is mailed to them), and changing
//! an agent's role, departments and whether they may sign in.

use super::{frame, refusals, refused, Choice, Fields};
use crate::state::AppState;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::people::{self, AddAgent};
use parley_domain::agent::{Agent, Department, Role};
use parley_domain::ids::{AgentId, DepartmentId};
use parley_store::AgentUpdate;
use serde::Deserialize;

const ROLES: [&str; 3] = ["agent", "admin", "owner"];

pub(super) struct Row {
    id: String,
    name: String,
    email: String,
    role: String,
    departments: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "settings_agents.html")]
struct AgentsPage {
    shell: Shell,
    rows: Vec<Row>,
    invited: bool,
    errors: Vec<String>,
    email: String,
    name: String,
    role: String,
    departments: Vec<Choice>,
    roles: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
pub(crate) struct Shown {
    #[serde(default)]
    invited: Option<String>,
}

fn roles(shell: &Shell) -> Vec<(&'static str, String)> {
    ROLES.iter().map(|r| (*r, shell.tr(&format!("ws-role-{r}")))).collect()
}

fn names_of(ids: &[DepartmentId], all: &[Department]) -> String {
    all.iter().filter(|d| ids.contains(&d.id)).map(|d| d.name.clone()).collect::<Vec<_>>().join(", ")
}

fn choices(all: &[Department], ticked: &[String]) -> Vec<Choice> {
    all.iter().map(|d| (d.id.to_string(), d.name.clone(), ticked.contains(&d.id.to_string()))).collect()
}

async fn list_page(
    s: &AgentSession,
    invited: bool,
    form: Option<&Fields>,
    errors: Vec<String>,
) -> Result<AgentsPage, PageError> {
    let shell = frame(s, "agents").await?;
    let all = people::list_departments(&s.ctx).await?;
    let rows = people::list_agents(&s.ctx)
        .await?
        .into_iter()
        .map(|a| Row {
            id: a.id.to_string(),
            departments: names_of(&a.department_ids, &all),
            name: a.name,
            email: a.email.to_string(),
            role: shell.tr(&format!("ws-role-{}", a.role.as_str())),
            active: a.active,
        })
        .collect();
    let ticked = form.map(|f| f.all("department")).unwrap_or_default();
    Ok(AgentsPage {
        rows,
        invited,
        errors,
        email: form.map(|f| f.one("email")).unwrap_or_default(),
        name: form.map(|f| f.one("name")).unwrap_or_default(),
        role: form.map(|f| f.one("role")).unwrap_or_else(|| "agent".into()),
        departments: choices(&all, &ticked),
        roles: roles(&shell),
        shell,
    })
}

pub(crate) async fn page(s: AgentSession, Query(q): Query<Shown>) -> Result<Response, PageError> {
    Ok(render(&list_page(&s, q.invited.is_some(), None, Vec::new()).await?))
}

fn department_ids(f: &Fields) -> Vec<DepartmentId> {
    // An id that does not parse becomes a fresh one, which names no department: the use case refuses it as it
    // refuses an unknown department.
    f.all("department").iter().map(|d| DepartmentId::parse(d).unwrap_or_default()).collect()
}

/// Invites an agent: added with a setup link, which is mailed to them; the admin sees "invitation sent".
pub(crate) async fn invite(
    State(state): State<AppState>,
    s: AgentSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let input = AddAgent {
        email: f.one("email"),
        name: f.one("name"),
        role: f.one("role"),
        department_ids: department_ids(&f),
        password: None,
    };
    match people::invite_agent(&state.app, &s.ctx, &s.caller(), input).await {
        Ok(_) => Ok(Redirect::to("/settings/agents?invited=1").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&list_page(&s, false, Some(&f), errors).await?))
        }
    }
}

#[derive(Template)]
#[template(path = "settings_agent.html")]
struct AgentPage {
    shell: Shell,
    id: String,
    name: String,
    email: String,
    role: String,
    active: bool,
    departments: Vec<Choice>,
    roles: Vec<(&'static str, String)>,
    saved: bool,
    errors: Vec<String>,
    /// The agent on the page is the one signed in: they may not lock themselves out here.
    own: bool,
}

async fn agent_page(
    s: &AgentSession,
    agent: &Agent,
    form: Option<&Fields>,
    saved: bool,
    errors: Vec<String>,
) -> Result<AgentPage, PageError> {
    let shell = frame(s, "agents").await?;
    let all = people::list_departments(&s.ctx).await?;
    let ticked = match form {
        Some(f) => f.all("department"),
        None => agent.department_ids.iter().map(|d| d.to_string()).collect(),
    };
    Ok(AgentPage {
        id: agent.id.to_string(),
        name: agent.name.clone(),
        email: agent.email.to_string(),
        role: form.map(|f| f.one("role")).unwrap_or_else(|| agent.role.as_str().to_string()),
        active: form.map(|f| f.has("active")).unwrap_or(agent.active),
        departments: choices(&all, &ticked),
        roles: roles(&shell),
        saved,
        errors,
        own: agent.id == s.agent.id,
        shell,
    })
}

fn agent_id(id: &str) -> Result<AgentId, PageError> {
    AgentId::parse(id).ok_or(PageError::Api(parley_app::AppError::NotFound.into()))
}

#[derive(Deserialize)]
pub(crate) struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

pub(crate) async fn edit(
    s: AgentSession,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let agent = people::get_agent(&s.ctx, agent_id(&id)?).await?;
    Ok(render(&agent_page(&s, &agent, None, q.saved.is_some(), Vec::new()).await?))
}

/// Changes role, departments and activity; deactivating ends the agent's sessions (the use case does).
pub(crate) async fn save(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let id = agent_id(&id)?;
    let role = Role::parse(&f.one("role"));
    let update = |role| AgentUpdate {
        name: None,
        role: Some(role),
        active: Some(f.has("active")),
        department_ids: Some(department_ids(&f)),
        profile: None,
    };
    let result = match role {
        Ok(role) => people::update_agent(&s.ctx, &s.caller(), id, update(role)).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/settings/agents/{id}?saved=1")).into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            let agent = people::get_agent(&s.ctx, id).await?;
            Ok(refused(&agent_page(&s, &agent, Some(&f), false, errors).await?))
        }
    }
}
