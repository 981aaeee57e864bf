//! Categories of a knowledge base, nested one level: a category sits at the top or inside a top category.

use super::{find, may_write};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::error::Checker;
use parley_domain::ids::CategoryId;
use parley_domain::knowledge::{Category, CategoryText, LanguageTag};
use parley_domain::Invalid;

/// A category as given: its name (and description) in `language` (the knowledge base's default when left out);
/// `parent` puts it inside a top category, `Some("")` moves it to the top.
#[derive(Debug, Default, Clone)]
pub struct CategoryInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub parent: Option<String>,
    pub position: Option<i64>,
}

pub async fn list(ctx: &AccountCtx, kb: &str) -> Result<Vec<Category>, AppError> {
    let kb = find(ctx, kb).await?;
    Ok(ctx.store.categories(ctx.account_id, kb.id).await?)
}

async fn one(ctx: &AccountCtx, kb: &str, id: &str) -> Result<(Vec<Category>, Category), AppError> {
    let all = list(ctx, kb).await?;
    let id = CategoryId::parse(id).ok_or(AppError::NotFound)?;
    let c = all.iter().find(|c| c.id == id).cloned().ok_or(AppError::NotFound)?;
    Ok((all, c))
}

/// Checks `input` onto `c`: a name in a language of the knowledge base, and a parent that is a top category of
/// the same knowledge base (and not itself, nor one when it holds categories).
fn apply(
    c: &mut Category,
    all: &[Category],
    languages: &[LanguageTag],
    default: &LanguageTag,
    input: &CategoryInput,
) -> Result<(), Invalid> {
    let mut errs = Checker::new();
    let lang = match &input.language {
        Some(l) => errs.check(LanguageTag::parse(l)).filter(|l| {
            let ok = languages.contains(l);
            if !ok {
                errs.add("language", "is not one of the knowledge base's languages");
            }
            ok
        }),
        None => Some(default.clone()),
    };
    if let (Some(lang), Some(name)) = (lang, &input.name) {
        if let Some(t) = errs.check(CategoryText::checked(name, input.description.as_deref())) {
            c.texts.insert(lang.as_str().to_string(), t);
        }
    }
    if !c.texts.contains_key(default.as_str()) {
        errs.add("name", format!("is needed in the knowledge base's default language ({})", default.as_str()));
    }
    match input.parent.as_deref() {
        None => {}
        Some("") => c.parent_id = None,
        Some(p) => {
            let parent = CategoryId::parse(p).and_then(|p| all.iter().find(|x| x.id == p));
            match parent {
                None => errs.add("parent", "is not a category of this knowledge base"),
                Some(p) if p.parent_id.is_some() => {
                    errs.add("parent", "is inside another category; categories nest one level")
                }
                Some(p) if p.id == c.id => errs.add("parent", "is the category itself"),
                Some(_) if all.iter().any(|x| x.parent_id == Some(c.id)) => {
                    errs.add("parent", "this category holds categories, so it stays at the top")
                }
                Some(p) => c.parent_id = Some(p.id),
            }
        }
    }
    if let Some(p) = input.position {
        c.position = p;
    }
    errs.finish()
}

pub async fn create(ctx: &AccountCtx, caller: &Caller, kb: &str, input: CategoryInput) -> Result<Category, AppError> {
    may_write(caller)?;
    let base = find(ctx, kb).await?;
    if input.name.is_none() {
        return Err(Invalid::field("name", "is required").into());
    }
    let all = ctx.store.categories(ctx.account_id, base.id).await?;
    let now = ctx.now();
    let mut c = Category {
        id: CategoryId::new(),
        kb_id: base.id,
        parent_id: None,
        position: all.len() as i64,
        texts: Default::default(),
        created_at: now,
        updated_at: now,
    };
    apply(&mut c, &all, &base.languages, &base.default_language, &input)?;
    ctx.store.save_category(ctx.account_id, &c, None).await.map_err(super::changed_meanwhile)?;
    Ok(c)
}

pub async fn update(
    ctx: &AccountCtx,
    caller: &Caller,
    kb: &str,
    id: &str,
    input: CategoryInput,
) -> Result<Category, AppError> {
    may_write(caller)?;
    let base = find(ctx, kb).await?;
    let (all, mut c) = one(ctx, kb, id).await?;
    let previous = c.updated_at;
    apply(&mut c, &all, &base.languages, &base.default_language, &input)?;
    c.updated_at = super::save_time(previous);
    ctx.store.save_category(ctx.account_id, &c, Some(previous)).await.map_err(super::changed_meanwhile)?;
    Ok(c)
}

/// Removes a category; its articles stay in the knowledge base without one.
pub async fn delete(ctx: &AccountCtx, caller: &Caller, kb: &str, id: &str) -> Result<(), AppError> {
    may_write(caller)?;
    let (_, c) = one(ctx, kb, id).await?;
    if !ctx.store.delete_category(ctx.account_id, c.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}
