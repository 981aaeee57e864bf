//! The pages of the account's rules run in order, triggers and automations alike: the list (what each runs on,
//! when it matches, what it does; on or off; moved up and down in place), the form to make or change one, and the
//! question before one is deleted. [`Rules`] names a kind's path, texts and use cases; the handlers here serve
//! both kinds, so a trigger's page and an automation's work the same way.

use super::condition_rows::{conditions_text, Named};
use super::rule_form::{condition_choices, event_text, since_text, Kind, Placing, Rule, RuleForm, ACTIONS, SET_FIELDS};
use super::{frame, posted, DeletePage, Fields};
use crate::api::path_id;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use parley_app::{people, tickets, AccountCtx, AppError, Caller};
use parley_domain::automation::Since;
use parley_domain::ticket::{Channel, Priority, Status};
use serde_json::Value;
use std::future::Future;

/// A kind of rule kept in order: where its pages are, its texts (`{TEXTS}-hint`, `{TEXTS}-add` …) and its use
/// cases, each given the rule in the shape the form makes.
pub(crate) trait Rules: Send + Sync + 'static {
    const KIND: Kind;
    /// The list's path.
    const LIST: &'static str;
    /// Its key in the settings column (`ws-settings-{PAGE}` is its name).
    const PAGE: &'static str;
    /// The prefix of its own texts.
    const TEXTS: &'static str;
    type Id: Copy + std::fmt::Display + Send + Sync + 'static;

    fn parse_id(s: &str) -> Option<Self::Id>;
    fn list(ctx: &AccountCtx) -> impl Future<Output = Result<Vec<(Self::Id, Rule)>, AppError>> + Send;
    fn get(ctx: &AccountCtx, id: Self::Id) -> impl Future<Output = Result<Rule, AppError>> + Send;
    fn create(ctx: &AccountCtx, caller: &Caller, rule: Rule) -> impl Future<Output = Result<(), AppError>> + Send;
    /// Saves the form's rule whole; its place in the order stays.
    fn save(
        ctx: &AccountCtx,
        caller: &Caller,
        id: Self::Id,
        rule: Rule,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
    fn moved(
        ctx: &AccountCtx,
        caller: &Caller,
        id: Self::Id,
        up: bool,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
    fn delete(ctx: &AccountCtx, caller: &Caller, id: Self::Id) -> impl Future<Output = Result<(), AppError>> + Send;
}

fn text<R: Rules>(shell: &Shell, what: &str) -> String {
    shell.tr(&format!("{}-{what}", R::TEXTS))
}

/// A rule as a row of the list.
pub(crate) struct Row {
    id: String,
    name: String,
    /// "Ticket created, Customer replied", or "96 h after solved (calendar hours)".
    when: String,
    conditions: String,
    actions: String,
    active: bool,
    first: bool,
    last: bool,
    move_up: String,
    move_down: String,
    delete: String,
}

#[derive(Template)]
#[template(path = "settings_rules.html")]
struct ListPage {
    shell: Shell,
    list: &'static str,
    title: String,
    hint: String,
    none: String,
    add: String,
    when: String,
    rows: Vec<Row>,
}

/// The rule's form, and on a trigger's page the box that tries the triggers on a ticket.
#[derive(Template)]
#[template(path = "settings_rule_edit.html")]
pub(crate) struct EditPage {
    pub shell: Shell,
    list: &'static str,
    list_label: String,
    /// The rule's name, or "Add trigger".
    heading: String,
    /// `None` for a new rule.
    id: Option<String>,
    form: RuleForm,
    errors_heading: String,
    delete_label: String,
    cond_hint: String,
    fields: Vec<(&'static str, String)>,
    operators: Vec<(&'static str, String)>,
    /// (value, label) suggested for a condition's value.
    hints: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
    /// (field, label) a `set` action may change, custom fields too.
    set_fields: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    /// The account's active agents.
    agents: Vec<(String, String)>,
    sinces: Vec<(&'static str, String)>,
    strategies: Vec<(&'static str, String)>,
    /// Who a mail goes to: the requester, the assignee, or the address typed.
    recipients: Vec<(&'static str, String)>,
    /// (id, URL and description) of the account's webhooks, for `notify_webhook`.
    webhooks: Vec<(String, String)>,
    /// (id, title) of the account's shared macros, for `apply_macro`.
    macros: Vec<(String, String)>,
    pub test: Option<super::triggers::TestBox>,
}

/// The account's departments and agents by name.
pub(crate) async fn named(s: &AgentSession) -> Result<Named, PageError> {
    let departments = people::list_departments(&s.ctx).await?.into_iter().map(|d| (d.id.to_string(), d.name));
    let agents = people::list_agents(&s.ctx).await?.into_iter().map(|a| (a.id.to_string(), a.name));
    Ok(Named { departments: departments.collect(), agents: agents.collect() })
}

/// Custom fields as (`custom_fields.key`, label).
pub(crate) async fn custom_fields(s: &AgentSession) -> Result<Vec<(String, String)>, PageError> {
    let fields = tickets::list_fields(&s.ctx).await?;
    Ok(fields.into_iter().map(|f| (format!("custom_fields.{}", f.key), f.label)).collect())
}

/// A value of a field as a reader says it: a priority, a status or a channel in the agent's language, a
/// department or an agent by name, nothing as "none".
fn value_text(shell: &Shell, field: &str, v: &Value, named: &Named) -> String {
    let one = |s: &str| match field {
        "priority" => shell.priority(s),
        "status" => shell.status(s),
        "channel" => shell.channel(s),
        other => named.name(other, s),
    };
    match v {
        Value::String(s) => one(s),
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(one).collect::<Vec<_>>().join(", "),
        Value::Null => shell.tr("ws-slap-none-value"),
        other => other.to_string(),
    }
}

/// One action as a reader says it: "Set Priority to high", "Assign: Billing, round robin", "Mail the requester:
/// “Refund received”". `custom` labels custom fields.
pub(crate) fn action_text(shell: &Shell, a: &Value, named: &Named, custom: &[(String, String)]) -> String {
    let get = |k: &str| a.get(k).unwrap_or(&Value::Null);
    let s = |k: &str| get(k).as_str().unwrap_or_default().to_string();
    let kind = s("action");
    match kind.as_str() {
        "set" => {
            let field = s("field");
            let label = SET_FIELDS
                .iter()
                .find(|(k, _)| *k == field)
                .map(|(_, text)| shell.tr(text))
                .or_else(|| custom.iter().find(|(k, _)| *k == field).map(|(_, l)| l.clone()))
                .unwrap_or_else(|| field.clone());
            let value = value_text(shell, &field, get("value"), named);
            shell.t.with("ws-rule-do-set", &[("field", label.as_str().into()), ("value", value.as_str().into())])
        }
        "add_tags" | "remove_tags" => {
            let tags = value_text(shell, "tags", get("value"), named);
            let key = if kind == "add_tags" { "ws-rule-do-add-tags" } else { "ws-rule-do-remove-tags" };
            shell.t.with(key, &[("tags", tags.as_str().into())])
        }
        "assign" => {
            let mut how = Vec::new();
            let department = s("department_id");
            how.push(if department.is_empty() {
                shell.tr("ws-rule-ticket-department")
            } else {
                named.name("department_id", &department)
            });
            let agent = s("agent_id");
            if !agent.is_empty() {
                how.push(named.name("assignee_id", &agent));
            }
            let strategy = s("strategy");
            if !strategy.is_empty() {
                how.push(shell.tr(&format!("ws-rule-strategy-{}", strategy.replace('_', "-"))));
            }
            shell.t.with("ws-rule-do-assign", &[("how", how.join(", ").as_str().into())])
        }
        "add_note" => shell.tr("ws-rule-do-note"),
        "send_mail" => {
            let to = s("to");
            let to = match to.as_str() {
                "requester" | "assignee" => shell.tr(&format!("ws-rule-to-{to}")),
                _ => to,
            };
            let subject = s("subject");
            shell.t.with("ws-rule-do-mail", &[("to", to.as_str().into()), ("subject", subject.as_str().into())])
        }
        "notify_webhook" => shell.tr("ws-rule-act-notify-webhook"),
        "apply_macro" => shell.tr("ws-rule-act-apply-macro"),
        _ => kind,
    }
}

/// What a rule runs on: its events, or the time after which it does.
fn when_text(shell: &Shell, kind: Kind, r: &Rule) -> String {
    match kind {
        Kind::Trigger => r.events.iter().map(|e| shell.tr(&event_text(e))).collect::<Vec<_>>().join(", "),
        Kind::Automation => {
            let since = shell.tr(&since_text(&r.after.since));
            let count =
                shell.tr(if r.after.business_hours { "ws-slap-count-business" } else { "ws-slap-count-calendar" });
            shell.t.with(
                "ws-rule-after-text",
                &[("hours", r.after.hours.into()), ("since", since.as_str().into()), ("count", count.as_str().into())],
            )
        }
    }
}

pub(crate) async fn list<R: Rules>(s: AgentSession) -> Result<Response, PageError> {
    let shell = frame(&s, R::PAGE).await?;
    let named = named(&s).await?;
    let custom = custom_fields(&s).await?;
    let (fields, operators) = condition_choices(R::KIND);
    let all = R::list(&s.ctx).await?;
    let n = all.len();
    let rows = all
        .into_iter()
        .enumerate()
        .map(|(i, (id, r))| {
            let named_arg = [("name", r.name.as_str().into())];
            let actions: Vec<String> = r.actions.iter().map(|a| action_text(&shell, a, &named, &custom)).collect();
            Row {
                id: id.to_string(),
                when: when_text(&shell, R::KIND, &r),
                conditions: conditions_text(&shell, &r.conditions, &fields, &operators, &named),
                actions: actions.join("; "),
                active: r.active,
                first: i == 0,
                last: i + 1 == n,
                move_up: shell.t.with("ws-slap-move-up", &named_arg),
                move_down: shell.t.with("ws-slap-move-down", &named_arg),
                delete: shell.t.with("ws-rule-delete-named", &named_arg),
                name: r.name,
            }
        })
        .collect();
    let when = shell.tr(if R::KIND == Kind::Trigger { "ws-rule-events" } else { "ws-rule-runs" });
    let page = ListPage {
        list: R::LIST,
        title: shell.tr(&format!("ws-settings-{}", R::PAGE)),
        hint: text::<R>(&shell, "hint"),
        none: text::<R>(&shell, "none"),
        add: text::<R>(&shell, "add"),
        when,
        rows,
        shell,
    };
    Ok(render(&page))
}

/// The form page around `form`.
pub(crate) async fn edit_page<R: Rules>(
    s: &AgentSession,
    id: Option<R::Id>,
    form: RuleForm,
) -> Result<EditPage, PageError> {
    let shell = frame(s, R::PAGE).await?;
    let named = named(s).await?;
    let t = shell.t;
    let (fields, operators) = condition_choices(R::KIND);
    let mut hints: Vec<(String, String)> = Vec::new();
    hints.extend(Priority::ALL.iter().map(|p| (p.as_str().to_string(), shell.priority(p.as_str()))));
    hints.extend(Status::ALL.iter().map(|x| (x.as_str().to_string(), shell.status(x.as_str()))));
    hints.extend(Channel::ALL.iter().map(|c| (c.as_str().to_string(), shell.channel(c.as_str()))));
    hints.extend(named.departments.iter().map(|(_, name)| (name.clone(), t.get("ws-slap-field-department"))));
    hints.extend(named.agents.iter().map(|(_, name)| (name.clone(), t.get("ws-rule-field-assignee"))));
    hints.extend(["within", "outside"].map(|w| (w.to_string(), t.get(&format!("ws-rule-hours-{w}")))));
    let mut set_fields: Vec<(String, String)> = SET_FIELDS.iter().map(|(k, l)| (k.to_string(), t.get(l))).collect();
    set_fields.extend(custom_fields(s).await?);
    let active = people::list_agents(&s.ctx).await?.into_iter().filter(|a| a.active);
    let heading = match id {
        Some(_) => form.name.clone(),
        None => text::<R>(&shell, "add"),
    };
    Ok(EditPage {
        list: R::LIST,
        list_label: shell.tr(&format!("ws-settings-{}", R::PAGE)),
        heading,
        id: id.map(|i| i.to_string()),
        errors_heading: text::<R>(&shell, "errors"),
        delete_label: text::<R>(&shell, "delete"),
        cond_hint: t.get(if R::KIND == Kind::Trigger { "ws-rule-conditions-hint" } else { "ws-auto-conditions-hint" }),
        fields: fields.iter().map(|(k, l)| (*k, t.get(l))).collect(),
        operators: operators.iter().map(|(k, l)| (*k, t.get(l))).collect(),
        hints,
        kinds: ACTIONS.iter().map(|(k, l)| (*k, t.get(l))).collect(),
        set_fields,
        departments: named.departments,
        agents: active.map(|a| (a.id.to_string(), a.name)).collect(),
        sinces: Since::ALL.iter().map(|x| (x.as_str(), t.get(&since_text(x.as_str())))).collect(),
        strategies: ["round_robin", "least_busy"]
            .map(|k| (k, t.get(&format!("ws-rule-strategy-{}", k.replace('_', "-")))))
            .to_vec(),
        recipients: ["requester", "assignee", "address"].map(|k| (k, t.get(&format!("ws-rule-to-{k}")))).to_vec(),
        webhooks: parley_app::webhooks::list_webhooks(&s.ctx, &s.caller())
            .await?
            .into_iter()
            .map(|h| (h.id.to_string(), h.description.map_or(h.url.clone(), |d| format!("{d} ({})", h.url))))
            .collect(),
        macros: parley_app::canned::list_macros(&s.ctx, &s.caller())
            .await?
            .into_iter()
            .filter(|m| m.shared)
            .map(|m| (m.id.to_string(), m.title))
            .collect(),
        // A trigger's page always has the box; a refused change shows it empty.
        test: (R::KIND == Kind::Trigger && id.is_some())
            .then(|| super::triggers::TestBox::empty(&shell, parley_domain::trigger::TriggerEvent::TicketUpdated)),
        form,
        shell,
    })
}

fn texts(s: &AgentSession) -> parley_i18n::Texts {
    parley_i18n::Texts::of(&s.agent.profile.language)
}

pub(crate) async fn new<R: Rules>(s: AgentSession) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let form = RuleForm::of(texts(&s), R::KIND, None, &named(&s).await?);
    Ok(render(&edit_page::<R>(&s, None, form).await?))
}

/// The form of the stored rule `id`.
pub(crate) async fn stored_form<R: Rules>(s: &AgentSession, id: &str) -> Result<(R::Id, RuleForm), PageError> {
    s.caller().require_admin()?;
    let id = path_id(id, R::parse_id)?;
    let rule = R::get(&s.ctx, id).await?;
    Ok((id, RuleForm::of(texts(s), R::KIND, Some(&rule), &named(s).await?)))
}

pub(crate) async fn edit<R: Rules>(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    let (id, form) = stored_form::<R>(&s, &id).await?;
    Ok(render(&edit_page::<R>(&s, Some(id), form).await?))
}

/// A refused save: the form again as typed, each refusal beside its field, `422`; any other error is the page's.
async fn refused<R: Rules>(
    s: &AgentSession,
    id: Option<R::Id>,
    mut form: RuleForm,
    placing: &Placing,
    e: AppError,
) -> Result<Response, PageError> {
    match e {
        AppError::Invalid(invalid) => form.refused(texts(s), &invalid.0, placing),
        AppError::Conflict(what) => form.summary.push(("f-name".into(), what)),
        other => return Err(other.into()),
    }
    Ok(super::refused(&edit_page::<R>(s, id, form).await?))
}

pub(crate) async fn create<R: Rules>(
    s: AgentSession,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let form = RuleForm::typed(texts(&s), R::KIND, &f);
    let (rule, placing) = form.input(&named(&s).await?);
    match R::create(&s.ctx, &s.caller(), rule).await {
        Ok(()) => Ok(Redirect::to(R::LIST).into_response()),
        Err(e) => refused::<R>(&s, None, form, &placing, e).await,
    }
}

pub(crate) async fn save<R: Rules>(
    s: AgentSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (f, id) = posted(&s, pairs, &id, R::parse_id)?;
    let form = RuleForm::typed(texts(&s), R::KIND, &f);
    let (rule, placing) = form.input(&named(&s).await?);
    match R::save(&s.ctx, &s.caller(), id, rule).await {
        Ok(()) => Ok(Redirect::to(R::LIST).into_response()),
        Err(e) => refused::<R>(&s, Some(id), form, &placing, e).await,
    }
}

/// `direction=up|down`: one place earlier or later in the order.
pub(crate) async fn reorder<R: Rules>(
    s: AgentSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (f, id) = posted(&s, pairs, &id, R::parse_id)?;
    R::moved(&s.ctx, &s.caller(), id, f.one("direction") == "up").await?;
    Ok(Redirect::to(R::LIST).into_response())
}

pub(crate) async fn confirm_delete<R: Rules>(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let id = path_id(&id, R::parse_id)?;
    let rule = R::get(&s.ctx, id).await?;
    let shell = frame(&s, R::PAGE).await?;
    let question = shell.t.with(&format!("{}-delete-confirm", R::TEXTS), &[("name", rule.name.as_str().into())]);
    let (heading, list_label) = (text::<R>(&shell, "delete"), shell.tr(&format!("ws-settings-{}", R::PAGE)));
    Ok(render(&DeletePage { shell, list: R::LIST, list_label, heading, id: id.to_string(), question }))
}

pub(crate) async fn delete<R: Rules>(
    s: AgentSession,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, id) = posted(&s, pairs, &id, R::parse_id)?;
    R::delete(&s.ctx, &s.caller(), id).await?;
    Ok(Redirect::to(R::LIST).into_response())
}
