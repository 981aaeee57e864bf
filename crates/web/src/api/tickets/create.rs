use super::TicketOut;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use parley_app::tickets::{open_ticket, OpenTicket, RequesterInput};
use parley_domain::ids::{AgentId, ContactId, DepartmentId};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateTicket {
    subject: String,
    message: FirstMessage,
    requester: RequesterRef,
    #[schema(value_type = Option<parley_domain::ticket::Status>)]
    status: Option<String>,
    #[schema(value_type = Option<parley_domain::ticket::Priority>)]
    priority: Option<String>,
    /// Defaults to `api`.
    #[schema(value_type = Option<parley_domain::ticket::Channel>)]
    channel: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    assignee_id: Option<AgentId>,
    department_id: Option<DepartmentId>,
    #[serde(default)]
    #[schema(value_type = Object)]
    custom_fields: BTreeMap<String, Value>,
}

/// The customer's first message.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FirstMessage {
    body: String,
}

/// A contact by id, or by email (found, or added with the name given).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequesterRef {
    id: Option<ContactId>,
    email: Option<String>,
    name: Option<String>,
}

/// Open a ticket with the requester's first message.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = CreateTicket,
    security(("api_key" = [])),
    responses((status = 201, body = TicketOut), (status = 422, body = Problem), (status = 401, body = Problem),
        (status = 429, body = Problem, description = "busy: the search index is far behind; retry after the seconds given")))]
#[tracing::instrument(skip_all)]
pub(crate) async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    ApiJson(body): ApiJson<CreateTicket>,
) -> ApiResult<impl IntoResponse> {
    // Backpressure: refused before anything is stored while the region's index is too far behind.
    state.app.indexing.admit(&api.ctx.region)?;
    let requester = match (body.requester.id, body.requester.email) {
        (Some(id), None) => RequesterInput::Id(id),
        (None, Some(email)) => RequesterInput::Email { email, name: body.requester.name },
        _ => {
            return Err(parley_domain::Invalid::field("requester", "give either an id or an email").into());
        }
    };
    let input = OpenTicket {
        subject: body.subject,
        body: body.message.body,
        requester,
        status: body.status,
        priority: body.priority,
        channel: body.channel,
        tags: body.tags,
        assignee_id: body.assignee_id,
        department_id: body.department_id,
        custom_fields: body.custom_fields,
    };
    let (ticket, requester, _) = open_ticket(&state.app, &api.ctx, &api.caller, input).await?;
    let location = format!("/api/v1/tickets/{}", ticket.id);
    let mut out = TicketOut::bare(ticket);
    out.requester = Some(requester);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(out)))
}
