//! `/settings/triggers`: the account's triggers in the order they run (see [`super::rule_pages`]), and on a
//! trigger's page a box that tries them on a ticket ("Test on ticket #N"): which would fire on an event and what
//! they would change, nothing written and no mail sent (the use case of `POST /api/v1/triggers/test`).

use super::condition_rows::Named;
use super::rule_form::{event_text, Kind, Rule};
use super::rule_pages::{action_text, custom_fields, edit_page, named, stored_form, Rules};
use crate::state::AppState;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use parley_app::triggers::{self as uc, TriggerPatch};
use parley_app::{tickets, AccountCtx, AppError, Caller};
use parley_domain::ids::TriggerId;
use parley_domain::ticket::TicketNumber;
use parley_domain::trigger::{Change, TriggerEvent};
use serde::Deserialize;

pub(crate) struct Triggers;

impl Rules for Triggers {
    const KIND: Kind = Kind::Trigger;
    const LIST: &'static str = "/settings/triggers";
    const PAGE: &'static str = "triggers";
    const TEXTS: &'static str = "ws-trig";
    type Id = TriggerId;

    fn parse_id(s: &str) -> Option<TriggerId> {
        TriggerId::parse(s)
    }

    async fn list(ctx: &AccountCtx) -> Result<Vec<(TriggerId, Rule)>, AppError> {
        Ok(uc::list_triggers(ctx).await?.into_iter().map(|t| (t.id, t.trigger.to_input().into())).collect())
    }

    async fn get(ctx: &AccountCtx, id: TriggerId) -> Result<Rule, AppError> {
        Ok(uc::get_trigger(ctx, id).await?.trigger.to_input().into())
    }

    async fn create(ctx: &AccountCtx, caller: &Caller, rule: Rule) -> Result<(), AppError> {
        uc::create_trigger(ctx, caller, rule.trigger()).await.map(|_| ())
    }

    async fn save(ctx: &AccountCtx, caller: &Caller, id: TriggerId, rule: Rule) -> Result<(), AppError> {
        let t = rule.trigger();
        let patch = TriggerPatch {
            name: Some(t.name),
            position: None,
            active: Some(t.active),
            events: Some(t.events),
            conditions: Some(t.conditions),
            actions: Some(t.actions),
        };
        uc::update_trigger(ctx, caller, id, patch).await.map(|_| ())
    }

    async fn moved(ctx: &AccountCtx, caller: &Caller, id: TriggerId, up: bool) -> Result<(), AppError> {
        uc::move_trigger(ctx, caller, id, up).await
    }

    async fn delete(ctx: &AccountCtx, caller: &Caller, id: TriggerId) -> Result<(), AppError> {
        uc::delete_trigger(ctx, caller, id).await
    }
}

/// The test box as asked (`?ticket=1042&event=ticket.created`) and what it found.
pub(crate) struct TestBox {
    pub ticket: String,
    pub event: String,
    /// (event, label) to choose from.
    pub events: Vec<(&'static str, String)>,
    /// Beside the ticket's field: no such ticket.
    pub error: Option<String>,
    pub result: Option<Tried>,
}

/// What the account's triggers would do to the ticket.
pub(crate) struct Tried {
    /// "On ticket #1042 “Refund please”, when Ticket created:".
    pub heading: String,
    pub fired: Vec<FiredRow>,
    /// Whether the trigger of the page is among those that fire.
    pub this_fires: bool,
    /// "Priority: normal → high", in order.
    pub changes: Vec<String>,
    pub stopped: bool,
}

pub(crate) struct FiredRow {
    pub name: String,
    pub this: bool,
    pub actions: Vec<String>,
}

impl TestBox {
    /// The box with nothing asked yet, `event` chosen.
    pub(crate) fn empty(shell: &Shell, event: TriggerEvent) -> TestBox {
        let events = TriggerEvent::ALL.iter().map(|e| (e.as_str(), shell.tr(&event_text(e.as_str())))).collect();
        TestBox { ticket: String::new(), event: event.as_str().into(), events, error: None, result: None }
    }
}

#[derive(Deserialize)]
pub(crate) struct TestQuery {
    ticket: Option<String>,
    event: Option<String>,
}

pub(crate) async fn edit(
    s: AgentSession,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<TestQuery>,
) -> Result<Response, PageError> {
    let (id, form) = stored_form::<Triggers>(&s, &id).await?;
    // The box tries the event the trigger runs on first, unless told another.
    let first = form.events.iter().find(|(_, _, on)| *on).map(|(e, _, _)| e.to_string());
    let mut page = edit_page::<Triggers>(&s, Some(id), form).await?;
    page.test = Some(test_box(&state, &s, &page.shell, id, q, first).await?);
    Ok(render(&page))
}

async fn test_box(
    state: &AppState,
    s: &AgentSession,
    shell: &Shell,
    id: TriggerId,
    q: TestQuery,
    first: Option<String>,
) -> Result<TestBox, PageError> {
    let event = q
        .event
        .as_deref()
        .and_then(|e| TriggerEvent::parse(e).ok())
        .or_else(|| first.as_deref().and_then(|e| TriggerEvent::parse(e).ok()))
        .unwrap_or(TriggerEvent::TicketUpdated);
    let mut b = TestBox { ticket: q.ticket.unwrap_or_default(), ..TestBox::empty(shell, event) };
    let typed = b.ticket.trim().trim_start_matches('#').trim();
    if typed.is_empty() {
        return Ok(b);
    }
    let Some(number) = typed.parse::<i64>().ok().filter(|n| *n > 0) else {
        b.error = Some(shell.tr("ws-trig-test-bad-number"));
        return Ok(b);
    };
    let ticket = match tickets::find_by_number(&s.ctx, &s.caller(), TicketNumber(number)).await {
        Ok(t) => t,
        Err(AppError::NotFound) => {
            b.error = Some(shell.t.with("ws-trig-test-no-ticket", &[("number", number.into())]));
            return Ok(b);
        }
        Err(e) => return Err(e.into()),
    };
    let r = uc::test_triggers(&state.app, &s.ctx, &s.caller(), ticket.id, event).await?;
    let named = named(s).await?;
    let custom = custom_fields(s).await?;
    let fired: Vec<FiredRow> = r
        .fired
        .iter()
        .map(|f| FiredRow {
            name: f.name.clone(),
            this: f.id == id,
            actions: f.actions.iter().map(|a| action_text(shell, a, &named, &custom)).collect(),
        })
        .collect();
    let label = shell.tr(&event_text(event.as_str()));
    let heading = shell.t.with(
        "ws-trig-test-result",
        &[("number", number.into()), ("subject", ticket.subject.as_str().into()), ("event", label.as_str().into())],
    );
    b.result = Some(Tried {
        heading,
        this_fires: fired.iter().any(|f| f.this),
        fired,
        changes: r.changes.iter().map(|c| change_text(shell, c, &named, &r.after.subject)).collect(),
        stopped: r.stopped,
    });
    Ok(b)
}

/// One change as a reader says it: "Priority: normal → high", "Tags: +refund, −spam".
fn change_text(shell: &Shell, c: &Change, named: &Named, subject: &str) -> String {
    let arrow = |label: &str, from: String, to: String| format!("{}: {from} → {to}", shell.tr(label));
    let by_name =
        |field: &str, id: Option<String>| id.map_or_else(|| shell.tr("ws-slap-none-value"), |i| named.name(field, &i));
    match c {
        Change::Status { from, to } => {
            arrow("ws-slap-field-status", shell.status(from.as_str()), shell.status(to.as_str()))
        }
        Change::Priority { from, to } => {
            arrow("ws-slap-field-priority", shell.priority(from.as_str()), shell.priority(to.as_str()))
        }
        Change::Assignee { from, to } => arrow(
            "ws-rule-field-assignee",
            by_name("assignee_id", from.map(|a| a.to_string())),
            by_name("assignee_id", to.map(|a| a.to_string())),
        ),
        Change::Department { from, to } => arrow(
            "ws-slap-field-department",
            by_name("department_id", from.map(|d| d.to_string())),
            by_name("department_id", to.map(|d| d.to_string())),
        ),
        Change::Tags { added, removed } => {
            let tags: Vec<String> = added
                .iter()
                .map(|t| format!("+{}", t.as_str()))
                .chain(removed.iter().map(|t| format!("−{}", t.as_str())))
                .collect();
            format!("{}: {}", shell.tr("ws-slap-field-tags"), tags.join(", "))
        }
        Change::Subject => format!("{}: {subject}", shell.tr("ws-rule-field-subject")),
    }
}
