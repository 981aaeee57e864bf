//! The public knowledge base portal, `/kb/<slug>/` on the account's host: server-rendered pages per language
//! (`/kb/<slug>/<lang>/…`, so each version has its own address for search engines, with `hreflang` alternates,
//! canonical links, Open Graph tags and a sitemap), article search (a page, or JSON for the widget and the request
//! form's suggestions), "was this helpful?", images, a request form that becomes a ticket, and customers' sign-in.

mod feeds;
mod forms;
mod pages;

use crate::error::ApiError;
use crate::extract::{cookie, Account, ClientAddr};
use crate::state::AppState;
use crate::ui::session::{render, PageError, SESSION_COOKIE};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::knowledge::portal::{self, ArticleHit, Reader};
use parley_app::{AccountCtx, AppError, Caller};
use parley_domain::knowledge::{render as markdown, Article, Category, KbSlug, KnowledgeBase, LanguageTag, Visibility};
use parley_i18n::{Arg, Texts};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/portal.css", get(stylesheet))
        .route("/assets/portal.js", get(script))
        .route("/kb/{kb}", get(to_home))
        .route("/kb/{kb}/", get(to_home))
        .route("/kb/{kb}/search", get(feeds::search_json))
        .route("/kb/{kb}/sitemap.xml", get(feeds::sitemap))
        .route("/kb/{kb}/look.css", get(feeds::look))
        .route("/kb-images/{id}", get(feeds::image))
        .route("/kb/{kb}/signin", get(forms::sign_in_form).post(forms::send_link))
        .route("/kb/{kb}/signin/{token}", get(forms::confirm_sign_in).post(forms::sign_in))
        .route("/kb/{kb}/signout", post(forms::sign_out))
        .route("/kb/{kb}/{lang}/", get(pages::home))
        .route("/kb/{kb}/{lang}/categories/{id}", get(pages::category))
        .route("/kb/{kb}/{lang}/articles/{id}", get(pages::article))
        .route("/kb/{kb}/{lang}/articles/{id}/feedback", post(forms::feedback))
        .route("/kb/{kb}/{lang}/search", get(pages::search_page))
        .route("/kb/{kb}/{lang}/request", get(forms::request_form).post(forms::send_request))
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("../../assets/portal.css"))
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("../../assets/portal.js"))
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// Customers' portal session cookie (agents have theirs: `parley_session`).
const CUSTOMER_COOKIE: &str = "parley_customer";

/// Who reads: an agent signed in on this host, a customer signed in to the portal, or anyone.
enum Who {
    Anyone,
    Agent(Caller),
    /// A customer's portal session token, checked against the knowledge base asked for.
    Customer(String),
}

impl Who {
    fn reader(&self) -> Reader<'_> {
        match self {
            Who::Anyone => Reader::Anyone,
            Who::Agent(c) => Reader::Agent(c),
            Who::Customer(token) => Reader::Customer(token),
        }
    }
}

async fn reader(ctx: &AccountCtx, headers: &HeaderMap) -> Result<Who, AppError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        if let Some((agent, _)) = parley_app::auth::session_agent(ctx, token).await? {
            return Ok(Who::Agent(Caller::Agent(agent)));
        }
    }
    Ok(cookie(headers, CUSTOMER_COOKIE).map(str::to_string).map_or(Who::Anyone, Who::Customer))
}

/// The knowledge base at `slug` for this reader. One for agents sends others to the agents' sign-in; one for
/// customers to the portal's.
async fn open(ctx: &AccountCtx, headers: &HeaderMap, slug: &str) -> Result<KnowledgeBase, PageError> {
    let who = reader(ctx, headers).await?;
    match portal::open(ctx, slug, who.reader()).await {
        Err(AppError::Unauthenticated) => {
            let kb = parley_app::knowledge::find(ctx, slug).await?;
            if kb.visibility == Visibility::Customers {
                Err(PageError::Redirect(format!("/kb/{}/signin", kb.slug.as_str())))
            } else {
                Err(PageError::SignIn)
            }
        }
        other => Ok(other?),
    }
}

/// The content language asked in the path: one of the knowledge base's.
fn language(kb: &KnowledgeBase, lang: &str) -> Result<LanguageTag, PageError> {
    LanguageTag::parse(lang).ok().filter(|l| kb.speaks(l)).ok_or(PageError::Api(ApiError::from(AppError::NotFound)))
}

/// The reader's language on a knowledge base where no path names one: `asked` (`?lang=`) when it is one of the
/// knowledge base's, else the first of them the browser accepts, else the knowledge base's default.
fn reader_language(kb: &KnowledgeBase, asked: Option<&str>, headers: &HeaderMap) -> LanguageTag {
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let available: Vec<String> = kb.languages.iter().map(|l| l.as_str().to_string()).collect();
    asked
        .and_then(|l| LanguageTag::parse(l).ok())
        .filter(|l| kb.speaks(l))
        .or_else(|| parley_i18n::preferred(accepted, &available).and_then(|l| LanguageTag::parse(&l).ok()))
        .unwrap_or_else(|| kb.default_language.clone())
}

/// The knowledge base and the content language of a page at `/kb/<slug>/<lang>/…`, for this reader.
async fn opened(
    ctx: &AccountCtx,
    headers: &HeaderMap,
    slug: &str,
    lang: &str,
) -> Result<(KnowledgeBase, LanguageTag), PageError> {
    let kb = open(ctx, headers, slug).await?;
    let lang = language(&kb, lang)?;
    Ok((kb, lang))
}

/// `/kb/<slug>/`: to the reader's language, when the knowledge base has it, else its default.
async fn to_home(Account(ctx): Account, headers: HeaderMap, Path(slug): Path<String>) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = reader_language(&kb, None, &headers);
    let mut res = Redirect::to(&format!("/kb/{}/{}/", kb.slug.as_str(), lang.as_str())).into_response();
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(res)
}

/// One of the knowledge base's languages, for the language switcher and `hreflang` links.
pub(crate) struct Alternate {
    code: String,
    name: String,
    href: String,
}

/// What every portal page shows: the knowledge base, its look, the language, the texts, the switcher.
pub(crate) struct Frame {
    kb_name: String,
    slug: String,
    lang: String,
    /// The language as Open Graph writes it (`pt_BR`).
    og_locale: String,
    t: Texts,
    base: String,
    canonical: String,
    alternates: Vec<Alternate>,
    logo: Option<String>,
    public: bool,
    query: String,
}

fn language_name(code: &str) -> String {
    parley_i18n::LANGUAGES
        .iter()
        .find(|l| code.split('-').next() == Some(l.code))
        .map(|l| l.name.to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The frame of a page at `path` (after `/kb/<slug>/<lang>`), offered in `langs`.
fn frame(
    state: &AppState,
    ctx: &AccountCtx,
    kb: &KnowledgeBase,
    lang: &LanguageTag,
    path: &str,
    langs: &[LanguageTag],
) -> Frame {
    let base = state.app.settings.account_url(ctx.slug.as_str());
    let slug = kb.slug.as_str().to_string();
    let href = |l: &LanguageTag| format!("{base}/kb/{slug}/{}{path}", l.as_str());
    Frame {
        kb_name: kb.name.clone(),
        lang: lang.as_str().to_string(),
        og_locale: lang.as_str().replace('-', "_"),
        t: Texts::of(parley_i18n::known(lang.as_str()).unwrap_or("en")),
        canonical: href(lang),
        alternates: langs
            .iter()
            .map(|l| Alternate { code: l.as_str().to_string(), name: language_name(l.as_str()), href: href(l) })
            .collect(),
        logo: kb.look.logo.map(|id| format!("/kb-images/{id}")),
        public: kb.visibility == Visibility::Public,
        base,
        slug,
        query: String::new(),
    }
}

/// A portal page: public ones may be cached a little and carry remote images; others stay private.
fn page<T: Template>(t: &T, public: bool) -> Response {
    let mut res = render(t);
    crate::ui::session::allow_remote_images(&mut res);
    if public {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    }
    res
}

pub(crate) struct ArticleLink {
    href: String,
    title: String,
}

fn slugify(title: &str) -> String {
    let words: Vec<String> = parley_domain::search::words(title).take(8).collect();
    words.join("-")
}

fn article_link(kb: &KnowledgeBase, lang: &LanguageTag, a: &Article) -> Option<ArticleLink> {
    let t = a.published_for(lang, kb)?;
    Some(ArticleLink {
        href: format!("/kb/{}/{}/articles/{}-{}", kb.slug.as_str(), lang.as_str(), a.id, slugify(&t.title)),
        title: t.title.clone(),
    })
}

pub(crate) struct Section {
    href: String,
    name: String,
    description: Option<String>,
    articles: Vec<ArticleLink>,
    count: String,
    inner: Vec<Section>,
}

fn section(
    kb: &KnowledgeBase,
    lang: &LanguageTag,
    t: Texts,
    c: &Category,
    all: &[Category],
    articles: &[Article],
) -> Section {
    let text = c.text(lang.as_str(), kb.default_language.as_str());
    let links: Vec<ArticleLink> =
        articles.iter().filter(|a| a.category_id == Some(c.id)).filter_map(|a| article_link(kb, lang, a)).collect();
    let inner: Vec<Section> =
        all.iter().filter(|x| x.parent_id == Some(c.id)).map(|x| section(kb, lang, t, x, &[], articles)).collect();
    let n = links.len() + inner.iter().map(|s| s.articles.len()).sum::<usize>();
    Section {
        href: format!("/kb/{}/{}/categories/{}", kb.slug.as_str(), lang.as_str(), c.id),
        name: text.map(|x| x.name.clone()).unwrap_or_default(),
        description: text.and_then(|x| x.description.clone()),
        count: t.with("portal-articles-count", &[("count", Arg::Number(n as i64))]),
        articles: links,
        inner,
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
    limit: Option<u32>,
    as_you_type: Option<bool>,
}

fn hit_href(kb: &KnowledgeBase, h: &ArticleHit) -> String {
    format!("/kb/{}/{}/articles/{}-{}", kb.slug.as_str(), h.language.as_str(), h.id, slugify(&h.title))
}
