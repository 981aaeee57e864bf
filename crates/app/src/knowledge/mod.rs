//! Knowledge bases: administrators create them and set their audience, languages and look; agents write their
//! categories and articles; readers use them through the portal (`portal`).

pub mod articles;
pub mod categories;
pub mod customers;
pub mod portal;

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::error::Checker;
use parley_domain::ids::{CompanyId, KbImageId, KnowledgeBaseId};
use parley_domain::knowledge::{self, image_type, KbImage, KbLook, KbSlug, KnowledgeBase, Visibility};
use parley_domain::{Invalid, Timestamp};
use parley_store::KbKey;
use sha2::{Digest, Sha256};

/// At most this many knowledge bases per account.
const MAX_KNOWLEDGE_BASES: usize = 50;

/// A knowledge base's settings as given; for a change, what is left out stays.
#[derive(Debug, Default, Clone)]
pub struct KbInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub visibility: Option<String>,
    pub languages: Option<Vec<String>>,
    pub default_language: Option<String>,
    pub accent_color: Option<String>,
    pub header_color: Option<String>,
    /// `Some("")` takes the logo away.
    pub logo: Option<String>,
    /// Company ids whose contacts may sign in to a knowledge base for customers; empty: any contact.
    pub companies: Option<Vec<String>>,
}

/// Who may change knowledge bases' settings: administrators. Who may write articles: any agent and API keys;
/// support staff under a grant only read.
fn may_write(caller: &Caller) -> Result<(), AppError> {
    match caller {
        Caller::Staff { .. } => {
            Err(AppError::Forbidden("support staff may read knowledge bases, not change them".into()))
        }
        _ => Ok(()),
    }
}

/// A save that lost to another one made since the caller read: say so in this area's words.
fn changed_meanwhile(e: parley_store::StoreError) -> AppError {
    match e {
        parley_store::StoreError::Stale => {
            AppError::Conflict("it was changed by someone else meanwhile; reload it and try again".into())
        }
        other => other.into(),
    }
}

/// The time a change is saved at: now, and always after the version it changes, so that two saves in one
/// millisecond still tell each other apart.
fn save_time(before: Timestamp) -> Timestamp {
    Timestamp::from_millis(Timestamp::now().millis().max(before.millis() + 1))
}

/// A knowledge base by its id or its slug.
pub async fn find(ctx: &AccountCtx, key: &str) -> Result<KnowledgeBase, AppError> {
    let key = match KnowledgeBaseId::parse(key) {
        Some(id) => KbKey::Id(id),
        None => KbKey::Slug(KbSlug::parse(key).map_err(|_| AppError::NotFound)?),
    };
    ctx.store.knowledge_base(ctx.account_id, &key).await?.ok_or(AppError::NotFound)
}

pub async fn list(ctx: &AccountCtx) -> Result<Vec<KnowledgeBase>, AppError> {
    Ok(ctx.store.knowledge_bases(ctx.account_id).await?)
}

/// Applies `input` to `kb` (a new one or a copy of the stored one), checking every field.
fn apply(is_new: bool, logo_known: bool, kb: &mut KnowledgeBase, input: &KbInput) -> Result<(), Invalid> {
    let mut errs = Checker::new();
    if let Some(s) = &input.slug {
        if let Some(s) = errs.check(KbSlug::parse(s)) {
            kb.slug = s;
        }
    }
    if let Some(n) = &input.name {
        if let Some(n) = errs.check(knowledge::name("name", n)) {
            kb.name = n;
        }
    }
    if let Some(v) = &input.visibility {
        if let Some(v) = errs.check(Visibility::parse(v)) {
            kb.visibility = v;
        }
    }
    if input.languages.is_some() || input.default_language.is_some() {
        let current: Vec<String> = kb.languages.iter().map(|l| l.as_str().to_string()).collect();
        let list = input.languages.as_ref().unwrap_or(&current);
        // A new knowledge base's default is the first language unless named; a changed one keeps its default
        // while it is still one of the languages.
        let keep = !is_new && list.iter().any(|l| l == kb.default_language.as_str());
        let default = input.default_language.as_deref().or(keep.then_some(kb.default_language.as_str()));
        if let Some((d, all)) = errs.check(knowledge::languages(list, default)) {
            kb.default_language = d;
            kb.languages = all;
        }
    }
    let logo = match input.logo.as_deref() {
        None => kb.look.logo,
        Some("") => None,
        Some(l) => match KbImageId::parse(l) {
            Some(id) if logo_known => Some(id),
            _ => {
                errs.add("look.logo", "is not an image of this knowledge base");
                None
            }
        },
    };
    let accent = input.accent_color.as_deref().or(kb.look.accent_color.as_deref()).map(str::to_string);
    let header = input.header_color.as_deref().or(kb.look.header_color.as_deref()).map(str::to_string);
    if let Some(look) = errs.check(KbLook::checked(accent.as_deref(), header.as_deref(), logo)) {
        kb.look = look;
    }
    errs.finish()
}

/// The companies named, each one of the account's.
async fn companies(ctx: &AccountCtx, input: &KbInput) -> Result<Option<Vec<CompanyId>>, AppError> {
    let Some(list) = &input.companies else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let known = match CompanyId::parse(c) {
            Some(id) => ctx.store.get_company(ctx.account_id, id).await?.map(|_| id),
            None => None,
        };
        match known {
            Some(id) if !out.contains(&id) => out.push(id),
            Some(_) => {}
            None => return Err(Invalid::field(format!("companies[{i}]"), "is not a company of this account").into()),
        }
    }
    Ok(Some(out))
}

async fn logo_is_ours(ctx: &AccountCtx, kb: KnowledgeBaseId, input: &KbInput) -> Result<bool, AppError> {
    let Some(id) = input.logo.as_deref().and_then(KbImageId::parse) else {
        return Ok(false);
    };
    Ok(ctx.store.kb_image(ctx.account_id, id).await?.is_some_and(|(i, _)| i.kb_id == kb))
}

/// A new knowledge base (administrators): slug, name and languages are needed; visibility defaults to public.
pub async fn create(ctx: &AccountCtx, caller: &Caller, input: KbInput) -> Result<KnowledgeBase, AppError> {
    caller.require_admin()?;
    let mut errs = Checker::new();
    if input.slug.is_none() {
        errs.add("slug", "is required");
    }
    if input.name.is_none() {
        errs.add("name", "is required");
    }
    if input.languages.is_none() {
        errs.add("languages", "is required");
    }
    if input.logo.as_deref().is_some_and(|l| !l.is_empty()) {
        errs.add("look.logo", "can be set once the knowledge base has images");
    }
    errs.finish()?;
    if ctx.store.knowledge_bases(ctx.account_id).await?.len() >= MAX_KNOWLEDGE_BASES {
        return Err(Invalid::field(
            "slug",
            format!("an account may have at most {MAX_KNOWLEDGE_BASES} knowledge bases"),
        )
        .into());
    }
    let now = ctx.now();
    let placeholder = |s: &str| knowledge::LanguageTag::parse(s).map_err(AppError::from);
    let mut kb = KnowledgeBase {
        id: KnowledgeBaseId::new(),
        slug: KbSlug::parse("kb").map_err(AppError::from)?,
        name: String::new(),
        visibility: Visibility::Public,
        default_language: placeholder("en")?,
        languages: vec![placeholder("en")?],
        look: KbLook::default(),
        companies: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    apply(true, false, &mut kb, &input)?;
    if let Some(c) = companies(ctx, &input).await? {
        kb.companies = c;
    }
    ctx.store.create_knowledge_base(ctx.account_id, &kb).await?;
    audit_change(ctx, caller, &kb, "created").await?;
    Ok(kb)
}

/// Changes a knowledge base's settings (administrators).
pub async fn update(ctx: &AccountCtx, caller: &Caller, key: &str, input: KbInput) -> Result<KnowledgeBase, AppError> {
    caller.require_admin()?;
    let mut kb = find(ctx, key).await?;
    let known = logo_is_ours(ctx, kb.id, &input).await?;
    apply(false, known, &mut kb, &input)?;
    if let Some(c) = companies(ctx, &input).await? {
        kb.companies = c;
    }
    kb.updated_at = ctx.now().max(kb.updated_at);
    ctx.store.update_knowledge_base(ctx.account_id, &kb).await?;
    audit_change(ctx, caller, &kb, "changed").await?;
    Ok(kb)
}

/// Removes a knowledge base with everything in it (administrators).
pub async fn delete(ctx: &AccountCtx, caller: &Caller, key: &str) -> Result<(), AppError> {
    caller.require_admin()?;
    let kb = find(ctx, key).await?;
    if !ctx.store.delete_knowledge_base(ctx.account_id, kb.id).await? {
        return Err(AppError::NotFound);
    }
    audit_change(ctx, caller, &kb, "deleted").await
}

async fn audit_change(ctx: &AccountCtx, caller: &Caller, kb: &KnowledgeBase, what: &str) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target(format!("knowledge_base:{}", kb.id))
        .detail(serde_json::json!({ "knowledge_base": kb.slug.as_str(), "change": what,
            "visibility": kb.visibility.as_str() }));
    audit::record(ctx, record).await?;
    Ok(())
}

/// Keeps an image for a knowledge base's articles or logo: PNG, JPEG, GIF or WebP (known by its bytes), within
/// the attachment size limit.
pub async fn add_image(
    ctx: &AccountCtx,
    caller: &Caller,
    key: &str,
    data: Vec<u8>,
    max_bytes: usize,
) -> Result<KbImage, AppError> {
    may_write(caller)?;
    let kb = find(ctx, key).await?;
    if data.is_empty() {
        return Err(Invalid::field("file", "is empty").into());
    }
    if data.len() > max_bytes {
        return Err(Invalid::field(
            "file",
            format!("is larger than the {} MB an image may be", max_bytes / (1024 * 1024)),
        )
        .into());
    }
    let Some(content_type) = image_type(&data) else {
        return Err(Invalid::field("file", "is not a PNG, JPEG, GIF or WebP image").into());
    };
    let image = KbImage {
        id: KbImageId::new(),
        kb_id: kb.id,
        blob_hash: Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect(),
        content_type: content_type.into(),
        size: data.len() as i64,
        created_at: ctx.now(),
    };
    ctx.store.add_kb_image(ctx.account_id, &image, &data).await?;
    Ok(image)
}
