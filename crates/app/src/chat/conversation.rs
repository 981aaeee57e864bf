//! A conversation: opening it, a visitor's messages (each stored once, however often it is sent) and the numbered
//! events read from any point on. What an agent's reply adds to it is the chat's delivery (`crate::channels`).

use crate::channels::{self, Outgoing};
use crate::tickets::RETRIES;
use crate::{AccountCtx, App, AppError};
use parley_domain::chat::{
    parse_chat_text, parse_client_id, ChatAuthor, ChatEvent, ChatEventKind, NewChatEvent, Typist, Visitor,
};
use parley_domain::error::Checker;
use parley_domain::event::Actor;
use parley_domain::ids::{DepartmentId, TicketId};
use parley_domain::message::{append, Appended, AttachmentInfo, Message, MessageContent};
use parley_domain::text;
use parley_domain::ticket::{Channel, Ticket};
use parley_store::{Requester, StoreError, TicketChange};
use std::time::Duration;

/// The longest a reader waits for the next event before answering with none.
pub const MAX_WAIT: Duration = Duration::from_secs(25);
/// Events answered at most at once; a reader asks again from the last one it got.
pub const PAGE: u32 = 200;

pub struct StartChat {
    pub name: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub client_id: String,
    pub body: String,
}

/// A visitor may write unless blocked, and not faster than a person types.
pub(super) fn may_write(app: &App, visitor: &Visitor) -> Result<(), AppError> {
    if visitor.blocked_at.is_some() {
        return Err(AppError::Forbidden("this visitor has been blocked".into()));
    }
    app.chat.sends.hit(&visitor.id.to_string()).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })
}

/// The conversation's event for a visitor's message the ticket keeps.
fn visitor_event(message: &Message, client_id: String) -> NewChatEvent {
    let kind = ChatEventKind::Message {
        message_id: message.id,
        author: ChatAuthor::Visitor,
        body: message.body.clone(),
        client_id: Some(client_id),
        files: Vec::new(),
    };
    NewChatEvent { kind, at: message.created_at }
}

/// Opens a conversation with the visitor's first message. Returns the conversation (its ticket) and its events.
pub async fn start(
    app: &App,
    ctx: &AccountCtx,
    visitor: &Visitor,
    input: StartChat,
) -> Result<(TicketId, Vec<ChatEvent>), AppError> {
    may_write(app, visitor)?;
    let mut errs = Checker::new();
    let client_id = errs.check(parse_client_id(&input.client_id));
    let body = errs.check(parse_chat_text(&input.body));
    let name = errs.check(text::optional_text("name", input.name.as_deref(), 200));
    crate::tickets::check::department(ctx, &mut errs, input.department_id).await?;
    errs.finish()?;
    let (Some(client_id), Some(body), Some(name)) = (client_id, body, name) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked chat fields missing")));
    };
    let now = ctx.now();
    let who = name.clone().unwrap_or_else(|| "a visitor".into());
    // The store puts the visitor's contact in (made now if they have none yet) as requester and author.
    let requester = Requester::Existing(visitor.contact_id.unwrap_or_default());
    let new = crate::tickets::customer_ticket(
        ctx,
        format!("Chat with {who}"),
        Channel::Chat,
        input.department_id,
        requester,
        body,
        now,
    );
    let first = vec![visitor_event(&new.message, client_id)];
    let (ticket, _, _, events) = ctx.store.start_chat(visitor, name, new, first).await?;
    appended(app, ctx, ticket.id).await;
    super::routing::joined(app, ctx, ticket.department_id).await;
    Ok((ticket.id, events))
}

/// Wakes the conversation's readers here and in every process sharing the region's database.
pub async fn appended(app: &App, ctx: &AccountCtx, ticket: TicketId) {
    app.chat.publish(ticket);
    app.chat.publish_to_account(ctx.account_id, ticket);
    if let Err(e) = ctx.store.signal_chat(ctx.account_id, ticket).await {
        tracing::warn!(error = %e, "could not signal other processes of a chat event");
    }
}

/// Someone types in a conversation their reader was allowed into: the other side hears of it here and in every
/// process sharing the region's database. Nothing is stored.
pub async fn typing(app: &App, ctx: &AccountCtx, ticket: TicketId, who: Typist) {
    app.chat.typing(ctx.account_id, ticket, who.clone());
    if let Err(e) = ctx.store.signal_typing(ctx.account_id, ticket, &who).await {
        tracing::warn!(error = %e, "could not signal other processes that someone types");
    }
}

/// The conversation if it is this visitor's; another's or none is `NotFound` alike.
pub async fn theirs(ctx: &AccountCtx, visitor: &Visitor, ticket: TicketId) -> Result<(), AppError> {
    match ctx.store.chat_visitor(ctx.account_id, ticket).await? {
        Some(v) if v == visitor.id => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// A visitor's message. Sending the same client id again answers with the event stored the first time and
/// stores nothing; the flag says whether it was stored now.
pub async fn send(
    app: &App,
    ctx: &AccountCtx,
    visitor: &Visitor,
    ticket_id: TicketId,
    client_id: &str,
    body: &str,
) -> Result<(ChatEvent, bool), AppError> {
    may_write(app, visitor)?;
    theirs(ctx, visitor, ticket_id).await?;
    let mut errs = Checker::new();
    let client_id = errs.check(parse_client_id(client_id));
    let body = errs.check(parse_chat_text(body));
    errs.finish()?;
    let (Some(client_id), Some(body)) = (client_id, body) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked chat fields missing")));
    };
    let build = |ticket: Ticket| {
        let author = Actor::Contact(ticket.requester_id);
        let appended = append(ticket, author, MessageContent::new(Channel::Chat, body.clone()), ctx.now());
        let chat = visitor_event(&appended.message, client_id.clone());
        Ok(with_message(appended, chat))
    };
    store_once(app, ctx, ticket_id, &client_id, build, &[]).await
}

/// The change a message sent in a chat makes to its ticket: the message with the chat's event for it.
pub(super) fn with_message(appended: Appended, chat: NewChatEvent) -> TicketChange {
    channels::change(appended, Outgoing { chat: vec![chat], ..Outgoing::default() })
}

/// Stores a message sent with a client id once, however often it is sent: a client id seen before answers with
/// the event stored the first time (`false`); otherwise `build` makes the change from the ticket as it stands and
/// it is saved with the files it shares, again from a fresh read when another writer changed the ticket first
/// (`true` once stored).
pub(super) async fn store_once(
    app: &App,
    ctx: &AccountCtx,
    ticket_id: TicketId,
    client_id: &str,
    mut build: impl FnMut(Ticket) -> Result<TicketChange, AppError>,
    files: &[(AttachmentInfo, Vec<u8>)],
) -> Result<(ChatEvent, bool), AppError> {
    if let Some(e) = ctx.store.chat_event_by_client(ctx.account_id, ticket_id, client_id).await? {
        return Ok((e, false));
    }
    for _ in 0..RETRIES {
        let Some(ticket) = ctx.store.get_ticket(ctx.account_id, ticket_id).await? else {
            return Err(AppError::NotFound);
        };
        let change = build(ticket)?;
        let saved = if files.is_empty() {
            ctx.store.save_change(change).await
        } else {
            ctx.store.share_files(change, files.to_vec()).await
        };
        match saved {
            Ok(()) => {
                let stored = ctx.store.chat_event_by_client(ctx.account_id, ticket_id, client_id).await?;
                let e = stored.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a stored chat message is gone")))?;
                appended(app, ctx, ticket_id).await;
                return Ok((e, true));
            }
            Err(StoreError::Stale) => continue,
            // The same client id sent twice at once: the other request stored it.
            Err(StoreError::Conflict(_)) => {
                if let Some(e) = ctx.store.chat_event_by_client(ctx.account_id, ticket_id, client_id).await? {
                    return Ok((e, false));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}

/// The conversation's events after `after`, and the visitor's place in the queue while no agent has taken it.
/// With a `wait`, an answer with no events comes only when that time has passed without one or the place moved
/// (long polling).
pub async fn events(
    app: &App,
    ctx: &AccountCtx,
    visitor: &Visitor,
    ticket: TicketId,
    after: i64,
    wait: Duration,
) -> Result<(Vec<ChatEvent>, Option<u32>), AppError> {
    theirs(ctx, visitor, ticket).await?;
    let deadline = tokio::time::Instant::now() + wait.min(MAX_WAIT);
    let first_place = super::routing::place_in_queue(app, ctx, ticket).await?;
    // Routing news matters only while the chat waits.
    let mut woken = match first_place {
        Some(_) => app.chat.subscribe_waiting(ctx.account_id, ticket),
        None => app.chat.subscribe(ticket),
    };
    let mut stopping = false;
    loop {
        let found = since(ctx, ticket, after).await?;
        let place = match first_place {
            Some(_) => super::routing::place_in_queue(app, ctx, ticket).await?,
            None => None,
        };
        let now = tokio::time::Instant::now();
        // A stopping server answers now: a waiting poll would hold its stop up.
        if !found.is_empty() || now >= deadline || place != first_place || stopping {
            return Ok((found, place));
        }
        stopping = woken.wait(deadline - now).await == super::Woke::Stopping;
    }
}

/// The visitor ends their chat.
pub async fn end_by_visitor(app: &App, ctx: &AccountCtx, visitor: &Visitor, ticket: TicketId) -> Result<(), AppError> {
    theirs(ctx, visitor, ticket).await?;
    super::routing::end(app, ctx, None, ticket).await
}

/// The conversation's events after `after`, for a reader whose right to it was checked when it began reading
/// (a socket checks once, then reads on every wake).
pub async fn since(ctx: &AccountCtx, ticket: TicketId, after: i64) -> Result<Vec<ChatEvent>, AppError> {
    Ok(ctx.store.chat_events(ctx.account_id, ticket, after.max(0), PAGE).await?)
}
