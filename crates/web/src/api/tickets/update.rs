use super::TicketOut;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::{double_option, ApiJson};
use axum::extract::Path;
use axum::Json;
use parley_app::tickets::{update_ticket, UpdateTicket};
use parley_domain::ids::{AgentId, DepartmentId, TicketId};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Fields to change; those left out stay as they are. `null` clears `assignee_id` and `department_id`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateTicketBody {
    subject: Option<String>,
    #[schema(value_type = Option<parley_domain::ticket::Status>)]
    status: Option<String>,
    #[schema(value_type = Option<parley_domain::ticket::Priority>)]
    priority: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = "uuid")]
    assignee_id: Option<Option<AgentId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = "uuid")]
    department_id: Option<Option<DepartmentId>>,
    /// Replaces the tags.
    tags: Option<Vec<String>>,
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default)]
    remove_tags: Vec<String>,
    /// Values by field key; `null` clears one.
    #[serde(default)]
    #[schema(value_type = Object)]
    custom_fields: BTreeMap<String, Value>,
}

/// Change a ticket. Each change is recorded in its timeline; a closed ticket can no longer be changed.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", request_body = UpdateTicketBody,
    security(("api_key" = [])), params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateTicketBody>,
) -> ApiResult<Json<TicketOut>> {
    let id = path_id(&id, TicketId::parse)?;
    let input = UpdateTicket {
        subject: b.subject,
        status: b.status,
        priority: b.priority,
        assignee_id: b.assignee_id,
        department_id: b.department_id,
        tags: b.tags,
        add_tags: b.add_tags,
        remove_tags: b.remove_tags,
        custom_fields: b.custom_fields,
    };
    let ticket = update_ticket(&api.ctx, &api.caller, id, input).await?;
    Ok(Json(TicketOut::bare(ticket)))
}
