//! A search backlog costs the same per batch to index however long it is, and however much was indexed before:
//! measured as work the engine did (SQLite: virtual-machine steps; PostgreSQL: pages the marks read touched), not
//! as time.

use super::*;
use parley_domain::search::Document;

/// Tickets in the backlog, and marks per batch (as the indexer reads them).
const TICKETS: usize = 3_000;
const BATCH: u32 = 100;

/// What one batch cost: the marks read alone, and (SQLite) every statement of the batch.
struct Cost {
    read: u64,
    batch: Option<u64>,
}

async fn backlog_story(store: &SqlStore) {
    store.migrate().await.unwrap();
    let (a, _) = new_account(store, "backlog").await;
    // Created many at a time: on SQLite they share commits, as under load.
    for chunk in 0..TICKETS / 250 {
        let mut made = tokio::task::JoinSet::new();
        for i in 0..250 {
            let store = store.clone();
            let n = chunk * 250 + i;
            made.spawn(async move {
                let subject = format!("Backlog {n} printer toner");
                store.create_ticket(draft(a, &subject, &format!("b{}@example.com", n % 50), &[], no_outbox)).await
            });
        }
        while let Some(r) = made.join_next().await {
            r.unwrap().unwrap();
        }
    }
    // Drained as the indexer does: the marks after the last one read, their texts, their documents.
    let mut cursor: Option<Dirty> = None;
    let mut costs: Vec<Cost> = Vec::new();
    loop {
        let read = store.marks_read_work(cursor.as_ref(), BATCH).await.unwrap();
        let before = store.statement_steps();
        let marks = store.dirty_tickets_after(cursor.as_ref(), BATCH).await.unwrap();
        if marks.is_empty() {
            break;
        }
        let texts = store.document_texts(&marks).await.unwrap();
        let docs =
            marks.iter().cloned().zip(texts).map(|(d, t)| (d, t.map(|t| Document::of(t.iter().map(String::as_str)))));
        store.index_tickets(docs.collect()).await.unwrap();
        let batch = store.statement_steps().zip(before).map(|(after, before)| after - before);
        cursor = marks.last().cloned();
        costs.push(Cost { read, batch });
        assert!(costs.len() <= TICKETS / BATCH as usize, "each mark is read once");
    }
    assert_eq!(costs.len(), TICKETS / BATCH as usize, "every mark was read, in full batches");
    assert!(store.dirty_tickets(10).await.unwrap().is_empty(), "every ticket indexed");
    assert!(!store.search_tickets(a, &search_for("Backlog 2999", 10)).await.unwrap().is_empty(), "found");
    // The first batches ran with the whole backlog waiting and nothing indexed; the last with a batch left and
    // every other mark deleted (PostgreSQL keeps deleted rows until a vacuum: a read from the first mark walked
    // them all, 29 pages for the last batch here where the first touched 2).
    let mean = |c: &[Cost], f: fn(&Cost) -> u64| c.iter().map(f).sum::<u64>() as f64 / c.len() as f64;
    let (first, last) = (&costs[..5], &costs[costs.len() - 5..]);
    let (read_first, read_last) = (mean(first, |c| c.read), mean(last, |c| c.read));
    assert!(read_last <= read_first * 1.5 + 4.0, "the marks read grew: {read_first} -> {read_last}");
    if first[0].batch.is_some() {
        let batch = |c: &Cost| c.batch.unwrap_or(0);
        let (batch_first, batch_last) = (mean(first, batch), mean(last, batch));
        assert!(batch_last <= batch_first * 1.5, "a batch's work grew: {batch_first} -> {batch_last} steps");
    }
    println!(
        "{:?}: marks read {read_first:.0} -> {read_last:.0}; batch {:?} -> {:?}",
        store.engine(),
        first[0].batch,
        last[4].batch
    );
}

#[tokio::test]
async fn indexing_a_backlog_costs_the_same_per_batch_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.path().join("parley.db"));
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    backlog_story(&store).await;
    store.close().await;
}

#[tokio::test]
async fn indexing_a_backlog_costs_the_same_per_batch_on_postgres() {
    let db = PgTestDb::create().await;
    let store = SqlStore::connect(&DatabaseUrl::parse(db.url()).unwrap(), PoolSize::default()).await.unwrap();
    backlog_story(&store).await;
    store.close().await;
}
