//! `/api/v1/knowledge-bases`: knowledge bases, their categories, articles (a version per language) and images.
//! `{kb}` is a knowledge base's id or its slug.

use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use parley_app::knowledge::articles::{self, ArticleInput};
use parley_app::knowledge::categories::{self, CategoryInput};
use parley_app::knowledge::{self, KbInput};
use parley_domain::ids::{AgentId, ArticleId, CategoryId, CompanyId, KbImageId, KnowledgeBaseId};
use parley_domain::knowledge::{
    render, Article, ArticleStatus, Category, CategoryText, KbLook, KnowledgeBase, Visibility,
};
use parley_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) fn router(max_file_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/knowledge-bases", get(list).post(create))
        .route("/knowledge-bases/{kb}", get(show).patch(update).delete(remove))
        .route("/knowledge-bases/{kb}/categories", get(list_categories).post(create_category))
        .route("/knowledge-bases/{kb}/categories/{id}", patch(update_category).delete(remove_category))
        .route("/knowledge-bases/{kb}/articles", get(list_articles).post(create_article))
        .route("/knowledge-bases/{kb}/articles/{id}", get(show_article).patch(update_article).delete(remove_article))
        .route("/knowledge-bases/{kb}/articles/{id}/translations/{language}", delete(remove_version))
        .route(
            "/knowledge-bases/{kb}/images",
            post(add_image).layer(axum::extract::DefaultBodyLimit::max(max_file_bytes + 1024)),
        )
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct KnowledgeBaseOut {
    id: KnowledgeBaseId,
    slug: String,
    name: String,
    visibility: Visibility,
    default_language: String,
    languages: Vec<String>,
    look: KbLook,
    /// For a knowledge base for customers: the companies whose contacts may sign in (any contact when empty).
    companies: Vec<CompanyId>,
    /// The portal's address.
    url: String,
    #[schema(value_type = String)]
    created_at: Timestamp,
    #[schema(value_type = String)]
    updated_at: Timestamp,
}

fn kb_out(state: &AppState, api: &ApiCaller, kb: KnowledgeBase) -> KnowledgeBaseOut {
    KnowledgeBaseOut {
        id: kb.id,
        url: format!("{}/kb/{}/", state.app.settings.account_url(api.ctx.slug.as_str()), kb.slug.as_str()),
        slug: kb.slug.as_str().to_string(),
        name: kb.name,
        visibility: kb.visibility,
        default_language: kb.default_language.as_str().to_string(),
        languages: kb.languages.iter().map(|l| l.as_str().to_string()).collect(),
        look: kb.look,
        companies: kb.companies,
        created_at: kb.created_at,
        updated_at: kb.updated_at,
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LookBody {
    accent_color: Option<String>,
    header_color: Option<String>,
    /// An image id of this knowledge base; `""` removes the logo.
    logo: Option<String>,
}

/// A knowledge base's settings; on a change, what is left out stays.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KbBody {
    slug: Option<String>,
    name: Option<String>,
    /// `public`, `agents` or `customers`.
    visibility: Option<String>,
    /// Language tags such as `en`, `hu`, `pt-BR`.
    languages: Option<Vec<String>>,
    /// One of the languages; the first when left out.
    default_language: Option<String>,
    look: Option<LookBody>,
    /// Company ids whose contacts may sign in to a knowledge base for customers (empty: any contact).
    companies: Option<Vec<String>>,
}

impl From<KbBody> for KbInput {
    fn from(b: KbBody) -> KbInput {
        let look = b.look.unwrap_or_default();
        KbInput {
            slug: b.slug,
            name: b.name,
            visibility: b.visibility,
            languages: b.languages,
            default_language: b.default_language,
            accent_color: look.accent_color,
            header_color: look.header_color,
            logo: look.logo,
            companies: b.companies,
        }
    }
}

/// The account's knowledge bases.
#[utoipa::path(get, path = "/api/v1/knowledge-bases", tag = "knowledge", security(("api_key" = [])),
    responses((status = 200, body = Vec<KnowledgeBaseOut>)))]
pub(crate) async fn list(State(state): State<AppState>, api: ApiCaller) -> ApiResult<Json<Vec<KnowledgeBaseOut>>> {
    let all = knowledge::list(&api.ctx).await?;
    Ok(Json(all.into_iter().map(|kb| kb_out(&state, &api, kb)).collect()))
}

/// Create a knowledge base (administrators).
#[utoipa::path(post, path = "/api/v1/knowledge-bases", tag = "knowledge", security(("api_key" = [])),
    request_body = KbBody,
    responses((status = 201, body = KnowledgeBaseOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    api: ApiCaller,
    ApiJson(b): ApiJson<KbBody>,
) -> ApiResult<(StatusCode, Json<KnowledgeBaseOut>)> {
    let kb = knowledge::create(&api.ctx, &api.caller, b.into()).await?;
    Ok((StatusCode::CREATED, Json(kb_out(&state, &api, kb))))
}

#[utoipa::path(get, path = "/api/v1/knowledge-bases/{kb}", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")),
    responses((status = 200, body = KnowledgeBaseOut), (status = 404, body = Problem)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    api: ApiCaller,
    Path(kb): Path<String>,
) -> ApiResult<Json<KnowledgeBaseOut>> {
    let kb = knowledge::find(&api.ctx, &kb).await?;
    Ok(Json(kb_out(&state, &api, kb)))
}

/// Change a knowledge base's settings (administrators).
#[utoipa::path(patch, path = "/api/v1/knowledge-bases/{kb}", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")), request_body = KbBody,
    responses((status = 200, body = KnowledgeBaseOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    api: ApiCaller,
    Path(kb): Path<String>,
    ApiJson(b): ApiJson<KbBody>,
) -> ApiResult<Json<KnowledgeBaseOut>> {
    let kb = knowledge::update(&api.ctx, &api.caller, &kb, b.into()).await?;
    Ok(Json(kb_out(&state, &api, kb)))
}

/// Delete a knowledge base with its categories, articles and images (administrators).
#[utoipa::path(delete, path = "/api/v1/knowledge-bases/{kb}", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn remove(api: ApiCaller, Path(kb): Path<String>) -> ApiResult<StatusCode> {
    knowledge::delete(&api.ctx, &api.caller, &kb).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CategoryOut {
    id: CategoryId,
    parent_id: Option<CategoryId>,
    position: i64,
    /// Name and description per language.
    texts: BTreeMap<String, CategoryText>,
}

impl From<Category> for CategoryOut {
    fn from(c: Category) -> Self {
        CategoryOut { id: c.id, parent_id: c.parent_id, position: c.position, texts: c.texts }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryBody {
    name: Option<String>,
    description: Option<String>,
    /// The language of the name; the knowledge base's default when left out.
    language: Option<String>,
    /// A top category's id to nest in; `""` moves it to the top.
    parent: Option<String>,
    position: Option<i64>,
}

impl From<CategoryBody> for CategoryInput {
    fn from(b: CategoryBody) -> Self {
        CategoryInput {
            name: b.name,
            description: b.description,
            language: b.language,
            parent: b.parent,
            position: b.position,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/knowledge-bases/{kb}/categories", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")),
    responses((status = 200, body = Vec<CategoryOut>), (status = 404, body = Problem)))]
pub(crate) async fn list_categories(api: ApiCaller, Path(kb): Path<String>) -> ApiResult<Json<Vec<CategoryOut>>> {
    Ok(Json(categories::list(&api.ctx, &kb).await?.into_iter().map(CategoryOut::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/knowledge-bases/{kb}/categories", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")), request_body = CategoryBody,
    responses((status = 201, body = CategoryOut), (status = 422, body = Problem)))]
pub(crate) async fn create_category(
    api: ApiCaller,
    Path(kb): Path<String>,
    ApiJson(b): ApiJson<CategoryBody>,
) -> ApiResult<(StatusCode, Json<CategoryOut>)> {
    let c = categories::create(&api.ctx, &api.caller, &kb, b.into()).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(patch, path = "/api/v1/knowledge-bases/{kb}/categories/{id}", tag = "knowledge",
    security(("api_key" = [])), request_body = CategoryBody,
    params(("kb" = String, Path, description = "Id or slug"), ("id" = String, Path, description = "Category id")),
    responses((status = 200, body = CategoryOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_category(
    api: ApiCaller,
    Path((kb, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<CategoryBody>,
) -> ApiResult<Json<CategoryOut>> {
    Ok(Json(categories::update(&api.ctx, &api.caller, &kb, &id, b.into()).await?.into()))
}

/// Delete a category; its articles stay, without a category. Refused while it holds categories.
#[utoipa::path(delete, path = "/api/v1/knowledge-bases/{kb}/categories/{id}", tag = "knowledge",
    security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug"), ("id" = String, Path, description = "Category id")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn remove_category(api: ApiCaller, Path((kb, id)): Path<(String, String)>) -> ApiResult<StatusCode> {
    categories::delete(&api.ctx, &api.caller, &kb, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct VersionOut {
    language: String,
    title: String,
    /// Markdown, as written.
    body: String,
    /// The body rendered to sanitized HTML, as the portal shows it.
    html: String,
    status: ArticleStatus,
    author_id: Option<AgentId>,
    #[schema(value_type = String)]
    updated_at: Timestamp,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ArticleOut {
    id: ArticleId,
    knowledge_base_id: KnowledgeBaseId,
    category_id: Option<CategoryId>,
    tags: Vec<String>,
    position: i64,
    /// Readers who found it helpful, and who did not.
    helpful: i64,
    not_helpful: i64,
    #[schema(value_type = String)]
    created_at: Timestamp,
    #[schema(value_type = String)]
    updated_at: Timestamp,
    translations: Vec<VersionOut>,
}

impl From<Article> for ArticleOut {
    fn from(a: Article) -> Self {
        ArticleOut {
            id: a.id,
            knowledge_base_id: a.kb_id,
            category_id: a.category_id,
            tags: a.tags.iter().map(|t| t.as_str().to_string()).collect(),
            position: a.position,
            helpful: a.helpful,
            not_helpful: a.not_helpful,
            created_at: a.created_at,
            updated_at: a.updated_at,
            translations: a
                .translations
                .into_iter()
                .map(|t| VersionOut {
                    language: t.language.as_str().to_string(),
                    html: render(&t.body),
                    title: t.title,
                    body: t.body,
                    status: t.status,
                    author_id: t.author_id,
                    updated_at: t.updated_at,
                })
                .collect(),
        }
    }
}

/// An article as given: `title`, `body` and `status` are for the version in `language` (the knowledge base's
/// default when left out; a new language adds a version).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleBody {
    title: Option<String>,
    /// Markdown.
    body: Option<String>,
    language: Option<String>,
    /// `draft` (the default for a new version) or `published`.
    status: Option<String>,
    /// A category id; `""` takes the article out of its category.
    category: Option<String>,
    tags: Option<Vec<String>>,
    position: Option<i64>,
}

impl From<ArticleBody> for ArticleInput {
    fn from(b: ArticleBody) -> Self {
        ArticleInput {
            title: b.title,
            body: b.body,
            language: b.language,
            status: b.status,
            category: b.category,
            tags: b.tags,
            position: b.position,
        }
    }
}

/// The knowledge base's articles, drafts included.
#[utoipa::path(get, path = "/api/v1/knowledge-bases/{kb}/articles", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")),
    responses((status = 200, body = Vec<ArticleOut>), (status = 404, body = Problem)))]
pub(crate) async fn list_articles(api: ApiCaller, Path(kb): Path<String>) -> ApiResult<Json<Vec<ArticleOut>>> {
    Ok(Json(articles::list(&api.ctx, &kb).await?.into_iter().map(ArticleOut::from).collect()))
}

/// Write an article: `title` and `body` (Markdown) in `language`, `status`, optional `category` and `tags`.
#[utoipa::path(post, path = "/api/v1/knowledge-bases/{kb}/articles", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")), request_body = ArticleBody,
    responses((status = 201, body = ArticleOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create_article(
    api: ApiCaller,
    Path(kb): Path<String>,
    ApiJson(b): ApiJson<ArticleBody>,
) -> ApiResult<(StatusCode, Json<ArticleOut>)> {
    let a = articles::create(&api.ctx, &api.caller, &kb, b.into()).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[utoipa::path(get, path = "/api/v1/knowledge-bases/{kb}/articles/{id}", tag = "knowledge",
    security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug"), ("id" = String, Path, description = "Article id")),
    responses((status = 200, body = ArticleOut), (status = 404, body = Problem)))]
pub(crate) async fn show_article(
    api: ApiCaller,
    Path((kb, id)): Path<(String, String)>,
) -> ApiResult<Json<ArticleOut>> {
    Ok(Json(articles::get(&api.ctx, &kb, &id).await?.1.into()))
}

/// Change an article, or add its version in another language.
#[utoipa::path(patch, path = "/api/v1/knowledge-bases/{kb}/articles/{id}", tag = "knowledge",
    security(("api_key" = [])), request_body = ArticleBody,
    params(("kb" = String, Path, description = "Id or slug"), ("id" = String, Path, description = "Article id")),
    responses((status = 200, body = ArticleOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update_article(
    api: ApiCaller,
    Path((kb, id)): Path<(String, String)>,
    ApiJson(b): ApiJson<ArticleBody>,
) -> ApiResult<Json<ArticleOut>> {
    Ok(Json(articles::update(&api.ctx, &api.caller, &kb, &id, b.into()).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/knowledge-bases/{kb}/articles/{id}", tag = "knowledge",
    security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug"), ("id" = String, Path, description = "Article id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub(crate) async fn remove_article(api: ApiCaller, Path((kb, id)): Path<(String, String)>) -> ApiResult<StatusCode> {
    articles::delete(&api.ctx, &api.caller, &kb, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove an article's version in one language (not its last).
#[utoipa::path(delete, path = "/api/v1/knowledge-bases/{kb}/articles/{id}/translations/{language}", tag = "knowledge",
    security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug"), ("id" = String, Path, description = "Article id"),
        ("language" = String, Path, description = "Language tag")),
    responses((status = 200, body = ArticleOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(crate) async fn remove_version(
    api: ApiCaller,
    Path((kb, id, language)): Path<(String, String, String)>,
) -> ApiResult<Json<ArticleOut>> {
    Ok(Json(articles::delete_version(&api.ctx, &api.caller, &kb, &id, &language).await?.into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ImageOut {
    id: KbImageId,
    content_type: String,
    size: i64,
    /// Where the portal serves it.
    url: String,
    /// Ready to paste into an article.
    markdown: String,
}

/// Upload an image (PNG, JPEG, GIF or WebP; the request's body is the file) for articles or the logo.
#[utoipa::path(post, path = "/api/v1/knowledge-bases/{kb}/images", tag = "knowledge", security(("api_key" = [])),
    params(("kb" = String, Path, description = "Id or slug")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImageOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn add_image(
    State(state): State<AppState>,
    api: ApiCaller,
    Path(kb): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<ImageOut>)> {
    let max = state.app.mail.max_attachment_bytes;
    let image = knowledge::add_image(&api.ctx, &api.caller, &kb, body.to_vec(), max).await?;
    let url = format!("/kb-images/{}", image.id);
    Ok((
        StatusCode::CREATED,
        Json(ImageOut {
            id: image.id,
            content_type: image.content_type,
            size: image.size,
            markdown: format!("![]({url})"),
            url,
        }),
    ))
}
