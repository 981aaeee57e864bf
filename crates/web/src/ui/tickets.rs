//! The ticket view, with reply, note and update forms (the lists are in `ticket_list`).

use super::session::{allow_remote_images, render, AgentSession, CsrfForm, PageError};
use super::shell::Shell;
use super::ticket_list::display_contact;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::tickets::{self as uc, ListTickets, NewMessage, UpdateTicket};
use parley_app::{email, people};
use parley_domain::agent::Agent;
use parley_domain::ids::AgentId;
use parley_domain::message::Delivery;
use parley_domain::ticket::{Priority, Status, Ticket, TicketNumber};
use parley_store::{SortKey, TicketFilter};
use serde::Deserialize;

pub(crate) struct Entry {
    /// The anchor a link can jump to.
    id: String,
    kind: &'static str,
    /// How the message came or went: `email`, `chat`, `web`, `api`, … (events: empty).
    channel: &'static str,
    who: String,
    when: String,
    when_iso: String,
    /// A mail's sender and recipients, as (label, value).
    headers: Vec<(&'static str, String)>,
    text: String,
    /// Mail HTML, sanitized when the mail was received.
    html: Option<String>,
    quoted: Option<String>,
    files: Vec<(String, String, String)>,
    /// What became of outgoing mail: "queued", "sent", "failed: …".
    delivery: Option<String>,
    /// Where the mail a message came from can be downloaded.
    original: Option<String>,
    /// The page with this message's remote images loaded, when it has any still parked.
    load_images: Option<String>,
    notes: Vec<String>,
    /// A customer's message, which can be split off into a ticket of its own.
    splittable: bool,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    shell: Shell,
    csrf: String,
    max_file_bytes: usize,
    /// Names of the agents who follow the ticket.
    followers: Vec<String>,
    /// The SLA policy the ticket is under, and a line per target.
    sla: Option<(String, Vec<SlaLine>)>,
    /// The account's custom fields with this ticket's values.
    fields: Vec<FieldInput>,
    /// Whether the agent looking follows it.
    following: bool,
    t: Ticket,
    requester: String,
    from_line: String,
    requester_name: String,
    requester_email: Option<String>,
    /// Where the requester's profile is edited.
    requester_id: Option<String>,
    company: Option<String>,
    /// The requester's other tickets: (number, subject, status, channel).
    others: Vec<(i64, String, &'static str, &'static str)>,
    entries: Vec<Entry>,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
    agents: Vec<Agent>,
    assignee: String,
    me: String,
    departments: Vec<(String, String)>,
    department: String,
    tags: String,
    /// The newest message when the page was made: a reply sent from it is checked against what came since.
    last_message: String,
    /// A reply held back because others wrote meanwhile: shown again with what they wrote.
    draft: Option<Draft>,
}

/// A reply not sent, shown again in the composer as typed: messages came after the one its writer had seen, or
/// something in it was refused.
pub(crate) struct Draft {
    body: String,
    internal: bool,
    cc: String,
    /// The messages that came meanwhile: (anchor id, who, when).
    meanwhile: Vec<(String, String, String)>,
    /// What was refused, as "field: message".
    errors: Vec<String>,
}

/// What the reply handler hands back to the page when it did not send.
pub(crate) struct Unsent {
    body: String,
    internal: bool,
    cc: String,
    meanwhile: Vec<parley_domain::message::Message>,
    errors: Vec<String>,
}

/// The addresses typed in the composer's CC field: separated by commas, semicolons or spaces.
fn split_cc(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

pub(crate) fn parse_number(s: &str) -> Result<TicketNumber, PageError> {
    s.trim_start_matches('#')
        .parse::<i64>()
        .map(TicketNumber)
        .map_err(|_| PageError::Api(crate::error::ApiError::NotFound))
}

#[derive(Deserialize)]
pub(crate) struct ShowQuery {
    /// The message whose remote images the agent asked to see.
    images: Option<String>,
}

/// Remote images in mail wait for the agent to ask, one message at a time: loading them tells the sender the mail
/// was read.
fn remote_images(
    number: TicketNumber,
    m: &parley_domain::message::Message,
    asked: Option<&str>,
) -> (Option<String>, Option<String>) {
    let Some(html) = &m.html else { return (None, None) };
    if !html.contains("data-remote-src") {
        return (Some(html.clone()), None);
    }
    if asked == Some(m.id.to_string().as_str()) {
        return (Some(email::load_remote_images(html)), None);
    }
    (Some(html.clone()), Some(format!("/tickets/{}?images={}#m-{}", number.0, m.id, m.id)))
}

pub(crate) async fn show(
    s: AgentSession,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let number = parse_number(&number)?;
    page(&s, number, q.images.as_deref(), None).await
}

/// The ticket page; with a reply held back (others wrote meanwhile), that reply in the composer and a warning
/// linking what came meanwhile, answered `409`: the agent reads, then sends anyway or changes it.
/// One SLA target as the side panel shows it: the metric, its state (a class and a word) and the time that
/// matters (due, breached or met), in the agent's zone and as RFC 3339.
pub(crate) struct SlaLine {
    metric: String,
    state: &'static str,
    state_label: String,
    when: String,
    when_iso: String,
}

fn sla_line(shell: &Shell, t: &parley_domain::sla::TargetState) -> SlaLine {
    use parley_domain::sla::ClockState;
    let state = match t.state {
        ClockState::Active => "active",
        ClockState::Paused => "paused",
        ClockState::Fulfilled => "fulfilled",
        ClockState::Breached => "breached",
    };
    // Late but met: the breach is what a team lead looks for.
    let (key, at) = match t.state {
        ClockState::Active => ("ws-sla-due", t.due_at),
        ClockState::Breached => ("ws-sla-breached-at", t.breached_at),
        ClockState::Fulfilled => ("ws-sla-met-at", t.fulfilled_at),
        ClockState::Paused => ("ws-sla-paused", None),
    };
    let when = match at {
        Some(a) => {
            let local = a.in_zone(&shell.time_zone);
            shell.t.with(key, &[("time", local.as_str().into())])
        }
        None => shell.t.get(key),
    };
    let late = t.state == ClockState::Fulfilled && t.breached_at.is_some();
    SlaLine {
        metric: shell.t.get(&format!("ws-sla-{}", t.metric.as_str().replace('_', "-"))),
        state,
        state_label: shell.t.get(&if late { "ws-sla-state-late".to_string() } else { format!("ws-sla-state-{state}") }),
        when,
        when_iso: at.map(|a| a.to_rfc3339()).unwrap_or_default(),
    }
}

async fn page(
    s: &AgentSession,
    number: TicketNumber,
    images: Option<&str>,
    draft: Option<Unsent>,
) -> Result<Response, PageError> {
    let shell = Shell::build(s, "tickets", None).await?;
    let zone = shell.time_zone.clone();
    let d = uc::get_ticket_by_number(&s.ctx, &s.caller(), number).await?;
    let sla = parley_app::sla_ticket::sla_of(&s.ctx, &d, s.ctx.now())
        .await?
        .map(|sla| (sla.policy_name, sla.targets.iter().map(|t| sla_line(&shell, t)).collect()));
    let agents = people::list_agents(&s.ctx).await?;
    let name_of =
        |id: &AgentId| agents.iter().find(|a| a.id == *id).map(|a| a.name.clone()).unwrap_or_else(|| "An agent".into());
    let requester = d
        .requester
        .as_ref()
        .map(|c| match (&c.name, &c.email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.clone(),
            (None, Some(e)) => e.to_string(),
            (None, None) => "Unknown".into(),
        })
        .unwrap_or_default();
    let who = |a: &parley_domain::event::Actor| match a {
        parley_domain::event::Actor::Agent(id) => name_of(id),
        parley_domain::event::Actor::Contact(_) => requester.clone(),
        parley_domain::event::Actor::ApiKey(_) => "API".into(),
        parley_domain::event::Actor::Staff(_) => "Support staff".into(),
        parley_domain::event::Actor::System => "Parley".into(),
    };
    // Only a message of this ticket with images to show widens the page's policy.
    let showing_images = images.is_some_and(|asked| {
        d.timeline
            .messages
            .iter()
            .any(|m| m.id.to_string() == asked && m.html.as_deref().is_some_and(|h| h.contains("data-remote-src")))
    });
    let entries: Vec<Entry> = uc::in_order(&d.timeline)
        .into_iter()
        .map(|item| match item {
            uc::TimelineItem::Message(m) => {
                let (html, load_images) = remote_images(number, m, images);
                Entry {
                    id: m.id.to_string(),
                    kind: if m.internal { "note" } else { "reply" },
                    splittable: !m.internal && matches!(m.author, parley_domain::event::Actor::Contact(_)),
                    channel: m.channel.as_str(),
                    who: who(&m.author),
                    when: m.created_at.in_zone(&zone),
                    when_iso: m.created_at.to_rfc3339(),
                    headers: m.email.as_ref().map(mail_headers).unwrap_or_default(),
                    text: m.body.clone(),
                    html,
                    load_images,
                    quoted: m.quoted.clone(),
                    files: m
                        .attachments
                        .iter()
                        .filter(|a| !a.inline)
                        .map(|a| (format!("/attachments/{}", a.id), a.filename.clone(), human_size(a.size)))
                        .collect(),
                    delivery: m.email.as_ref().and_then(|e| e.delivery.as_ref()).map(|d| match d {
                        Delivery::Queued { reason: Some(r) } => format!("queued: {r}"),
                        Delivery::Queued { reason: None } => "queued".into(),
                        Delivery::Sent => "sent".into(),
                        Delivery::Failed { reason } => format!("not delivered: {reason}"),
                    }),
                    notes: m.email.as_ref().map(|e| e.notes.clone()).unwrap_or_default(),
                    // Only mail that came in has an original; what we sent is shown as composed.
                    original: m
                        .email
                        .as_ref()
                        .is_some_and(|e| e.delivery.is_none())
                        .then(|| format!("/messages/{}/original", m.id)),
                }
            }
            uc::TimelineItem::Event(e) => Entry {
                id: e.id.to_string(),
                kind: "event",
                splittable: false,
                channel: "",
                who: who(&e.actor),
                when: e.created_at.in_zone(&zone),
                when_iso: e.created_at.to_rfc3339(),
                headers: Vec::new(),
                text: e.kind.describe(),
                html: None,
                quoted: None,
                files: Vec::new(),
                delivery: None,
                notes: Vec::new(),
                original: None,
                load_images: None,
            },
        })
        .collect();
    let assignee = d.ticket.assignee_id.map(|a| a.to_string()).unwrap_or_default();
    let last_message =
        d.timeline.messages.iter().max_by_key(|m| m.created_at).map(|m| m.id.to_string()).unwrap_or_default();
    let departments = people::list_departments(&s.ctx).await?;
    let requester_contact = d.requester.clone();
    let company = match requester_contact.as_ref().and_then(|c| c.company_id) {
        Some(id) => people::get_company(&s.ctx, id).await.ok().map(|c| c.name),
        None => None,
    };
    // The requester's other tickets and chats, newest first: what an agent checks before answering.
    let others = match &requester_contact {
        Some(c) => {
            let filter = TicketFilter { requester: Some(c.id), ..Default::default() };
            let list = ListTickets { filter, sort: SortKey::UpdatedAt, descending: true, after: None, limit: 11 };
            uc::list_tickets(&s.ctx, &s.caller(), list)
                .await?
                .items
                .into_iter()
                .filter(|o| o.id != d.ticket.id)
                .take(10)
                .map(|o| (o.number.0, o.subject, o.status.as_str(), o.channel.as_str()))
                .collect()
        }
        None => Vec::new(),
    };
    let from_line = shell.t.with(
        "ws-from",
        &[
            ("who", requester.as_str().into()),
            ("channel", d.ticket.channel.as_str().into()),
            ("when", d.ticket.created_at.in_zone(&zone).as_str().into()),
        ],
    );
    let held_back = draft.as_ref().map(|d| if d.meanwhile.is_empty() { 422 } else { 409 });
    let draft = draft.map(|u| Draft {
        body: u.body,
        internal: u.internal,
        cc: u.cc,
        meanwhile: u
            .meanwhile
            .iter()
            .map(|m| (m.id.to_string(), who(&m.author), m.created_at.in_zone(&zone)))
            .collect(),
        errors: u.errors,
    });
    let follow_list = uc::followers_of_shown(&s.ctx, &d, &agents).await?;
    let fields = uc::list_fields(&s.ctx)
        .await?
        .into_iter()
        .map(|f| {
            let (kind, options) = match &f.kind {
                parley_domain::custom_field::FieldKind::Text => ("text", Vec::new()),
                parley_domain::custom_field::FieldKind::Number => ("number", Vec::new()),
                parley_domain::custom_field::FieldKind::Date => ("date", Vec::new()),
                parley_domain::custom_field::FieldKind::Dropdown { options } => ("dropdown", options.clone()),
            };
            let value = match d.ticket.custom_fields.get(&f.key) {
                Some(serde_json::Value::String(v)) => v.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            FieldInput { key: f.key, label: f.label, kind, options, value }
        })
        .collect();
    let page = TicketPage {
        fields,
        following: follow_list.iter().any(|f| f.agent_id == s.agent.id),
        followers: follow_list.into_iter().map(|f| f.name).collect(),
        sla,
        max_file_bytes: s.max_file_bytes,
        draft,
        csrf: s.session.csrf_token.clone(),
        from_line,
        requester_name: requester_contact.as_ref().map(display_contact).unwrap_or_default(),
        requester_email: requester_contact.as_ref().and_then(|c| c.email.as_ref()).map(|e| e.to_string()),
        requester_id: requester_contact.as_ref().map(|c| c.id.to_string()),
        company,
        others,
        requester,
        entries,
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
        agents: agents.into_iter().filter(|a| a.active).collect(),
        assignee,
        me: s.agent.id.to_string(),
        department: d.ticket.department_id.map(|d| d.to_string()).unwrap_or_default(),
        departments: departments.into_iter().map(|d| (d.id.to_string(), d.name)).collect(),
        tags: d.ticket.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "),
        last_message,
        t: d.ticket,
        shell,
    };
    let mut res = render(&page);
    if showing_images {
        allow_remote_images(&mut res);
    }
    match held_back {
        Some(409) => *res.status_mut() = axum::http::StatusCode::CONFLICT,
        Some(_) => *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        None => {}
    }
    Ok(res)
}

/// What a mail's header says of who wrote to whom.
fn mail_headers(e: &parley_domain::message::EmailInfo) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(f) = &e.from {
        out.push(("From", f.clone()));
    }
    if !e.to.is_empty() {
        out.push(("To", e.to.join(", ")));
    }
    if !e.cc.is_empty() {
        out.push(("Cc", e.cc.join(", ")));
    }
    out
}

pub(crate) async fn reply(
    State(state): State<AppState>,
    s: AgentSession,
    Path(number): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let (f, files) = super::reply_form::read(req, &state).await?;
    s.check_csrf(&f.csrf)?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    let internal = f.internal.is_some();
    let had_files = !files.is_empty();
    let input = NewMessage { body: f.body.clone(), internal, client_id: None, cc: split_cc(&f.cc), attachments: files };
    let seen = f.after_message_id.as_deref().filter(|m| !m.is_empty() && f.force.is_none());
    let sent = match seen {
        Some(m) => {
            let seen = parley_domain::ids::MessageId::parse(m)
                .ok_or_else(|| parley_domain::Invalid::field("after_message_id", "is not a message id"))?;
            uc::add_message_after(&state.app, &s.ctx, &s.caller(), ticket.id, input, seen).await
        }
        None => uc::add_message(&state.app, &s.ctx, &s.caller(), ticket.id, input).await,
    };
    match sent {
        Ok(_) => {}
        // Nothing typed is lost: the page comes again with the reply in the composer, and what came meanwhile or
        // what was refused.
        // A browser cannot fill a file field in again: the page says to attach them once more.
        Err(parley_app::AppError::RepliedMeanwhile(new)) => {
            let errors = if had_files {
                vec![parley_i18n::Texts::of(&s.agent.profile.language).get("ws-attach-again")]
            } else {
                Vec::new()
            };
            let unsent = Unsent { body: f.body, internal, cc: f.cc, meanwhile: new, errors };
            return page(&s, number, None, Some(unsent)).await;
        }
        Err(parley_app::AppError::Invalid(invalid)) => {
            let mut errors = invalid.lines();
            if had_files {
                errors.push(parley_i18n::Texts::of(&s.agent.profile.language).get("ws-attach-again"));
            }
            let unsent = Unsent { body: f.body, internal, cc: f.cc, meanwhile: Vec::new(), errors };
            return page(&s, number, None, Some(unsent)).await;
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(status) = f.then_status.filter(|s| !s.is_empty()) {
        let change = UpdateTicket { status: Some(status), ..Default::default() };
        uc::update_ticket(&s.ctx, &s.caller(), ticket.id, change).await?;
    }
    Ok(Redirect::to(&format!("/tickets/{}", number.0)).into_response())
}

/// Follow the ticket, or stop following it (`follow` is `0`).
pub(crate) async fn follow(
    s: AgentSession,
    Path(number): Path<String>,
    Form(f): Form<FollowForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    if f.follow == "0" {
        uc::unfollow(&s.ctx, &s.caller(), ticket.id, None).await?;
    } else {
        uc::follow(&s.ctx, &s.caller(), ticket.id, None).await?;
    }
    Ok(Redirect::to(&format!("/tickets/{}", number.0)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct FollowForm {
    follow: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Split a customer's message off into a new ticket, and go there.
pub(crate) async fn split(
    State(state): State<AppState>,
    s: AgentSession,
    Path((number, message)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    let message = parley_domain::ids::MessageId::parse(&message).ok_or(parley_app::AppError::NotFound)?;
    let new = uc::split_message(&state.app, &s.ctx, &s.caller(), ticket.id, message).await?;
    Ok(Redirect::to(&format!("/tickets/{}", new.number.0)).into_response())
}

/// The details form: status, priority, assignee, department and tags (fields absent from a form are left alone),
/// and the account's custom fields as `cf.<key>` (empty clears one).
pub(crate) async fn update(
    s: AgentSession,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    s.check_csrf(&value("_csrf").unwrap_or_default())?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    let assignee_id = match value("assignee").as_deref() {
        None => None,
        Some("") => Some(None),
        Some(a) => Some(Some(
            AgentId::parse(a).ok_or_else(|| parley_domain::Invalid::field("assignee_id", "is not an agent"))?,
        )),
    };
    let department_id = match value("department").as_deref() {
        None => None,
        Some("") => Some(None),
        Some(d) => Some(Some(
            parley_domain::ids::DepartmentId::parse(d)
                .ok_or_else(|| parley_domain::Invalid::field("department_id", "is not a department"))?,
        )),
    };
    let tags = value("tags").map(|t| t.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect());
    let fields = uc::list_fields(&s.ctx).await?;
    let mut custom_fields = std::collections::BTreeMap::new();
    for (name, v) in &pairs {
        let Some(key) = name.strip_prefix("cf.") else { continue };
        let Some(def) = fields.iter().find(|f| f.key == key) else { continue };
        custom_fields.insert(key.to_string(), field_value(&def.kind, v));
    }
    let input = UpdateTicket {
        status: value("status"),
        priority: value("priority"),
        assignee_id,
        department_id,
        tags,
        custom_fields,
        ..Default::default()
    };
    uc::update_ticket(&s.ctx, &s.caller(), ticket.id, input).await?;
    Ok(Redirect::to(&format!("/tickets/{}", number.0)).into_response())
}

/// A custom field's value as typed: empty clears it; a number field takes a number (anything else is passed on as
/// text, for the field's own check to name).
fn field_value(kind: &parley_domain::custom_field::FieldKind, typed: &str) -> serde_json::Value {
    let typed = typed.trim();
    if typed.is_empty() {
        return serde_json::Value::Null;
    }
    match kind {
        parley_domain::custom_field::FieldKind::Number => match typed.parse::<i64>() {
            Ok(n) => serde_json::Value::from(n),
            Err(_) => typed
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(typed.to_string())),
        },
        _ => serde_json::Value::String(typed.to_string()),
    }
}

/// A custom field as the details form shows it.
pub(crate) struct FieldInput {
    key: String,
    label: String,
    /// `text`, `number`, `date` or `dropdown`.
    kind: &'static str,
    options: Vec<String>,
    value: String,
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Stops a chat's visitor writing again.
pub(crate) async fn block_visitor(
    s: AgentSession,
    Path(number): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    parley_app::chat::settings::block(&s.ctx, &s.caller(), ticket.id).await?;
    Ok(Redirect::to(&format!("/tickets/{}", number.0)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct PresenceForm {
    status: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// The agent says whether they take chats now.
pub(crate) async fn set_presence(
    State(state): State<AppState>,
    s: AgentSession,
    Form(f): Form<PresenceForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    parley_app::chat::presence::set(&state.app, &s.ctx, &s.caller(), s.agent.id, Some(&f.status), None).await?;
    Ok(Redirect::to("/tickets").into_response())
}

#[derive(Deserialize)]
pub(crate) struct MergeForm {
    /// The ticket this one goes into, as people quote it (`1042` or `#1042`).
    into: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Merges this ticket into another: its messages go there, and the agent follows them.
pub(crate) async fn merge_into(
    s: AgentSession,
    Path(number): Path<String>,
    Form(f): Form<MergeForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let source = uc::find_by_number(&s.ctx, &s.caller(), parse_number(&number)?).await?;
    let into =
        f.into.trim().trim_start_matches('#').parse::<i64>().map_err(|_| {
            parley_domain::Invalid::field("into", format!("'{}' is not a ticket number", f.into.trim()))
        })?;
    let target = uc::find_by_number(&s.ctx, &s.caller(), TicketNumber(into)).await?;
    uc::merge_tickets(&s.ctx, &s.caller(), target.id, &[source.id]).await?;
    Ok(Redirect::to(&format!("/tickets/{into}")).into_response())
}
