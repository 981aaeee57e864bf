//! The public knowledge base portal, `/kb/<slug>/` on the account's host: server-rendered pages per language
//! (`/kb/<slug>/<lang>/…`, so each version has its own address for search engines, with `hreflang` alternates,
//! canonical links, Open Graph tags and a sitemap), article search (a page, or JSON for the widget and the request
//! form's suggestions), "was this helpful?", images, and a request form that becomes a ticket.

use crate::error::ApiError;
use crate::extract::{Account, ClientAddr};
use crate::state::AppState;
use crate::ui::session::{render, PageError, SESSION_COOKIE};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use parley_app::knowledge::customers;
use parley_app::knowledge::portal::{self, ArticleHit, Reader};
use parley_app::{AccountCtx, AppError, Caller};
use parley_domain::ids::ContactId;
use parley_domain::knowledge::{render as markdown, Article, Category, KbSlug, KnowledgeBase, LanguageTag, Visibility};
use parley_i18n::{Arg, Texts};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/portal.css", get(stylesheet))
        .route("/assets/portal.js", get(script))
        .route("/kb/{kb}", get(to_home))
        .route("/kb/{kb}/", get(to_home))
        .route("/kb/{kb}/search", get(search_json))
        .route("/kb/{kb}/sitemap.xml", get(sitemap))
        .route("/kb/{kb}/look.css", get(look))
        .route("/kb/{kb}/images/{id}", get(image))
        .route("/kb/{kb}/signin", get(sign_in_form).post(send_link))
        .route("/kb/{kb}/signin/{token}", get(sign_in))
        .route("/kb/{kb}/signout", post(sign_out))
        .route("/kb/{kb}/{lang}/", get(home))
        .route("/kb/{kb}/{lang}/categories/{id}", get(category))
        .route("/kb/{kb}/{lang}/articles/{id}", get(article))
        .route("/kb/{kb}/{lang}/articles/{id}/feedback", post(feedback))
        .route("/kb/{kb}/{lang}/search", get(search_page))
        .route("/kb/{kb}/{lang}/request", get(request_form).post(send_request))
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("../assets/portal.css"))
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("../assets/portal.js"))
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
    Customer(ContactId),
}

impl Who {
    fn reader(&self) -> Reader<'_> {
        match self {
            Who::Anyone => Reader::Anyone,
            Who::Agent(c) => Reader::Agent(c),
            Who::Customer(c) => Reader::Customer(*c),
        }
    }
}

async fn reader(ctx: &AccountCtx, headers: &HeaderMap) -> Result<Who, AppError> {
    if let Some(token) = cookie_of(headers, SESSION_COOKIE) {
        if let Some((agent, _)) = parley_app::auth::session_agent(ctx, &token).await? {
            return Ok(Who::Agent(Caller::Agent(agent)));
        }
    }
    if let Some(token) = cookie_of(headers, CUSTOMER_COOKIE) {
        if let Some(contact) = customers::customer(ctx, &token).await? {
            return Ok(Who::Customer(contact));
        }
    }
    Ok(Who::Anyone)
}

fn cookie_of(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').find_map(|kv| kv.trim().strip_prefix(name)?.strip_prefix('=').map(str::to_string)))
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

/// `/kb/<slug>/`: to the reader's language, when the knowledge base has it, else its default.
async fn to_home(Account(ctx): Account, headers: HeaderMap, Path(slug): Path<String>) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let available: Vec<String> = kb.languages.iter().map(|l| l.as_str().to_string()).collect();
    let lang = parley_i18n::preferred(accepted, &available).unwrap_or_else(|| kb.default_language.as_str().into());
    let mut res = Redirect::to(&format!("/kb/{}/{lang}/", kb.slug.as_str())).into_response();
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
        logo: kb.look.logo.map(|id| format!("/kb/{slug}/images/{id}")),
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
    let t = a.published_for(lang, &kb.default_language)?;
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

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    f: Frame,
    sections: Vec<Section>,
    loose: Vec<ArticleLink>,
}

async fn home(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let shelf = portal::shelf(&ctx, &kb).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/", &kb.languages);
    let tops: Vec<&Category> = shelf.categories.iter().filter(|c| c.parent_id.is_none()).collect();
    let sections = tops.iter().map(|c| section(&kb, &lang, f.t, c, &shelf.categories, &shelf.articles)).collect();
    let loose =
        shelf.articles.iter().filter(|a| a.category_id.is_none()).filter_map(|a| article_link(&kb, &lang, a)).collect();
    Ok(page(&HomePage { f, sections, loose }, kb.visibility == Visibility::Public))
}

#[derive(Template)]
#[template(path = "portal_category.html")]
struct CategoryPage {
    f: Frame,
    s: Section,
}

async fn category(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang, id)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let shelf = portal::shelf(&ctx, &kb).await?;
    let c =
        shelf.categories.iter().find(|c| c.id.to_string() == id).ok_or(PageError::Api(AppError::NotFound.into()))?;
    let f = frame(&state, &ctx, &kb, &lang, &format!("/categories/{}", c.id), &kb.languages);
    let s = section(&kb, &lang, f.t, c, &shelf.categories, &shelf.articles);
    Ok(page(&CategoryPage { f, s }, kb.visibility == Visibility::Public))
}

#[derive(Template)]
#[template(path = "portal_article.html")]
struct ArticlePage {
    f: Frame,
    title: String,
    html: String,
    description: String,
    updated: String,
    other_language: bool,
    feedback_action: String,
    voted: bool,
    helpful_line: Option<String>,
    category: Option<(String, String)>,
}

#[derive(Deserialize)]
struct ArticleQuery {
    voted: Option<String>,
}

async fn article(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang, id)): Path<(String, String, String)>,
    Query(q): Query<ArticleQuery>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let id: String = id.chars().take(36).collect();
    let a = portal::article(&ctx, &kb, &id).await?;
    let Some(t) = a.published_for(&lang, &kb.default_language) else {
        return Err(PageError::Api(AppError::NotFound.into()));
    };
    // Every language the article is published in has its own address; the others show the default's version.
    let published: Vec<LanguageTag> = kb
        .languages
        .iter()
        .filter(|l| a.translation(l).is_some_and(|t| t.status == parley_domain::knowledge::ArticleStatus::Published))
        .cloned()
        .collect();
    let path = format!("/articles/{}-{}", a.id, slugify(&t.title));
    let mut f = frame(&state, &ctx, &kb, &lang, &path, &published);
    if t.language != lang {
        f.canonical = format!("{}/kb/{}/{}{path}", f.base, f.slug, t.language.as_str());
    }
    let total = a.helpful + a.not_helpful;
    let helpful_line = (total > 0).then(|| {
        f.t.with("portal-helpful-count", &[("helpful", Arg::Number(a.helpful)), ("total", Arg::Number(total))])
    });
    let categories = ctx.store.categories(ctx.account_id, kb.id).await.map_err(AppError::from)?;
    let category = a.category_id.and_then(|c| categories.iter().find(|x| x.id == c)).and_then(|c| {
        let text = c.text(lang.as_str(), kb.default_language.as_str())?;
        Some((format!("/kb/{}/{}/categories/{}", f.slug, f.lang, c.id), text.name.clone()))
    });
    let text = parley_domain::knowledge::plain_text(&t.body);
    let p = ArticlePage {
        title: t.title.clone(),
        html: markdown(&t.body),
        description: text.chars().take(160).collect::<String>().replace('\n', " "),
        updated: {
            let day: String = t.updated_at.to_rfc3339().chars().take(10).collect();
            f.t.with("portal-updated", &[("date", Arg::Text(&day))])
        },
        other_language: t.language != lang,
        feedback_action: format!("/kb/{}/{}/articles/{}/feedback", f.slug, f.lang, a.id),
        voted: q.voted.is_some(),
        helpful_line,
        category,
        f,
    };
    Ok(page(&p, kb.visibility == Visibility::Public))
}

#[derive(Deserialize)]
struct FeedbackForm {
    helpful: String,
}

/// Counts the answer once per browser and article (a cookie remembers it), and goes back to the article.
async fn feedback(
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang, id)): Path<(String, String, String)>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(PageError::Api(
                AppError::from(parley_domain::Invalid::field("helpful", "must be yes or no")).into(),
            ))
        }
    };
    let voted = cookie_of(&headers, "parley_kb_voted").unwrap_or_default();
    let mut ids: Vec<&str> = voted.split('.').filter(|s| s.len() == 36).collect();
    if !ids.contains(&id.as_str()) {
        portal::feedback(&ctx, &kb, &id, helpful).await?;
        ids.push(&id);
    }
    let keep = ids.iter().rev().take(40).copied().collect::<Vec<_>>().join(".");
    let mut res =
        Redirect::to(&format!("/kb/{}/{}/articles/{id}?voted=1", kb.slug.as_str(), lang.as_str())).into_response();
    let cookie = format!("parley_kb_voted={keep}; Path=/kb/; HttpOnly; SameSite=Lax; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    lang: Option<String>,
    limit: Option<u32>,
    as_you_type: Option<bool>,
}

#[derive(Template)]
#[template(path = "portal_search.html")]
struct SearchPage {
    f: Frame,
    heading: String,
    hits: Vec<HitView>,
    error: Option<String>,
}

pub(crate) struct HitView {
    href: String,
    title: String,
    snippet: Option<String>,
    excerpt: String,
}

fn hit_href(kb: &KnowledgeBase, h: &ArticleHit) -> String {
    format!("/kb/{}/{}/articles/{}-{}", kb.slug.as_str(), h.language.as_str(), h.id, slugify(&h.title))
}

async fn search_page(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let mut f = frame(&state, &ctx, &kb, &lang, "/search", &kb.languages);
    let query = q.q.unwrap_or_default();
    f.query = query.clone();
    let (hits, error) = if query.trim().is_empty() {
        (Vec::new(), None)
    } else {
        match portal::search(&ctx, &kb, &lang, &query, false, 20).await {
            Ok(h) => (h, None),
            Err(AppError::Invalid(e)) => (Vec::new(), Some(e.to_string())),
            Err(e) => return Err(e.into()),
        }
    };
    let heading = if hits.is_empty() && !query.trim().is_empty() {
        f.t.with("portal-no-results", &[("query", Arg::Text(&query))])
    } else {
        f.t.with("portal-search-results", &[("query", Arg::Text(&query))])
    };
    let hits = hits
        .iter()
        .map(|h| HitView {
            href: hit_href(&kb, h),
            title: h.title.clone(),
            snippet: h.snippet.clone(),
            excerpt: h.excerpt.clone(),
        })
        .collect();
    // Search results are not for search engines' indexes, and differ by query: never cached publicly.
    Ok(page(&SearchPage { f, heading, hits, error }, false))
}

#[derive(Serialize)]
struct HitJson {
    id: String,
    language: String,
    title: String,
    url: String,
    snippet: Option<String>,
    excerpt: String,
}

/// `GET /kb/<slug>/search?q=…`: JSON when asked with `Accept: application/json` (for the widget and the request
/// form, from any site when the knowledge base is public), else the search page in the reader's language.
async fn search_json(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    let wants_json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    let who = reader(&ctx, &headers).await?;
    let kb = portal::open(&ctx, &slug, who.reader()).await?;
    let lang = q
        .lang
        .as_deref()
        .and_then(|l| LanguageTag::parse(l).ok())
        .filter(|l| kb.speaks(l))
        .or_else(|| {
            let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let available: Vec<String> = kb.languages.iter().map(|l| l.as_str().to_string()).collect();
            parley_i18n::preferred(accepted, &available).and_then(|l| LanguageTag::parse(&l).ok())
        })
        .unwrap_or_else(|| kb.default_language.clone());
    let query = q.q.unwrap_or_default();
    if !wants_json {
        let to = format!("/kb/{}/{}/search?q={}", kb.slug.as_str(), lang.as_str(), crate::query::encode(&query));
        return Ok(Redirect::to(&to).into_response());
    }
    let hits = if query.trim().is_empty() {
        Vec::new()
    } else {
        portal::search(&ctx, &kb, &lang, &query, q.as_you_type.unwrap_or(false), q.limit.unwrap_or(10)).await?
    };
    let base = state.app.settings.account_url(ctx.slug.as_str());
    let results: Vec<HitJson> = hits
        .iter()
        .map(|h| HitJson {
            id: h.id.to_string(),
            language: h.language.as_str().to_string(),
            url: format!("{base}{}", hit_href(&kb, h)),
            title: h.title.clone(),
            snippet: h.snippet.clone(),
            excerpt: h.excerpt.clone(),
        })
        .collect();
    let mut res = Json(serde_json::json!({ "results": results })).into_response();
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept, Accept-Language, Cookie"));
    if kb.visibility == Visibility::Public {
        // Public articles, read without cookies: any site may show them (the chat widget does).
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    Ok(res)
}

/// `sitemap.xml` of a public knowledge base: every language's home and every published version, each with its
/// alternates in the other languages.
async fn sitemap(
    State(state): State<AppState>,
    Account(ctx): Account,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let kb = portal::open(&ctx, &slug, Reader::Anyone).await.map_err(|_| ApiError::from(AppError::NotFound))?;
    let shelf = portal::shelf(&ctx, &kb).await?;
    let base = format!("{}/kb/{}", state.app.settings.account_url(ctx.slug.as_str()), kb.slug.as_str());
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let entry = |xml: &mut String, urls: &[(String, String)], modified: Option<String>| {
        for (_, loc) in urls {
            xml.push_str(&format!("<url><loc>{}</loc>", xml_escape(loc)));
            if let Some(m) = &modified {
                xml.push_str(&format!("<lastmod>{m}</lastmod>"));
            }
            for (lang, href) in urls {
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}\"/>",
                    xml_escape(href)
                ));
            }
            xml.push_str("</url>\n");
        }
    };
    let homes: Vec<(String, String)> =
        kb.languages.iter().map(|l| (l.as_str().to_string(), format!("{base}/{}/", l.as_str()))).collect();
    entry(&mut xml, &homes, None);
    for a in &shelf.articles {
        let versions: Vec<(String, String)> = a
            .translations
            .iter()
            .filter(|t| t.status == parley_domain::knowledge::ArticleStatus::Published && kb.speaks(&t.language))
            .map(|t| {
                let l = t.language.as_str();
                (l.to_string(), format!("{base}/{l}/articles/{}-{}", a.id, slugify(&t.title)))
            })
            .collect();
        entry(&mut xml, &versions, Some(a.updated_at.to_rfc3339().chars().take(10).collect()));
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        xml,
    )
        .into_response())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The knowledge base's colours as CSS variables (checked `#rrggbb` values only, so nothing else gets in).
async fn look(Account(ctx): Account, headers: HeaderMap, Path(slug): Path<String>) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let mut css = String::from(":root {");
    if let Some(c) = &kb.look.accent_color {
        css.push_str(&format!(" --kb-accent: {c};"));
    }
    if let Some(c) = &kb.look.header_color {
        css.push_str(&format!(" --kb-header: {c};"));
    }
    css.push_str(" }\n");
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=60")], css)
        .into_response())
}

async fn image(
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let (img, data) = portal::image(&ctx, &kb, &id).await?;
    let cache = if kb.visibility == Visibility::Public { "public, max-age=86400" } else { "private, max-age=3600" };
    let mut res =
        ([(header::CONTENT_TYPE, img.content_type.as_str()), (header::CACHE_CONTROL, cache)], data).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(res)
}

#[derive(Template)]
#[template(path = "portal_request.html")]
struct RequestPage {
    f: Frame,
    sent: Option<String>,
    error: Option<String>,
    name: String,
    email: String,
    subject: String,
    message: String,
}

async fn request_form(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let f = frame(&state, &ctx, &kb, &lang, "/request", &kb.languages);
    let p = RequestPage {
        f,
        sent: None,
        error: None,
        name: String::new(),
        email: String::new(),
        subject: String::new(),
        message: String::new(),
    };
    Ok(page(&p, false))
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    name: String,
    email: String,
    subject: String,
    message: String,
}

/// The request form: a ticket from the address given (channel `web`), answered by email; limited per client
/// address like the chat's offline form.
async fn send_request(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let lang = language(&kb, &lang)?;
    let f = frame(&state, &ctx, &kb, &lang, "/request", &kb.languages);
    let input = parley_app::chat::presence::OfflineMessage {
        subject: Some(form.subject.clone()),
        name: Some(form.name.clone()),
        email: form.email.clone(),
        body: form.message.clone(),
        department_id: None,
    };
    let (sent, error, status) = match parley_app::chat::presence::leave_message(&state.app, &ctx, &ip, input).await {
        Ok(n) => (Some(f.t.with("portal-request-sent", &[("number", Arg::Number(n.0))])), None, StatusCode::CREATED),
        Err(AppError::Invalid(e)) => (None, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(e.into()),
    };
    let keep = sent.is_none();
    let p = RequestPage {
        f,
        sent,
        error,
        name: if keep { form.name } else { String::new() },
        email: if keep { form.email } else { String::new() },
        subject: if keep { form.subject } else { String::new() },
        message: if keep { form.message } else { String::new() },
    };
    Ok((status, page(&p, false)).into_response())
}

#[derive(Template)]
#[template(path = "portal_signin.html")]
struct SignInPage {
    f: Frame,
    sent: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct LangParam {
    lang: Option<String>,
}

/// The knowledge base for customers (only such a one has a sign-in) and the reader's language on it.
async fn signing_in(
    ctx: &AccountCtx,
    slug: &str,
    asked: Option<&str>,
    headers: &HeaderMap,
) -> Result<(KnowledgeBase, LanguageTag), PageError> {
    let kb = parley_app::knowledge::find(ctx, slug).await?;
    if kb.visibility != Visibility::Customers || KbSlug::parse(slug).is_err() {
        return Err(PageError::Api(AppError::NotFound.into()));
    }
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let available: Vec<String> = kb.languages.iter().map(|l| l.as_str().to_string()).collect();
    let lang = asked
        .and_then(|l| LanguageTag::parse(l).ok())
        .filter(|l| kb.speaks(l))
        .or_else(|| parley_i18n::preferred(accepted, &available).and_then(|l| LanguageTag::parse(&l).ok()))
        .unwrap_or_else(|| kb.default_language.clone());
    Ok((kb, lang))
}

async fn sign_in_form(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<LangParam>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, q.lang.as_deref(), &headers).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
    Ok(page(&SignInPage { f, sent: false, error: None }, false))
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    lang: Option<String>,
}

/// Mails a link when the address is a contact's; the answer is the same for every address.
async fn send_link(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, form.lang.as_deref(), &headers).await?;
    let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
    customers::send_link(&state.app, &ctx, &kb, &form.email, lang.as_str(), &ip).await?;
    Ok(page(&SignInPage { f, sent: true, error: None }, false))
}

/// A mailed link: a session cookie, then the knowledge base.
async fn sign_in(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, token)): Path<(String, String)>,
    Query(q): Query<LangParam>,
) -> Result<Response, PageError> {
    let (kb, lang) = signing_in(&ctx, &slug, q.lang.as_deref(), &headers).await?;
    match customers::sign_in(&ctx, &token).await {
        Ok(session) => {
            let mut res = Redirect::to(&format!("/kb/{}/{}/", kb.slug.as_str(), lang.as_str())).into_response();
            let max_age = customers::SESSION_DAYS * 24 * 3600;
            let cookie = crate::ui::session::cookie_header(&state, CUSTOMER_COOKIE, &session, max_age);
            res.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(AppError::Invalid(e)) => {
            let f = frame(&state, &ctx, &kb, &lang, "/", &[]);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&SignInPage { f, sent: false, error: Some(e.to_string()) }, false),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends the customer's portal session.
async fn sign_out(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    if let Some(token) = cookie_of(&headers, CUSTOMER_COOKIE) {
        customers::sign_out(&ctx, &token).await?;
    }
    let mut res =
        Redirect::to(&format!("/kb/{}/signin", KbSlug::parse(&slug).map_err(AppError::from)?.as_str())).into_response();
    res.headers_mut().insert(header::SET_COOKIE, crate::ui::session::cookie_header(&state, CUSTOMER_COOKIE, "", 0));
    Ok(res)
}
