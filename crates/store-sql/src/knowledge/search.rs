//! The article search index: a document per article version (title, text, tags), analysed as tickets are (see
//! `parley_domain::search`), in FTS5 (contentless, secure-delete) on SQLite and tsvector/GIN on PostgreSQL. It is
//! written in the unit of work that saves the article, so what was saved is found at once.

use crate::db::{args, Tx, Value};
use crate::rows::id;
use crate::search::fts5::fts5_parts;
use crate::search::tsvector::tsquery_parts;
use crate::url::Engine;
use crate::SqlStore;
use parley_domain::ids::{AccountId, ArticleId, KnowledgeBaseId};
use parley_domain::knowledge::{Article, LanguageTag};
use parley_domain::search::Document;
use parley_store::{ArticleSearch, StoreError};

/// Removes the documents of the rows `scope` selects from `kb_search_docs` (`$1` is the account).
async fn forget_where(tx: &mut dyn Tx, engine: Engine, scope: &str, values: Vec<Value>) -> Result<(), StoreError> {
    match engine {
        Engine::Sqlite => {
            tx.exec(
                &format!("DELETE FROM kb_search WHERE rowid IN (SELECT doc FROM kb_search_docs WHERE {scope})"),
                values.clone(),
            )
            .await?;
            tx.exec(&format!("DELETE FROM kb_search_docs WHERE {scope}"), values).await?;
        }
        Engine::Postgres => {
            tx.exec(&format!("DELETE FROM kb_search WHERE {scope}"), values).await?;
        }
    }
    Ok(())
}

pub(crate) async fn forget_article(
    tx: &mut dyn Tx,
    engine: Engine,
    acc: &str,
    article: &str,
) -> Result<(), StoreError> {
    forget_where(tx, engine, "account_id = $1 AND article_id = $2", args![acc, article]).await
}

pub(crate) async fn forget_kb(tx: &mut dyn Tx, engine: Engine, acc: &str, kb: &str) -> Result<(), StoreError> {
    forget_where(tx, engine, "account_id = $1 AND kb_id = $2", args![acc, kb]).await
}

/// Every article document of the account (it leaves the region).
pub(crate) async fn forget_account(tx: &mut dyn Tx, engine: Engine, acc: &str) -> Result<(), StoreError> {
    forget_where(tx, engine, "account_id = $1", args![acc]).await
}

/// (Re)writes the documents of an article's versions, in the caller's unit of work.
pub(crate) async fn index_article(tx: &mut dyn Tx, engine: Engine, acc: &str, a: &Article) -> Result<(), StoreError> {
    let article = a.id.to_string();
    forget_article(tx, engine, acc, &article).await?;
    for t in &a.translations {
        let texts = t.search_texts(&a.tags);
        let doc = Document::of(texts.iter().map(String::as_str));
        let key = args![acc, a.kb_id.to_string(), article.clone(), t.language.as_str()];
        match engine {
            Engine::Sqlite => {
                let n = tx
                    .query_opt(
                        "INSERT INTO kb_search_docs (account_id, kb_id, article_id, language) \
                         VALUES ($1, $2, $3, $4) RETURNING doc",
                        key,
                    )
                    .await?
                    .ok_or_else(|| StoreError::Other("an article document got no number".into()))?
                    .int("doc")?;
                tx.exec(
                    "INSERT INTO kb_search (rowid, words, stems) VALUES ($1, $2, $3)",
                    args![n, doc.words, doc.stems],
                )
                .await?;
            }
            Engine::Postgres => {
                let mut values = key;
                values.extend(args![doc.words, doc.stems]);
                tx.exec(
                    "INSERT INTO kb_search (account_id, kb_id, article_id, language, words, stems) \
                     VALUES ($1, $2, $3, $4, to_tsvector('simple', $5), to_tsvector('simple', $6))",
                    values,
                )
                .await?;
            }
        }
    }
    Ok(())
}

impl SqlStore {
    /// Rebuilds the account's article documents from their versions (after its rows arrived by a move).
    pub(crate) async fn reindex_articles(&self, account: AccountId) -> Result<(), StoreError> {
        let engine = self.db.engine();
        let mut articles = Vec::new();
        for kb in self.kb_list(account).await? {
            articles.extend(self.article_list(account, kb.id).await?);
        }
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let acc = account.to_string();
                    forget_account(tx, engine, &acc).await?;
                    for a in &articles {
                        index_article(tx, engine, &acc, a).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub(crate) async fn article_search(
        &self,
        account: AccountId,
        kb: KnowledgeBaseId,
        s: &ArticleSearch,
    ) -> Result<Vec<(ArticleId, LanguageTag)>, StoreError> {
        if s.query.terms.is_empty() {
            return Ok(Vec::new());
        }
        let limit = s.limit.clamp(1, 50);
        let mut filters = String::new();
        let mut values: Vec<Value> = Vec::new();
        let rows = match self.db.engine() {
            Engine::Sqlite => {
                let joiner = if s.any_term { " OR " } else { " AND " };
                values.extend(args![fts5_parts(&s.query.terms).join(joiner), account.to_string(), kb.to_string()]);
                push_filters(s, &mut filters, &mut values, "d");
                let sql = format!(
                    "SELECT d.article_id, d.language FROM kb_search JOIN kb_search_docs d ON d.doc = kb_search.rowid \
                     JOIN kb_translations t ON t.account_id = d.account_id AND t.article_id = d.article_id \
                     AND t.language = d.language \
                     WHERE kb_search MATCH $1 AND d.account_id = $2 AND d.kb_id = $3{filters} \
                     ORDER BY rank, t.updated_at DESC LIMIT {limit}"
                );
                self.db.query(&sql, values).await?
            }
            Engine::Postgres => {
                let (stems, words) = tsquery_parts(&s.query.terms);
                let joiner = if s.any_term { " | " } else { " & " };
                let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(joiner));
                values.extend(args![account.to_string(), kb.to_string()]);
                let mut matches = Vec::new();
                let mut rank = String::new();
                if let Some(q) = join(stems) {
                    values.push(Value::Text(q));
                    matches.push(format!("d.stems @@ to_tsquery('simple', ${})", values.len()));
                    rank = format!("ts_rank(d.stems, to_tsquery('simple', ${})) DESC, ", values.len());
                }
                if let Some(q) = join(words) {
                    values.push(Value::Text(q));
                    matches.push(format!("d.words @@ to_tsquery('simple', ${})", values.len()));
                }
                // All terms: every part must match; any term: one part is enough.
                let cond = format!(" AND ({})", matches.join(if s.any_term { " OR " } else { " AND " }));
                push_filters(s, &mut filters, &mut values, "d");
                let sql = format!(
                    "SELECT d.article_id, d.language FROM kb_search d \
                     JOIN kb_translations t ON t.account_id = d.account_id AND t.article_id = d.article_id \
                     AND t.language = d.language \
                     WHERE d.account_id = $1 AND d.kb_id = $2{cond}{filters} \
                     ORDER BY {rank}t.updated_at DESC LIMIT {limit}"
                );
                self.db.query(&sql, values).await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok((
                    id("article id", &r.text("article_id")?)?,
                    crate::rows::parsed("language", &r.text("language")?, LanguageTag::parse)?,
                ))
            })
            .collect()
    }
}

/// The language and status conditions of an article search, on the versions `t` and documents `d`.
fn push_filters(s: &ArticleSearch, sql: &mut String, values: &mut Vec<Value>, docs: &str) {
    if let Some(l) = &s.language {
        values.push(Value::Text(l.as_str().to_string()));
        sql.push_str(&format!(" AND {docs}.language = ${}", values.len()));
    }
    if s.published_only {
        sql.push_str(" AND t.status = 'published'");
    }
}
