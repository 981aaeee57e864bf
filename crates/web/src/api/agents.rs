//! `/api/v1/agents` and `/api/v1/departments`.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::people::{self, AddAgent, Credentials};
use parley_domain::agent::{Agent, Department, Role};
use parley_domain::ids::{AgentId, DepartmentId};
use parley_store::AgentUpdate;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/agents", get(list).post(create))
        .route("/agents/{id}", get(show).patch(update))
        .route("/departments", get(list_departments).post(create_department))
        .route("/me", get(show_me).patch(update_me))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AgentList {
    agents: Vec<Agent>,
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", security(("api_key" = [])), responses((status = 200, body = AgentList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<AgentList>> {
    Ok(Json(AgentList { agents: people::list_agents(&api.ctx).await? }))
}

#[utoipa::path(get, path = "/api/v1/agents/{id}", tag = "agents", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Agent), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Agent>> {
    let id = path_id(&id, AgentId::parse)?;
    Ok(Json(people::get_agent(&api.ctx, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAgentBody {
    email: String,
    name: String,
    #[schema(value_type = Role)]
    role: String,
    #[serde(default)]
    department_ids: Vec<DepartmentId>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct NewAgentOut {
    agent: Agent,
    /// A one-time link where the agent sets a password; valid for seven days.
    setup_url: String,
}

/// Add an agent. The answer holds a link for the agent to set a password.
#[utoipa::path(post, path = "/api/v1/agents", tag = "agents", security(("api_key" = [])), request_body = NewAgentBody,
    responses((status = 201, body = NewAgentOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    State(state): State<crate::state::AppState>,
    ApiJson(b): ApiJson<NewAgentBody>,
) -> ApiResult<(StatusCode, Json<NewAgentOut>)> {
    api.caller.require_admin()?;
    let input =
        AddAgent { email: b.email, name: b.name, role: b.role, department_ids: b.department_ids, password: None };
    let (agent, creds) = people::add_agent(&api.ctx, Some(&api.caller), input, true).await?;
    let token = match creds {
        Credentials::SetupToken(t) => t,
        Credentials::Password(_) => String::new(),
    };
    let setup_url = people::setup_link(&state.app, &api.ctx, &token);
    Ok((StatusCode::CREATED, Json(NewAgentOut { agent, setup_url })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateAgentBody {
    name: Option<String>,
    #[schema(value_type = Option<Role>)]
    role: Option<String>,
    /// `false` deactivates the agent and ends their sessions.
    active: Option<bool>,
    department_ids: Option<Vec<DepartmentId>>,
}

#[utoipa::path(patch, path = "/api/v1/agents/{id}", tag = "agents", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = UpdateAgentBody,
    responses((status = 200, body = Agent), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateAgentBody>,
) -> ApiResult<Json<Agent>> {
    let id = path_id(&id, AgentId::parse)?;
    let role = b.role.as_deref().map(Role::parse).transpose()?;
    let update = AgentUpdate { name: b.name, role, active: b.active, department_ids: b.department_ids, profile: None };
    Ok(Json(people::update_agent(&api.ctx, &api.caller, id, update).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DepartmentList {
    departments: Vec<Department>,
}

#[utoipa::path(get, path = "/api/v1/departments", tag = "agents", security(("api_key" = [])), responses((status = 200, body = DepartmentList)))]
pub(crate) async fn list_departments(api: ApiCaller) -> ApiResult<Json<DepartmentList>> {
    Ok(Json(DepartmentList { departments: people::list_departments(&api.ctx).await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDepartmentBody {
    name: String,
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "agents", security(("api_key" = [])), request_body = NewDepartmentBody,
    responses((status = 201, body = Department), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create_department(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewDepartmentBody>,
) -> ApiResult<(StatusCode, Json<Department>)> {
    Ok((StatusCode::CREATED, Json(people::create_department(&api.ctx, &api.caller, &b.name).await?)))
}

/// The agent the caller acts as, with their own settings: the signed-in agent, or for an API key the agent who
/// made it. Only a signed-in agent changes a profile (`PATCH`).
#[utoipa::path(get, path = "/api/v1/me", tag = "agents", security(("api_key" = [])),
    responses((status = 200, body = Agent), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn show_me(api: ApiCaller) -> ApiResult<Json<Agent>> {
    Ok(Json(people::acting_agent(&api.ctx, &api.caller).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileBody {
    name: Option<String>,
    /// `en`, `de`, `hu` or `tl`.
    language: Option<String>,
    /// An IANA time zone, such as `Europe/Budapest`.
    time_zone: Option<String>,
    signature: Option<String>,
    notify_desktop: Option<bool>,
    notify_sound: Option<bool>,
}

/// Change one's own name, language, time zone, signature and notifications.
#[utoipa::path(patch, path = "/api/v1/me", tag = "agents", security(("api_key" = [])), request_body = ProfileBody,
    responses((status = 200, body = Agent), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_me(api: ApiCaller, ApiJson(b): ApiJson<ProfileBody>) -> ApiResult<Json<Agent>> {
    let change = people::ProfileChange {
        name: b.name,
        language: b.language,
        time_zone: b.time_zone,
        signature: b.signature,
        notify_desktop: b.notify_desktop,
        notify_sound: b.notify_sound,
    };
    Ok(Json(people::update_profile(&api.ctx, &api.caller, change).await?))
}
