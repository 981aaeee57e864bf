//! Searching SQLite's FTS5 index: the match expression, and the order results come in.
//!
//! BM25 weighs each term by how many documents hold it, and FTS5 learns that by reading the term's whole doclist
//! (whatever else the query says): a word found in half the tickets costs tens of milliseconds at a million, and
//! ranking a match list sorts all of it. So the distinctive terms of a query (found in fewer than [`RARE`]
//! documents, which FTS5 counts quickly by stopping there) do the ranking: a query holding one matches fewer
//! tickets than that, which are ranked by BM25 over the distinctive terms alone (a common word adds next to nothing
//! to BM25 anyway). A query of common words only lists the newest matches first, read from the index newest first
//! and stopped at the page's end.

use crate::db::{args, Row, Value};
use crate::rows::placeholders;
use crate::SqlStore;
use parley_domain::ids::AccountId;
use parley_domain::search::Term;
use parley_store::{StoreError, TicketSearch};
use std::collections::HashSet;

/// Most matches ranked by relevance; past it, newest first (PostgreSQL keeps to it too).
pub(crate) const RANKED_AT_MOST: usize = 1000;

/// A term held by fewer documents than this is distinctive: it ranks, and every match of a query that holds it is
/// among that many.
const RARE: usize = RANKED_AT_MOST;

/// The FTS5 expression for the terms (all must hold). Terms are letters and digits only, so quoting is plain.
pub(crate) fn fts5_terms(terms: &[Term]) -> String {
    fts5_parts(terms).join(" AND ")
}

/// One FTS5 expression per term.
pub(crate) fn fts5_parts(terms: &[Term]) -> Vec<String> {
    terms
        .iter()
        .map(|t| match t {
            Term::Word { word, stems } => stems_expr(word, stems),
            Term::Phrase(ws) => format!("words : \"{}\"", ws.join(" ")),
            Term::Prefix(p) => format!("words : \"{p}\" *"),
        })
        .collect()
}

fn stems_expr(word: &str, stems: &[String]) -> String {
    let mut any: Vec<&str> = stems.iter().map(String::as_str).collect();
    // The word is often one of its stems: each alternative is a doclist FTS5 reads.
    if !any.contains(&word) {
        any.push(word);
    }
    let any: Vec<String> = any.iter().map(|s| format!("\"{s}\"")).collect();
    format!("stems : ({})", any.join(" OR "))
}

/// The single-word expressions that may rank a query: its words (by their stems) and the words of its phrases. A
/// prefix stands for many words and does not rank.
fn ranking_parts(terms: &[Term]) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for t in terms {
        let more = match t {
            Term::Word { word, stems } => vec![stems_expr(word, stems)],
            Term::Phrase(ws) => ws.iter().map(|w| format!("words : \"{w}\"")).collect(),
            Term::Prefix(_) => Vec::new(),
        };
        for p in more {
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
    }
    parts
}

/// The account's tickets matching the search's terms and filters, best (or newest) first.
pub(crate) async fn search(
    store: &SqlStore,
    account: AccountId,
    s: &TicketSearch,
    limit: u32,
) -> Result<Vec<Row>, StoreError> {
    let expr = fts5_terms(&s.query.terms);
    let parts = ranking_parts(&s.query.terms);
    // Each word counted up to RARE, all in one statement (one trip to a reader).
    let mut rare = Vec::new();
    if !parts.is_empty() {
        let counts: Vec<String> = (1..=parts.len())
            .map(|i| {
                format!(
                    "(SELECT count(*) FROM (SELECT 1 FROM ticket_search WHERE ticket_search MATCH ${i} LIMIT {RARE})) \
                     AS n{i}"
                )
            })
            .collect();
        let values: Vec<Value> = parts.iter().map(|p| Value::Text(p.clone())).collect();
        let row = store.db.query_opt(&format!("SELECT {}", counts.join(", ")), values).await?;
        for (i, part) in parts.into_iter().enumerate() {
            let n = row.as_ref().map(|r| r.int(&format!("n{}", i + 1))).transpose()?.unwrap_or(0);
            if (n as usize) < RARE {
                rare.push(part);
            }
        }
    }
    if rare.is_empty() {
        return newest(store, account, s, &expr, limit).await;
    }
    // Every match holds the distinctive words, so there are fewer than RARE; ranked by BM25 over those words. When
    // the query is nothing but them, its matches are the ranking's rows. (Not one statement with `rowid IN`: SQLite
    // then looks each match up in FTS5 on its own, and BM25 counts its words' documents again for every one.)
    let ranking = rare.join(" OR ");
    let matches: Option<HashSet<i64>> = if rare.len() == 1 && expr == ranking {
        None
    } else {
        let sql = format!("SELECT rowid FROM ticket_search WHERE ticket_search MATCH $1 LIMIT {RARE}");
        let rows = store.db.query(&sql, args![expr]).await?;
        Some(rows.iter().map(|r| r.int("rowid")).collect::<Result<_, _>>()?)
    };
    if matches.as_ref().is_some_and(HashSet::is_empty) {
        return Ok(Vec::new());
    }
    let ranked: Vec<i64> = store
        .db
        .query("SELECT rowid FROM ticket_search WHERE ticket_search MATCH $1 ORDER BY rank, rowid DESC", args![ranking])
        .await?
        .iter()
        .map(|r| r.int("rowid"))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|d| matches.as_ref().is_none_or(|m| m.contains(d)))
        .collect();
    // The account's and the filters' say, a few more documents than the page at a time, best first.
    let mut found = Vec::new();
    for chunk in ranked.chunks(limit as usize * 2) {
        let mut values: Vec<Value> = args![account.to_string()];
        values.extend(chunk.iter().map(|d| Value::Int(*d)));
        let list = placeholders(2, chunk.len());
        let f = super::filters(s, &mut values);
        let rows = store
            .db
            .query(
                &format!(
                    "SELECT d.doc, d.ticket_id FROM search_docs d \
                     JOIN tickets t ON t.account_id = d.account_id AND t.id = d.ticket_id \
                     WHERE d.account_id = $1 AND d.doc IN ({list}){f}"
                ),
                values,
            )
            .await?;
        for doc in chunk {
            if let Some(r) = rows.iter().find(|r| r.int("doc").ok() == Some(*doc)) {
                found.push(r.clone());
            }
        }
        if found.len() >= limit as usize {
            break;
        }
    }
    found.truncate(limit as usize);
    Ok(found)
}

/// A query of common words: its newest matches. Documents are numbered as tickets are first indexed, so the highest
/// numbers are the newest tickets; FTS5 walks its doclists in that order and the walk stops at the page's end.
async fn newest(
    store: &SqlStore,
    account: AccountId,
    s: &TicketSearch,
    expr: &str,
    limit: u32,
) -> Result<Vec<Row>, StoreError> {
    let mut values = args![expr, account.to_string()];
    let f = super::filters(s, &mut values);
    let sql = format!(
        "SELECT d.ticket_id FROM ticket_search JOIN search_docs d ON d.doc = ticket_search.rowid \
         JOIN tickets t ON t.account_id = d.account_id AND t.id = d.ticket_id \
         WHERE ticket_search MATCH $1 AND d.account_id = $2{f} ORDER BY ticket_search.rowid DESC LIMIT {limit}"
    );
    store.db.query(&sql, values).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_domain::search::Query;

    #[test]
    fn queries_become_fts5_expressions() {
        let q = Query::parse(r#""printer on fire" toner* invoices"#, false).unwrap();
        let m = fts5_terms(&q.terms);
        assert!(m.starts_with(r#"words : "printer on fire" AND words : "toner" * AND stems : ("invoic""#), "{m}");
        let q = Query::parse("order", false).unwrap();
        assert_eq!(fts5_terms(&q.terms).matches("\"order\"").count(), 1, "a word that is its own stem is read once");
    }

    #[test]
    fn words_and_phrase_words_may_rank_prefixes_do_not() {
        let q = Query::parse(r#""printer on fire" printer toner*"#, false).unwrap();
        let parts = ranking_parts(&q.terms);
        assert_eq!(&parts[..3], [r#"words : "printer""#, r#"words : "on""#, r#"words : "fire""#]);
        assert!(parts[3].starts_with("stems : (\"printer\""), "{parts:?}");
        assert_eq!(parts.len(), 4, "no prefix: {parts:?}");
        let q = Query::parse(r#""fire fire""#, false).unwrap();
        assert_eq!(ranking_parts(&q.terms), [r#"words : "fire""#], "each word once");
    }
}
