use super::TicketOut;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use axum::extract::Path;
use axum::Json;
use parley_app::tickets::get_ticket;
use parley_domain::ids::TicketId;

/// One ticket with its requester, timeline (messages and events, oldest first) and SLA.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("api_key" = [])),
    params(("id" = String, Path, description = "The ticket's id")),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<TicketOut>> {
    let id = path_id(&id, TicketId::parse)?;
    let detail = get_ticket(&api.ctx, &api.caller, id).await?;
    Ok(Json(TicketOut::shown(&api.ctx, detail).await?))
}
