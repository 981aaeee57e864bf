//! Searching PostgreSQL's tsvector index: the tsqueries, and the order results come in.
//!
//! `ts_rank` reads the document of every match, so a query matching more than [`RANKED_AT_MOST`] of the account's
//! tickets lists the newest first (PostgreSQL then walks the account's tickets newest first and stops at the
//! limit), and fewer matches are ranked. (SQLite decides by how rare the query's words are, see `fts5`; a query
//! with a rare word has fewer matches than that there too.)

use super::fts5::RANKED_AT_MOST;
use crate::db::{args, Row, Value};
use crate::SqlStore;
use parley_domain::ids::AccountId;
use parley_domain::search::{Document, Term};
use parley_store::{Dirty, StoreError, TicketSearch};

/// The tsquery texts for stems (words, any of their stems) and for words (phrases and prefixes); `None` when a
/// part has no terms.
pub(crate) fn tsqueries(terms: &[Term]) -> (Option<String>, Option<String>) {
    let (stems, words) = tsquery_parts(terms);
    let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(" & "));
    (join(stems), join(words))
}

/// One tsquery per term: those on stems, those on words.
pub(crate) fn tsquery_parts(terms: &[Term]) -> (Vec<String>, Vec<String>) {
    let mut stems = Vec::new();
    let mut words = Vec::new();
    for t in terms {
        match t {
            Term::Word { word, stems: s } => {
                let mut any: Vec<&str> = s.iter().map(String::as_str).collect();
                if !any.contains(&word.as_str()) {
                    any.push(word);
                }
                stems.push(format!("({})", any.join(" | ")));
            }
            Term::Phrase(ws) => words.push(format!("({})", ws.join(" <-> "))),
            Term::Prefix(p) => words.push(format!("{p}:*")),
        }
    }
    (stems, words)
}

/// Documents (`s`) joined with their tickets (`t`), which the filters and the order read.
const DOCS_OF_TICKETS: &str = "ticket_search s JOIN tickets t ON t.account_id = s.account_id AND t.id = s.ticket_id";

/// The account's tickets matching the search's terms and filters, best (or newest) first.
pub(crate) async fn search(
    store: &SqlStore,
    account: AccountId,
    s: &TicketSearch,
    limit: u32,
) -> Result<Vec<Row>, StoreError> {
    let (stems, words) = tsqueries(&s.query.terms);
    let mut values = args![account.to_string()];
    let mut cond = String::new();
    if let Some(q) = &stems {
        values.push(Value::Text(q.clone()));
        cond.push_str(&format!(" AND s.stems @@ to_tsquery('simple', ${})", values.len()));
    }
    if let Some(q) = words {
        values.push(Value::Text(q));
        cond.push_str(&format!(" AND s.words @@ to_tsquery('simple', ${})", values.len()));
    }
    let f = super::filters(s, &mut values);
    let from = format!("FROM {DOCS_OF_TICKETS} WHERE s.account_id = $1{cond}{f}");
    // The matches, up to the cap, by the plan that finds them (the GIN indexes). Fewer than the cap are ranked among
    // themselves by their keys: left to plan the ranking query, PostgreSQL misjudged a rare phrase made of common
    // words and walked every ticket newest first to find the page (9.6 s at a million tickets, for 37 matches).
    let matched = store.db.query(&format!("SELECT s.ticket_id {from} LIMIT {RANKED_AT_MOST}"), values.clone()).await?;
    if matched.len() >= RANKED_AT_MOST {
        return store
            .db
            .query(&format!("SELECT s.ticket_id {from} ORDER BY t.created_at DESC LIMIT {limit}"), values)
            .await;
    }
    if matched.is_empty() {
        return Ok(matched);
    }
    let ids: Vec<String> = matched.iter().map(|r| r.text("ticket_id")).collect::<Result<_, _>>()?;
    let mut ranked = args![account.to_string()];
    // Stems are kept once per document, so a match is weighed by how much else the ticket is about (the length of
    // its stems, as BM25 does on SQLite), not by repetition. (An integer constant in ORDER BY would name a column:
    // no stems, no rank.)
    let rank = match stems {
        Some(q) => {
            ranked.push(Value::Text(q));
            "ts_rank(s.stems, to_tsquery('simple', $2), 1) DESC, "
        }
        None => "",
    };
    let list = crate::rows::placeholders(ranked.len() + 1, ids.len());
    ranked.extend(ids.into_iter().map(Value::Text));
    store
        .db
        .query(
            &format!(
                "SELECT s.ticket_id FROM {DOCS_OF_TICKETS} WHERE s.account_id = $1 AND s.ticket_id IN ({list}) \
                 ORDER BY {rank}t.updated_at DESC LIMIT {limit}"
            ),
            ranked,
        )
        .await
}

/// Writes a batch of documents (or removes them: `None`, for tickets gone) in one statement, and unmarks each
/// ticket. Only tickets whose mark is unchanged since their texts were read are written, and the marks are locked
/// while they are: an erasure (which deletes the marks before the documents, see `forget`) waits for this
/// statement's commit and then deletes what it wrote. A mark another unit of work holds (a change or an erasure in
/// progress, another process's indexer) is skipped, not waited for: it is indexed in a later round. A statement per
/// document cost a round trip and three plans each: the indexer's share of PostgreSQL's time during fast ticket
/// creation.
pub(crate) async fn write_docs(store: &SqlStore, docs: &[(Dirty, Option<Document>)]) -> Result<(), StoreError> {
    if docs.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = docs
        .iter()
        .map(|(d, doc)| {
            serde_json::json!({
                "a": d.account_id.to_string(),
                "t": d.ticket_id.to_string(),
                "g": d.generation,
                "w": doc.as_ref().map(|x| x.words.as_str()),
                "s": doc.as_ref().map(|x| x.stems.as_str()),
            })
        })
        .collect();
    let batch = serde_json::Value::Array(rows).to_string();
    store
        .db
        .write(move |tx| {
            Box::pin(async move {
                tx.exec(
                    "WITH d AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(a text, t text, g bigint, w text, s text)), \
                     cur AS (SELECT d.* FROM d JOIN search_dirty m \
                             ON m.account_id = d.a AND m.ticket_id = d.t AND m.generation = d.g FOR UPDATE OF m SKIP LOCKED), \
                     gone AS (DELETE FROM ticket_search x USING cur \
                              WHERE cur.w IS NULL AND x.account_id = cur.a AND x.ticket_id = cur.t), \
                     up AS (INSERT INTO ticket_search (account_id, ticket_id, words, stems) \
                            SELECT a, t, to_tsvector('simple', w), to_tsvector('simple', s) FROM cur WHERE w IS NOT NULL \
                            ON CONFLICT (account_id, ticket_id) DO UPDATE SET words = excluded.words, stems = excluded.stems) \
                     DELETE FROM search_dirty m USING cur \
                     WHERE m.account_id = cur.a AND m.ticket_id = cur.t AND m.generation = cur.g",
                    args![batch],
                )
                .await?;
                Ok(())
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_domain::search::Query;

    #[test]
    fn queries_become_tsqueries() {
        let q = Query::parse(r#""printer on fire" toner* invoices"#, false).unwrap();
        let (stems, words) = tsqueries(&q.terms);
        assert!(stems.unwrap().starts_with("(invoic"));
        assert_eq!(words.unwrap(), "(printer <-> on <-> fire) & toner:*");
    }
}
