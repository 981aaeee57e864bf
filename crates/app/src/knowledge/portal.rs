//! The knowledge base as its readers see it: only published versions, only for the audience the knowledge base
//! is for, in the reader's language when a version in it exists.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::ids::{ArticleId, KbImageId};
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
    /// Someone holding a customer's portal session token (checked against the knowledge base it was given for).
    Customer(&'a str),
}

/// The knowledge base at `slug`, if `reader` may read it. `Unauthenticated` when signing in would help; an unknown
/// slug is `NotFound`.
pub async fn open(ctx: &AccountCtx, slug: &str, reader: Reader<'_>) -> Result<KnowledgeBase, AppError> {
    // Only slugs name a knowledge base on the portal; its id is for the API.
    let slug = KbSlug::parse(slug).map_err(|_| AppError::NotFound)?;
    let kb = ctx.store.knowledge_base(ctx.account_id, &KbKey::Slug(slug)).await?.ok_or(AppError::NotFound)?;
    let allowed = match (kb.visibility, reader) {
        (Visibility::Public, _) | (Visibility::Agents | Visibility::Customers, Reader::Agent(_)) => true,
        (Visibility::Customers, Reader::Customer(session)) => {
            super::customers::customer(ctx, &kb, session).await?.is_some()
        }
        _ => false,
    };
    if allowed {
        Ok(kb)
    } else {
        Err(AppError::Unauthenticated)
    }
}

/// Holds a client to a fair share of the anonymous requests that cost work or count something (search,
/// feedback).
pub fn limit(app: &crate::App, ctx: &AccountCtx, client: &str) -> Result<(), AppError> {
    app.limits
        .portal_by_ip
        .hit(&format!("{}:{client}", ctx.account_id))
        .map_err(|s| AppError::RateLimited { retry_after_secs: s })
}

/// What the portal shows of a knowledge base: its categories and its articles with a published version.
pub struct Shelf {
    pub categories: Vec<Category>,
    pub articles: Vec<Article>,
}

pub async fn shelf(ctx: &AccountCtx, kb: &KnowledgeBase) -> Result<Shelf, AppError> {
    let categories = ctx.store.categories(ctx.account_id, kb.id).await?;
    let mut articles = ctx.store.articles(ctx.account_id, kb.id).await?;
    articles.retain(|a| a.published_for(&kb.default_language, kb).is_some());
    Ok(Shelf { categories, articles })
}

/// A published article of the knowledge base.
pub async fn article(ctx: &AccountCtx, kb: &KnowledgeBase, id: &str) -> Result<Article, AppError> {
    let id = ArticleId::parse(id).ok_or(AppError::NotFound)?;
    ctx.store
        .article(ctx.account_id, id)
        .await?
        .filter(|a| a.kb_id == kb.id && a.published_for(&kb.default_language, kb).is_some())
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
    // Suggestions read what someone is writing, which may be long: its last words are what it is about now.
    let q = if as_you_type { last_words(q, 12, 400) } else { q.to_string() };
    let mut query = Query::parse(&q, as_you_type)?;
    if as_you_type {
        // Any word may match here, so the shortest ("I", "do", "an", a word just begun) would bring up nearly
        // every article.
        let telling: Vec<Term> = query
            .terms
            .iter()
            .filter(|t| match t {
                Term::Word { word, .. } => word.chars().count() > 2,
                Term::Prefix(p) => p.chars().count() > 2,
                Term::Phrase(_) => true,
            })
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
        // A version in a language the knowledge base no longer has has no address.
        if !kb.speaks(&language) {
            continue;
        }
        let replaces = match hits.iter().position(|h| h.id == id) {
            // The same article matched in two languages: the reader's wins, in the better one's place.
            Some(at) if language == *lang && hits[at].language != *lang => Some(at),
            Some(_) => continue,
            None => None,
        };
        let Some(a) = ctx.store.article(ctx.account_id, id).await? else { continue };
        let Some(t) = a.translation(&language) else { continue };
        let text = plain_text(&t.body);
        let snippet = query.snippet(&t.title, 160).or_else(|| query.snippet(&text, 160));
        let excerpt: String = text.chars().take(200).collect();
        let hit = ArticleHit { id, language, title: t.title.clone(), snippet, excerpt };
        match replaces {
            Some(at) => hits[at] = hit,
            None => hits.push(hit),
        }
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
/// Images are addressed by id alone, so that renaming a knowledge base leaves the articles' images where they
/// were; the reader must be one its knowledge base is for.
pub async fn image(
    ctx: &AccountCtx,
    id: &str,
    reader: Reader<'_>,
) -> Result<(KnowledgeBase, KbImage, Vec<u8>), AppError> {
    let id = KbImageId::parse(id).ok_or(AppError::NotFound)?;
    let (image, data) = ctx.store.kb_image(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let kb = ctx.store.knowledge_base(ctx.account_id, &KbKey::Id(image.kb_id)).await?.ok_or(AppError::NotFound)?;
    let kb = open(ctx, kb.slug.as_str(), reader).await?;
    Ok((kb, image, data))
}

/// The last `words` words of `text`, at most `chars` characters of it (cut between characters).
fn last_words(text: &str, words: usize, chars: usize) -> String {
    let all: Vec<&str> = text.split_whitespace().collect();
    let tail = all[all.len().saturating_sub(words)..].join(" ");
    let skip = tail.chars().count().saturating_sub(chars);
    tail.chars().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::last_words;

    #[test]
    fn suggestions_read_the_last_words() {
        assert_eq!(last_words("a b c d", 2, 100), "c d");
        assert_eq!(last_words("  one   two ", 5, 100), "one two");
        assert_eq!(last_words("árvíztűrő tükörfúrógép", 5, 8), "örfúrógép".chars().skip(1).collect::<String>());
    }
}
