//! `/api/v1/ticket-fields`: the account's custom ticket fields.

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::tickets::{create_field, list_fields, NewField};
use parley_domain::custom_field::{FieldKind, TicketField};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new().route("/ticket-fields", get(list).post(create))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FieldList {
    ticket_fields: Vec<TicketField>,
}

#[utoipa::path(get, path = "/api/v1/ticket-fields", tag = "tickets", security(("api_key" = [])), responses((status = 200, body = FieldList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<FieldList>> {
    Ok(Json(FieldList { ticket_fields: list_fields(&api.ctx).await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewFieldBody {
    key: String,
    label: String,
    /// `text`, `number`, `date` or `dropdown`.
    #[serde(rename = "type")]
    kind: String,
    /// The choices of a dropdown.
    #[serde(default)]
    options: Vec<String>,
}

/// Define a custom ticket field.
#[utoipa::path(post, path = "/api/v1/ticket-fields", tag = "tickets", security(("api_key" = [])), request_body = NewFieldBody,
    responses((status = 201, body = TicketField), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewFieldBody>,
) -> ApiResult<(StatusCode, Json<TicketField>)> {
    let kind = match b.kind.as_str() {
        "text" => FieldKind::Text,
        "number" => FieldKind::Number,
        "date" => FieldKind::Date,
        "dropdown" => FieldKind::Dropdown { options: b.options },
        _ => return Err(parley_domain::Invalid::field("type", "must be text, number, date or dropdown").into()),
    };
    let f = create_field(&api.ctx, &api.caller, NewField { key: b.key, label: b.label, kind }).await?;
    Ok((StatusCode::CREATED, Json(f)))
}
