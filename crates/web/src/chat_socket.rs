//! The chat's WebSocket for visitors: `GET /chat/v1/socket` on the account's host. The first frame names the
//! visitor (their token: browsers cannot set headers on a WebSocket), the conversation and the last event number
//! the client holds; the server sends what came after it and then each event as it happens. A message the visitor
//! sends is acknowledged with its number once stored; a resent client id is acknowledged with the first number.
//!
//! Frames are JSON text. Client → server: `{"type": "hello", "token", "conversation_id", "after"}`, then
//! `{"type": "message", "client_id", "body"}` and `{"type": "ack", "seq"}`. Server → client: `{"type": "ready",
//! "conversation_id"}`, `{"type": "event", "event": {…}}`, `{"type": "ack", "client_id", "seq", "duplicate"}`,
//! `{"type": "queue", "position"}` while the chat waits for an agent (`null` once one took it), `{"type":
//! "typing", "name"}` when an agent types, and `{"type": "error", "code", "detail"}`. The client may also say
//! `{"type": "typing"}` while the visitor types (no answer).

use crate::extract::Account;
use crate::socket_frames::{close, error_frame, frame, Incoming, GOING_AWAY};
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use parley_app::chat;
use parley_app::{AccountCtx, AppError};
use parley_domain::chat::{ChatEventKind, Visitor};
use parley_domain::ids::TicketId;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Frames larger than this are refused by the socket itself (a message is at most 4,000 characters).
const MAX_FRAME: usize = 64 * 1024;
/// How long a client has to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// A socket with nothing to do still looks at the store this often: a safety net, not the way news arrives.
const IDLE_LOOK: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientFrame {
    Hello {
        token: String,
        conversation_id: String,
        #[serde(default)]
        after: i64,
    },
    Message {
        client_id: String,
        body: String,
    },
    Ack {
        #[allow(dead_code)]
        seq: i64,
    },
    Typing,
}

pub(crate) async fn upgrade(State(state): State<AppState>, Account(ctx): Account, ws: WebSocketUpgrade) -> Response {
    // Small buffers: ten thousand idle visitors must not cost a gigabyte (tungstenite's default is 128 KiB each).
    ws.max_frame_size(MAX_FRAME)
        .max_message_size(MAX_FRAME)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| serve(state, ctx, socket))
}

/// Waits for the hello and checks it: the visitor, their conversation, and where they left off.
async fn hello(ctx: &AccountCtx, socket: &mut WebSocket) -> Result<(Visitor, TicketId, i64), (u16, &'static str)> {
    let first = tokio::time::timeout(HELLO_WITHIN, socket.recv()).await.map_err(|_| (4408, "say hello first"))?;
    let Some(Ok(Message::Text(text))) = first else { return Err((4400, "say hello first")) };
    let Ok(ClientFrame::Hello { token, conversation_id, after }) = serde_json::from_str::<ClientFrame>(&text) else {
        return Err((4400, "the first frame must be a hello"));
    };
    let visitor = chat::visitor_by_token(ctx, &token).await.ok().flatten().ok_or((4401, "unknown visitor"))?;
    let ticket = TicketId::parse(&conversation_id).ok_or((4404, "no such conversation"))?;
    Ok((visitor, ticket, after.max(0)))
}

async fn serve(state: AppState, ctx: AccountCtx, mut socket: WebSocket) {
    let app = &state.app;
    // Counted until it closes: the server stops only once its sockets have.
    let _open = app.chat.socket_opened();
    let mut stopping = app.chat.stopping();
    let hello = tokio::select! {
        h = hello(&ctx, &mut socket) => h,
        _ = chat::stopped(&mut stopping) => Err(GOING_AWAY),
    };
    let (visitor, ticket, mut sent) = match hello {
        Ok(h) => h,
        Err(why) => return close(socket, why).await,
    };
    // Checked once: another's conversation is NotFound, like none.
    if let Err(e) = chat::theirs(&ctx, &visitor, ticket).await {
        let code = if matches!(e, AppError::NotFound) { 4404 } else { 1011 };
        return close(socket, (code, "no such conversation")).await;
    }
    if socket.send(frame(json!({"type": "ready", "conversation_id": ticket.to_string()}))).await.is_err() {
        return;
    }
    let mut woken = app.chat.subscribe_waiting(ctx.account_id, ticket);
    // The place in the queue last told; looked at again only when routing moved, and no more once an agent took
    // the chat (it does not wait again unless handed to a team, which its events tell).
    let mut place: Option<u32> = None;
    let mut look_at_queue = true;
    // Whether there may be new events (not after a wake for routing news alone).
    let mut read_events = true;
    // When the agent's typing was last told, and when the visitor's was last passed on (at most once a second).
    let mut typing_told: Option<std::time::Instant> = None;
    let mut typing_passed: Option<std::time::Instant> = None;
    loop {
        // Everything after what this socket sent so far, in order, page after page.
        while read_events {
            let events = match chat::since(&ctx, ticket, sent).await {
                Ok(events) => events,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read a chat's events");
                    return close(socket, (1011, "try again")).await;
                }
            };
            let more = events.len() >= chat::PAGE as usize;
            for e in events {
                sent = e.seq;
                if matches!(e.kind, ChatEventKind::AgentLeft { .. }) {
                    // Handed to a team: it may wait in a queue again.
                    woken = app.chat.subscribe_waiting(ctx.account_id, ticket);
                    look_at_queue = true;
                }
                if socket.send(frame(json!({"type": "event", "event": e}))).await.is_err() {
                    return;
                }
            }
            if !more {
                read_events = false;
            }
        }
        if look_at_queue {
            look_at_queue = false;
            // A failed look keeps what was told (and the socket listening for routing news).
            let now = chat::routing::place_in_queue(app, &ctx, ticket).await.unwrap_or(place);
            if now != place {
                place = now;
                if socket.send(frame(json!({"type": "queue", "position": place}))).await.is_err() {
                    return;
                }
            }
            if place.is_none() {
                woken.forget_routing();
            }
        }
        if let Some((name, at)) = app.chat.agent_typing(ticket) {
            if typing_told != Some(at) {
                typing_told = Some(at);
                if socket.send(frame(json!({"type": "typing", "name": name}))).await.is_err() {
                    return;
                }
            }
        }
        let wake = woken.wait(IDLE_LOOK);
        tokio::select! {
            why = wake => {
                if why == chat::Woke::Stopping {
                    return close(socket, GOING_AWAY).await;
                }
                look_at_queue = why == chat::Woke::Routing || (why == chat::Woke::Anything && place.is_some());
                read_events = why != chat::Woke::Routing;
            }
            incoming = socket.recv() => {
                let text = match crate::socket_frames::incoming(&mut socket, incoming).await {
                    Incoming::Text(t) => t,
                    Incoming::Nothing => continue,
                    Incoming::Gone => return,
                };
                let reply = match serde_json::from_str::<ClientFrame>(&text) {
                    Ok(ClientFrame::Message { client_id, body }) => {
                        match chat::send(app, &ctx, &visitor, ticket, &client_id, &body).await {
                            Ok((e, new)) => frame(json!({"type": "ack", "client_id": client_id, "seq": e.seq, "duplicate": !new})),
                            Err(e) => error_frame(&e),
                        }
                    }
                    // Acks are taken in any order and need no answer: what a reconnecting client missed is decided
                    // by the `after` of its hello, so nothing is kept for them here.
                    Ok(ClientFrame::Ack { .. }) => continue,
                    Ok(ClientFrame::Typing) => {
                        if typing_passed.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                            typing_passed = Some(std::time::Instant::now());
                            chat::typing(app, &ctx, ticket, parley_domain::chat::Typist::Visitor).await;
                        }
                        continue;
                    }
                    Ok(ClientFrame::Hello { .. }) => {
                        error_frame(&AppError::Invalid(parley_domain::Invalid::field("type", "hello was said already")))
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
