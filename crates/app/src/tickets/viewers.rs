//! Collision detection: which agents have a ticket open and what they write in it, told by their pages over the
//! agents' socket and kept in the region's database, so that every process answers alike.

use super::visible_ticket;
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::collision::{self, ComposeMode, Viewer};
use parley_domain::ids::TicketId;
use parley_domain::Timestamp;

/// Views count while their process said it is alive within the chat liveness span (the same rule as "Parley
/// open" for chat routing: a killed process's views stop counting).
fn live_since(app: &App, now: Timestamp) -> Timestamp {
    Timestamp::from_millis(now.millis() - app.settings.chat_liveness.as_millis() as i64)
}

/// Tells this process's sockets and the other processes that the ticket's viewers changed.
async fn changed(app: &App, ctx: &AccountCtx, ticket: TicketId) {
    app.chat.publish_viewers(ctx.account_id, ticket);
    if let Err(e) = ctx.store.signal_viewers(ctx.account_id, ticket).await {
        tracing::warn!(error = %e, "could not tell other processes who views a ticket");
    }
}

/// The agent's socket `socket` has the ticket open (one they may see).
pub async fn view(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
    socket: &str,
) -> Result<(), AppError> {
    let Caller::Agent(agent) = caller else { return Err(AppError::NotFound) };
    visible_ticket(ctx, caller, ticket).await?;
    let now = ctx.now();
    ctx.store.set_viewing(ctx.account_id, ticket, socket, agent.id, &app.chat.process_id, now).await?;
    changed(app, ctx, ticket).await;
    Ok(())
}

/// The socket's agent writes a reply or a note in a ticket the socket views. `NotFound` when it does not view it.
pub async fn composing(
    app: &App,
    ctx: &AccountCtx,
    ticket: TicketId,
    socket: &str,
    mode: ComposeMode,
) -> Result<(), AppError> {
    if !ctx.store.set_composing(ctx.account_id, ticket, socket, mode, ctx.now()).await? {
        return Err(AppError::NotFound);
    }
    changed(app, ctx, ticket).await;
    Ok(())
}

/// The socket left the ticket (leaving one it did not view changes nothing).
pub async fn leave(app: &App, ctx: &AccountCtx, ticket: TicketId, socket: &str) -> Result<(), AppError> {
    if ctx.store.stop_viewing(ctx.account_id, ticket, socket).await? {
        changed(app, ctx, ticket).await;
    }
    Ok(())
}

/// The socket closed: it leaves whatever it viewed.
pub async fn closed(app: &App, ctx: &AccountCtx, socket: &str) -> Result<(), AppError> {
    for ticket in ctx.store.socket_closed(ctx.account_id, socket).await? {
        changed(app, ctx, ticket).await;
    }
    Ok(())
}

/// The ticket's viewers now, one per agent, and when the first "writing" shown stops showing (to look again
/// then). `NotFound` for a ticket the caller may not see.
pub async fn viewers(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    ticket: TicketId,
) -> Result<(Vec<Viewer>, Option<Timestamp>), AppError> {
    visible_ticket(ctx, caller, ticket).await?;
    let now = ctx.now();
    let entries = ctx.store.viewers(ctx.account_id, ticket, live_since(app, now)).await?;
    Ok(collision::viewers(entries, now))
}

/// The most tickets one question about viewers names (a list's page).
pub const MAX_TICKETS: usize = 100;

/// The viewers of several tickets (a list's rows), one per agent, for those the caller may see and someone views;
/// tickets the caller may not see (or that do not exist) are left out, as if nobody viewed them.
pub async fn viewers_of(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    tickets: &[TicketId],
) -> Result<Vec<(TicketId, Vec<Viewer>)>, AppError> {
    if tickets.len() > MAX_TICKETS {
        return Err(parley_domain::Invalid::field("tickets", format!("at most {MAX_TICKETS} tickets")).into());
    }
    let mut seen = Vec::with_capacity(tickets.len());
    for t in tickets {
        if !seen.contains(t) && visible_ticket(ctx, caller, *t).await.is_ok() {
            seen.push(*t);
        }
    }
    let now = ctx.now();
    let mut entries = ctx.store.viewers_of(ctx.account_id, &seen, live_since(app, now)).await?;
    let mut out = Vec::new();
    for t in seen {
        let mine: Vec<_> = entries.iter().filter(|(of, _)| *of == t).map(|(_, e)| e.clone()).collect();
        entries.retain(|(of, _)| *of != t);
        if !mine.is_empty() {
            out.push((t, collision::viewers(mine, now).0));
        }
    }
    Ok(out)
}
