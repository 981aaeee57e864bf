//! The portal's pages: home, category, article, search results.

use super::*;

#[derive(Template)]
#[template(path = "portal_home.html")]
pub(super) struct HomePage {
    f: Frame,
    sections: Vec<Section>,
    loose: Vec<ArticleLink>,
}

pub(super) async fn home(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
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
pub(super) struct CategoryPage {
    f: Frame,
    s: Section,
}

pub(super) async fn category(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang, id)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
    let shelf = portal::shelf(&ctx, &kb).await?;
    let c =
        shelf.categories.iter().find(|c| c.id.to_string() == id).ok_or(PageError::Api(AppError::NotFound.into()))?;
    let f = frame(&state, &ctx, &kb, &lang, &format!("/categories/{}", c.id), &kb.languages);
    let s = section(&kb, &lang, f.t, c, &shelf.categories, &shelf.articles);
    Ok(page(&CategoryPage { f, s }, kb.visibility == Visibility::Public))
}

#[derive(Template)]
#[template(path = "portal_article.html")]
pub(super) struct ArticlePage {
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
pub(super) struct ArticleQuery {
    voted: Option<String>,
}

pub(super) async fn article(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang, id)): Path<(String, String, String)>,
    Query(q): Query<ArticleQuery>,
) -> Result<Response, PageError> {
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
    let id: String = id.chars().take(36).collect();
    let a = portal::article(&ctx, &kb, &id).await?;
    let Some(t) = a.published_for(&lang, &kb) else {
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

#[derive(Template)]
#[template(path = "portal_search.html")]
pub(super) struct SearchPage {
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

pub(super) async fn search_page(
    State(state): State<AppState>,
    Account(ctx): Account,
    headers: HeaderMap,
    Path((slug, lang)): Path<(String, String)>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let (kb, lang) = opened(&ctx, &headers, &slug, &lang).await?;
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
