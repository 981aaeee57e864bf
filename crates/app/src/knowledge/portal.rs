//! The knowledge base as its readers see it: only published versions, only for the audience the knowledge base
//! is for, in the reader's language when a version in it exists.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::ids::{ArticleId, ContactId, KbImageId};
use parley_domain::knowledge::{
    plain_text, Article, Category, Feedback, KbImage, KbSlug, KnowledgeBase, LanguageTag, Visibility,
};
use parley_domain::search::{Query, Term};
use parley_store::{ArticleSearch, KbKey};

/// Who reads.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// Anyone, not signed in.
    Anyone,
    /// An agent of the account (or an API key), signed in.
    Agent(&'a Caller),
    /// A customer signed in to the portal as one of the account's contacts.
    Customer(ContactId),
}

/// The knowledge base at `slug`, if `reader` may read it. `Unauthenticated` when signing in would help; an unknown
/// slug is `NotFound`.
pub async fn open(ctx: &AccountCtx, slug: &str, reader: Reader<'_>) -> Result<KnowledgeBase, AppError> {
    // Only slugs name a knowledge base on the portal; its id is for the API.
    let slug = KbSlug::parse(slug).map_err(|_| AppError::NotFound)?;
    let kb = ctx.store.knowledge_base(ctx.account_id, &KbKey::Slug(slug)).await?.ok_or(AppError::NotFound)?;
    let allowed = matches!(
        (kb.visibility, reader),
        (Visibility::Public, _)
            | (Visibility::Agents | Visibility::Customers, Reader::Agent(_))
            | (Visibility::Customers, Reader::Customer(_))
    );
    if allowed {
        Ok(kb)
    } else {
        Err(AppError::Unauthenticated)
    }
}

/// What the portal shows of a knowledge base: its categories and its articles with a published version.
pub struct Shelf {
    pub categories: Vec<Category>,
    pub articles: Vec<Article>,
}

pub async fn shelf(ctx: &AccountCtx, kb: &KnowledgeBase) -> Result<Shelf, AppError> {
    let categories = ctx.store.categories(ctx.account_id, kb.id).await?;
    let mut articles = ctx.store.articles(ctx.account_id, kb.id).await?;
    articles.retain(|a| a.published_for(&kb.default_language, &kb.default_language).is_some());
    Ok(Shelf { categories, articles })
}

/// A published article of the knowledge base.
pub async fn article(ctx: &AccountCtx, kb: &KnowledgeBase, id: &str) -> Result<Article, AppError> {
    let id = ArticleId::parse(id).ok_or(AppError::NotFound)?;
    ctx.store
        .article(ctx.account_id, id)
        .await?
        .filter(|a| a.kb_id == kb.id && a.published_for(&kb.default_language, &kb.default_language).is_some())
        .ok_or(AppError::NotFound)
}

/// An article found by a search, in the version that matched.
#[derive(Debug, Clone)]
pub struct ArticleHit {
    pub id: ArticleId,
    pub language: LanguageTag,
    pub title: String,
    /// HTML-escaped text around the first match, matched words in `<mark>`.
    pub snippet: Option<String>,
    /// The beginning of the text, unescaped.
    pub excerpt: String,
}

/// Published articles matching `q`, best first, one version per article (the reader's language preferred).
/// `as_you_type` (suggestions while someone writes) reads the last word as the beginning of a word and lets an
/// article match any of the words, best matches first: a question as written holds words no article has.
pub async fn search(
    ctx: &AccountCtx,
    kb: &KnowledgeBase,
    lang: &LanguageTag,
    q: &str,
    as_you_type: bool,
    limit: u32,
) -> Result<Vec<ArticleHit>, AppError> {
    let mut query = Query::parse(q, as_you_type)?;
    if as_you_type {
        // Any word may match here, so the shortest ("I", "do", "an") would bring up nearly every article.
        let telling: Vec<Term> = query
            .terms
            .iter()
            .filter(|t| !matches!(t, Term::Word { word, .. } if word.chars().count() <= 2))
            .cloned()
            .collect();
        if !telling.is_empty() {
            query.terms = telling;
        }
    }
    let s = ArticleSearch {
        query: query.clone(),
        language: None,
        published_only: true,
        any_term: as_you_type,
        limit: limit.clamp(1, 50) * 2,
    };
    let found = ctx.store.search_articles(ctx.account_id, kb.id, &s).await?;
    let mut hits: Vec<ArticleHit> = Vec::new();
    for (id, language) in found {
        if let Some(at) = hits.iter().position(|h| h.id == id) {
            // The same article matched in two languages: the reader's wins, in the better one's place.
            if language == *lang && hits[at].language != *lang {
                hits.remove(at);
            } else {
                continue;
            }
        }
        let Some(a) = ctx.store.article(ctx.account_id, id).await? else { continue };
        let Some(t) = a.translation(&language) else { continue };
        let text = plain_text(&t.body);
        let snippet = query.snippet(&t.title, 160).or_else(|| query.snippet(&text, 160));
        let excerpt: String = text.chars().take(200).collect();
        hits.push(ArticleHit { id, language, title: t.title.clone(), snippet, excerpt });
    }
    hits.truncate(limit.clamp(1, 50) as usize);
    Ok(hits)
}

/// Counts a reader's "was this helpful?".
pub async fn feedback(ctx: &AccountCtx, kb: &KnowledgeBase, id: &str, helpful: bool) -> Result<(), AppError> {
    let a = article(ctx, kb, id).await?;
    let f = if helpful { Feedback::Helpful } else { Feedback::NotHelpful };
    if !ctx.store.add_feedback(ctx.account_id, a.id, f).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// An image of the knowledge base, with its bytes.
pub async fn image(ctx: &AccountCtx, kb: &KnowledgeBase, id: &str) -> Result<(KbImage, Vec<u8>), AppError> {
    let id = KbImageId::parse(id).ok_or(AppError::NotFound)?;
    ctx.store.kb_image(ctx.account_id, id).await?.filter(|(i, _)| i.kb_id == kb.id).ok_or(AppError::NotFound)
}
