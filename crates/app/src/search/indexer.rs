//! Keeping the search index in step: a ticket's document is its subject, messages, requester, tags and number.

use crate::{AccountCtx, App, AppError};
use parley_domain::ids::AccountId;
use parley_domain::search::Document;
use parley_store::{Dirty, RegionStore};

/// Documents written per unit of work.
const BATCH: u32 = 200;

/// What the index keeps of a ticket; `None` for a ticket that is gone.
pub async fn document(store: &dyn RegionStore, d: &Dirty) -> Result<Option<Document>, AppError> {
    let Some(ticket) = store.get_ticket(d.account_id, d.ticket_id).await? else { return Ok(None) };
    let timeline = store.timeline(d.account_id, d.ticket_id).await?;
    let requester = store.get_contact(d.account_id, ticket.requester_id).await?;
    let number = ticket.number.0.to_string();
    let mut texts: Vec<&str> = vec![&ticket.subject, &number];
    if let Some(c) = &requester {
        texts.extend(c.name.as_deref());
        texts.extend(c.email.as_ref().map(|e| e.as_str()));
    }
    texts.extend(ticket.tags.iter().map(|t| t.as_str()));
    texts.extend(timeline.messages.iter().map(|m| m.body.as_str()));
    Ok(Some(Document::of(texts)))
}

/// Writes the documents of up to one batch of marked tickets in each region this process serves. Returns how many
/// were written (0: nothing waits).
pub async fn index_dirty(app: &App) -> Result<usize, AppError> {
    let mut n = 0;
    for cell in app.regions.served() {
        let store = cell.store().await?;
        n += index_batch(store).await?;
    }
    Ok(n)
}

async fn index_batch(store: &dyn RegionStore) -> Result<usize, AppError> {
    let dirty = store.dirty_tickets(BATCH).await?;
    let mut docs = Vec::with_capacity(dirty.len());
    for d in dirty {
        let doc = document(store, &d).await?;
        docs.push((d, doc));
    }
    let n = docs.len();
    if n > 0 {
        store.index_tickets(docs).await?;
    }
    Ok(n)
}

/// How far a rebuild has come.
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// Rebuilds the index of one account (or of every account of the region) from its tickets, telling `progress`
/// after every batch. Safe while Parley serves: changes made meanwhile are marked and indexed too.
pub async fn reindex(
    ctx_store: &dyn RegionStore,
    account: Option<&AccountCtx>,
    mut progress: impl FnMut(Progress),
) -> Result<u64, AppError> {
    let account: Option<AccountId> = account.map(|c| c.account_id);
    let total = ctx_store.mark_all_dirty(account).await?;
    let mut done = 0;
    loop {
        let n = index_batch(ctx_store).await? as u64;
        if n == 0 {
            break;
        }
        done += n;
        progress(Progress { done: done.min(total), total });
    }
    Ok(done)
}
