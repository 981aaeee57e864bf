//! Articles: written in Markdown by agents, one version per language of the knowledge base, each a draft or
//! published on its own (a translation can wait while the original is out).

use super::{find, may_write};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, ArticleId, CategoryId};
use parley_domain::knowledge::{Article, ArticleStatus, KnowledgeBase, LanguageTag, Translation};
use parley_domain::ticket::Tag;
use parley_domain::Invalid;

/// An article as given. `language` names the version the title, body and status are for (the knowledge base's
/// default when left out); `category: Some("")` takes the article out of its category.
#[derive(Debug, Default, Clone)]
pub struct ArticleInput {
    pub title: Option<String>,
    pub body: Option<String>,
    pub language: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub tags: Option<Vec<String>>,
    pub position: Option<i64>,
}

fn author(caller: &Caller) -> Option<AgentId> {
    match caller {
        Caller::Agent(a) => Some(a.id),
        _ => None,
    }
}

/// The version's language: one of the knowledge base's.
fn language(kb: &KnowledgeBase, asked: Option<&str>) -> Result<LanguageTag, Invalid> {
    let Some(l) = asked else {
        return Ok(kb.default_language.clone());
    };
    let l = LanguageTag::parse(l)?;
    if !kb.speaks(&l) {
        return Err(Invalid::field(
            "language",
            format!("'{}' is not one of the knowledge base's languages", l.as_str()),
        ));
    }
    Ok(l)
}

/// Checks `input` onto `a` (new or stored), for the version in the input's language.
async fn apply(
    ctx: &AccountCtx,
    caller: &Caller,
    kb: &KnowledgeBase,
    a: &mut Article,
    input: &ArticleInput,
) -> Result<(), AppError> {
    let mut errs = Checker::new();
    let lang = errs.check(language(kb, input.language.as_deref()));
    let status = match &input.status {
        Some(s) => errs.check(ArticleStatus::parse(s)),
        None => None,
    };
    if let Some(tags) = &input.tags {
        let parsed: Vec<Tag> = tags.iter().filter_map(|t| errs.check(Tag::parse(t))).collect();
        let mut unique: Vec<Tag> = Vec::new();
        for t in parsed {
            if !unique.contains(&t) {
                unique.push(t);
            }
        }
        if unique.len() > 30 {
            errs.add("tags", "may be at most 30");
        }
        a.tags = unique;
    }
    match input.category.as_deref() {
        None => {}
        Some("") => a.category_id = None,
        Some(c) => {
            let id = CategoryId::parse(c);
            let known = match id {
                Some(id) => ctx.store.categories(ctx.account_id, kb.id).await?.iter().any(|x| x.id == id),
                None => false,
            };
            if known {
                a.category_id = id;
            } else {
                errs.add("category", "is not a category of this knowledge base");
            }
        }
    }
    if let Some(p) = input.position {
        a.position = p;
    }
    let now = ctx.now();
    if let Some(lang) = lang {
        let current = a.translations.iter().position(|t| t.language == lang);
        let old = current.map(|i| a.translations[i].clone());
        let title = input.title.as_deref().or(old.as_ref().map(|t| t.title.as_str()));
        let body = input.body.as_deref().or(old.as_ref().map(|t| t.body.as_str()));
        let status = status.or(old.as_ref().map(|t| t.status)).unwrap_or(ArticleStatus::Draft);
        match (title, body) {
            (Some(title), Some(body)) => {
                if let Some(t) = errs.check(Translation::checked(lang, title, body, status, author(caller), now)) {
                    match current {
                        Some(i) => a.translations[i] = t,
                        None => a.translations.push(t),
                    }
                }
            }
            (title, body) => {
                if title.is_none() {
                    errs.add("title", "is required for a version in a new language");
                }
                if body.is_none() {
                    errs.add("body", "is required for a version in a new language");
                }
            }
        }
    }
    errs.finish()?;
    Ok(())
}

pub async fn create(ctx: &AccountCtx, caller: &Caller, kb: &str, input: ArticleInput) -> Result<Article, AppError> {
    may_write(caller)?;
    let kb = find(ctx, kb).await?;
    let now = ctx.now();
    let mut a = Article {
        id: ArticleId::new(),
        kb_id: kb.id,
        category_id: None,
        tags: Vec::new(),
        position: 0,
        helpful: 0,
        not_helpful: 0,
        created_at: now,
        updated_at: now,
        translations: Vec::new(),
    };
    apply(ctx, caller, &kb, &mut a, &input).await?;
    ctx.store.save_article(ctx.account_id, &a, None).await.map_err(super::changed_meanwhile)?;
    Ok(a)
}

/// An article of the knowledge base, drafts included (for agents).
pub async fn get(ctx: &AccountCtx, kb: &str, id: &str) -> Result<(KnowledgeBase, Article), AppError> {
    let kb = find(ctx, kb).await?;
    let id = ArticleId::parse(id).ok_or(AppError::NotFound)?;
    let a = ctx.store.article(ctx.account_id, id).await?.filter(|a| a.kb_id == kb.id).ok_or(AppError::NotFound)?;
    Ok((kb, a))
}

pub async fn list(ctx: &AccountCtx, kb: &str) -> Result<Vec<Article>, AppError> {
    let kb = find(ctx, kb).await?;
    Ok(ctx.store.articles(ctx.account_id, kb.id).await?)
}

/// Changes an article, or adds a version in another language.
pub async fn update(
    ctx: &AccountCtx,
    caller: &Caller,
    kb: &str,
    id: &str,
    input: ArticleInput,
) -> Result<Article, AppError> {
    may_write(caller)?;
    let (kb, mut a) = get(ctx, kb, id).await?;
    let previous = a.updated_at;
    apply(ctx, caller, &kb, &mut a, &input).await?;
    a.updated_at = super::save_time(previous);
    ctx.store.save_article(ctx.account_id, &a, Some(previous)).await.map_err(super::changed_meanwhile)?;
    Ok(a)
}

/// Removes one language's version; the last one goes only with the article.
pub async fn delete_version(
    ctx: &AccountCtx,
    caller: &Caller,
    kb: &str,
    id: &str,
    language: &str,
) -> Result<Article, AppError> {
    may_write(caller)?;
    let (_, mut a) = get(ctx, kb, id).await?;
    let lang = LanguageTag::parse(language).map_err(|_| AppError::NotFound)?;
    let before = a.translations.len();
    a.translations.retain(|t| t.language != lang);
    if a.translations.len() == before {
        return Err(AppError::NotFound);
    }
    if a.translations.is_empty() {
        return Err(AppError::Conflict("an article keeps at least one version; delete the article instead".into()));
    }
    let previous = a.updated_at;
    a.updated_at = super::save_time(previous);
    ctx.store.save_article(ctx.account_id, &a, Some(previous)).await.map_err(super::changed_meanwhile)?;
    Ok(a)
}

pub async fn delete(ctx: &AccountCtx, caller: &Caller, kb: &str, id: &str) -> Result<(), AppError> {
    may_write(caller)?;
    let (_, a) = get(ctx, kb, id).await?;
    if !ctx.store.delete_article(ctx.account_id, a.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}
