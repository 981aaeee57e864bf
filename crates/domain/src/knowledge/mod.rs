//! Knowledge bases: several per account, each with its own address (`/kb/<slug>/`), audience, languages and look;
//! categories nested one level; articles written in Markdown, with a version per language.

mod markdown;

pub use markdown::{plain_text, render};

use crate::error::Checker;
use crate::ids::{AgentId, ArticleId, CategoryId, CompanyId, KbImageId, KnowledgeBaseId};
use crate::text::{checked_text, optional_text};
use crate::ticket::Tag;
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many languages per knowledge base.
pub const MAX_LANGUAGES: usize = 20;
/// An article's Markdown may be this long (a long manual page is a tenth of it).
pub const MAX_BODY_CHARS: usize = 200_000;

/// A knowledge base's part of the portal's address: 2–50 characters of `a-z`, `0-9` and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct KbSlug(String);

impl KbSlug {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let err = |why: &str| Invalid::field("slug", format!("'{s}' {why}"));
        if s.len() < 2 || s.len() > 50 {
            return Err(err("must be 2 to 50 characters long"));
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(err("may hold only lowercase letters, digits and hyphens"));
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(err("may not start or end with a hyphen, nor hold two in a row"));
        }
        // The API names a knowledge base by id or slug: a slug shaped like an id would be ambiguous.
        if crate::ids::KnowledgeBaseId::parse(s).is_some() {
            return Err(err("may not look like an id"));
        }
        Ok(KbSlug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A content language: a primary subtag of 2–3 letters and an optional region (`en`, `pt-BR`), in that case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let err = || Invalid::field("language", format!("'{s}' is not a language tag such as 'en' or 'pt-BR'"));
        let mut parts = s.trim().split(['-', '_']);
        let primary = parts.next().unwrap_or("");
        let region = parts.next();
        if parts.next().is_some()
            || !(2..=3).contains(&primary.len())
            || !primary.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return Err(err());
        }
        match region {
            None => Ok(LanguageTag(primary.to_ascii_lowercase())),
            Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Ok(LanguageTag(format!("{}-{}", primary.to_ascii_lowercase(), r.to_ascii_uppercase())))
            }
            Some(_) => Err(err()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who may read a knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone, and search engines.
    Public,
    /// The account's agents, signed in.
    Agents,
    /// Customers signed in to the portal (by a link mailed to a contact's address) and agents.
    Customers,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Agents => "agents",
            Visibility::Customers => "customers",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "public" => Ok(Visibility::Public),
            "agents" => Ok(Visibility::Agents),
            "customers" => Ok(Visibility::Customers),
            _ => Err(Invalid::field("visibility", format!("'{s}' is not one of public, agents, customers"))),
        }
    }
}

/// How a knowledge base's portal looks: colours as `#rrggbb`, and a logo uploaded as one of its images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KbLook {
    /// Links, buttons and the header's line.
    pub accent_color: Option<String>,
    /// The header's background.
    pub header_color: Option<String>,
    #[schema(value_type = Option<String>)]
    pub logo: Option<KbImageId>,
}

fn color(field: &str, c: Option<&str>) -> Result<Option<String>, Invalid> {
    match c.map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) if c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(c.to_ascii_lowercase()))
        }
        Some(c) => Err(Invalid::field(field, format!("'{c}' is not a colour such as #1f6feb"))),
    }
}

impl KbLook {
    pub fn checked(accent: Option<&str>, header: Option<&str>, logo: Option<KbImageId>) -> Result<KbLook, Invalid> {
        let mut errs = Checker::new();
        let accent_color = errs.check(color("look.accent_color", accent)).flatten();
        let header_color = errs.check(color("look.header_color", header)).flatten();
        errs.finish()?;
        Ok(KbLook { accent_color, header_color, logo })
    }
}

/// A knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeBase {
    pub id: KnowledgeBaseId,
    pub slug: KbSlug,
    pub name: String,
    pub visibility: Visibility,
    pub default_language: LanguageTag,
    /// Its languages, the default first.
    pub languages: Vec<LanguageTag>,
    pub look: KbLook,
    /// For a knowledge base for customers: only contacts of these companies may sign in (any contact when empty;
    /// anyone who ever wrote to the account is one).
    pub companies: Vec<CompanyId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The languages of a knowledge base, checked: at least one, at most [`MAX_LANGUAGES`], no repeats, the default
/// first (the first named when no default is given).
pub fn languages(list: &[String], default: Option<&str>) -> Result<(LanguageTag, Vec<LanguageTag>), Invalid> {
    let mut tags: Vec<LanguageTag> = Vec::new();
    for (i, l) in list.iter().enumerate() {
        let t = LanguageTag::parse(l).map_err(|e| e.at(&format!("languages[{i}]")))?;
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if tags.is_empty() {
        return Err(Invalid::field("languages", "must name at least one language"));
    }
    if tags.len() > MAX_LANGUAGES {
        return Err(Invalid::field("languages", format!("may name at most {MAX_LANGUAGES} languages")));
    }
    let default = match default {
        Some(d) => LanguageTag::parse(d).map_err(|e| e.at("default_language"))?,
        None => tags[0].clone(),
    };
    let Some(at) = tags.iter().position(|t| *t == default) else {
        return Err(Invalid::field("default_language", "must be one of the languages"));
    };
    tags.remove(at);
    tags.insert(0, default.clone());
    Ok((default, tags))
}

impl KnowledgeBase {
    /// Whether `lang` is one of its languages.
    pub fn speaks(&self, lang: &LanguageTag) -> bool {
        self.languages.contains(lang)
    }
}

/// A knowledge base name or a category's: one line, 1–120 characters.
pub fn name(field: &str, s: &str) -> Result<String, Invalid> {
    checked_text(field, s, 120, false)
}

/// A category's name and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CategoryText {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

impl CategoryText {
    pub fn checked(name_: &str, description: Option<&str>) -> Result<CategoryText, Invalid> {
        Ok(CategoryText { name: name("name", name_)?, description: optional_text("description", description, 500)? })
    }
}

/// A category: at the top of its knowledge base or inside one top category (one level of nesting, as help
/// centres show them: sections of categories).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub kb_id: KnowledgeBaseId,
    pub parent_id: Option<CategoryId>,
    pub position: i64,
    /// Its name per language; always in the knowledge base's default language.
    pub texts: BTreeMap<String, CategoryText>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Category {
    /// Its text in `lang`, else in `fallback`, else any.
    pub fn text(&self, lang: &str, fallback: &str) -> Option<&CategoryText> {
        self.texts.get(lang).or_else(|| self.texts.get(fallback)).or_else(|| self.texts.values().next())
    }
}

/// Whether an article version shows on the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    Published,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "draft" => Ok(ArticleStatus::Draft),
            "published" => Ok(ArticleStatus::Published),
            _ => Err(Invalid::field("status", format!("'{s}' is not one of draft, published"))),
        }
    }
}

/// An article's version in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub language: LanguageTag,
    pub title: String,
    /// Markdown, as written; rendered to sanitized HTML when shown.
    pub body: String,
    pub status: ArticleStatus,
    pub author_id: Option<AgentId>,
    pub updated_at: Timestamp,
}

impl Translation {
    pub fn checked(
        language: LanguageTag,
        title: &str,
        body: &str,
        status: ArticleStatus,
        author_id: Option<AgentId>,
        now: Timestamp,
    ) -> Result<Translation, Invalid> {
        let mut errs = Checker::new();
        let title = errs.check(checked_text("title", title, 200, false));
        let body = if body.chars().count() > MAX_BODY_CHARS {
            errs.add("body", format!("must be at most {MAX_BODY_CHARS} characters"));
            None
        } else if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
            errs.add("body", "holds control characters");
            None
        } else {
            Some(body.replace("\r\n", "\n"))
        };
        errs.finish()?;
        match (title, body) {
            (Some(title), Some(body)) => Ok(Translation { language, title, body, status, author_id, updated_at: now }),
            _ => Err(Invalid::field("title", "is missing")),
        }
    }

    /// The texts its search document is made of.
    pub fn search_texts(&self, tags: &[Tag]) -> Vec<String> {
        let mut t = vec![self.title.clone(), plain_text(&self.body)];
        t.extend(tags.iter().map(|g| g.as_str().to_string()));
        t
    }
}

/// An article, with its versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: ArticleId,
    pub kb_id: KnowledgeBaseId,
    pub category_id: Option<CategoryId>,
    pub tags: Vec<Tag>,
    pub position: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub translations: Vec<Translation>,
}

impl Article {
    pub fn translation(&self, lang: &LanguageTag) -> Option<&Translation> {
        self.translations.iter().find(|t| t.language == *lang)
    }

    /// The published version a reader of `wanted` sees: in that language if published, else in the knowledge
    /// base's default, else any published one in a language of `kb` (others have no address).
    pub fn published_for(&self, wanted: &LanguageTag, kb: &KnowledgeBase) -> Option<&Translation> {
        let published = |l: &LanguageTag| self.translation(l).filter(|t| t.status == ArticleStatus::Published);
        published(wanted).or_else(|| published(&kb.default_language)).or_else(|| {
            self.translations.iter().find(|t| t.status == ArticleStatus::Published && kb.speaks(&t.language))
        })
    }
}

/// A reader's answer to "was this helpful?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feedback {
    Helpful,
    NotHelpful,
}

/// An image of a knowledge base, kept as a blob of the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbImage {
    pub id: KbImageId,
    pub kb_id: KnowledgeBaseId,
    pub blob_hash: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: Timestamp,
}

/// The media type of an image by its first bytes: PNG, JPEG, GIF or WebP. Anything else (SVG above all, which
/// can carry scripts) is refused, whatever it claims to be.
pub fn image_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() > 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_languages_are_checked() {
        assert!(KbSlug::parse("customers").is_ok());
        assert!(KbSlug::parse("Customers").is_err());
        assert!(KbSlug::parse("a").is_err());
        assert!(KbSlug::parse("-x-").is_err());
        assert_eq!(LanguageTag::parse("pt_br").unwrap().as_str(), "pt-BR");
        assert_eq!(LanguageTag::parse("HU").unwrap().as_str(), "hu");
        assert!(LanguageTag::parse("english").is_err());
        assert!(LanguageTag::parse("en-US-x").is_err());
        assert!(LanguageTag::parse("e1").is_err());
    }

    #[test]
    fn the_default_language_comes_first() {
        let (d, all) = languages(&["en".into(), "hu".into(), "de".into(), "hu".into()], Some("hu")).unwrap();
        assert_eq!(d.as_str(), "hu");
        assert_eq!(all.iter().map(LanguageTag::as_str).collect::<Vec<_>>(), ["hu", "en", "de"]);
        assert!(languages(&["en".into()], Some("de")).is_err());
        assert!(languages(&[], None).is_err());
    }

    #[test]
    fn readers_get_their_language_then_the_default() {
        let now = Timestamp::now();
        let t = |l: &str, s| Translation::checked(LanguageTag::parse(l).unwrap(), "T", "b", s, None, now).unwrap();
        let a = Article {
            id: ArticleId::new(),
            kb_id: KnowledgeBaseId::new(),
            category_id: None,
            tags: vec![],
            position: 0,
            helpful: 0,
            not_helpful: 0,
            created_at: now,
            updated_at: now,
            translations: vec![t("en", ArticleStatus::Published), t("hu", ArticleStatus::Draft)],
        };
        let (en, hu) = (LanguageTag::parse("en").unwrap(), LanguageTag::parse("hu").unwrap());
        let kb = |default: &str, langs: &[&str]| {
            let list: Vec<String> = langs.iter().map(|l| l.to_string()).collect();
            let (default_language, languages) = languages(&list, Some(default)).unwrap();
            KnowledgeBase {
                id: a.kb_id,
                slug: KbSlug::parse("help").unwrap(),
                name: "Help".into(),
                visibility: Visibility::Public,
                default_language,
                languages,
                look: KbLook::default(),
                companies: vec![],
                created_at: now,
                updated_at: now,
            }
        };
        assert_eq!(a.published_for(&hu, &kb("en", &["en", "hu"])).unwrap().language, en, "a draft is not shown");
        assert_eq!(a.published_for(&en, &kb("hu", &["hu", "en"])).unwrap().language, en);
        assert!(a.published_for(&hu, &kb("hu", &["hu", "de"])).is_none(), "English is no longer a language of it");
    }

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
    }

    #[test]
    fn looks_take_only_colours() {
        assert!(KbLook::checked(Some("#1F6FEB"), None, None).unwrap().accent_color.as_deref() == Some("#1f6feb"));
        assert!(KbLook::checked(Some("red;background:url(x)"), None, None).is_err());
    }
}
