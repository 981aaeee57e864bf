//! The agents' knowledge base pages: the account's knowledge bases (administrators create them), one knowledge
//! base's categories and articles, and an article's editor with a version per language and a preview.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::knowledge::articles::{self, ArticleInput};
use parley_app::knowledge::categories::{self, CategoryInput};
use parley_app::knowledge::{self, KbInput};
use parley_domain::knowledge::{render as markdown, ArticleStatus, Category, KnowledgeBase, LanguageTag};
use serde::Deserialize;

pub(crate) struct KbRow {
    slug: String,
    name: String,
    visibility: &'static str,
    languages: String,
    portal: String,
}

#[derive(Template)]
#[template(path = "knowledge.html")]
struct KnowledgePage {
    shell: Shell,
    csrf: String,
    bases: Vec<KbRow>,
}

pub(crate) async fn list(State(state): State<AppState>, s: AgentSession) -> Result<Response, PageError> {
    let base = state.app.settings.account_url(s.ctx.slug.as_str());
    let bases = knowledge::list(&s.ctx)
        .await?
        .into_iter()
        .map(|kb| KbRow {
            portal: format!("{base}/kb/{}/", kb.slug.as_str()),
            slug: kb.slug.as_str().to_string(),
            name: kb.name,
            visibility: kb.visibility.as_str(),
            languages: kb.languages.iter().map(LanguageTag::as_str).collect::<Vec<_>>().join(", "),
        })
        .collect();
    Ok(render(&KnowledgePage {
        shell: Shell::build(&s, "knowledge", None).await?,
        csrf: s.session.csrf_token.clone(),
        bases,
    }))
}

#[derive(Deserialize)]
pub(crate) struct NewKbForm {
    slug: String,
    name: String,
    visibility: String,
    languages: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

fn tags_of(list: &str) -> Vec<String> {
    list.split([',', ' ']).map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
}

pub(crate) async fn create(s: AgentSession, Form(f): Form<NewKbForm>) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let input = KbInput {
        slug: Some(f.slug),
        name: Some(f.name),
        visibility: Some(f.visibility),
        languages: Some(tags_of(&f.languages)),
        ..Default::default()
    };
    let kb = knowledge::create(&s.ctx, &s.caller(), input).await?;
    Ok(Redirect::to(&format!("/knowledge/{}", kb.slug.as_str())).into_response())
}

pub(crate) struct CategoryRow {
    id: String,
    name: String,
    /// Its top category's name, for a section.
    within: Option<String>,
}

pub(crate) struct ArticleRow {
    href: String,
    title: String,
    versions: String,
    category: String,
    updated: String,
    feedback: String,
}

#[derive(Template)]
#[template(path = "knowledge_base.html")]
struct KnowledgeBasePage {
    shell: Shell,
    csrf: String,
    name: String,
    slug: String,
    portal: String,
    categories: Vec<CategoryRow>,
    tops: Vec<CategoryRow>,
    articles: Vec<ArticleRow>,
}

fn category_name(kb: &KnowledgeBase, c: &Category) -> String {
    let d = kb.default_language.as_str();
    c.text(d, d).map(|t| t.name.clone()).unwrap_or_default()
}

fn category_rows(kb: &KnowledgeBase, all: &[Category]) -> Vec<CategoryRow> {
    all.iter()
        .map(|c| CategoryRow {
            id: c.id.to_string(),
            name: category_name(kb, c),
            within: c.parent_id.and_then(|p| all.iter().find(|x| x.id == p)).map(|p| category_name(kb, p)),
        })
        .collect()
}

pub(crate) async fn show(
    State(state): State<AppState>,
    s: AgentSession,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let kb = knowledge::find(&s.ctx, &slug).await?;
    let all = categories::list(&s.ctx, &slug).await?;
    let categories = category_rows(&kb, &all);
    let tops = categories
        .iter()
        .filter(|c| c.within.is_none())
        .map(|c| CategoryRow { id: c.id.clone(), name: c.name.clone(), within: None })
        .collect();
    let articles = articles::list(&s.ctx, &slug)
        .await?
        .into_iter()
        .map(|a| {
            let title = a
                .translation(&kb.default_language)
                .or(a.translations.first())
                .map(|t| t.title.clone())
                .unwrap_or_default();
            let versions = a
                .translations
                .iter()
                .map(|t| format!("{} ({})", t.language.as_str(), t.status.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            ArticleRow {
                href: format!("/knowledge/{}/articles/{}", kb.slug.as_str(), a.id),
                title,
                versions,
                category: a
                    .category_id
                    .and_then(|c| all.iter().find(|x| x.id == c))
                    .map(|c| category_name(&kb, c))
                    .unwrap_or_default(),
                updated: a.updated_at.to_display(),
                feedback: format!("{} helpful, {} not", a.helpful, a.not_helpful),
            }
        })
        .collect();
    Ok(render(&KnowledgeBasePage {
        shell: Shell::build(&s, "knowledge", None).await?,
        csrf: s.session.csrf_token.clone(),
        portal: format!("{}/kb/{}/", state.app.settings.account_url(s.ctx.slug.as_str()), kb.slug.as_str()),
        name: kb.name,
        slug: kb.slug.as_str().to_string(),
        categories,
        tops,
        articles,
    }))
}

#[derive(Deserialize)]
pub(crate) struct CategoryForm {
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn add_category(
    s: AgentSession,
    Path(slug): Path<String>,
    Form(f): Form<CategoryForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let input =
        CategoryInput { name: Some(f.name), parent: (!f.parent.is_empty()).then_some(f.parent), ..Default::default() };
    categories::create(&s.ctx, &s.caller(), &slug, input).await?;
    Ok(Redirect::to(&format!("/knowledge/{slug}")).into_response())
}

pub(crate) struct LanguageTab {
    code: String,
    href: String,
    current: bool,
    state: String,
}

#[derive(Template)]
#[template(path = "knowledge_article.html")]
struct ArticlePage {
    shell: Shell,
    csrf: String,
    kb_name: String,
    kb_href: String,
    action: String,
    lang: String,
    tabs: Vec<LanguageTab>,
    title: String,
    body: String,
    published: bool,
    tags: String,
    categories: Vec<CategoryRow>,
    category: String,
    preview: Option<String>,
    portal: Option<String>,
    is_new: bool,
}

#[derive(Deserialize)]
pub(crate) struct LangQuery {
    lang: Option<String>,
}

/// The editor: a new article (`id` = `new`) or a version of one, in `?lang=` (the default language otherwise).
pub(crate) async fn edit(
    State(state): State<AppState>,
    s: AgentSession,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<LangQuery>,
) -> Result<Response, PageError> {
    let kb = knowledge::find(&s.ctx, &slug).await?;
    let lang = q
        .lang
        .as_deref()
        .and_then(|l| LanguageTag::parse(l).ok())
        .filter(|l| kb.speaks(l))
        .unwrap_or_else(|| kb.default_language.clone());
    let all = categories::list(&s.ctx, &slug).await?;
    let article = if id == "new" { None } else { Some(articles::get(&s.ctx, &slug, &id).await?.1) };
    let version = article.as_ref().and_then(|a| a.translation(&lang));
    let kb_href = format!("/knowledge/{}", kb.slug.as_str());
    let tabs = kb
        .languages
        .iter()
        .map(|l| LanguageTab {
            code: l.as_str().to_string(),
            href: format!("{kb_href}/articles/{id}?lang={}", l.as_str()),
            current: *l == lang,
            state: article
                .as_ref()
                .and_then(|a| a.translation(l))
                .map(|t| t.status.as_str().to_string())
                .unwrap_or_else(|| "not written".into()),
        })
        .collect();
    let base = state.app.settings.account_url(s.ctx.slug.as_str());
    let page = ArticlePage {
        shell: Shell::build(&s, "knowledge", None).await?,
        csrf: s.session.csrf_token.clone(),
        kb_name: kb.name.clone(),
        action: match &article {
            Some(a) => format!("{kb_href}/articles/{}", a.id),
            None => format!("{kb_href}/articles"),
        },
        lang: lang.as_str().to_string(),
        tabs: if article.is_some() { tabs } else { Vec::new() },
        title: version.map(|t| t.title.clone()).unwrap_or_default(),
        body: version.map(|t| t.body.clone()).unwrap_or_default(),
        published: version.is_some_and(|t| t.status == ArticleStatus::Published),
        tags: article
            .as_ref()
            .map(|a| a.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        categories: category_rows(&kb, &all),
        category: article.as_ref().and_then(|a| a.category_id).map(|c| c.to_string()).unwrap_or_default(),
        preview: version.map(|t| markdown(&t.body)),
        portal: version
            .filter(|t| t.status == ArticleStatus::Published)
            .zip(article.as_ref())
            .map(|(t, a)| format!("{base}/kb/{}/{}/articles/{}", kb.slug.as_str(), t.language.as_str(), a.id)),
        is_new: article.is_none(),
        kb_href,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub(crate) struct ArticleForm {
    lang: String,
    title: String,
    body: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

impl ArticleForm {
    fn input(self) -> ArticleInput {
        ArticleInput {
            title: Some(self.title),
            body: Some(self.body),
            language: Some(self.lang),
            status: Some(if self.published.is_some() { "published" } else { "draft" }.into()),
            category: Some(self.category),
            tags: Some(tags_of(&self.tags)),
            position: None,
        }
    }
}

pub(crate) async fn create_article(
    s: AgentSession,
    Path(slug): Path<String>,
    Form(f): Form<ArticleForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let lang = f.lang.clone();
    let a = articles::create(&s.ctx, &s.caller(), &slug, f.input()).await?;
    let to =
        format!("/knowledge/{}/articles/{}?lang={}", crate::query::encode(&slug), a.id, crate::query::encode(&lang));
    Ok(Redirect::to(&to).into_response())
}

pub(crate) async fn save_article(
    s: AgentSession,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<ArticleForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let lang = f.lang.clone();
    articles::update(&s.ctx, &s.caller(), &slug, &id, f.input()).await?;
    Ok(Redirect::to(&format!("/knowledge/{slug}/articles/{id}?lang={}", crate::query::encode(&lang))).into_response())
}
