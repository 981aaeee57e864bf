//! `/settings/sla-policies`: the account's SLA policies in their order (the first that matches a ticket applies),
//! moved up and down in place, and a form to make, change or delete one. The form is turned into the API's shape
//! and checked by the same use case; what it refuses is shown beside the row or cell it came from (see
//! [`super::sla_form`]).

use super::condition_rows::{conditions_text, Named};
use super::sla_form::{capitalized, metric_text, Form, FIELDS, OPERATORS, PRIORITIES};
use super::{frame, posted, DeletePage, Fields};
use crate::api::path_id;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::sla::{self as uc, PolicyPatch};
use parley_app::{business_hours, people, AppError};
use parley_domain::ids::SlaPolicyId;
use parley_domain::sla::SlaPolicyInput;
use parley_domain::ticket::{Channel, Priority, Status};

const LIST: &str = "/settings/sla-policies";

/// A policy as a row of the list.
pub(crate) struct Row {
    id: String,
    name: String,
    /// "All of: Priority is urgent · Any of: …", or "Every ticket".
    conditions: String,
    /// "Urgent: First reply 1 h, Resolution 8 h (calendar hours); High: …".
    targets: String,
    first: bool,
    last: bool,
    move_up: String,
    move_down: String,
}

#[derive(Template)]
#[template(path = "settings_sla_policies.html")]
struct ListPage {
    shell: Shell,
    /// The list's path, under which each row is moved.
    list: &'static str,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "settings_sla_policy_edit.html")]
struct EditPage {
    shell: Shell,
    /// `None` for a new policy.
    id: Option<String>,
    form: Form,
    /// (id, name) of the account's business hours.
    hours: Vec<(String, String)>,
    fields: Vec<(&'static str, String)>,
    operators: Vec<(&'static str, String)>,
    /// (value, label) suggested for a condition's value: priorities, statuses, channels, departments by name.
    hints: Vec<(String, String)>,
    metrics: Vec<String>,
}

/// `60` → "1 h", `90` → "90 min", in the agent's language.
fn duration(shell: &Shell, minutes: i64) -> String {
    if minutes % 60 == 0 {
        shell.t.with("ws-slap-hours-short", &[("count", (minutes / 60).into())])
    } else {
        shell.t.with("ws-slap-minutes-short", &[("count", minutes.into())])
    }
}

fn targets_text(shell: &Shell, p: &SlaPolicyInput) -> String {
    let lines: Vec<String> = PRIORITIES
        .iter()
        .filter_map(|pr| {
            let items: Vec<String> = p
                .targets
                .iter()
                .filter(|t| t.priority == pr.as_str())
                .map(|t| {
                    let metric = parley_domain::sla::Metric::parse(&t.metric).map(metric_text);
                    let metric = metric.map_or(t.metric.clone(), |m| shell.tr(&m));
                    // Business hours are the usual count; calendar hours are the exception worth saying.
                    let count = if t.business_hours {
                        String::new()
                    } else {
                        format!(" ({})", shell.tr("ws-slap-count-calendar"))
                    };
                    format!("{metric} {}{count}", duration(shell, t.minutes))
                })
                .collect();
            (!items.is_empty()).then(|| format!("{}: {}", capitalized(&shell.priority(pr.as_str())), items.join(", ")))
        })
        .collect();
    if lines.is_empty() {
        shell.tr("ws-slap-no-targets")
    } else {
        lines.join("; ")
    }
}

pub(crate) async fn list(s: AgentSession) -> Result<Response, PageError> {
    let shell = frame(&s, "sla-policies").await?;
    let named = named(&s).await?;
    let policies = uc::list_sla_policies(&s.ctx).await?;
    let n = policies.len();
    let rows = policies
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let input = p.policy.to_input();
            let name_arg = [("name", input.name.as_str().into())];
            Row {
                id: p.id.to_string(),
                conditions: conditions_text(&shell, &input.conditions, &FIELDS, &OPERATORS, &named),
                targets: targets_text(&shell, &input),
                first: i == 0,
                last: i + 1 == n,
                move_up: shell.t.with("ws-slap-move-up", &name_arg),
                move_down: shell.t.with("ws-slap-move-down", &name_arg),
                name: input.name,
            }
        })
        .collect();
    Ok(render(&ListPage { shell, list: LIST, rows }))
}

/// The form page around `form`.
async fn edit_page(s: &AgentSession, id: Option<SlaPolicyId>, form: Form) -> Result<EditPage, PageError> {
    let shell = frame(s, "sla-policies").await?;
    let hours = business_hours::list_business_hours(&s.ctx)
        .await?
        .into_iter()
        .map(|h| (h.id.to_string(), h.calendar.name().to_string()))
        .collect();
    let t = shell.t;
    let mut hints: Vec<(String, String)> = Vec::new();
    hints.extend(Priority::ALL.iter().map(|p| (p.as_str().to_string(), shell.priority(p.as_str()))));
    hints.extend(Status::ALL.iter().map(|x| (x.as_str().to_string(), shell.status(x.as_str()))));
    hints.extend(Channel::ALL.iter().map(|c| (c.as_str().to_string(), shell.channel(c.as_str()))));
    for d in people::list_departments(&s.ctx).await? {
        hints.push((d.name, t.get("ws-slap-field-department")));
    }
    Ok(EditPage {
        id: id.map(|i| i.to_string()),
        form,
        hours,
        fields: FIELDS.iter().map(|(k, text)| (*k, t.get(text))).collect(),
        operators: OPERATORS.iter().map(|(k, text)| (*k, t.get(text))).collect(),
        hints,
        metrics: parley_domain::sla::Metric::ALL.iter().map(|m| t.get(&metric_text(*m))).collect(),
        shell,
    })
}

/// The account's departments as (id, name): the form names them, the policy keeps their ids.
async fn named(s: &AgentSession) -> Result<Named, PageError> {
    let departments = people::list_departments(&s.ctx).await?.into_iter().map(|d| (d.id.to_string(), d.name));
    Ok(Named { departments: departments.collect(), agents: Vec::new() })
}

pub(crate) async fn new(s: AgentSession) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let form = Form::of(texts(&s), None, &Named::default());
    Ok(render(&edit_page(&s, None, form).await?))
}

pub(crate) async fn edit(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let id = path_id(&id, SlaPolicyId::parse)?;
    let p = uc::get_sla_policy(&s.ctx, id).await?;
    let input = p.policy.to_input();
    let form = Form::of(texts(&s), Some(&input), &named(&s).await?);
    Ok(render(&edit_page(&s, Some(id), form).await?))
}

fn texts(s: &AgentSession) -> parley_i18n::Texts {
    parley_i18n::Texts::of(&s.agent.profile.language)
}

/// A refused save: the form again as typed, each refusal beside its field, `422`; any other error is the page's.
async fn refused(
    s: &AgentSession,
    id: Option<SlaPolicyId>,
    mut form: Form,
    placing: &super::sla_form::Placing,
    e: AppError,
) -> Result<Response, PageError> {
    let t = texts(s);
    match e {
        AppError::Invalid(invalid) => form.refused(t, &invalid.0, placing),
        AppError::Conflict(what) => form.summary.push(("f-name".into(), what)),
        other => return Err(other.into()),
    }
    Ok(super::refused(&edit_page(s, id, form).await?))
}

pub(crate) async fn create(
    s: AgentSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let form = Form::typed(texts(&s), &f);
    let (input, placing) = form.input(&named(&s).await?);
    match uc::create_sla_policy(&s.ctx, &s.caller(), input).await {
        Ok(_) => Ok(Redirect::to(LIST).into_response()),
        Err(e) => refused(&s, None, form, &placing, e).await,
    }
}

pub(crate) async fn save(
    s: AgentSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (f, id) = posted(&s, pairs, &id, SlaPolicyId::parse)?;
    let form = Form::typed(texts(&s), &f);
    let (input, placing) = form.input(&named(&s).await?);
    // The form holds the whole policy but its place in the order, which the list's buttons change.
    let patch = PolicyPatch {
        name: Some(input.name),
        position: None,
        business_hours_id: Some(input.business_hours_id),
        conditions: Some(input.conditions),
        pause_statuses: input.pause_statuses,
        targets: Some(input.targets),
    };
    match uc::update_sla_policy(&s.ctx, &s.caller(), id, patch).await {
        Ok(_) => Ok(Redirect::to(LIST).into_response()),
        Err(e) => refused(&s, Some(id), form, &placing, e).await,
    }
}

/// `direction=up|down`: one place earlier or later in the order.
pub(crate) async fn reorder(
    s: AgentSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (f, id) = posted(&s, pairs, &id, SlaPolicyId::parse)?;
    uc::move_sla_policy(&s.ctx, &s.caller(), id, f.one("direction") == "up").await?;
    Ok(Redirect::to(LIST).into_response())
}

/// The question before a policy is deleted: deleting changes which policy open tickets are held to.
pub(crate) async fn confirm_delete(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let id = path_id(&id, SlaPolicyId::parse)?;
    let p = uc::get_sla_policy(&s.ctx, id).await?;
    let shell = frame(&s, "sla-policies").await?;
    let question = shell.t.with("ws-slap-delete-confirm", &[("name", p.policy.name().into())]);
    let (heading, list_label) = (shell.tr("ws-slap-delete"), shell.tr("ws-settings-sla-policies"));
    Ok(render(&DeletePage { shell, list: LIST, list_label, heading, id: id.to_string(), question }))
}

pub(crate) async fn delete(
    s: AgentSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, id) = posted(&s, pairs, &id, SlaPolicyId::parse)?;
    uc::delete_sla_policy(&s.ctx, &s.caller(), id).await?;
    Ok(Redirect::to(LIST).into_response())
}
