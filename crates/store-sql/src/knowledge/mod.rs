//! Knowledge bases, categories and images on both engines; articles in `articles`, their search index in `search`.

mod articles;
pub(crate) mod search;

use crate::db::{args, Row, Tx, Value};
use crate::rows::{id, json, opt_id, parsed, to_json};
use crate::SqlStore;
use parley_domain::ids::{AccountId, CategoryId, KbImageId, KnowledgeBaseId};
use parley_domain::knowledge::{Category, KbImage, KbSlug, KnowledgeBase, LanguageTag, Visibility};
use parley_domain::Timestamp;
use parley_store::{KbKey, StoreError};

/// The contact of a customer token in force: `$1` account, `$2` token hash, `$3` kind, `$4` now, `$5` knowledge
/// base. Reading a session and using a sign-in link check the same things.
const TOKEN_IN_FORCE: &str = "SELECT contact_id FROM customer_tokens WHERE account_id = $1 AND token_hash = $2 \
                              AND kind = $3 AND expires_at > $4 AND kb_id = $5";

const KB_COLUMNS: &str =
    "id, slug, name, visibility, default_language, languages, look, companies, created_at, updated_at";

fn knowledge_base(r: &Row) -> Result<KnowledgeBase, StoreError> {
    let languages: Vec<String> = json("languages", &r.text("languages")?)?;
    Ok(KnowledgeBase {
        id: id("knowledge base id", &r.text("id")?)?,
        slug: parsed("knowledge base slug", &r.text("slug")?, KbSlug::parse)?,
        name: r.text("name")?,
        visibility: parsed("visibility", &r.text("visibility")?, Visibility::parse)?,
        default_language: parsed("language", &r.text("default_language")?, LanguageTag::parse)?,
        languages: languages.iter().map(|l| parsed("language", l, LanguageTag::parse)).collect::<Result<_, _>>()?,
        look: json("look", &r.text("look")?)?,
        companies: json("companies", &r.text("companies")?)?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

fn kb_values(account: AccountId, kb: &KnowledgeBase) -> Result<Vec<Value>, StoreError> {
    let languages: Vec<&str> = kb.languages.iter().map(LanguageTag::as_str).collect();
    Ok(args![
        account.to_string(),
        kb.id.to_string(),
        kb.slug.as_str(),
        kb.name.clone(),
        kb.visibility.as_str(),
        kb.default_language.as_str(),
        to_json(&languages)?,
        to_json(&kb.look)?,
        to_json(&kb.companies)?,
        kb.created_at.millis(),
        kb.updated_at.millis()
    ])
}

fn category(r: &Row) -> Result<Category, StoreError> {
    Ok(Category {
        id: id("category id", &r.text("id")?)?,
        kb_id: id("knowledge base id", &r.text("kb_id")?)?,
        parent_id: opt_id("category id", r.opt_text("parent_id")?.as_deref())?,
        position: r.int("position")?,
        texts: json("category texts", &r.text("texts")?)?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

fn image(r: &Row) -> Result<KbImage, StoreError> {
    Ok(KbImage {
        id: id("image id", &r.text("id")?)?,
        kb_id: id("knowledge base id", &r.text("kb_id")?)?,
        blob_hash: r.text("blob_hash")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

/// Writes a row of a knowledge base whose first eight values are account (`$1`), id, knowledge base (`$3`), …,
/// created (`$7`) and updated (`$8`) times: a new one (`previous`: `None`) only into a knowledge base that still
/// exists, a changed one only while it is as it was read at `previous` (`$9`). `NotFound`, `Stale` otherwise.
pub(crate) async fn write_checked(
    tx: &mut dyn Tx,
    insert: &str,
    update: &str,
    mut values: Vec<Value>,
    previous: Option<Timestamp>,
) -> Result<(), StoreError> {
    let n = match previous {
        None => tx.exec(insert, values).await?,
        Some(p) => {
            values.push(Value::Int(p.millis()));
            tx.exec(update, values).await?
        }
    };
    match (n, previous) {
        (0, Some(_)) => Err(StoreError::Stale),
        (0, None) => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// Removes blobs of `hashes` that no attachment and no image uses any more, in the caller's unit of work.
pub(crate) async fn drop_unused_blobs(tx: &mut dyn Tx, account: &str, hashes: &[String]) -> Result<u64, StoreError> {
    let mut n = 0;
    for h in hashes {
        n += tx
            .exec(
                "DELETE FROM blobs WHERE account_id = $1 AND hash = $2 \
                 AND NOT EXISTS (SELECT 1 FROM attachments WHERE account_id = $1 AND blob_hash = $2) \
                 AND NOT EXISTS (SELECT 1 FROM kb_images WHERE account_id = $1 AND blob_hash = $2)",
                args![account, h.clone()],
            )
            .await?;
    }
    Ok(n)
}

impl SqlStore {
    pub(crate) async fn kb_create(&self, account: AccountId, kb: &KnowledgeBase) -> Result<(), StoreError> {
        let values = kb_values(account, kb)?;
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        &format!(
                            "INSERT INTO knowledge_bases (account_id, {KB_COLUMNS}) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                        ),
                        values,
                    )
                    .await
                })
            })
            .await
            .map_err(|e| crate::error::conflict_as(e, || "a knowledge base with this slug".into()))?;
        Ok(())
    }

    pub(crate) async fn kb_update(&self, account: AccountId, kb: &KnowledgeBase) -> Result<(), StoreError> {
        let values = kb_values(account, kb)?;
        let n = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "UPDATE knowledge_bases SET slug = $3, name = $4, visibility = $5, default_language = $6, \
                         languages = $7, look = $8, companies = $9, updated_at = $11 WHERE account_id = $1 \
                         AND id = $2 AND created_at = $10",
                        values,
                    )
                    .await
                })
            })
            .await
            .map_err(|e| crate::error::conflict_as(e, || "a knowledge base with this slug".into()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn kb_delete(&self, account: AccountId, kb: KnowledgeBaseId) -> Result<bool, StoreError> {
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let (acc, kb) = (account.to_string(), kb.to_string());
                    search::forget_kb(tx, engine, &acc, &kb).await?;
                    let a = || args![acc.clone(), kb.clone()];
                    tx.exec(
                        "DELETE FROM kb_translations WHERE account_id = $1 AND article_id IN \
                         (SELECT id FROM kb_articles WHERE account_id = $1 AND kb_id = $2)",
                        a(),
                    )
                    .await?;
                    tx.exec("DELETE FROM kb_articles WHERE account_id = $1 AND kb_id = $2", a()).await?;
                    tx.exec("DELETE FROM kb_categories WHERE account_id = $1 AND kb_id = $2", a()).await?;
                    let hashes: Vec<String> = tx
                        .query("SELECT DISTINCT blob_hash FROM kb_images WHERE account_id = $1 AND kb_id = $2", a())
                        .await?
                        .iter()
                        .map(|r| r.text("blob_hash"))
                        .collect::<Result<_, _>>()?;
                    tx.exec("DELETE FROM kb_images WHERE account_id = $1 AND kb_id = $2", a()).await?;
                    drop_unused_blobs(tx, &acc, &hashes).await?;
                    Ok(tx.exec("DELETE FROM knowledge_bases WHERE account_id = $1 AND id = $2", a()).await? > 0)
                })
            })
            .await
    }

    pub(crate) async fn kb_list(&self, account: AccountId) -> Result<Vec<KnowledgeBase>, StoreError> {
        let rows = self
            .db
            .query(
                &format!("SELECT {KB_COLUMNS} FROM knowledge_bases WHERE account_id = $1 ORDER BY name, slug"),
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(knowledge_base).collect()
    }

    pub(crate) async fn kb_get(&self, account: AccountId, key: &KbKey) -> Result<Option<KnowledgeBase>, StoreError> {
        let (column, value) = match key {
            KbKey::Id(id) => ("id", id.to_string()),
            KbKey::Slug(s) => ("slug", s.as_str().to_string()),
        };
        let row = self
            .db
            .query_opt(
                &format!("SELECT {KB_COLUMNS} FROM knowledge_bases WHERE account_id = $1 AND {column} = $2"),
                args![account.to_string(), value],
            )
            .await?;
        row.as_ref().map(knowledge_base).transpose()
    }

    pub(crate) async fn category_save(
        &self,
        account: AccountId,
        c: &Category,
        previous: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let values = args![
            account.to_string(),
            c.id.to_string(),
            c.kb_id.to_string(),
            c.parent_id.map(|p| p.to_string()),
            c.position,
            to_json(&c.texts)?,
            c.created_at.millis(),
            c.updated_at.millis()
        ];
        let parent = c.parent_id.map(|p| p.to_string());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    if let Some(p) = parent {
                        // Checked in the unit of work: the parent may have been deleted or moved meanwhile.
                        let top = tx
                            .query_opt(
                                "SELECT 1 AS one FROM kb_categories WHERE account_id = $1 AND id = $2 AND kb_id = $3 \
                                 AND parent_id IS NULL",
                                vec![values[0].clone(), Value::Text(p), values[2].clone()],
                            )
                            .await?;
                        if top.is_none() {
                            return Err(StoreError::Conflict(
                                "the parent category is gone or is inside another".into(),
                            ));
                        }
                    }
                    write_checked(
                        tx,
                        "INSERT INTO kb_categories (account_id, id, kb_id, parent_id, position, texts, created_at, \
                         updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS \
                         (SELECT 1 FROM knowledge_bases WHERE account_id = $1 AND id = $3)",
                        "UPDATE kb_categories SET parent_id = $4, position = $5, texts = $6, updated_at = $8 \
                         WHERE account_id = $1 AND id = $2 AND kb_id = $3 AND created_at = $7 AND updated_at = $9",
                        values,
                        previous,
                    )
                    .await
                })
            })
            .await
    }

    pub(crate) async fn category_delete(&self, account: AccountId, c: CategoryId) -> Result<bool, StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let a = || args![account.to_string(), c.to_string()];
                    let inner = tx
                        .query_opt("SELECT id FROM kb_categories WHERE account_id = $1 AND parent_id = $2", a())
                        .await?;
                    if inner.is_some() {
                        return Err(StoreError::Conflict("categories inside this category".into()));
                    }
                    tx.exec(
                        "UPDATE kb_articles SET category_id = NULL WHERE account_id = $1 AND category_id = $2",
                        a(),
                    )
                    .await?;
                    Ok(tx.exec("DELETE FROM kb_categories WHERE account_id = $1 AND id = $2", a()).await? > 0)
                })
            })
            .await
    }

    pub(crate) async fn category_list(
        &self,
        account: AccountId,
        kb: KnowledgeBaseId,
    ) -> Result<Vec<Category>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT id, kb_id, parent_id, position, texts, created_at, updated_at FROM kb_categories \
                 WHERE account_id = $1 AND kb_id = $2 ORDER BY position, created_at, id",
                args![account.to_string(), kb.to_string()],
            )
            .await?;
        rows.iter().map(category).collect()
    }

    pub(crate) async fn image_add(&self, account: AccountId, i: &KbImage, data: &[u8]) -> Result<(), StoreError> {
        let blob =
            args![account.to_string(), i.blob_hash.clone(), data.len() as i64, data.to_vec(), i.created_at.millis()];
        let row = args![
            account.to_string(),
            i.id.to_string(),
            i.kb_id.to_string(),
            i.blob_hash.clone(),
            i.content_type.clone(),
            i.size,
            i.created_at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO blobs (account_id, hash, size, data, created_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (account_id, hash) DO NOTHING",
                        blob,
                    )
                    .await?;
                    tx.exec(
                        "INSERT INTO kb_images (account_id, id, kb_id, blob_hash, content_type, size, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        row,
                    )
                    .await
                })
            })
            .await?;
        Ok(())
    }

    pub(crate) async fn image_get(
        &self,
        account: AccountId,
        i: KbImageId,
    ) -> Result<Option<(KbImage, Vec<u8>)>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT i.id, i.kb_id, i.blob_hash, i.content_type, i.size, i.created_at, b.data FROM kb_images i \
                 JOIN blobs b ON b.account_id = i.account_id AND b.hash = i.blob_hash \
                 WHERE i.account_id = $1 AND i.id = $2",
                args![account.to_string(), i.to_string()],
            )
            .await?;
        row.map(|r| Ok((image(&r)?, r.bytes("data")?))).transpose()
    }
}

#[async_trait::async_trait]
impl parley_store::KnowledgeStore for SqlStore {
    async fn create_knowledge_base(&self, account: AccountId, kb: &KnowledgeBase) -> Result<(), StoreError> {
        self.kb_create(account, kb).await
    }
    async fn update_knowledge_base(&self, account: AccountId, kb: &KnowledgeBase) -> Result<(), StoreError> {
        self.kb_update(account, kb).await
    }
    async fn delete_knowledge_base(&self, account: AccountId, id: KnowledgeBaseId) -> Result<bool, StoreError> {
        self.kb_delete(account, id).await
    }
    async fn knowledge_bases(&self, account: AccountId) -> Result<Vec<KnowledgeBase>, StoreError> {
        self.kb_list(account).await
    }
    async fn knowledge_base(&self, account: AccountId, key: &KbKey) -> Result<Option<KnowledgeBase>, StoreError> {
        self.kb_get(account, key).await
    }
    async fn save_category(
        &self,
        account: AccountId,
        c: &Category,
        previous: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.category_save(account, c, previous).await
    }
    async fn delete_category(&self, account: AccountId, id: CategoryId) -> Result<bool, StoreError> {
        self.category_delete(account, id).await
    }
    async fn categories(&self, account: AccountId, kb: KnowledgeBaseId) -> Result<Vec<Category>, StoreError> {
        self.category_list(account, kb).await
    }
    async fn save_article(
        &self,
        account: AccountId,
        a: &parley_domain::knowledge::Article,
        previous: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        self.article_save(account, a, previous).await
    }
    async fn delete_article(&self, account: AccountId, id: parley_domain::ids::ArticleId) -> Result<bool, StoreError> {
        self.article_delete(account, id).await
    }
    async fn article(
        &self,
        account: AccountId,
        id: parley_domain::ids::ArticleId,
    ) -> Result<Option<parley_domain::knowledge::Article>, StoreError> {
        self.article_get(account, id).await
    }
    async fn articles(
        &self,
        account: AccountId,
        kb: KnowledgeBaseId,
    ) -> Result<Vec<parley_domain::knowledge::Article>, StoreError> {
        self.article_list(account, kb).await
    }
    async fn add_feedback(
        &self,
        account: AccountId,
        id: parley_domain::ids::ArticleId,
        f: parley_domain::knowledge::Feedback,
    ) -> Result<bool, StoreError> {
        self.feedback_add(account, id, f).await
    }
    async fn search_articles(
        &self,
        account: AccountId,
        kb: KnowledgeBaseId,
        s: &parley_store::ArticleSearch,
    ) -> Result<Vec<(parley_domain::ids::ArticleId, LanguageTag)>, StoreError> {
        self.article_search(account, kb, s).await
    }
    async fn add_kb_image(&self, account: AccountId, image: &KbImage, data: &[u8]) -> Result<(), StoreError> {
        self.image_add(account, image, data).await
    }
    async fn add_customer_token(
        &self,
        account: AccountId,
        token_hash: &str,
        kind: &str,
        kb: KnowledgeBaseId,
        contact: parley_domain::ids::ContactId,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let values =
            args![account.to_string(), token_hash, kind, kb.to_string(), contact.to_string(), expires_at.millis()];
        let now = Timestamp::now().millis();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    // Tokens run out; their rows go as new ones come.
                    tx.exec(
                        "DELETE FROM customer_tokens WHERE account_id = $1 AND expires_at <= $2",
                        vec![values[0].clone(), Value::Int(now)],
                    )
                    .await?;
                    tx.exec(
                        "INSERT INTO customer_tokens (account_id, token_hash, kind, kb_id, contact_id, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        values,
                    )
                    .await
                })
            })
            .await?;
        Ok(())
    }
    async fn customer_token(
        &self,
        account: AccountId,
        token_hash: &str,
        kind: &str,
        kb: KnowledgeBaseId,
        now: Timestamp,
    ) -> Result<Option<parley_domain::ids::ContactId>, StoreError> {
        // A session is read on every page: a plain read, off the writer.
        let row = self
            .db
            .query_opt(TOKEN_IN_FORCE, args![account.to_string(), token_hash, kind, now.millis(), kb.to_string()])
            .await?;
        row.map(|r| id("contact id", &r.text("contact_id")?)).transpose()
    }
    async fn take_customer_token(
        &self,
        account: AccountId,
        token_hash: &str,
        kind: &str,
        kb: KnowledgeBaseId,
        now: Timestamp,
    ) -> Result<Option<parley_domain::ids::ContactId>, StoreError> {
        let values = args![account.to_string(), token_hash, kind, now.millis(), kb.to_string()];
        let row = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let row = tx.query_opt(TOKEN_IN_FORCE, values.clone()).await?;
                    if row.is_some() {
                        // Removed in the unit of work that read it: two uses of one link cannot both succeed.
                        let n = tx
                            .exec(
                                "DELETE FROM customer_tokens WHERE account_id = $1 AND token_hash = $2 AND kind = $3",
                                values[..3].to_vec(),
                            )
                            .await?;
                        if n == 0 {
                            return Ok(None);
                        }
                    }
                    Ok(row)
                })
            })
            .await?;
        row.map(|r| id("contact id", &r.text("contact_id")?)).transpose()
    }
    async fn drop_customer_token(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError> {
        let values = args![account.to_string(), token_hash];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec("DELETE FROM customer_tokens WHERE account_id = $1 AND token_hash = $2", values).await
                })
            })
            .await?;
        Ok(())
    }
    async fn kb_image(&self, account: AccountId, id: KbImageId) -> Result<Option<(KbImage, Vec<u8>)>, StoreError> {
        self.image_get(account, id).await
    }
}
