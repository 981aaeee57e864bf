//! Searching SQLite's FTS5 index: the match expression, and the order results come in.
//!
//! BM25 scores every match, and FTS5 counts every document of each term of the query to weigh it (the whole
//! doclist, whatever else the query says), so a word found in most tickets costs time in proportion to the account.
//! Agents looking for such a word want the newest tickets anyway: when more than [`RANKED_AT_MOST`] of the
//! account's tickets match, the newest come first, read from the index newest first and stopped there; fewer
//! matches are ranked by BM25.

use crate::db::{args, Row};
use crate::SqlStore;
use parley_domain::ids::AccountId;
use parley_domain::search::Term;
use parley_store::{StoreError, TicketSearch};

/// Most matches ranked by relevance; past it, newest first.
pub(crate) const RANKED_AT_MOST: usize = 1000;

/// The FTS5 expression for the terms (all must hold). Terms are letters and digits only, so quoting is plain.
pub(crate) fn fts5_terms(terms: &[Term]) -> String {
    fts5_parts(terms).join(" AND ")
}

/// One FTS5 expression per term.
pub(crate) fn fts5_parts(terms: &[Term]) -> Vec<String> {
    terms
        .iter()
        .map(|t| match t {
            Term::Word { word, stems } => {
                let mut any: Vec<&str> = stems.iter().map(String::as_str).collect();
                // The word is often one of its stems: each alternative is a doclist FTS5 reads.
                if !any.contains(&word.as_str()) {
                    any.push(word);
                }
                let any: Vec<String> = any.iter().map(|s| format!("\"{s}\"")).collect();
                format!("stems : ({})", any.join(" OR "))
            }
            Term::Phrase(ws) => format!("words : \"{}\"", ws.join(" ")),
            Term::Prefix(p) => format!("words : \"{p}\" *"),
        })
        .collect()
}

/// The account's tickets matching the search's terms and filters, best (or newest) first.
pub(crate) async fn search(
    store: &SqlStore,
    account: AccountId,
    s: &TicketSearch,
    limit: u32,
) -> Result<Vec<Row>, StoreError> {
    let mut values = args![fts5_terms(&s.query.terms), account.to_string()];
    let f = super::filters(s, &mut values);
    let from = "FROM ticket_search JOIN search_docs d ON d.doc = ticket_search.rowid \
                JOIN tickets t ON t.account_id = d.account_id AND t.id = d.ticket_id \
                WHERE ticket_search MATCH $1 AND d.account_id = $2";
    // Documents are numbered as tickets are first indexed, so the highest numbers are the newest tickets; FTS5
    // walks its doclists in that order and the walk stops at the limit.
    let newest = store
        .db
        .query(
            &format!("SELECT d.ticket_id {from}{f} ORDER BY ticket_search.rowid DESC LIMIT {RANKED_AT_MOST}"),
            values.clone(),
        )
        .await?;
    if newest.len() >= RANKED_AT_MOST {
        return Ok(newest.into_iter().take(limit as usize).collect());
    }
    let sql = format!("SELECT d.ticket_id {from}{f} ORDER BY rank, t.updated_at DESC LIMIT {limit}");
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
}
