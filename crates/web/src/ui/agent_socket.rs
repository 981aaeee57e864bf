//! The agents' chat WebSocket, `/agent/socket`, opened by the agent's signed-in page (session cookie, same origin
//! only). It sends every event of the account's conversations the agent may see as they happen (the whole
//! conversation the first time one has news), takes the agent's presence, and sends the agent's replies.
//!
//! Server → agent: `{"type": "ready", "presence"}`, `{"type": "chat", "conversation_id", "event": {…}}`,
//! `{"type": "presence", "status"}`, `{"type": "sent", "client_id", "conversation_id"}`, `{"type": "error", …}`,
//! and `{"type": "resync"}` when the socket fell so far behind that news was dropped (the page reloads).
//! Agent → server: `{"type": "presence", "status"}`, `{"type": "message", "conversation_id", "client_id", "body"}`.

use super::session::AgentSession;
use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parley_app::chat::presence;
use parley_app::tickets::{add_message, NewMessage};
use parley_app::{AccountCtx, AppError, Caller};
use parley_domain::ids::TicketId;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use tokio::sync::broadcast::error::RecvError;

const MAX_FRAME: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum AgentFrame {
    Presence { status: String },
    Message { conversation_id: String, client_id: String, body: String },
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

fn frame(v: serde_json::Value) -> Message {
    Message::Text(Utf8Bytes::from(v.to_string()))
}

fn error_frame(e: &AppError) -> Message {
    let (code, detail) = match e {
        AppError::Invalid(i) => ("validation_failed", i.to_string()),
        AppError::NotFound => ("not_found", "no such conversation".into()),
        AppError::Forbidden(why) => ("forbidden", why.clone()),
        AppError::Rule(r) => ("rule", r.to_string()),
        _ => ("internal_error", "something went wrong on our side".into()),
    };
    frame(json!({"type": "error", "code": code, "detail": detail}))
}

async fn serve(state: AppState, ctx: AccountCtx, caller: Caller, mut socket: WebSocket) {
    let app = &state.app;
    let Caller::Agent(agent) = &caller else { return };
    let agent_id = agent.id;
    let Some(mut news) = app.chat.follow_account(ctx.account_id) else { return };
    let status = presence::get(&ctx, agent_id).await.map(|p| p.as_str()).unwrap_or("offline");
    if socket.send(frame(json!({"type": "ready", "presence": status}))).await.is_err() {
        return;
    }
    // The last event sent of each conversation, and whether the agent may see it (checked once per socket).
    let mut sent: HashMap<TicketId, i64> = HashMap::new();
    let mut visible: HashMap<TicketId, bool> = HashMap::new();
    loop {
        tokio::select! {
            t = news.recv() => {
                // Everything waiting, each conversation once: under load, news of one chat comes in bursts.
                let mut tickets = Vec::new();
                let mut next = t;
                loop {
                    match next {
                        Ok(t) => {
                            if !tickets.contains(&t) {
                                tickets.push(t);
                            }
                        }
                        Err(RecvError::Lagged(missed)) => {
                            // Too far behind: some news is lost; the page reloads what it shows.
                            tracing::warn!(missed, "an agent's socket fell behind");
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
                    let may = match visible.get(&ticket) {
                        Some(v) => *v,
                        None => {
                            let v = matches!(ctx.store.get_ticket(ctx.account_id, ticket).await, Ok(Some(t)) if caller.can_see(&t));
                            visible.insert(ticket, v);
                            v
                        }
                    };
                    if !may {
                        continue;
                    }
                    // Page after page: a conversation seen for the first time may be long.
                    loop {
                        let after = sent.get(&ticket).copied().unwrap_or(0);
                        let Ok(events) = parley_app::chat::since(&ctx, ticket, after).await else { break };
                        let more = events.len() >= parley_app::chat::PAGE as usize;
                        for e in events {
                            sent.insert(ticket, e.seq);
                            let f = json!({"type": "chat", "conversation_id": ticket.to_string(), "event": e});
                            if socket.send(frame(f)).await.is_err() {
                                return;
                            }
                        }
                        if !more {
                            break;
                        }
                    }
                }
            }
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Binary(_))) => {
                        let e = AppError::Invalid(parley_domain::Invalid::field("frame", "must be JSON text"));
                        if socket.send(error_frame(&e)).await.is_err() { return; }
                        continue;
                    }
                    _ => return,
                };
                let reply = match serde_json::from_str::<AgentFrame>(&text) {
                    Ok(AgentFrame::Presence { status }) => match presence::set(&ctx, &caller, agent_id, &status).await {
                        Ok(p) => frame(json!({"type": "presence", "status": p.as_str()})),
                        Err(e) => error_frame(&e),
                    },
                    Ok(AgentFrame::Message { conversation_id, client_id, body }) => {
                        match TicketId::parse(&conversation_id) {
                            None => error_frame(&AppError::NotFound),
                            Some(id) => reply(app, &ctx, &caller, id, client_id, body).await,
                        }
                    }
                    Err(e) => error_frame(&AppError::Invalid(parley_domain::Invalid::field("frame", e.to_string()))),
                };
                if socket.send(reply).await.is_err() {
                    return;
                }
            }
        }
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
    let input = NewMessage { body, internal: false, client_id: Some(client_id.clone()) };
    match add_message(app, ctx, caller, id, input).await {
        Ok(_) => sent(false),
        Err(e) => error_frame(&e),
    }
}
