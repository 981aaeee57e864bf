//! What both chat WebSockets (visitors' and agents') share: JSON text frames, errors as frames, reading what a
//! client sent, and closing when the server stops.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use parley_app::AppError;
use serde_json::json;

pub(crate) fn frame(v: serde_json::Value) -> Message {
    Message::Text(Utf8Bytes::from(v.to_string()))
}

/// `{"type": "error", "code", "detail"}`, with the codes the HTTP API uses for the same errors.
pub(crate) fn error_frame(e: &AppError) -> Message {
    let (code, detail) = match e {
        AppError::Invalid(i) => ("validation_failed", i.to_string()),
        AppError::RateLimited { retry_after_secs } => ("rate_limited", format!("try again in {retry_after_secs} s")),
        AppError::Forbidden(why) => ("forbidden", why.clone()),
        AppError::NotFound => ("not_found", "no such conversation".into()),
        AppError::Rule(r) => ("rule", r.to_string()),
        AppError::Conflict(why) => ("conflict", why.clone()),
        _ => ("internal_error", "something went wrong on our side".into()),
    };
    frame(json!({"type": "error", "code": code, "detail": detail}))
}

/// What a client sent, as far as a socket's loop cares.
pub(crate) enum Incoming {
    Text(Utf8Bytes),
    /// Nothing to act on (a ping, or a binary frame already answered with an error).
    Nothing,
    /// The client is gone.
    Gone,
}

/// Reads what `socket.recv()` gave: JSON text is for the caller; binary frames are answered with an error.
pub(crate) async fn incoming(socket: &mut WebSocket, got: Option<Result<Message, axum::Error>>) -> Incoming {
    match got {
        Some(Ok(Message::Text(t))) => Incoming::Text(t),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Incoming::Nothing,
        Some(Ok(Message::Binary(_))) => {
            let e = AppError::Invalid(parley_domain::Invalid::field("frame", "must be JSON text"));
            match socket.send(error_frame(&e)).await {
                Ok(()) => Incoming::Nothing,
                Err(_) => Incoming::Gone,
            }
        }
        _ => Incoming::Gone,
    }
}

/// The close code and reason a socket gets when the server stops (its client connects again, to this server once
/// restarted or to another process).
pub(crate) const GOING_AWAY: (u16, &str) = (1001, "the server is restarting: connect again");

/// Closes the socket with a code and a reason.
pub(crate) async fn close(mut socket: WebSocket, (code, why): (u16, &str)) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from(why.to_string()) }))).await;
}
