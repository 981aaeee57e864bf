//! `POST /api/v1/contacts/{id}/merge`: two records of one person made one.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::Path;
use axum::routing::post;
use axum::{Json, Router};
use parley_app::people;
use parley_domain::contact::Contact;
use parley_domain::ids::{ContactId, TicketId};
use parley_domain::Invalid;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/contacts/{id}/merge", post(merge))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeContactBody {
    /// The other contact: merged into this one, then deleted.
    #[schema(format = "uuid")]
    from: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct MergedContact {
    /// The contact kept, with what it lacked taken from the other one.
    contact: Contact,
    /// The tickets (and chats) that moved to it.
    tickets_moved: Vec<TicketId>,
}

/// Merge another contact into this one: its tickets, chats, messages and chat identities move here, what this one
/// lacks (email, name, company) is taken from it, and it is deleted. Audited as `contact.merged`.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The contact kept")), request_body = MergeContactBody,
    responses((status = 200, body = MergedContact), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn merge(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeContactBody>,
) -> ApiResult<Json<MergedContact>> {
    let into = path_id(&id, ContactId::parse)?;
    let from = ContactId::parse(&b.from).ok_or_else(|| Invalid::field("from", "is not a contact id"))?;
    let (contact, tickets_moved) = people::merge_contacts(&api.ctx, &api.caller, into, from).await?;
    Ok(Json(MergedContact { contact, tickets_moved }))
}
