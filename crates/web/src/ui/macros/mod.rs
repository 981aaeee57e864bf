//! The macros page: every agent keeps their own; administrators also share them with the account. Macros are
//! applied from the ticket page and to a selection from a list; here they are listed, made, changed and deleted,
//! through the same use cases as the API (checked, audited).

mod form;
mod summary;

use super::session::{render, AgentSession, CsrfForm, PageError};
use super::shell::Shell;
use crate::api::path_id;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use form::{MacroForm, CLEAR};
use parley_app::canned::{self, MacroInput, MacroPatch};
use parley_app::{people, AppError};
use parley_domain::canned::Macro;
use parley_domain::ids::MacroId;
use parley_domain::ticket::{Priority, Status};
use parley_domain::ticket_action::TicketAction;
use parley_domain::ticket_action::CURRENT_AGENT;
use serde::Deserialize;
use summary::{summary, Names};

pub(crate) struct MacroRow {
    id: String,
    title: String,
    shared: bool,
    /// What it does, in one line.
    does: String,
    /// Whether this agent may change and delete it: their own, or a shared one for an administrator.
    mine: bool,
}

/// One option of a select.
pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "macros.html")]
struct MacrosPage {
    shell: Shell,
    rows: Vec<MacroRow>,
    errors: Vec<String>,
    saved: bool,
    /// The id of the macro being changed; `None` on the list, whose form makes a new one.
    editing: Option<String>,
    /// What was typed, kept when refused (or the macro being changed).
    typed: MacroForm,
    /// What the form cannot show of the macro being changed (a subject, custom fields), kept when it is saved.
    kept: String,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    agents: Vec<Choice>,
    departments: Vec<Choice>,
}

#[derive(Deserialize)]
pub(crate) struct ShownQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// What a page shows besides the account's macros.
struct Shown<'a> {
    errors: Vec<String>,
    saved: bool,
    editing: Option<(MacroId, &'a [TicketAction])>,
    typed: MacroForm,
}

async fn names(s: &AgentSession) -> Result<(Names, Vec<parley_domain::agent::Agent>), PageError> {
    let agents = people::list_agents(&s.ctx).await?;
    let names = Names {
        agents: agents.iter().map(|a| (a.id, a.name.clone())).collect(),
        departments: people::list_departments(&s.ctx).await?.into_iter().map(|d| (d.id, d.name)).collect(),
        fields: parley_app::tickets::list_fields(&s.ctx).await?.into_iter().map(|f| (f.key, f.label)).collect(),
    };
    Ok((names, agents))
}

/// A select's options: "leave as is", then `clear` (if any), then `options`. A chosen value that is no longer
/// among them (an agent since deactivated) stays chosen, named as gone, so saving names the problem instead of
/// dropping the action silently.
fn choices(shell: &Shell, chosen: &str, clear: Option<&str>, options: Vec<(String, String)>) -> Vec<Choice> {
    let mut out =
        vec![Choice { value: String::new(), label: shell.tr("ws-macros-leave"), selected: chosen.is_empty() }];
    if let Some(label) = clear {
        out.push(Choice { value: CLEAR.into(), label: shell.tr(label), selected: chosen == CLEAR });
    }
    let known = chosen.is_empty() || (clear.is_some() && chosen == CLEAR) || options.iter().any(|(v, _)| v == chosen);
    out.extend(options.into_iter().map(|(value, label)| Choice { selected: value == chosen, value, label }));
    if !known {
        out.push(Choice { value: chosen.to_string(), label: shell.tr("ws-macros-gone"), selected: true });
    }
    out
}

async fn page(s: &AgentSession, shown: Shown<'_>) -> Result<Response, PageError> {
    let shell = Shell::build(s, "profile", Some("macros")).await?;
    let (names, agents) = names(s).await?;
    let me = s.agent.id;
    let admin = s.agent.role.is_admin();
    // The page changing one macro shows only its form.
    let rows = if shown.editing.is_some() {
        Vec::new()
    } else {
        canned::list_macros(&s.ctx, &s.caller())
            .await?
            .into_iter()
            .map(|m: Macro| MacroRow {
                id: m.id.to_string(),
                does: summary(&m.actions, m.reply.as_ref(), &names, shell.t),
                mine: if m.shared { admin } else { m.owner_id == Some(me) },
                shared: m.shared,
                title: m.title,
            })
            .collect()
    };
    let typed = shown.typed;
    let statuses = Status::ALL.iter().map(|v| (v.as_str().to_string(), shell.status(v.as_str()))).collect();
    let priorities = Priority::ALL.iter().map(|v| (v.as_str().to_string(), shell.priority(v.as_str()))).collect();
    // "Whoever applies it" first among the agents: the macro a whole team uses to take a ticket.
    let active = std::iter::once((CURRENT_AGENT.to_string(), shell.tr("ws-macros-applier")))
        .chain(agents.iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name.clone())))
        .collect();
    let mut departments: Vec<(String, String)> =
        names.departments.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    departments.sort_by(|a, b| a.1.cmp(&b.1));
    let page = MacrosPage {
        rows,
        errors: shown.errors,
        saved: shown.saved,
        editing: shown.editing.map(|(id, _)| id.to_string()),
        kept: shown.editing.map(|(_, kept)| summary(kept, None, &names, shell.t)).unwrap_or_default(),
        statuses: choices(&shell, &typed.status, None, statuses),
        priorities: choices(&shell, &typed.priority, None, priorities),
        agents: choices(&shell, &typed.assignee, Some("ws-nobody"), active),
        departments: choices(&shell, &typed.department, Some("ws-no-department"), departments),
        typed,
        shell,
    };
    Ok(render(&page))
}

pub(crate) async fn list(s: AgentSession, Query(q): Query<ShownQuery>) -> Result<Response, PageError> {
    let shown = Shown { errors: Vec::new(), saved: q.saved.is_some(), editing: None, typed: MacroForm::default() };
    page(&s, shown).await
}

/// Makes a macro; a refused one (an unknown placeholder, a tag that is no tag) comes back named, as typed.
pub(crate) async fn create(s: AgentSession, Form(f): Form<MacroForm>) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let made = f.actions(&[]);
    let input = MacroInput {
        title: f.title.clone(),
        actions: made.actions.clone(),
        reply: f.reply(),
        shared: f.shared.is_some(),
    };
    let errors = match canned::create_macro(&s.ctx, &s.caller(), input).await {
        Ok(_) => return Ok(Redirect::to("/macros?saved=1").into_response()),
        Err(AppError::Invalid(invalid)) => made.error_lines(invalid, parley_i18n::Texts::of(&s.agent.profile.language)),
        Err(AppError::Conflict(detail) | AppError::Forbidden(detail)) => vec![detail],
        Err(e) => return Err(e.into()),
    };
    page(&s, Shown { errors, saved: false, editing: None, typed: f }).await
}

/// The macro, if this agent may change it: seeing one (a shared one, for an agent) is not enough.
async fn changeable(s: &AgentSession, id: &str) -> Result<Macro, PageError> {
    let id = path_id(id, MacroId::parse)?;
    let m = canned::get_macro(&s.ctx, &s.caller(), id).await?;
    if m.shared && !s.agent.role.is_admin() {
        return Err(AppError::Forbidden("shared macros are changed by administrators".into()).into());
    }
    Ok(m)
}

pub(crate) async fn edit(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    let m = changeable(&s, &id).await?;
    let (typed, kept) = MacroForm::of(&m);
    page(&s, Shown { errors: Vec::new(), saved: false, editing: Some((m.id, &kept)), typed }).await
}

/// Saves a change: the form's fields replace what the macro did; what the form cannot show is kept.
pub(crate) async fn update(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<MacroForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let m = changeable(&s, &id).await?;
    let (_, kept) = MacroForm::of(&m);
    let made = f.actions(&kept);
    let patch = MacroPatch {
        title: Some(f.title.clone()),
        actions: Some(made.actions.clone()),
        reply: Some(f.reply()),
        shared: Some(f.shared.is_some()),
    };
    let errors = match canned::update_macro(&s.ctx, &s.caller(), m.id, patch).await {
        Ok(_) => return Ok(Redirect::to("/macros?saved=1").into_response()),
        Err(AppError::Invalid(invalid)) => made.error_lines(invalid, parley_i18n::Texts::of(&s.agent.profile.language)),
        Err(AppError::Conflict(detail) | AppError::Forbidden(detail)) => vec![detail],
        Err(e) => return Err(e.into()),
    };
    page(&s, Shown { errors, saved: false, editing: Some((m.id, &kept)), typed: f }).await
}

pub(crate) async fn delete(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let id = path_id(&id, MacroId::parse)?;
    canned::delete_macro(&s.ctx, &s.caller(), id).await?;
    Ok(Redirect::to("/macros").into_response())
}
