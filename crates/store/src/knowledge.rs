use crate::StoreError;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, ArticleId, CategoryId, ContactId, KbImageId, KnowledgeBaseId};
use parley_domain::knowledge::{Article, Category, Feedback, KbImage, KbSlug, KnowledgeBase, LanguageTag};
use parley_domain::search::Query;
use parley_domain::Timestamp;

/// A knowledge base named by its id or its slug (the API takes either).
#[derive(Debug, Clone)]
pub enum KbKey {
    Id(KnowledgeBaseId),
    Slug(KbSlug),
}

/// An article search within one knowledge base.
#[derive(Debug, Clone)]
pub struct ArticleSearch {
    pub query: Query,
    /// Only versions in this language; any language when `None`.
    pub language: Option<LanguageTag>,
    /// Only published versions (what the portal and the widget show).
    pub published_only: bool,
    /// Versions matching any of the terms, those matching more (and rarer) ones first: suggestions for what a
    /// customer is writing, where most words of a sentence are in no article. Otherwise all terms must match.
    pub any_term: bool,
    pub limit: u32,
}

/// Knowledge bases, their categories, articles (with a version per language), feedback, images, and the article
/// search index, which is written in the unit of work that saves an article (articles are few and read often, so
/// they are searchable the moment they are saved).
#[async_trait]
pub trait KnowledgeStore {
    /// A new knowledge base; `Conflict` when the account has one with its slug.
    async fn create_knowledge_base(&self, account: AccountId, kb: &KnowledgeBase) -> Result<(), StoreError>;
    /// Saves a knowledge base's settings; `NotFound` when it is gone, `Conflict` on a taken slug.
    async fn update_knowledge_base(&self, account: AccountId, kb: &KnowledgeBase) -> Result<(), StoreError>;
    /// Removes a knowledge base with its categories, articles, images (and blobs nothing else uses) and index
    /// entries. `false` when there was none.
    async fn delete_knowledge_base(&self, account: AccountId, id: KnowledgeBaseId) -> Result<bool, StoreError>;
    async fn knowledge_bases(&self, account: AccountId) -> Result<Vec<KnowledgeBase>, StoreError>;
    async fn knowledge_base(&self, account: AccountId, key: &KbKey) -> Result<Option<KnowledgeBase>, StoreError>;

    /// Creates (`previous`: `None`) or updates a category read when its `updated_at` was `previous`: `Stale` when
    /// it was saved since, `NotFound` when it (or its knowledge base) is gone, `Conflict` when its parent is gone or
    /// is no longer a top category.
    async fn save_category(
        &self,
        account: AccountId,
        c: &Category,
        previous: Option<Timestamp>,
    ) -> Result<(), StoreError>;
    /// Removes a category; its articles stay, without a category. `Conflict` while it holds categories.
    async fn delete_category(&self, account: AccountId, id: CategoryId) -> Result<bool, StoreError>;
    /// A knowledge base's categories, by position then name.
    async fn categories(&self, account: AccountId, kb: KnowledgeBaseId) -> Result<Vec<Category>, StoreError>;

    /// Creates (`previous`: `None`) or updates an article read when its `updated_at` was `previous`, with all its
    /// versions (a version left out is removed), and indexes them. `Stale` when it was saved since (nothing of a
    /// concurrent edit is lost), `NotFound` when it or its knowledge base is gone.
    async fn save_article(
        &self,
        account: AccountId,
        a: &Article,
        previous: Option<Timestamp>,
    ) -> Result<(), StoreError>;
    async fn delete_article(&self, account: AccountId, id: ArticleId) -> Result<bool, StoreError>;
    async fn article(&self, account: AccountId, id: ArticleId) -> Result<Option<Article>, StoreError>;
    /// A knowledge base's articles with their versions, by position then creation.
    async fn articles(&self, account: AccountId, kb: KnowledgeBaseId) -> Result<Vec<Article>, StoreError>;
    /// Counts a reader's answer. `false` when the article is gone.
    async fn add_feedback(&self, account: AccountId, id: ArticleId, f: Feedback) -> Result<bool, StoreError>;
    /// Article versions matching, best first.
    async fn search_articles(
        &self,
        account: AccountId,
        kb: KnowledgeBaseId,
        s: &ArticleSearch,
    ) -> Result<Vec<(ArticleId, LanguageTag)>, StoreError>;

    /// Keeps a customer's portal token (`kind`: `link` or `session`) for one knowledge base, by its hash; drops
    /// the account's expired ones.
    async fn add_customer_token(
        &self,
        account: AccountId,
        token_hash: &str,
        kind: &str,
        kb: KnowledgeBaseId,
        contact: ContactId,
        expires_at: Timestamp,
    ) -> Result<(), StoreError>;
    /// The contact a token in force for knowledge base `kb` stands for.
    async fn customer_token(
        &self,
        account: AccountId,
        token_hash: &str,
        kind: &str,
        kb: KnowledgeBaseId,
        now: Timestamp,
    ) -> Result<Option<ContactId>, StoreError>;
    /// Like [`KnowledgeStore::customer_token`], removing the token in the same unit of work (a link works once).
    async fn take_customer_token(
        &self,
        account: AccountId,
        token_hash: &str,
        kind: &str,
        kb: KnowledgeBaseId,
        now: Timestamp,
    ) -> Result<Option<ContactId>, StoreError>;
    /// Removes a token (signing out).
    async fn drop_customer_token(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError>;

    /// Keeps an image (its bytes as a blob of the region).
    async fn add_kb_image(&self, account: AccountId, image: &KbImage, data: &[u8]) -> Result<(), StoreError>;
    async fn kb_image(&self, account: AccountId, id: KbImageId) -> Result<Option<(KbImage, Vec<u8>)>, StoreError>;
}
