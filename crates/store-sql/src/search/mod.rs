//! The ticket search index on both engines: SQLite's FTS5 (contentless, secure-delete) and PostgreSQL's tsvector
//! with GIN indexes. Parley analyses the text (words and stems, see `parley_domain::search`); the engines only
//! match terms, so both find the same tickets.

use crate::db::{args, Tx, Value};
use crate::rows::{id, placeholders};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, TicketId};
use parley_domain::search::Document;
use parley_store::{Dirty, SearchStore, StoreError, TicketSearch, Tidy};

pub(crate) mod fts5;
pub(crate) mod tsvector;

/// Marks a ticket's document out of date, in the unit of work that changed the ticket.
pub(crate) async fn mark_dirty(tx: &mut dyn Tx, account: AccountId, ticket: TicketId) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO search_dirty (account_id, ticket_id, generation) VALUES ($1, $2, 1) \
         ON CONFLICT (account_id, ticket_id) DO UPDATE SET generation = search_dirty.generation + 1",
        args![account.to_string(), ticket.to_string()],
    )
    .await?;
    Ok(())
}

/// Removes tickets from the index at once (erased, deleted), in the caller's unit of work.
pub(crate) async fn forget(
    tx: &mut dyn Tx,
    engine: Engine,
    account: &str,
    tickets: &[String],
) -> Result<(), StoreError> {
    if tickets.is_empty() {
        return Ok(());
    }
    let (a, list) = tickets_of(account, tickets);
    // The marks first: on PostgreSQL this waits for an indexer that locked them to commit, so that the documents
    // deleted next include what it wrote (see `tsvector::write_docs`).
    tx.exec(&format!("DELETE FROM search_dirty WHERE account_id = $1 AND ticket_id IN ({list})"), a).await?;
    forget_documents(tx, engine, account, tickets).await
}

/// The arguments `$1` (the account) and `$2…` (the tickets), and the placeholder list of the tickets.
fn tickets_of(account: &str, tickets: &[String]) -> (Vec<Value>, String) {
    let mut a: Vec<Value> = args![account];
    a.extend(tickets.iter().map(|t| Value::Text(t.clone())));
    (a, placeholders(2, tickets.len()))
}

/// Removes tickets' documents but leaves their marks: for tickets that stay but lost text (an erased message).
/// The caller marks them again in the same unit of work; a mark is bumped, never dropped and made anew, since a new
/// mark would start its count again and match what an indexer read before.
pub(crate) async fn forget_documents(
    tx: &mut dyn Tx,
    engine: Engine,
    account: &str,
    tickets: &[String],
) -> Result<(), StoreError> {
    if tickets.is_empty() {
        return Ok(());
    }
    let (a, list) = tickets_of(account, tickets);
    if engine == Engine::Sqlite {
        tx.exec(
            &format!(
                "DELETE FROM ticket_search WHERE rowid IN \
                 (SELECT doc FROM search_docs WHERE account_id = $1 AND ticket_id IN ({list}))"
            ),
            a.clone(),
        )
        .await?;
        tx.exec(&format!("DELETE FROM search_docs WHERE account_id = $1 AND ticket_id IN ({list})"), a).await?;
    } else {
        tx.exec(&format!("DELETE FROM ticket_search WHERE account_id = $1 AND ticket_id IN ({list})"), a).await?;
    }
    Ok(())
}

/// Removes every document of an account (it leaves the region), in the caller's unit of work.
pub(crate) async fn forget_account(tx: &mut dyn Tx, engine: Engine, account: &str) -> Result<(), StoreError> {
    tx.exec("DELETE FROM search_dirty WHERE account_id = $1", args![account]).await?;
    if engine == Engine::Sqlite {
        tx.exec(
            "DELETE FROM ticket_search WHERE rowid IN (SELECT doc FROM search_docs WHERE account_id = $1)",
            args![account],
        )
        .await?;
        tx.exec("DELETE FROM search_docs WHERE account_id = $1", args![account]).await?;
    } else {
        tx.exec("DELETE FROM ticket_search WHERE account_id = $1", args![account]).await?;
    }
    Ok(())
}

/// SQLite: writes one document in the indexer's unit of work (on the writer thread, where statements cost
/// microseconds).
async fn write_doc(tx: &mut dyn Tx, d: &Dirty, doc: Option<&Document>) -> Result<(), StoreError> {
    let (account, ticket) = (d.account_id.to_string(), d.ticket_id.to_string());
    // The document was made from a read before this unit of work. If the ticket changed since (marked again), or
    // was erased, deleted or moved away (its mark forgotten), that read is stale: write nothing, so that erased
    // words never come back; a newer mark is indexed in its turn.
    let current = tx
        .query_opt(
            "SELECT generation FROM search_dirty WHERE account_id = $1 AND ticket_id = $2",
            args![account.clone(), ticket.clone()],
        )
        .await?
        .map(|r| r.int("generation"))
        .transpose()?;
    if current != Some(d.generation) {
        return Ok(());
    }
    match doc {
        None => forget(tx, Engine::Sqlite, &account, std::slice::from_ref(&ticket)).await?,
        Some(doc) => {
            let known = tx
                .query_opt(
                    "SELECT doc FROM search_docs WHERE account_id = $1 AND ticket_id = $2",
                    args![account.clone(), ticket.clone()],
                )
                .await?;
            let n = match known {
                Some(r) => {
                    // Written before: its old terms go first (secure-delete rewrites the pages that held them).
                    let n = r.int("doc")?;
                    tx.exec("DELETE FROM ticket_search WHERE rowid = $1", args![n]).await?;
                    n
                }
                None => {
                    // No RETURNING: SQLite runs it as a trigger, so the statement gets a savepoint, and FTS5 writes
                    // out what it holds in memory at every savepoint: a segment per document, merged over and over
                    // (the index build slowed down as the index grew).
                    tx.exec(
                        "INSERT INTO search_docs (account_id, ticket_id) VALUES ($1, $2)",
                        args![account.clone(), ticket.clone()],
                    )
                    .await?;
                    tx.query_opt(
                        "SELECT doc FROM search_docs WHERE account_id = $1 AND ticket_id = $2",
                        args![account.clone(), ticket.clone()],
                    )
                    .await?
                    .ok_or_else(|| StoreError::Other("a search document got no number".into()))?
                    .int("doc")?
                }
            };
            tx.exec(
                "INSERT INTO ticket_search (rowid, words, stems) VALUES ($1, $2, $3)",
                args![n, doc.words.clone(), doc.stems.clone()],
            )
            .await?;
        }
    }
    tx.exec(
        "DELETE FROM search_dirty WHERE account_id = $1 AND ticket_id = $2 AND generation = $3",
        args![account, ticket, d.generation],
    )
    .await?;
    Ok(())
}

/// The indexer's read of the next marks: a range of the marks' key from just after `after`, so that it reads
/// `limit` entries of the index whatever came before (the test `indexing_a_backlog_costs_the_same_per_batch` holds
/// it to that on both engines).
fn marks_read(after: Option<&Dirty>, limit: u32) -> (String, Vec<Value>) {
    let limit = limit.clamp(1, 10_000);
    match after {
        Some(d) => (
            format!(
                "SELECT account_id, ticket_id, generation FROM search_dirty WHERE (account_id, ticket_id) > ($1, $2) \
                 ORDER BY account_id, ticket_id LIMIT {limit}"
            ),
            args![d.account_id.to_string(), d.ticket_id.to_string()],
        ),
        None => (
            format!(
                "SELECT account_id, ticket_id, generation FROM search_dirty ORDER BY account_id, ticket_id LIMIT {limit}"
            ),
            vec![],
        ),
    }
}

impl SqlStore {
    /// The work the engine does for the indexer's read of the next `limit` marks after `after`: SQLite's
    /// virtual-machine steps, PostgreSQL's pages touched (`EXPLAIN (ANALYZE, BUFFERS)`). For tests that hold the
    /// read to a cost that does not grow with the backlog, or with the marks already indexed.
    pub async fn marks_read_work(&self, after: Option<&Dirty>, limit: u32) -> Result<u64, StoreError> {
        let (sql, a) = marks_read(after, limit);
        if let Some(before) = self.db.steps() {
            self.db.query(&sql, a).await?;
            return Ok(self.db.steps().unwrap_or(before).saturating_sub(before));
        }
        let plan = self.db.query(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"), a).await?;
        // The first "Buffers:" line is the top node's, its children's included: "Buffers: shared hit=3 read=1".
        let lines: Vec<String> = plan
            .iter()
            .filter_map(|r| {
                r.columns().find_map(|(_, v)| match v {
                    Value::Text(t) => Some(t.clone()),
                    _ => None,
                })
            })
            .collect();
        let line = lines
            .iter()
            .find(|l| l.trim_start().starts_with("Buffers:"))
            .ok_or_else(|| StoreError::Other(format!("EXPLAIN gave no buffers: {lines:?}")))?;
        let count = |what: &str| -> u64 {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(what))
                .and_then(|n| n.trim_end_matches(',').parse().ok())
                .unwrap_or(0)
        };
        let pages = count("hit=") + count("read=");
        Ok(pages)
    }
}

async fn total_changes(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    tx.query_opt("SELECT total_changes() AS n", vec![])
        .await?
        .ok_or_else(|| StoreError::Other("total_changes() gave no row".into()))?
        .int("n")
}

/// The filters of a search on `t` (tickets), with their arguments numbered from `next`.
pub(crate) fn filters(s: &TicketSearch, values: &mut Vec<Value>) -> String {
    let mut sql = String::from(" AND t.merged_into IS NULL");
    if !s.status.is_empty() {
        let list = placeholders(values.len() + 1, s.status.len());
        values.extend(s.status.iter().map(|x| Value::Text(x.as_str().into())));
        sql.push_str(&format!(" AND t.status IN ({list})"));
    }
    match s.assignee {
        Some(Some(a)) => {
            values.push(Value::Text(a.to_string()));
            sql.push_str(&format!(" AND t.assignee_id = ${}", values.len()));
        }
        Some(None) => sql.push_str(" AND t.assignee_id IS NULL"),
        None => {}
    }
    if let Some(tag) = &s.tag {
        values.push(Value::Text(tag.as_str().into()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.account_id = t.account_id AND g.ticket_id = t.id \
             AND g.tag = ${})",
            values.len()
        ));
    }
    if let Some(from) = s.created_from {
        values.push(Value::Int(from.millis()));
        sql.push_str(&format!(" AND t.created_at >= ${}", values.len()));
    }
    if let Some(to) = s.created_to {
        values.push(Value::Int(to.millis()));
        sql.push_str(&format!(" AND t.created_at < ${}", values.len()));
    }
    if let Some(depts) = &s.departments {
        if depts.is_empty() {
            sql.push_str(" AND t.department_id IS NULL");
        } else {
            let list = placeholders(values.len() + 1, depts.len());
            values.extend(depts.iter().map(|d| Value::Text(d.to_string())));
            sql.push_str(&format!(" AND (t.department_id IS NULL OR t.department_id IN ({list}))"));
        }
    }
    sql
}

#[async_trait]
impl SearchStore for SqlStore {
    async fn dirty_tickets_after(&self, after: Option<&Dirty>, limit: u32) -> Result<Vec<Dirty>, StoreError> {
        let (sql, a) = marks_read(after, limit);
        let rows = self.db.query(&sql, a).await?;
        rows.iter()
            .map(|r| {
                Ok(Dirty {
                    account_id: id("account id", &r.text("account_id")?)?,
                    ticket_id: id("ticket id", &r.text("ticket_id")?)?,
                    generation: r.int("generation")?,
                })
            })
            .collect()
    }

    async fn document_texts(&self, dirty: &[Dirty]) -> Result<Vec<Option<Vec<String>>>, StoreError> {
        let mut texts: std::collections::HashMap<(AccountId, TicketId), Vec<String>> = Default::default();
        let mut accounts: Vec<AccountId> = dirty.iter().map(|d| d.account_id).collect();
        accounts.sort();
        accounts.dedup();
        for account in accounts {
            let wanted: Vec<TicketId> = dirty.iter().filter(|d| d.account_id == account).map(|d| d.ticket_id).collect();
            let mut a: Vec<Value> = args![account.to_string()];
            a.extend(wanted.iter().map(|t| Value::Text(t.to_string())));
            let list = placeholders(2, wanted.len());
            let tickets = self
                .db
                .query(
                    &format!(
                        "SELECT t.id, t.number, t.subject, t.tags, c.name, c.email FROM tickets t \
                         LEFT JOIN contacts c ON c.account_id = t.account_id AND c.id = t.requester_id \
                         WHERE t.account_id = $1 AND t.id IN ({list})"
                    ),
                    a,
                )
                .await?;
            for r in &tickets {
                let id: TicketId = id("ticket id", &r.text("id")?)?;
                let mut t = vec![r.text("subject")?, r.int("number")?.to_string()];
                t.extend(r.opt_text("name")?);
                t.extend(r.opt_text("email")?);
                let tags: Vec<String> = crate::rows::json("tags", &r.text("tags")?)?;
                t.extend(tags);
                texts.insert((account, id), t);
            }
            for (id, body) in self.message_bodies(account, &wanted).await? {
                if let Some(t) = texts.get_mut(&(account, id)) {
                    t.push(body);
                }
            }
        }
        Ok(dirty.iter().map(|d| texts.remove(&(d.account_id, d.ticket_id))).collect())
    }

    async fn index_tickets(&self, docs: Vec<(Dirty, Option<Document>)>) -> Result<(), StoreError> {
        let engine = self.db.engine();
        if engine == Engine::Postgres {
            return tsvector::write_docs(self, &docs).await;
        }
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    for (d, doc) in &docs {
                        write_doc(tx, d, doc.as_ref()).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn mark_all_dirty(&self, account: Option<AccountId>) -> Result<u64, StoreError> {
        let account = account.map(|a| a.to_string());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let (scope, a) = match &account {
                        Some(a) => ("WHERE account_id = $1", args![a.clone()]),
                        None => ("", vec![]),
                    };
                    tx.exec(
                        &format!(
                            "INSERT INTO search_dirty (account_id, ticket_id, generation) \
                             SELECT account_id, id, 1 FROM tickets {scope} \
                             ON CONFLICT (account_id, ticket_id) DO UPDATE SET generation = search_dirty.generation + 1"
                        ),
                        a,
                    )
                    .await
                })
            })
            .await
    }

    async fn dirty_count(&self) -> Result<u64, StoreError> {
        let row = self.db.query_opt("SELECT COUNT(*) AS n FROM search_dirty", vec![]).await?;
        Ok(row.map(|r| r.int("n")).transpose()?.unwrap_or(0).max(0) as u64)
    }

    async fn tidy_index(&self, tidy: Tidy, pages: u32) -> Result<bool, StoreError> {
        if self.db.engine() != Engine::Sqlite {
            // GIN indexes keep new entries in a pending list that VACUUM or a full list merges in its own time.
            return Ok(false);
        }
        // A negative budget merges every segment, whatever its level, into one.
        let budget = match tidy {
            Tidy::Pieces => i64::from(pages.max(1)),
            Tidy::Whole => -i64::from(pages.max(1)),
        };
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    // FTS5 tells whether a merge found work only by the rows it changed: its own command counts one.
                    let before = total_changes(tx).await?;
                    tx.exec(
                        &format!("INSERT INTO ticket_search (ticket_search, rank) VALUES ('merge', {budget})"),
                        vec![],
                    )
                    .await?;
                    Ok(total_changes(tx).await? - before > 1)
                })
            })
            .await
    }

    async fn analyze_index(&self) -> Result<(), StoreError> {
        // PostgreSQL plans a search from its statistics: left from before a rebuild (or a bulk import), they say the
        // index is small, and a common word is then looked up in the GIN index and every match sorted, where walking
        // the account's newest tickets stops after a few hundred (1.8 ms against 119 ms at 200,000 tickets).
        // Autovacuum would analyze in time, unless it is off or behind. FTS5 queries do not depend on statistics.
        if self.db.engine() == Engine::Postgres {
            self.db
                .write(|tx| Box::pin(async move { tx.exec("ANALYZE ticket_search, tickets", vec![]).await }))
                .await?;
        }
        Ok(())
    }

    async fn search_tickets(&self, account: AccountId, s: &TicketSearch) -> Result<Vec<TicketId>, StoreError> {
        let limit = s.limit.clamp(1, 100);
        let mut found: Vec<TicketId> = Vec::new();
        // A ticket named by its number comes first.
        if let Some(n) = s.query.number {
            let mut values = args![account.to_string(), n];
            let f = filters(s, &mut values);
            let sql = format!("SELECT t.id FROM tickets t WHERE t.account_id = $1 AND t.number = $2{f}");
            for r in self.db.query(&sql, values).await? {
                found.push(id("ticket id", &r.text("id")?)?);
            }
        }
        if s.query.terms.is_empty() {
            return Ok(found);
        }
        let rows = match self.db.engine() {
            Engine::Sqlite => fts5::search(self, account, s, limit).await?,
            Engine::Postgres => tsvector::search(self, account, s, limit).await?,
        };
        for r in rows {
            let t = id("ticket id", &r.text("ticket_id")?)?;
            if !found.contains(&t) {
                found.push(t);
            }
        }
        found.truncate(limit as usize);
        Ok(found)
    }

    async fn message_bodies(
        &self,
        account: AccountId,
        tickets: &[TicketId],
    ) -> Result<Vec<(TicketId, String)>, StoreError> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        let mut a: Vec<Value> = args![account.to_string()];
        a.extend(tickets.iter().map(|t| Value::Text(t.to_string())));
        let list = placeholders(2, tickets.len());
        let rows = self
            .db
            .query(
                &format!(
                    "SELECT ticket_id, body FROM messages WHERE account_id = $1 AND ticket_id IN ({list}) \
                     ORDER BY ticket_id, created_at, id"
                ),
                a,
            )
            .await?;
        rows.iter().map(|r| Ok((id("ticket id", &r.text("ticket_id")?)?, r.text("body")?))).collect()
    }
}
