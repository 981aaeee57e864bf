//! Saving a view from the workspace: what it filters, its order and its columns, the agent's own or (for
//! administrators) shared with the account. Started from any view ("save as"), so a built-in view is the usual
//! first draft. Dates are whole days in the agent's time zone; the checks are the API's, one place.

use super::session::{render, AgentSession, CsrfForm, PageError};
use super::shell::{view_label, Shell};
use crate::query::encode;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::views::{self as uc, ViewInput, ViewPatch};
use parley_app::{people, AppError};
use parley_domain::ticket::{Channel, Priority, Status};
use parley_domain::view::{Column, Sort, SortKey, ViewFilters};
use parley_domain::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};

/// What the form holds, as typed: kept whole when the view is refused.
#[derive(Default)]
pub(crate) struct Typed {
    name: String,
    shared: bool,
    status: Vec<String>,
    priority: Vec<String>,
    assignee: String,
    department: String,
    tag: String,
    channel: String,
    created_from: String,
    created_to: String,
    updated_from: String,
    updated_to: String,
    sort: String,
    columns: Vec<String>,
    /// Filters the form has no field for, carried as they were so that saving does not drop them.
    requester: String,
    company: String,
    custom_fields: String,
}

impl Typed {
    /// Whether a box of the form is ticked (a status, priority or column) or an option chosen (the channel);
    /// `list` names which.
    pub(crate) fn ticked(&self, list: &str, value: &str) -> bool {
        let of = match list {
            "channel" => return self.channel == value,
            "status" => &self.status,
            "priority" => &self.priority,
            _ => &self.columns,
        };
        of.iter().any(|x| x == value)
    }

    fn from_pairs(pairs: &[(String, String)]) -> Typed {
        let mut t = Typed::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "name" => t.name = v,
                "shared" => t.shared = true,
                "status" => t.status.push(v),
                "priority" => t.priority.push(v),
                "assignee" => t.assignee = v,
                "department" => t.department = v,
                "tag" => t.tag = v,
                "channel" => t.channel = v,
                "created_from" => t.created_from = v,
                "created_to" => t.created_to = v,
                "updated_from" => t.updated_from = v,
                "updated_to" => t.updated_to = v,
                "sort" => t.sort = v,
                "columns" => t.columns.push(v),
                "requester" => t.requester = v,
                "company" => t.company = v,
                "custom_fields" => t.custom_fields = v,
                _ => {}
            }
        }
        t
    }

    /// A view's settings as the form shows them.
    fn from_view(name: String, shared: bool, f: &ViewFilters, sort: Sort, columns: &[Column], zone: &str) -> Typed {
        let day = |t: Option<Timestamp>| t.map(|t| t.date_in_zone(zone)).unwrap_or_default();
        // The form's "to" day is the last day taken in; the filter's bound is the moment after it.
        let last_day = |t: Option<Timestamp>| t.map(|t| Timestamp::from_millis(t.millis() - 1).date_in_zone(zone));
        Typed {
            name,
            shared,
            status: f.status.iter().map(|s| s.as_str().to_string()).collect(),
            priority: f.priority.iter().map(|p| p.as_str().to_string()).collect(),
            assignee: f.assignee.map(|a| a.to_param()).unwrap_or_default(),
            department: f.department.map(|d| d.to_param()).unwrap_or_default(),
            tag: f.tag.as_ref().map(|g| g.as_str().to_string()).unwrap_or_default(),
            channel: f.channel.map(|c| c.as_str().to_string()).unwrap_or_default(),
            created_from: day(f.created_after),
            created_to: last_day(f.created_before).unwrap_or_default(),
            updated_from: day(f.updated_after),
            updated_to: last_day(f.updated_before).unwrap_or_default(),
            sort: sort.to_param(),
            columns: columns.iter().map(|c| c.as_str().to_string()).collect(),
            requester: f.requester.map(|r| r.to_string()).unwrap_or_default(),
            company: f.company.map(|c| c.to_string()).unwrap_or_default(),
            custom_fields: if f.custom_fields.is_empty() {
                String::new()
            } else {
                Value::Object(f.custom_fields.clone().into_iter().collect()).to_string()
            },
        }
    }

    /// The `filters` object the API takes; a day that is no date is reported by its field's label.
    fn filters(&self, zone: &str, shell: &Shell) -> Result<Value, Vec<String>> {
        let mut m = Map::new();
        let mut errors = Vec::new();
        let list = |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
        if !self.status.is_empty() {
            m.insert("status".into(), list(&self.status));
        }
        if !self.priority.is_empty() {
            m.insert("priority".into(), list(&self.priority));
        }
        for (k, v) in [
            ("assignee", &self.assignee),
            ("department", &self.department),
            ("tag", &self.tag),
            ("channel", &self.channel),
            ("requester", &self.requester),
            ("company", &self.company),
        ] {
            if !v.trim().is_empty() {
                m.insert(k.into(), Value::String(v.trim().to_string()));
            }
        }
        let days = [
            ("created_after", "ws-ve-created-from", &self.created_from, false),
            ("created_before", "ws-ve-created-to", &self.created_to, true),
            ("updated_after", "ws-ve-updated-from", &self.updated_from, false),
            ("updated_before", "ws-ve-updated-to", &self.updated_to, true),
        ];
        for (k, label, v, end) in days {
            if v.trim().is_empty() {
                continue;
            }
            let at =
                if end { Timestamp::end_of_date(v.trim(), zone) } else { Timestamp::start_of_date(v.trim(), zone) };
            match at {
                Some(at) => {
                    m.insert(k.into(), Value::String(at.to_rfc3339()));
                }
                None => errors.push(format!("{}: {}", shell.tr(label), shell.tr("ws-ve-bad-date"))),
            }
        }
        if !self.custom_fields.trim().is_empty() {
            match serde_json::from_str::<Value>(&self.custom_fields) {
                Ok(v) => {
                    m.insert("custom_fields".into(), v);
                }
                Err(_) => errors.push(format!("custom_fields: {}", shell.tr("ws-ve-bad-fields"))),
            }
        }
        if errors.is_empty() {
            Ok(Value::Object(m))
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "view_edit.html")]
struct EditPage {
    shell: Shell,
    /// The saved view being changed; `None` for a new one.
    id: Option<String>,
    /// Whether this agent may remove it.
    deletable: bool,
    typed: Typed,
    errors: Vec<String>,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
    channels: Vec<&'static str>,
    /// (id, name)
    agents: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    /// (param, label) for each order.
    sorts: Vec<(String, String)>,
    /// (column, label)
    columns: Vec<(&'static str, String)>,
}

async fn page(
    s: &AgentSession,
    shell: Shell,
    id: Option<String>,
    deletable: bool,
    typed: Typed,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let agents = people::list_agents(&s.ctx).await?;
    let departments = people::list_departments(&s.ctx).await?;
    let t = shell.t;
    let mut sorts = Vec::new();
    for key in SortKey::ALL {
        for descending in [true, false] {
            let label = t.get(&format!("ws-col-{}", key.as_str().replace('_', "-")));
            let arrow = if descending { t.get("ws-ve-descending") } else { t.get("ws-ve-ascending") };
            sorts.push((Sort { key, descending }.to_param(), format!("{label} ({arrow})")));
        }
    }
    let columns =
        Column::ALL.iter().map(|c| (c.as_str(), t.get(&format!("ws-col-{}", c.as_str().replace('_', "-"))))).collect();
    Ok(render(&EditPage {
        id,
        deletable,
        typed,
        errors,
        statuses: Status::ALL.iter().map(|x| x.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|x| x.as_str()).collect(),
        channels: Channel::ALL.iter().map(|x| x.as_str()).collect(),
        agents: agents.iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name.clone())).collect(),
        departments: departments.into_iter().map(|d| (d.id.to_string(), d.name)).collect(),
        sorts,
        columns,
        shell,
    }))
}

#[derive(Deserialize)]
pub(crate) struct NewQuery {
    from: Option<String>,
}

/// A new view, drafted from the view the agent was looking at.
pub(crate) async fn new(s: AgentSession, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    let from = q.from.as_deref().filter(|v| !v.is_empty()).unwrap_or("all_open");
    let shell = Shell::build(&s, "tickets", Some(from)).await?;
    let v = uc::get_view(&s.ctx, &s.caller(), from).await?;
    let (sort, columns) = v
        .saved
        .as_ref()
        .map(|x| (x.sort, x.columns.clone()))
        .unwrap_or_else(|| (Sort::default(), Column::DEFAULT.to_vec()));
    let name = if v.kind == "built_in" { view_label(shell.t, from) } else { v.name.clone() };
    let name = shell.t.with("ws-ve-copy-of", &[("name", name.as_str().into())]);
    let typed = Typed::from_view(name, false, &v.filters, sort, &columns, &shell.time_zone);
    page(&s, shell, None, false, typed, Vec::new()).await
}

/// A saved view's settings, to change them.
pub(crate) async fn edit(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    let shell = Shell::build(&s, "tickets", Some(&id)).await?;
    let v = uc::get_view(&s.ctx, &s.caller(), &id).await?;
    let saved = v.saved.ok_or(AppError::NotFound)?;
    let typed = Typed::from_view(saved.name, saved.shared, &v.filters, saved.sort, &saved.columns, &shell.time_zone);
    let deletable = !saved.shared || shell.admin;
    page(&s, shell, Some(id), deletable, typed, Vec::new()).await
}

fn csrf_of(pairs: &[(String, String)]) -> &str {
    pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Refused input comes back on the form, every problem named, what was typed kept.
async fn refused(s: &AgentSession, id: Option<String>, typed: Typed, e: AppError) -> Result<Response, PageError> {
    let errors = match e {
        AppError::Invalid(invalid) => invalid.lines(),
        AppError::Forbidden(detail) | AppError::Conflict(detail) => vec![detail],
        e => return Err(e.into()),
    };
    let shell = Shell::build(s, "tickets", id.as_deref()).await?;
    let deletable = id.is_some();
    page(s, shell, id, deletable, typed, errors).await
}

pub(crate) async fn create(s: AgentSession, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    s.check_csrf(csrf_of(&pairs))?;
    let typed = Typed::from_pairs(&pairs);
    let shell = Shell::build(&s, "tickets", None).await?;
    let filters = match typed.filters(&shell.time_zone, &shell) {
        Ok(f) => f,
        Err(errors) => return page(&s, shell, None, false, typed, errors).await,
    };
    let input = ViewInput {
        name: typed.name.clone(),
        shared: typed.shared,
        filters,
        sort: Some(typed.sort.clone()).filter(|x| !x.is_empty()),
        columns: Some(typed.columns.clone()),
    };
    match uc::create_view(&s.ctx, &s.caller(), input).await {
        Ok(v) => Ok(Redirect::to(&format!("/tickets?view={}", encode(&v.id))).into_response()),
        Err(e) => refused(&s, None, typed, e).await,
    }
}

pub(crate) async fn update(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    s.check_csrf(csrf_of(&pairs))?;
    let typed = Typed::from_pairs(&pairs);
    let shell = Shell::build(&s, "tickets", Some(&id)).await?;
    let filters = match typed.filters(&shell.time_zone, &shell) {
        Ok(f) => f,
        Err(errors) => return page(&s, shell, Some(id), true, typed, errors).await,
    };
    let patch = ViewPatch {
        name: Some(typed.name.clone()),
        // Only administrators see the box; for anyone else the view keeps its sharing.
        shared: shell.admin.then_some(typed.shared),
        filters: Some(filters),
        sort: Some(typed.sort.clone()).filter(|x| !x.is_empty()),
        columns: Some(typed.columns.clone()),
    };
    match uc::update_view(&s.ctx, &s.caller(), &id, patch).await {
        Ok(v) => Ok(Redirect::to(&format!("/tickets?view={}", encode(&v.id))).into_response()),
        Err(e) => refused(&s, Some(id), typed, e).await,
    }
}

pub(crate) async fn delete(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    uc::delete_view(&s.ctx, &s.caller(), &id).await?;
    Ok(Redirect::to("/tickets").into_response())
}
