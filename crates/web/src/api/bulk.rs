//! `POST /api/v1/tickets/bulk`: one action on many tickets, each changed on its own, with a report of those that
//! could not change.

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::{double_option, ApiJson};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use parley_app::canned::{bulk_update, BulkOperation};
use parley_app::tickets::UpdateTicket;
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, DepartmentId, MacroId, TicketId};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/tickets/bulk", post(bulk))
}

/// What to do to every ticket named: exactly one of `changes`, `macro_id`, `merge_into` and `spam`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkBody {
    /// 1 to 1,000 ticket ids; repeats count once.
    ids: Vec<String>,
    changes: Option<BulkChanges>,
    /// Apply this macro (its reply and its changes) to each ticket.
    macro_id: Option<MacroId>,
    /// Merge each ticket into this one.
    merge_into: Option<TicketId>,
    /// `true` marks each ticket as spam: its status becomes `spam`.
    spam: Option<bool>,
}

/// Field changes, as `PATCH /tickets/{id}` takes them. `null` clears `assignee_id` and `department_id`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BulkChanges {
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
    #[serde(default)]
    add_tags: Vec<String>,
    #[serde(default)]
    remove_tags: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BulkResult {
    /// Tickets changed (a change that changed nothing counts), in the order given.
    updated: Vec<TicketId>,
    failed: Vec<BulkFailed>,
}

/// A ticket that did not change. `code` is the one a request on that ticket alone would get: `not_found` (also
/// for another account's tickets and those the caller may not see), `ticket_closed`, `ticket_merged`,
/// `merge_into_self`, `conflict`, `validation_failed`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct BulkFailed {
    id: String,
    code: &'static str,
    detail: String,
}

/// Change many tickets at once. Each ticket changes in its own unit of work, through the same path as a change to
/// that ticket alone (same timeline events, webhooks and versions); tickets that cannot change are listed in
/// `failed`, and the others still change. More than 1,000 ids, or an invalid action, refuse the whole request.
#[utoipa::path(post, path = "/api/v1/tickets/bulk", tag = "tickets", security(("api_key" = [])),
    request_body = BulkBody,
    responses((status = 200, body = BulkResult), (status = 422, body = Problem)))]
pub(crate) async fn bulk(
    api: ApiCaller,
    State(state): State<AppState>,
    ApiJson(b): ApiJson<BulkBody>,
) -> ApiResult<Json<BulkResult>> {
    let spam = b.spam.filter(|s| *s);
    let given = [b.changes.is_some(), b.macro_id.is_some(), b.merge_into.is_some(), spam.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        let mut errs = Checker::new();
        errs.add("changes", "give exactly one of changes, macro_id, merge_into and spam: true");
        errs.finish()?;
    }
    let op = match (b.changes, b.macro_id, b.merge_into) {
        (Some(c), ..) => BulkOperation::Change(UpdateTicket {
            status: c.status,
            priority: c.priority,
            assignee_id: c.assignee_id,
            department_id: c.department_id,
            add_tags: c.add_tags,
            remove_tags: c.remove_tags,
            ..Default::default()
        }),
        (None, Some(m), _) => BulkOperation::Macro(m),
        (None, None, Some(t)) => BulkOperation::MergeInto(t),
        (None, None, None) => BulkOperation::Spam,
    };
    let outcome = bulk_update(&state.app, &api.ctx, &api.caller, b.ids, op).await?;
    let failed = outcome
        .failed
        .into_iter()
        .map(|f| {
            let err = ApiError::from(f.error);
            if let ApiError::Internal(e) = &err {
                tracing::error!(error = %format!("{e:#}"), ticket = %f.id, "a bulk change failed");
            }
            let (_, p) = err.problem();
            let detail = if p.errors.is_empty() {
                p.detail
            } else {
                p.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
            };
            BulkFailed { id: f.id, code: p.code, detail }
        })
        .collect();
    Ok(Json(BulkResult { updated: outcome.updated, failed }))
}
