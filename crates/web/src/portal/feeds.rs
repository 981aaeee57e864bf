//! What the portal serves besides pages: JSON search for other sites, the sitemap, the look's CSS, images.

use super::*;

#[derive(Serialize)]
pub(super) struct HitJson {
    id: String,
    language: String,
    title: String,
    url: String,
    snippet: Option<String>,
    excerpt: String,
}

/// `GET /kb/<slug>/search?q=…`: JSON when asked with `Accept: application/json` (for the widget and the request
/// form, from any site when the knowledge base is public), else the search page in the reader's language.
pub(super) async fn search_json(
    State(state): State<AppState>,
    Account(ctx): Account,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    portal::limit(&state.app, &ctx, &ip)?;
    let wants_json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    let who = reader(&ctx, &headers).await?;
    let kb = portal::open(&ctx, &slug, who.reader()).await?;
    let lang = reader_language(&kb, q.lang.as_deref(), &headers);
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
pub(super) async fn sitemap(
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
pub(super) async fn look(
    Account(ctx): Account,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let kb = open(&ctx, &headers, &slug).await?;
    let mut css = String::from(":root {");
    if let Some(c) = &kb.look.accent_color {
        css.push_str(&format!(" --kb-accent: {c};"));
    }
    if let Some(c) = &kb.look.header_color {
        css.push_str(&format!(" --kb-header: {c};"));
    }
    css.push_str(" }\n");
    let cache = if kb.visibility == Visibility::Public { "public, max-age=60" } else { "private, max-age=60" };
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, cache)], css).into_response())
}

/// `/kb-images/<id>`: an image of a knowledge base the reader may read (others: not found).
pub(super) async fn image(
    Account(ctx): Account,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = reader(&ctx, &headers).await?;
    let (kb, img, data) = match portal::image(&ctx, &id, who.reader()).await {
        Err(AppError::Unauthenticated) => return Err(PageError::Api(AppError::NotFound.into())),
        other => other?,
    };
    let cache = if kb.visibility == Visibility::Public { "public, max-age=86400" } else { "private, max-age=3600" };
    let mut res =
        ([(header::CONTENT_TYPE, img.content_type.as_str()), (header::CACHE_CONTROL, cache)], data).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    Ok(res)
}
