//! Articles with their versions, and readers' feedback.

use super::search;
use crate::db::{args, Row};
use crate::rows::{id, json, opt_id, parsed, to_json};
use crate::SqlStore;
use parley_domain::ids::{AccountId, ArticleId, KnowledgeBaseId};
use parley_domain::knowledge::{Article, ArticleStatus, Feedback, LanguageTag, Translation};
use parley_domain::Timestamp;
use parley_store::StoreError;
use std::collections::HashMap;

const ARTICLE_COLUMNS: &str = "id, kb_id, category_id, tags, position, helpful, not_helpful, created_at, updated_at";

fn article(r: &Row) -> Result<Article, StoreError> {
    Ok(Article {
        id: id("article id", &r.text("id")?)?,
        kb_id: id("knowledge base id", &r.text("kb_id")?)?,
        category_id: opt_id("category id", r.opt_text("category_id")?.as_deref())?,
        tags: json("tags", &r.text("tags")?)?,
        position: r.int("position")?,
        helpful: r.int("helpful")?,
        not_helpful: r.int("not_helpful")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
        translations: Vec::new(),
    })
}

fn translation(r: &Row) -> Result<(ArticleId, Translation), StoreError> {
    Ok((
        id("article id", &r.text("article_id")?)?,
        Translation {
            language: parsed("language", &r.text("language")?, LanguageTag::parse)?,
            title: r.text("title")?,
            body: r.text("body")?,
            status: parsed("article status", &r.text("status")?, ArticleStatus::parse)?,
            author_id: opt_id("agent id", r.opt_text("author_id")?.as_deref())?,
            updated_at: Timestamp::from_millis(r.int("updated_at")?),
        },
    ))
}

/// Puts each version with its article, in the order of the knowledge base's languages as stored (by language).
fn attach(mut articles: Vec<Article>, versions: Vec<(ArticleId, Translation)>) -> Vec<Article> {
    let at: HashMap<ArticleId, usize> = articles.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    for (a, t) in versions {
        if let Some(i) = at.get(&a) {
            articles[*i].translations.push(t);
        }
    }
    articles
}

impl SqlStore {
    pub(crate) async fn article_save(
        &self,
        account: AccountId,
        a: &Article,
        previous: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let engine = self.db.engine();
        let a = a.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let acc = account.to_string();
                    let row = args![
                        acc.clone(),
                        a.id.to_string(),
                        a.kb_id.to_string(),
                        a.category_id.map(|c| c.to_string()),
                        to_json(&a.tags)?,
                        a.position,
                        a.created_at.millis(),
                        a.updated_at.millis()
                    ];
                    // Feedback counts are not written here: readers add to them while agents edit.
                    super::write_checked(
                        tx,
                        "INSERT INTO kb_articles (account_id, id, kb_id, category_id, tags, position, created_at, \
                         updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS \
                         (SELECT 1 FROM knowledge_bases WHERE account_id = $1 AND id = $3)",
                        "UPDATE kb_articles SET category_id = $4, tags = $5, position = $6, updated_at = $8 \
                         WHERE account_id = $1 AND id = $2 AND kb_id = $3 AND created_at = $7 AND updated_at = $9",
                        row,
                        previous,
                    )
                    .await?;
                    tx.exec(
                        "DELETE FROM kb_translations WHERE account_id = $1 AND article_id = $2",
                        args![acc.clone(), a.id.to_string()],
                    )
                    .await?;
                    for t in &a.translations {
                        tx.exec(
                            "INSERT INTO kb_translations (account_id, article_id, language, title, body, status, \
                             author_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            args![
                                acc.clone(),
                                a.id.to_string(),
                                t.language.as_str(),
                                t.title.clone(),
                                t.body.clone(),
                                t.status.as_str(),
                                t.author_id.map(|x| x.to_string()),
                                t.updated_at.millis()
                            ],
                        )
                        .await?;
                    }
                    search::index_article(tx, engine, &acc, &a).await
                })
            })
            .await
    }

    pub(crate) async fn article_delete(&self, account: AccountId, a: ArticleId) -> Result<bool, StoreError> {
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let (acc, id) = (account.to_string(), a.to_string());
                    search::forget_article(tx, engine, &acc, &id).await?;
                    tx.exec(
                        "DELETE FROM kb_translations WHERE account_id = $1 AND article_id = $2",
                        args![acc.clone(), id.clone()],
                    )
                    .await?;
                    Ok(tx.exec("DELETE FROM kb_articles WHERE account_id = $1 AND id = $2", args![acc, id]).await? > 0)
                })
            })
            .await
    }

    pub(crate) async fn article_get(&self, account: AccountId, a: ArticleId) -> Result<Option<Article>, StoreError> {
        let acc = account.to_string();
        let Some(row) = self
            .db
            .query_opt(
                &format!("SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE account_id = $1 AND id = $2"),
                args![acc.clone(), a.to_string()],
            )
            .await?
        else {
            return Ok(None);
        };
        let versions = self
            .db
            .query(
                "SELECT article_id, language, title, body, status, author_id, updated_at FROM kb_translations \
                 WHERE account_id = $1 AND article_id = $2 ORDER BY language",
                args![acc, a.to_string()],
            )
            .await?;
        let versions = versions.iter().map(translation).collect::<Result<Vec<_>, _>>()?;
        Ok(attach(vec![article(&row)?], versions).pop())
    }

    pub(crate) async fn article_list(
        &self,
        account: AccountId,
        kb: KnowledgeBaseId,
    ) -> Result<Vec<Article>, StoreError> {
        let a = || args![account.to_string(), kb.to_string()];
        let rows = self
            .db
            .query(
                &format!(
                    "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE account_id = $1 AND kb_id = $2 \
                     ORDER BY position, created_at, id"
                ),
                a(),
            )
            .await?;
        let versions = self
            .db
            .query(
                "SELECT t.article_id, t.language, t.title, t.body, t.status, t.author_id, t.updated_at \
                 FROM kb_translations t JOIN kb_articles a ON a.account_id = t.account_id AND a.id = t.article_id \
                 WHERE t.account_id = $1 AND a.kb_id = $2 ORDER BY t.language",
                a(),
            )
            .await?;
        let articles = rows.iter().map(article).collect::<Result<Vec<_>, _>>()?;
        let versions = versions.iter().map(translation).collect::<Result<Vec<_>, _>>()?;
        Ok(attach(articles, versions))
    }

    pub(crate) async fn feedback_add(&self, account: AccountId, a: ArticleId, f: Feedback) -> Result<bool, StoreError> {
        let column = match f {
            Feedback::Helpful => "helpful",
            Feedback::NotHelpful => "not_helpful",
        };
        let n = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        &format!("UPDATE kb_articles SET {column} = {column} + 1 WHERE account_id = $1 AND id = $2"),
                        args![account.to_string(), a.to_string()],
                    )
                    .await
                })
            })
            .await?;
        Ok(n > 0)
    }
}
