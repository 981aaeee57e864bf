//! Keeping the search index in step: a ticket's document is its subject, number, requester, tags and messages.

use crate::{AccountCtx, App, AppError};
use parley_domain::ids::AccountId;
use parley_domain::search::Document;
use parley_store::{Dirty, RegionStore, SearchStore, Tidy};

/// Documents written per unit of work.
const BATCH: u32 = 500;

/// Documents written per housekeeping step the indexer owes the index: it keeps the merging in pace with the
/// writing.
const DOCS_PER_TIDY_STEP: usize = 32;

/// Pages of merged index a serving process's housekeeping step writes: usually a few milliseconds, so that a
/// ticket's write queued behind it hardly waits. (FTS5 ends a step only between words: a common word's whole list
/// is written in the step that reaches it, megabytes in the largest pieces.)
const SERVING_STEP_PAGES: u32 = 64;

/// Pages per step during a rebuild: larger steps cost less per page (each step starts its merge afresh), and a
/// write of a serving process waits at most one step.
const REBUILD_STEP_PAGES: u32 = 1000;

/// How long a rebuild may spend merging the index into one piece. A serving process's indexer adds pieces
/// meanwhile, and FTS5 starts a whole merge again over every piece when one is added: under steady writes it might
/// never end. Stopped, the index stays in pieces (merged as usual) and searches as well as before the rebuild.
const WHOLE_MERGE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(300);

/// Writes the documents of up to one batch of marked tickets in each region this process serves, then merges the
/// index a few steps; counts each region's backlog now and then. Returns how much was done (0: nothing waits).
pub async fn index_dirty(app: &App) -> Result<usize, AppError> {
    let mut n = 0;
    for cell in app.regions.working().await {
        let store = cell.store().await?;
        let place = cell.spec.place();
        // New documents first: a merge step is short, and none runs before a waiting batch is written. Merged even
        // when the batch failed: FTS5 refuses writes once the index is in too many pieces, and merging mends that.
        let written = index_batch(store, app.indexing.cursor(&place)).await;
        let steps = 1 + written.as_ref().map_or(0, |(w, _)| w / DOCS_PER_TIDY_STEP);
        n += tidy(store, Tidy::Pieces, SERVING_STEP_PAGES, steps).await?;
        let (w, cursor) = written?;
        app.indexing.read_up_to(&place, cursor, w);
        n += w;
        if app.indexing.count_due(&place) {
            app.indexing.counted(&place, store.dirty_count().await?, store.wal_bytes());
        }
    }
    Ok(n)
}

/// Up to `steps` steps of merging; returns how many found work.
async fn tidy(store: &dyn RegionStore, how: Tidy, pages: u32, steps: usize) -> Result<usize, AppError> {
    tidy_until(store, how, pages, steps, None).await
}

async fn tidy_until(
    store: &dyn RegionStore,
    how: Tidy,
    pages: u32,
    steps: usize,
    deadline: Option<std::time::Instant>,
) -> Result<usize, AppError> {
    for done in 0..steps {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) || !store.tidy_index(how, pages).await? {
            return Ok(done);
        }
    }
    Ok(steps)
}

/// The next marks after `after`, and from the first again once the last is reached (marks made meanwhile before
/// `after` wait at most one pass).
async fn next_marks(store: &dyn RegionStore, after: Option<Dirty>) -> Result<Vec<Dirty>, AppError> {
    let mut marks = store.dirty_tickets_after(after.as_ref(), BATCH).await?;
    if marks.len() < BATCH as usize && after.is_some() {
        let more = store.dirty_tickets(BATCH - marks.len() as u32).await?;
        // With fewer marks than a batch, the pass from the first reaches those already read.
        let read: std::collections::HashSet<_> = marks.iter().map(|d| (d.account_id, d.ticket_id)).collect();
        marks.extend(more.into_iter().filter(|d| !read.contains(&(d.account_id, d.ticket_id))));
    }
    Ok(marks)
}

/// Writes one batch of marked tickets' documents, read on from `after`: how many, and the last mark read (where the
/// next batch starts).
async fn index_batch(store: &dyn RegionStore, after: Option<Dirty>) -> Result<(usize, Option<Dirty>), AppError> {
    let dirty = next_marks(store, after).await?;
    let last = dirty.last().cloned();
    // Read for the whole batch at once; analysed off the async threads (stemming is work).
    let texts = store.document_texts(&dirty).await?;
    let docs = tokio::task::spawn_blocking(move || {
        dirty
            .into_iter()
            .zip(texts)
            .map(|(d, t)| (d, t.map(|t| Document::of(t.iter().map(String::as_str)))))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("indexing stopped: {e}")))?;
    let n = docs.len();
    if n > 0 {
        store.index_tickets(docs).await?;
    }
    Ok((n, last))
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
    let (mut done, mut cursor) = (0, None);
    loop {
        let (n, last) = index_batch(ctx_store, cursor).await?;
        if n == 0 {
            break;
        }
        cursor = last;
        done += n as u64;
        // Merged as it grows (in pieces of about the same size: each document is rewritten a few times only).
        tidy(ctx_store, Tidy::Pieces, REBUILD_STEP_PAGES, usize::MAX).await?;
        progress(Progress { done: done.min(total), total });
    }
    // Then into one piece: a query looks each word up once per piece (a million tickets: 31 pieces, two-word
    // queries p99 61 ms; one piece, 35 ms; the merge takes about 10 s).
    let deadline = std::time::Instant::now() + WHOLE_MERGE_AT_MOST;
    tidy_until(ctx_store, Tidy::Whole, REBUILD_STEP_PAGES, usize::MAX, Some(deadline)).await?;
    ctx_store.analyze_index().await?;
    Ok(done)
}
