//! `/settings/webhooks`: the account's webhooks, subscribing a URL (its signing secret shown once), removing one,
//! and a webhook's recent deliveries, where one that failed can be sent again.

use super::{frame, refusals, refused, when, Fields};
use crate::state::AppState;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::webhooks::{self, NewWebhook};
use parley_app::AppError;
use parley_domain::ids::WebhookId;
use parley_domain::webhook::EventType;
use parley_domain::Timestamp;
use serde::Deserialize;

pub(super) struct Row {
    id: String,
    url: String,
    description: String,
    events: String,
}

#[derive(Template)]
#[template(path = "settings_webhooks.html")]
struct WebhooksPage {
    shell: Shell,
    rows: Vec<Row>,
    errors: Vec<String>,
    url: String,
    description: String,
    /// (event, ticked)
    events: Vec<(&'static str, bool)>,
    /// The secret of the webhook just made, shown once.
    secret: Option<String>,
}

async fn build(s: &AgentSession, form: Option<&Fields>, errors: Vec<String>) -> Result<WebhooksPage, PageError> {
    let shell = frame(s, "webhooks").await?;
    let rows = webhooks::list_webhooks(&s.ctx, &s.caller())
        .await?
        .into_iter()
        .map(|h| Row {
            id: h.id.to_string(),
            url: h.url,
            description: h.description.unwrap_or_default(),
            events: h.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "),
        })
        .collect();
    let ticked = form.map(|f| f.all("events")).unwrap_or_default();
    Ok(WebhooksPage {
        shell,
        rows,
        errors,
        url: form.map(|f| f.one("url")).unwrap_or_default(),
        description: form.map(|f| f.one("description")).unwrap_or_default(),
        events: EventType::ALL.iter().map(|e| (e.as_str(), ticked.iter().any(|t| t == e.as_str()))).collect(),
        secret: None,
    })
}

pub(crate) async fn page(s: AgentSession) -> Result<Response, PageError> {
    Ok(render(&build(&s, None, Vec::new()).await?))
}

/// Subscribes a URL; the answer is the page itself with the secret, which is not shown again.
pub(crate) async fn create(
    State(state): State<AppState>,
    s: AgentSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let description = Some(f.one("description")).filter(|d| !d.trim().is_empty());
    let input = NewWebhook { url: f.one("url"), events: f.all("events"), description };
    match webhooks::create_webhook(&s.ctx, &s.caller(), input, state.app.settings.webhook_allow_private).await {
        Ok((_, secret)) => {
            let mut page = build(&s, None, Vec::new()).await?;
            page.secret = Some(secret.expose());
            Ok(render(&page))
        }
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&s, Some(&f), errors).await?))
        }
    }
}

fn hook_id(id: &str) -> Result<WebhookId, PageError> {
    WebhookId::parse(id).ok_or(PageError::Api(AppError::NotFound.into()))
}

pub(crate) async fn delete(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    Fields(pairs).check(&s)?;
    webhooks::delete_webhook(&s.ctx, &s.caller(), hook_id(&id)?).await?;
    Ok(Redirect::to("/settings/webhooks").into_response())
}

pub(super) struct DeliveryRow {
    event_id: String,
    attempts: i64,
    /// `delivered`, `failed` (given up), `waiting`.
    state: &'static str,
    state_label: String,
    last_status: String,
    last_error: String,
    at: String,
}

#[derive(Template)]
#[template(path = "settings_webhook.html")]
struct DeliveriesPage {
    shell: Shell,
    id: String,
    url: String,
    events: String,
    rows: Vec<DeliveryRow>,
    queued: bool,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct Shown {
    #[serde(default)]
    queued: Option<String>,
}

async fn deliveries_page(
    s: &AgentSession,
    id: WebhookId,
    queued: bool,
    errors: Vec<String>,
) -> Result<DeliveriesPage, PageError> {
    let shell = frame(s, "webhooks").await?;
    let (hook, list) = webhooks::list_deliveries(&s.ctx, &s.caller(), id).await?;
    let rows = list
        .into_iter()
        .map(|d| {
            let state = match (d.delivered_at, d.next_attempt_at) {
                (_, Some(_)) => "waiting",
                (Some(_), None) => "delivered",
                (None, None) => "failed",
            };
            let at = d.delivered_at.or(d.next_attempt_at).map(|t| when(&shell, Timestamp::from_millis(t)));
            DeliveryRow {
                event_id: d.event_id,
                attempts: d.attempts,
                state,
                state_label: shell.tr(&format!("ws-webhooks-{state}")),
                last_status: d.last_status.map(|s| s.to_string()).unwrap_or_default(),
                last_error: d.last_error.unwrap_or_default(),
                at: at.unwrap_or_default(),
            }
        })
        .collect();
    Ok(DeliveriesPage {
        shell,
        id: hook.id.to_string(),
        url: hook.url,
        events: hook.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "),
        rows,
        queued,
        errors,
    })
}

pub(crate) async fn deliveries(
    s: AgentSession,
    Path(id): Path<String>,
    Query(q): Query<Shown>,
) -> Result<Response, PageError> {
    Ok(render(&deliveries_page(&s, hook_id(&id)?, q.queued.is_some(), Vec::new()).await?))
}

/// Queues a delivery again (audited by the use case), then shows the log with a note that it is on its way.
pub(crate) async fn redeliver(
    s: AgentSession,
    Path((id, event)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    Fields(pairs).check(&s)?;
    let id = hook_id(&id)?;
    match webhooks::redeliver(&s.ctx, &s.caller(), id, &event).await {
        Ok(()) => Ok(Redirect::to(&format!("/settings/webhooks/{id}?queued=1")).into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&deliveries_page(&s, id, false, errors).await?))
        }
    }
}
