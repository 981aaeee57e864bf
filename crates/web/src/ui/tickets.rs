//! The ticket list and the ticket view, with reply, note and update forms.

use super::session::{allow_remote_images, render, AgentSession, PageError};
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
use std::collections::HashMap;

pub(crate) struct Row {
    number: i64,
    subject: String,
    requester: String,
    status: &'static str,
    priority: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    agent: String,
    admin: bool,
    csrf: String,
    view: String,
    views: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    next: Option<String>,
    /// Whether the agent takes chats now.
    presence: &'static str,
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    view: Option<String>,
    after: Option<String>,
}

const VIEWS: [(&str, &str); 5] =
    [("open", "Open"), ("new", "New"), ("pending", "Pending"), ("solved", "Solved"), ("all", "All")];

pub(crate) async fn list(
    State(state): State<AppState>,
    s: AgentSession,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let view = q.view.unwrap_or_else(|| "open".into());
    let status = match view.as_str() {
        "open" => vec![Status::New, Status::Open],
        "new" => vec![Status::New],
        "pending" => vec![Status::Pending],
        "solved" => vec![Status::Resolved, Status::Closed],
        _ => vec![],
    };
    let after = q.after.as_deref().map(uc::decode_cursor).transpose()?;
    let filter = TicketFilter { status, ..Default::default() };
    let page = uc::list_tickets(
        &s.ctx,
        &s.caller(),
        ListTickets { filter, sort: SortKey::UpdatedAt, descending: true, after, limit: 50 },
    )
    .await?;
    let ids: Vec<_> = page.items.iter().map(|t| t.requester_id).collect();
    let contacts: HashMap<_, _> = people::contacts_by_ids(&s.ctx, &ids).await?.into_iter().map(|c| (c.id, c)).collect();
    let rows = page
        .items
        .iter()
        .map(|t| Row {
            number: t.number.0,
            subject: t.subject.clone(),
            requester: contacts
                .get(&t.requester_id)
                .map(|c| c.name.clone().or_else(|| c.email.as_ref().map(|e| e.to_string())).unwrap_or_default())
                .unwrap_or_default(),
            status: t.status.as_str(),
            priority: t.priority.as_str(),
            updated: t.updated_at.to_display(),
        })
        .collect();
    let next = page.next.as_ref().map(|c| format!("/tickets?view={view}&after={}", uc::encode_cursor(c)));
    let presence = parley_app::chat::presence::of(&state.app, &s.ctx, s.agent.id).await?.status.as_str();
    Ok(render(&ListPage {
        agent: s.agent.name.clone(),
        admin: s.agent.role.is_admin(),
        csrf: s.session.csrf_token.clone(),
        view,
        views: VIEWS.to_vec(),
        rows,
        next,
        presence,
    }))
}

pub(crate) struct Entry {
    /// The anchor a link can jump to.
    id: String,
    kind: &'static str,
    who: String,
    when: String,
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
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    agent: String,
    admin: bool,
    csrf: String,
    t: Ticket,
    requester: String,
    entries: Vec<Entry>,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
    agents: Vec<Agent>,
    assignee: String,
    /// The newest message shown: the reply form sends it, so that a reply written while someone else answered is
    /// held back (collision detection).
    last_message_id: String,
    /// A reply held back because others wrote meanwhile: shown again with what they wrote.
    draft: Option<Draft>,
}

/// A reply not sent because messages came after the one its writer had seen.
pub(crate) struct Draft {
    body: String,
    internal: bool,
    /// The messages that came meanwhile: (anchor id, who, when).
    meanwhile: Vec<(String, String, String)>,
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

/// The ticket page; with a held-back reply, that reply in the composer and a warning naming what came meanwhile
/// (answered 409, the page is the same otherwise).
async fn page(
    s: &AgentSession,
    number: TicketNumber,
    images: Option<&str>,
    draft: Option<(String, bool, Vec<parley_domain::message::Message>)>,
) -> Result<Response, PageError> {
    let d = uc::get_ticket_by_number(&s.ctx, &s.caller(), number).await?;
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
                    who: who(&m.author),
                    when: m.created_at.to_display(),
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
                who: who(&e.actor),
                when: e.created_at.to_display(),
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
    let last_message_id = d.timeline.messages.last().map(|m| m.id.to_string()).unwrap_or_default();
    let held_back = draft.is_some();
    let draft = draft.map(|(body, internal, new)| Draft {
        body,
        internal,
        meanwhile: new.iter().map(|m| (m.id.to_string(), who(&m.author), m.created_at.to_display())).collect(),
    });
    let page = TicketPage {
        agent: s.agent.name.clone(),
        admin: s.agent.role.is_admin(),
        csrf: s.session.csrf_token.clone(),
        requester,
        entries,
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
        agents: agents.into_iter().filter(|a| a.active).collect(),
        assignee,
        last_message_id,
        draft,
        t: d.ticket,
    };
    let mut res = render(&page);
    if showing_images {
        allow_remote_images(&mut res);
    }
    if held_back {
        *res.status_mut() = axum::http::StatusCode::CONFLICT;
    }
    Ok(res)
}

#[derive(Deserialize)]
pub(crate) struct ReplyForm {
    body: String,
    #[serde(default)]
    internal: Option<String>,
    /// The newest message the page showed; absent from forms of older pages (then nothing is held back).
    #[serde(default)]
    after_message_id: Option<String>,
    /// "Send anyway": send even though others wrote meanwhile.
    #[serde(default)]
    force: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn reply(
    State(state): State<AppState>,
    s: AgentSession,
    Path(number): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    let internal = f.internal.is_some();
    let input = NewMessage { body: f.body.clone(), internal, client_id: None };
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
        Ok(_) => Ok(Redirect::to(&format!("/tickets/{}", number.0)).into_response()),
        // Nothing typed is lost: the page comes again with the reply in the composer and what came meanwhile.
        Err(parley_app::AppError::RepliedMeanwhile(new)) => page(&s, number, None, Some((f.body, internal, new))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct UpdateForm {
    status: String,
    priority: String,
    assignee: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn update(
    s: AgentSession,
    Path(number): Path<String>,
    Form(f): Form<UpdateForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let number = parse_number(&number)?;
    let ticket = uc::find_by_number(&s.ctx, &s.caller(), number).await?;
    let assignee = if f.assignee.is_empty() {
        None
    } else {
        Some(
            AgentId::parse(&f.assignee)
                .ok_or_else(|| parley_domain::Invalid::field("assignee_id", "is not an agent"))?,
        )
    };
    let input = UpdateTicket {
        status: Some(f.status),
        priority: Some(f.priority),
        assignee_id: Some(assignee),
        ..Default::default()
    };
    uc::update_ticket(&s.ctx, &s.caller(), ticket.id, input).await?;
    Ok(Redirect::to(&format!("/tickets/{}", number.0)).into_response())
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
