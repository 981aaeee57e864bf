//! `/api/v1/triggers`: the account's triggers, in order (`position`, lower first; they run in it), and
//! `POST /api/v1/triggers/test`: what they would do to a ticket, without doing it.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::triggers::{self as uc, TriggerPatch};
use parley_domain::ids::{TicketId, TriggerId};
use parley_domain::sla::ConditionsInput;
use parley_domain::trigger::{Change, TriggerEvent, TriggerInput, TriggerRecord};
use parley_domain::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/triggers", get(list).post(create))
        .route("/triggers/test", post(test))
        .route("/triggers/{id}", get(show).patch(update).delete(delete))
}

/// A trigger as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TriggerView {
    id: String,
    name: String,
    position: i64,
    active: bool,
    events: Vec<String>,
    conditions: ConditionsInput,
    #[schema(value_type = Vec<Object>)]
    actions: Vec<serde_json::Value>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<TriggerRecord> for TriggerView {
    fn from(t: TriggerRecord) -> Self {
        let input = t.trigger.to_input();
        TriggerView {
            id: t.id.to_string(),
            name: input.name,
            position: t.position,
            active: input.active,
            events: input.events,
            conditions: input.conditions,
            actions: input.actions,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Create a trigger (administrators): `{"name", "position"?, "active"?, "events", "conditions": {"all": [],
/// "any": []}, "actions"}`. Placed last unless `position` says otherwise.
#[utoipa::path(post, path = "/api/v1/triggers", tag = "automation", security(("api_key" = [])),
    request_body = TriggerInput,
    responses((status = 201, body = TriggerView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<TriggerInput>,
) -> ApiResult<(StatusCode, Json<TriggerView>)> {
    let t = uc::create_trigger(&api.ctx, &api.caller, b).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TriggerList {
    triggers: Vec<TriggerView>,
}

/// The account's triggers in their order.
#[utoipa::path(get, path = "/api/v1/triggers", tag = "automation", security(("api_key" = [])),
    responses((status = 200, body = TriggerList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<TriggerList>> {
    let all = uc::list_triggers(&api.ctx).await?;
    Ok(Json(TriggerList { triggers: all.into_iter().map(TriggerView::from).collect() }))
}

#[utoipa::path(get, path = "/api/v1/triggers/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = TriggerView), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<TriggerView>> {
    let id = path_id(&id, TriggerId::parse)?;
    Ok(Json(uc::get_trigger(&api.ctx, id).await?.into()))
}

/// Fields to change; those left out stay. Lists are replaced whole.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TriggerPatchBody {
    name: Option<String>,
    position: Option<i64>,
    active: Option<bool>,
    events: Option<Vec<String>>,
    conditions: Option<ConditionsInput>,
    #[schema(value_type = Option<Vec<Object>>)]
    actions: Option<Vec<serde_json::Value>>,
}

/// Change a trigger (administrators), switch it off with `"active": false`, or move it with `position`.
#[utoipa::path(patch, path = "/api/v1/triggers/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = TriggerPatchBody,
    responses((status = 200, body = TriggerView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TriggerPatchBody>,
) -> ApiResult<Json<TriggerView>> {
    let id = path_id(&id, TriggerId::parse)?;
    let patch = TriggerPatch {
        name: b.name,
        position: b.position,
        active: b.active,
        events: b.events,
        conditions: b.conditions,
        actions: b.actions,
    };
    Ok(Json(uc::update_trigger(&api.ctx, &api.caller, id, patch).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/triggers/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, TriggerId::parse)?;
    uc::delete_trigger(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"ticket_id", "event"?}`: the event defaults to `ticket.updated`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TestBody {
    ticket_id: String,
    event: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FiredView {
    id: String,
    name: String,
    #[schema(value_type = Vec<Object>)]
    actions: Vec<serde_json::Value>,
}

/// What the triggers would do.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TestResult {
    /// The triggers that would fire, in the order they would.
    fired: Vec<FiredView>,
    /// The fields that would change, in order: `{"field": "priority", "from", "to"}` …
    #[schema(value_type = Vec<Object>)]
    changes: Vec<Change>,
    /// The ticket's fields as they would be after.
    #[schema(value_type = Object)]
    after: serde_json::Value,
    /// Whether the run stopped at its bound of firings.
    stopped: bool,
}

/// Try the account's triggers on a ticket (administrators): what would fire on `event` and what it would change.
/// Nothing is written and no mail is sent.
#[utoipa::path(post, path = "/api/v1/triggers/test", tag = "automation", security(("api_key" = [])),
    request_body = TestBody,
    responses((status = 200, body = TestResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn test(
    api: ApiCaller,
    State(state): State<crate::state::AppState>,
    ApiJson(b): ApiJson<TestBody>,
) -> ApiResult<Json<TestResult>> {
    let ticket =
        TicketId::parse(b.ticket_id.trim()).ok_or_else(|| Invalid::field("ticket_id", "is not a ticket id"))?;
    let event = match b.event.as_deref() {
        None => TriggerEvent::TicketUpdated,
        Some(e) => TriggerEvent::parse(e.trim()).map_err(|x| x.at("event"))?,
    };
    let r = uc::test_triggers(&state.app, &api.ctx, &api.caller, ticket, event).await?;
    let a = &r.after;
    let after = serde_json::json!({
        "status": a.status.as_str(),
        "priority": a.priority.as_str(),
        "assignee_id": a.assignee_id.map(|x| x.to_string()),
        "department_id": a.department_id.map(|x| x.to_string()),
        "tags": a.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "subject": a.subject,
    });
    Ok(Json(TestResult {
        fired: r
            .fired
            .into_iter()
            .map(|f| FiredView { id: f.id.to_string(), name: f.name, actions: f.actions })
            .collect(),
        changes: r.changes,
        after,
        stopped: r.stopped,
    }))
}
