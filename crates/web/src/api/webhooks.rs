//! `/api/v1/webhooks`: subscriptions to the account's events, delivered signed by the Standard Webhooks scheme.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::webhooks::{create_webhook, delete_webhook, list_deliveries, list_webhooks, redeliver, NewWebhook};
use parley_domain::ids::WebhookId;
use parley_domain::webhook::{EventType, Webhook};
use parley_store::DeliveryStatus;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", get(show).delete(delete))
        .route("/webhooks/{id}/deliveries/{delivery_id}/redeliver", axum::routing::post(redeliver_one))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewWebhookBody {
    url: String,
    #[schema(value_type = Vec<EventType>)]
    events: Vec<String>,
    description: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct NewWebhookOut {
    webhook: Webhook,
    /// The signing secret (`whsec_…`), shown once.
    secret: String,
}

/// Subscribe a URL to events. Deliveries carry `webhook-id`, `webhook-timestamp` and `webhook-signature` headers.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("api_key" = [])), request_body = NewWebhookBody,
    responses((status = 201, body = NewWebhookOut), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    State(state): State<crate::state::AppState>,
    ApiJson(b): ApiJson<NewWebhookBody>,
) -> ApiResult<(StatusCode, Json<NewWebhookOut>)> {
    let input = NewWebhook { url: b.url, events: b.events, description: b.description };
    let (webhook, secret) =
        create_webhook(&api.ctx, &api.caller, input, state.app.settings.webhook_allow_private).await?;
    Ok((StatusCode::CREATED, Json(NewWebhookOut { webhook, secret: secret.expose() })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct WebhookList {
    webhooks: Vec<Webhook>,
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("api_key" = [])), responses((status = 200, body = WebhookList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<WebhookList>> {
    Ok(Json(WebhookList { webhooks: list_webhooks(&api.ctx, &api.caller).await? }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct WebhookDetail {
    webhook: Webhook,
    /// The latest deliveries, newest first.
    #[schema(value_type = Vec<Object>)]
    deliveries: Vec<DeliveryStatus>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = WebhookDetail), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<WebhookDetail>> {
    let id = path_id(&id, WebhookId::parse)?;
    let (webhook, deliveries) = list_deliveries(&api.ctx, &api.caller, id).await?;
    Ok(Json(WebhookDetail { webhook, deliveries }))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, WebhookId::parse)?;
    delete_webhook(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a delivery again (one that was delivered, or given up after its retries): the same event with the same
/// `webhook-id`, queued for the delivery worker. `409` while the delivery is still waiting for an attempt. Audited.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    security(("api_key" = [])), params(("id" = String, Path), ("delivery_id" = String, Path, description = "The delivery's event id (`msg_…`)")),
    responses((status = 202), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn redeliver_one(
    api: ApiCaller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, WebhookId::parse)?;
    redeliver(&api.ctx, &api.caller, id, &delivery_id).await?;
    Ok(StatusCode::ACCEPTED)
}
