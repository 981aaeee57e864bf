use super::TicketOut;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::Path;
use axum::Json;
use parley_app::tickets::merge_tickets;
use parley_domain::ids::TicketId;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeBody {
    /// Tickets to merge into this one: each is closed and its messages move here.
    ids: Vec<TicketId>,
}

/// Merge other tickets into this one.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", tag = "tickets", request_body = MergeBody,
    security(("api_key" = [])), params(("id" = String, Path, description = "The ticket to merge into")),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn merge(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Json<TicketOut>> {
    let id = path_id(&id, TicketId::parse)?;
    let ticket = merge_tickets(&api.ctx, &api.caller, id, &b.ids).await?;
    Ok(Json(TicketOut::bare(ticket)))
}
