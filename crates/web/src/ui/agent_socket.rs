//! The agents' chat WebSocket, `/agent/socket`, opened by the agent's signed-in page (session cookie, same origin
//! only). While it is open the agent has Parley open: chats may ring for them. It sends every event of the
//! account's conversations the agent may see as they happen (the whole conversation the first time one has news),
//! the chats ringing for the agent, and the agent's presence as any of their tabs sets it; it takes the agent's
//! presence, replies, and what they do with chats.
//!
//! Server → agent: `{"type": "ready", "presence": {…}}`, `{"type": "chat", "conversation_id", "event": {…}}`,
//! `{"type": "offer", "conversation_id", "number", "subject", "ring_until"}` and `{"type": "offer_withdrawn",
//! "conversation_id"}`, `{"type": "presence", "status", "max_chats", "chats", "online"}`, `{"type": "sent",
//! "client_id", "conversation_id"}`, `{"type": "done", "action", "conversation_id"}`, `{"type": "error", …}`, and
//! `{"type": "resync"}` when the socket fell so far behind that news was dropped (the page reloads).
//! Agent → server: `{"type": "presence", "status"}`, `{"type": "message", "conversation_id", "client_id", "body"}`,
//! `{"type": "accept" | "decline" | "end", "conversation_id"}`, `{"type": "transfer", "conversation_id",
//! "agent_id" | "department_id"}`, `{"type": "typing", "conversation_id"}` (no answer). Also to the agent:
//! `{"type": "typing", "conversation_id", "who": "visitor" | "agent", "name"}`.
//!
//! Live lists (every process of the account's region, PostgreSQL sharing news between processes): whenever a
//! ticket the agent may see is written, by anyone, through any channel,
//! `{"type": "ticket", "change": "created" | "updated" | "removed", "ticket": {"id", "number", "subject", "status",
//! "priority", "assignee_id", "department_id", "channel", "tags", "requester_id", "updated_at", "version"}}`.
//! `updated` covers every change (status, assignee, tags, priority, department, subject, a new message or note,
//! the requester after a contact merge); `removed` means gone from lists: merged into another ticket (its
//! `merged_into` is not sent; the ticket reads `status` as it was left), marked spam, or erased — an erased
//! ticket's frame carries only `{"id"}` when this process did not write it. `version` grows with every change of
//! the ticket: a frame with a version lower than the row shown is older news (frames of two processes may cross).
//! Agents limited to departments hear only of tickets they may see (in their departments or in none); a ticket
//! moved out of their departments is `updated` for those who still see it and silent for the others, so a page
//! that keeps a row whose newest frame says another department drops it itself. When news may have been lost
//! (the socket fell behind, or the link between processes dropped) the socket sends `{"type": "resync"}`: reload
//! what is shown.
//!
//! Collision detection. Agent → server: `{"type": "viewing", "ticket_id"}` when a ticket page opens (a ticket the
//! agent may not see: error `not_found`), `{"type": "left", "ticket_id"}` when it closes (closing the socket
//! leaves every ticket), `{"type": "composing", "ticket_id", "mode": "reply" | "note"}` while the agent types,
//! at most every 2 s (the same again within 1.5 s is ignored; on a ticket the socket does not view: error
//! `not_found`; a mode other than these: error `validation_failed`). None of these is answered.
//! Server → agent, to every socket of the account viewing the ticket, whenever its viewers or what they write
//! change (and once just after `viewing`): `{"type": "viewers", "ticket_id", "viewers": [{"agent_id", "name",
//! "since", "composing": null | "reply" | "note"}]}`, one entry per agent (their tabs joined), earliest first,
//! the socket's own agent included (the page leaves itself out). "composing" shows for 5 s after the last
//! `composing`; the server sends the list again when it stops showing. The same list answers
//! `GET /api/v1/tickets/{id}/viewers` on any process.

use super::session::AgentSession;
use crate::socket_frames::{close, error_frame, frame, Incoming, GOING_AWAY};
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parley_app::chat::presence::{self, AgentPresence};
use parley_app::chat::routing::{self, TransferTo};
use parley_app::chat::News;
use parley_app::tickets::{add_message, viewers, NewMessage};
use parley_app::{AccountCtx, AppError, Caller};
use parley_domain::chat::Typist;
use parley_domain::collision::ComposeMode;
use parley_domain::ids::{AgentId, DepartmentId, TicketId};
use parley_domain::ticket::Ticket;
use parley_store::TicketNews;
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

const MAX_FRAME: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum AgentFrame {
    Presence {
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        max_chats: Option<i64>,
    },
    Message {
        conversation_id: String,
        client_id: String,
        body: String,
    },
    Accept {
        conversation_id: String,
    },
    Decline {
        conversation_id: String,
    },
    End {
        conversation_id: String,
    },
    Typing {
        conversation_id: String,
    },
    Transfer {
        conversation_id: String,
        #[serde(default)]
        agent_id: Option<String>,
        #[serde(default)]
        department_id: Option<String>,
    },
    Viewing {
        ticket_id: String,
    },
    Left {
        ticket_id: String,
    },
    Composing {
        ticket_id: String,
        mode: String,
    },
}

/// Same origin only: a page of another site could otherwise open this socket with the agent's cookie.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(h), Some(o)) => o.strip_prefix("http://").or_else(|| o.strip_prefix("https://")) == Some(h),
        _ => false,
    }
}

pub(crate) async fn upgrade(
    State(state): State<AppState>,
    s: AgentSession,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "this socket is for the agent's own pages").into_response();
    }
    let caller = s.caller();
    ws.max_frame_size(MAX_FRAME)
        .max_message_size(MAX_FRAME)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| serve(state, s.ctx, caller, socket))
}

fn presence_frame(p: &AgentPresence) -> serde_json::Value {
    json!({"type": "presence", "status": p.status.as_str(), "max_chats": p.max_chats, "chats": p.chats, "online": p.online})
}

async fn serve(state: AppState, ctx: AccountCtx, caller: Caller, socket: WebSocket) {
    let app = &state.app;
    let Caller::Agent(agent) = &caller else { return };
    let agent_id = agent.id;
    // Counted until its records are cleared: the server stops only once its sockets have.
    let _open = app.chat.socket_opened();
    if let Err(e) = routing::connected(app, &ctx, agent_id).await {
        tracing::warn!(error = %e, "could not record an agent's socket");
        return;
    }
    let socket_id = parley_app::auth::tokens::random_token();
    talk(&state, &ctx, &caller, &socket_id, socket).await;
    if let Err(e) = viewers::closed(app, &ctx, &socket_id).await {
        tracing::warn!(error = %e, "could not record that a closed socket left its tickets");
    }
    if let Err(e) = routing::disconnected(app, &ctx, agent_id).await {
        tracing::warn!(error = %e, "could not record that an agent's socket closed");
    }
}

/// What this socket has shown the agent, to send only what changed.
#[derive(Default)]
struct Shown {
    /// The last event sent of each conversation.
    sent: HashMap<TicketId, i64>,
    /// Whether the agent may see each conversation, and since when that is known (a ticket moved to another
    /// team stops being visible: known answers are looked at again after a while and on every routing move).
    visible: HashMap<TicketId, (bool, Instant)>,
    offers: HashSet<TicketId>,
    presence: Option<serde_json::Value>,
    /// The tickets the socket views: the viewers frame last sent of each, and when a "writing" in it stops
    /// showing (to send the list again then).
    viewing: HashMap<TicketId, (Option<serde_json::Value>, Option<tokio::time::Instant>)>,
    /// When "composing" was last taken, per ticket, and in which mode: pages say it every 2 s at most; the same
    /// again sooner is not written.
    composed: HashMap<TicketId, (Instant, ComposeMode)>,
}

/// How often a socket's "composing" is written at most, per ticket.
const COMPOSING_EVERY: Duration = Duration::from_millis(1500);

async fn talk(state: &AppState, ctx: &AccountCtx, caller: &Caller, socket_id: &str, mut socket: WebSocket) {
    let app = &state.app;
    let Caller::Agent(agent) = caller else { return };
    let agent_id = agent.id;
    let Some(mut news) = app.chat.follow_account(ctx.account_id) else { return };
    let mut stopping = app.chat.stopping();
    let mut shown = Shown::default();
    let now = match presence::of(app, ctx, agent_id).await {
        Ok(p) => presence_frame(&p),
        Err(_) => json!({"type": "presence", "status": "offline"}),
    };
    if socket.send(frame(json!({"type": "ready", "presence": now.clone()}))).await.is_err() {
        return;
    }
    shown.presence = Some(now);
    if routing_news(app, ctx, caller, &mut shown, &mut socket).await.is_err() {
        return;
    }
    loop {
        let recheck = shown.viewing.values().filter_map(|(_, at)| *at).min();
        tokio::select! {
            _ = parley_app::chat::stopped(&mut stopping) => return close(socket, GOING_AWAY).await,
            _ = sleep_until(recheck) => {
                let due: Vec<TicketId> = shown
                    .viewing
                    .iter()
                    .filter(|(_, (_, at))| at.is_some_and(|at| at <= tokio::time::Instant::now()))
                    .map(|(t, _)| *t)
                    .collect();
                for t in due {
                    if viewers_news(app, ctx, caller, t, &mut shown, &mut socket).await.is_err() {
                        return;
                    }
                }
            }
            t = news.recv() => {
                // Everything waiting, each conversation once: under load, news of one chat comes in bursts.
                let mut tickets = Vec::new();
                let mut typing = Vec::new();
                let mut viewed = Vec::new();
                let mut routing_moved = false;
                let mut next = t;
                loop {
                    match next {
                        Ok(News::Chat(t)) => {
                            if !tickets.contains(&t) {
                                tickets.push(t);
                            }
                        }
                        Ok(News::Routing) => routing_moved = true,
                        Ok(News::Typing(t, who)) => typing.push((t, who)),
                        Ok(News::Ticket(n)) => {
                            if ticket_news(caller, &n, &mut socket).await.is_err() {
                                return;
                            }
                        }
                        Ok(News::Viewers(t)) => {
                            if shown.viewing.contains_key(&t) && !viewed.contains(&t) {
                                viewed.push(t);
                            }
                        }
                        Ok(News::Resync) => {
                            if socket.send(frame(json!({"type": "resync"}))).await.is_err() {
                                return;
                            }
                        }
                        Err(RecvError::Lagged(missed)) => {
                            // Too far behind: some news is lost; the page reloads what it shows.
                            tracing::warn!(missed, "an agent's socket fell behind");
                            routing_moved = true;
                            if socket.send(frame(json!({"type": "resync"}))).await.is_err() {
                                return;
                            }
                        }
                        Err(RecvError::Closed) => return,
                    }
                    match news.try_recv() {
                        Ok(t) => next = Ok(t),
                        Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => next = Err(RecvError::Lagged(n)),
                        Err(_) => break,
                    }
                }
                for ticket in tickets {
                    if chat_news(ctx, caller, ticket, &mut shown, &mut socket).await.is_err() {
                        return;
                    }
                }
                if routing_moved {
                    // A chat may have moved to another team.
                    shown.visible.clear();
                    if routing_news(app, ctx, caller, &mut shown, &mut socket).await.is_err() {
                        return;
                    }
                }
                for (ticket, who) in typing {
                    if typing_news(ctx, caller, ticket, who, &mut shown, &mut socket).await.is_err() {
                        return;
                    }
                }
                for ticket in viewed {
                    if viewers_news(app, ctx, caller, ticket, &mut shown, &mut socket).await.is_err() {
                        return;
                    }
                }
            }
            incoming = socket.recv() => {
                let text = match crate::socket_frames::incoming(&mut socket, incoming).await {
                    Incoming::Text(t) => t,
                    Incoming::Nothing => continue,
                    Incoming::Gone => return,
                };
                let reply = match serde_json::from_str::<AgentFrame>(&text) {
                    Ok(AgentFrame::Typing { conversation_id }) => {
                        // Said while typing, a few times a minute: no answer; nothing for conversations they cannot see.
                        if let Ok(id) = conversation(&conversation_id) {
                            if may_see(ctx, caller, id, &mut shown).await {
                                let who = Typist::Agent { id: agent_id, name: agent.name.clone() };
                                parley_app::chat::typing(app, ctx, id, who).await;
                            }
                        }
                        continue;
                    }
                    Ok(AgentFrame::Viewing { ticket_id }) => {
                        let done = match conversation(&ticket_id) {
                            Ok(id) => viewers::view(app, ctx, caller, id, socket_id).await.map(|()| id),
                            Err(e) => Err(e),
                        };
                        match done {
                            Ok(id) => {
                                // The list comes with the hub's news of this very change.
                                shown.viewing.entry(id).or_insert((None, None));
                                continue;
                            }
                            Err(e) => error_frame(&e),
                        }
                    }
                    Ok(AgentFrame::Left { ticket_id }) => {
                        let Ok(id) = conversation(&ticket_id) else { continue };
                        shown.viewing.remove(&id);
                        match viewers::leave(app, ctx, id, socket_id).await {
                            Ok(()) => continue,
                            Err(e) => error_frame(&e),
                        }
                    }
                    Ok(AgentFrame::Composing { ticket_id, mode }) => {
                        let done = match (conversation(&ticket_id), ComposeMode::parse(&mode)) {
                            (Ok(id), Ok(mode))
                                if shown.composed.get(&id).is_some_and(|(at, m)| *m == mode && at.elapsed() < COMPOSING_EVERY) =>
                            {
                                continue;
                            }
                            (Ok(id), Ok(mode)) => {
                                if shown.composed.len() > 1000 {
                                    shown.composed.clear();
                                }
                                shown.composed.insert(id, (Instant::now(), mode));
                                viewers::composing(app, ctx, id, socket_id, mode).await
                            }
                            (Err(e), _) => Err(e),
                            (_, Err(e)) => Err(AppError::Invalid(e)),
                        };
                        match done {
                            Ok(()) => continue,
                            Err(e) => error_frame(&e),
                        }
                    }
                    Ok(f) => act(app, ctx, caller, f).await,
                    Err(e) => error_frame(&AppError::Invalid(parley_domain::Invalid::field("frame", e.to_string()))),
                };
                if socket.send(reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Sends the conversation's events the socket has not sent yet, if the agent may see it.
async fn chat_news(
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    shown: &mut Shown,
    socket: &mut WebSocket,
) -> Result<(), ()> {
    if !may_see(ctx, caller, ticket, shown).await {
        return Ok(());
    }
    // Page after page: a conversation seen for the first time may be long.
    loop {
        let after = shown.sent.get(&ticket).copied().unwrap_or(0);
        let Ok(events) = parley_app::chat::since(ctx, ticket, after).await else { return Ok(()) };
        let more = events.len() >= parley_app::chat::PAGE as usize;
        for e in events {
            shown.sent.insert(ticket, e.seq);
            let f = json!({"type": "chat", "conversation_id": ticket.to_string(), "event": e});
            socket.send(frame(f)).await.map_err(|_| ())?;
        }
        if !more {
            return Ok(());
        }
    }
}

/// Tells the agent someone types in a conversation they may see (not themself).
async fn typing_news(
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    who: Typist,
    shown: &mut Shown,
    socket: &mut WebSocket,
) -> Result<(), ()> {
    let f = match who {
        Typist::Agent { id, .. } if matches!(caller, Caller::Agent(a) if a.id == id) => return Ok(()),
        Typist::Agent { name, .. } => {
            json!({"type": "typing", "conversation_id": ticket.to_string(), "who": "agent", "name": name})
        }
        Typist::Visitor => json!({"type": "typing", "conversation_id": ticket.to_string(), "who": "visitor"}),
    };
    if may_see(ctx, caller, ticket, shown).await {
        socket.send(frame(f)).await.map_err(|_| ())?;
    }
    Ok(())
}

/// Waits until `at`, or forever.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending::<()>().await,
    }
}

/// The ticket as live lists show it.
fn ticket_json(t: &Ticket) -> serde_json::Value {
    json!({
        "id": t.id,
        "number": t.number.0,
        "subject": t.subject,
        "status": t.status.as_str(),
        "priority": t.priority.as_str(),
        "assignee_id": t.assignee_id,
        "department_id": t.department_id,
        "channel": t.channel.as_str(),
        "tags": t.tags,
        "requester_id": t.requester_id,
        "updated_at": t.updated_at,
        "version": t.version,
    })
}

/// Tells the agent a ticket they may see was written. The news carries the ticket as written (read once per
/// process for news of other processes), so telling thousands of sockets costs no reads.
async fn ticket_news(caller: &Caller, n: &TicketNews, socket: &mut WebSocket) -> Result<(), ()> {
    let (visible, ticket) = match &n.ticket {
        Some(t) => (caller.can_see(t), ticket_json(t)),
        // Erased before another process could read it: who may hear of it goes by its department.
        None => {
            let visible = match caller {
                Caller::Agent(a) => a.role.is_admin() || n.department_id.is_none_or(|d| a.department_ids.contains(&d)),
                _ => false,
            };
            (visible, json!({"id": n.ticket_id}))
        }
    };
    if visible {
        let f = json!({"type": "ticket", "change": n.kind.as_str(), "ticket": ticket});
        socket.send(frame(f)).await.map_err(|_| ())?;
    }
    Ok(())
}

/// Sends the ticket's viewers if they changed since last sent, and notes when to look again.
async fn viewers_news(
    app: &parley_app::App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    shown: &mut Shown,
    socket: &mut WebSocket,
) -> Result<(), ()> {
    let Some(entry) = shown.viewing.get_mut(&ticket) else { return Ok(()) };
    let (list, ends) = match viewers::viewers(app, ctx, caller, ticket).await {
        Ok(v) => v,
        // Gone, or moved where the agent may not see it: no more news of it.
        Err(AppError::NotFound) => {
            shown.viewing.remove(&ticket);
            return Ok(());
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not read a ticket's viewers");
            return Ok(());
        }
    };
    let now = ctx.now();
    entry.1 = ends.map(|at| {
        let wait = u64::try_from(at.millis() - now.millis()).unwrap_or(0);
        tokio::time::Instant::now() + Duration::from_millis(wait)
    });
    let f = json!({"type": "viewers", "ticket_id": ticket, "viewers": list});
    if entry.0.as_ref() != Some(&f) {
        socket.send(frame(f.clone())).await.map_err(|_| ())?;
        entry.0 = Some(f);
    }
    Ok(())
}

/// How long an answer to "may the agent see this conversation" is kept.
const VISIBLE_FOR: Duration = Duration::from_secs(5);

/// Whether the agent may see the conversation (looked up again once the known answer is a few seconds old).
async fn may_see(ctx: &AccountCtx, caller: &Caller, ticket: TicketId, shown: &mut Shown) -> bool {
    if let Some((v, at)) = shown.visible.get(&ticket) {
        if at.elapsed() < VISIBLE_FOR {
            return *v;
        }
    }
    let v = matches!(ctx.store.get_ticket(ctx.account_id, ticket).await, Ok(Some(t)) if caller.can_see(&t));
    shown.visible.insert(ticket, (v, Instant::now()));
    v
}

/// Sends the chats that started or stopped ringing for the agent, and their presence if it changed.
async fn routing_news(
    app: &parley_app::App,
    ctx: &AccountCtx,
    caller: &Caller,
    shown: &mut Shown,
    socket: &mut WebSocket,
) -> Result<(), ()> {
    let Caller::Agent(a) = caller else { return Ok(()) };
    let agent = a.id;
    if let Ok(p) = presence::of(app, ctx, agent).await {
        let f = presence_frame(&p);
        if shown.presence.as_ref() != Some(&f) {
            socket.send(frame(f.clone())).await.map_err(|_| ())?;
            shown.presence = Some(f);
        }
    }
    let Ok(mut ringing) = routing::ringing_for(ctx, agent).await else { return Ok(()) };
    // Rung for a chat they may not see (its ticket moved meanwhile): they hear nothing of it.
    ringing.retain(|(_, t)| caller.can_see(t));
    let now: HashSet<TicketId> = ringing.iter().map(|(r, _)| r.ticket_id).collect();
    for gone in shown.offers.difference(&now) {
        socket
            .send(frame(json!({"type": "offer_withdrawn", "conversation_id": gone.to_string()})))
            .await
            .map_err(|_| ())?;
    }
    for (route, ticket) in &ringing {
        if !shown.offers.contains(&route.ticket_id) {
            let f = json!({
                "type": "offer",
                "conversation_id": route.ticket_id.to_string(),
                "number": ticket.number.0,
                "subject": ticket.subject,
                "ring_until": route.ring_until.map(|t| t.to_rfc3339()),
            });
            socket.send(frame(f)).await.map_err(|_| ())?;
        }
    }
    shown.offers = now;
    Ok(())
}

fn conversation(id: &str) -> Result<TicketId, AppError> {
    TicketId::parse(id).ok_or(AppError::NotFound)
}

/// What the agent asked for, and the frame that answers it.
async fn act(app: &parley_app::App, ctx: &AccountCtx, caller: &Caller, f: AgentFrame) -> Message {
    let Caller::Agent(agent) = caller else { return error_frame(&AppError::NotFound) };
    let done = |action: &str, id: TicketId| {
        frame(json!({"type": "done", "action": action, "conversation_id": id.to_string()}))
    };
    let outcome = match f {
        AgentFrame::Presence { status, max_chats } => {
            return match presence::set(app, ctx, caller, agent.id, status.as_deref(), max_chats).await {
                Ok(p) => frame(presence_frame(&p)),
                Err(e) => error_frame(&e),
            }
        }
        AgentFrame::Message { conversation_id, client_id, body } => {
            return match conversation(&conversation_id) {
                Err(e) => error_frame(&e),
                Ok(id) => reply(app, ctx, caller, id, client_id, body).await,
            }
        }
        // Taken by the socket's loop, which knows what the agent may see and which tickets the socket views.
        AgentFrame::Typing { .. }
        | AgentFrame::Viewing { .. }
        | AgentFrame::Left { .. }
        | AgentFrame::Composing { .. } => return Message::Ping(Default::default()),
        AgentFrame::Accept { conversation_id } => match conversation(&conversation_id) {
            Ok(id) => routing::accept(app, ctx, caller, id, None).await.map(|_| done("accept", id)),
            Err(e) => Err(e),
        },
        AgentFrame::Decline { conversation_id } => match conversation(&conversation_id) {
            Ok(id) => routing::decline(app, ctx, caller, id, None).await.map(|_| done("decline", id)),
            Err(e) => Err(e),
        },
        AgentFrame::End { conversation_id } => match conversation(&conversation_id) {
            Ok(id) => routing::end(app, ctx, Some(caller), id).await.map(|_| done("end", id)),
            Err(e) => Err(e),
        },
        AgentFrame::Transfer { conversation_id, agent_id, department_id } => {
            match (conversation(&conversation_id), transfer_target(agent_id, department_id)) {
                (Ok(id), Ok(to)) => routing::transfer(app, ctx, caller, id, to).await.map(|_| done("transfer", id)),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
    };
    outcome.unwrap_or_else(|e| error_frame(&e))
}

/// One of an agent or a team, by id.
pub(crate) fn transfer_target(agent: Option<String>, department: Option<String>) -> Result<TransferTo, AppError> {
    let bad = |field: &str| AppError::Invalid(parley_domain::Invalid::field(field, "is not an id"));
    match (agent, department) {
        (Some(a), None) => Ok(TransferTo::Agent(AgentId::parse(&a).ok_or_else(|| bad("agent_id"))?)),
        (None, Some(d)) => Ok(TransferTo::Department(DepartmentId::parse(&d).ok_or_else(|| bad("department_id"))?)),
        _ => Err(AppError::Invalid(parley_domain::Invalid::field("agent_id", "name either agent_id or department_id"))),
    }
}

/// An agent's reply from the socket, stored once however often it is sent with the same client id.
async fn reply(
    app: &parley_app::App,
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    client_id: String,
    body: String,
) -> Message {
    let client_id = match parley_domain::chat::parse_client_id(&client_id) {
        Ok(c) => c,
        Err(e) => return error_frame(&AppError::Invalid(e)),
    };
    let sent = |duplicate: bool| {
        frame(
            json!({"type": "sent", "client_id": client_id, "conversation_id": id.to_string(), "duplicate": duplicate}),
        )
    };
    match ctx.store.chat_event_by_client(ctx.account_id, id, &client_id).await {
        Ok(Some(_)) => return sent(true),
        Ok(None) => {}
        Err(e) => return error_frame(&AppError::from(e)),
    }
    let input = NewMessage {
        body,
        internal: false,
        client_id: Some(client_id.clone()),
        cc: Vec::new(),
        attachments: Vec::new(),
    };
    match add_message(app, ctx, caller, id, input).await {
        Ok(_) => sent(false),
        Err(e) => error_frame(&e),
    }
}
