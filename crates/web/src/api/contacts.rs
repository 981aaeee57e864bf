//! `/api/v1/contacts` and `/api/v1/companies`.

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::{double_option, ApiJson};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::people::{self, CompanyChange, NewCompany, NewContact};
use parley_domain::contact::{Company, Contact};
use parley_domain::ids::{CompanyId, ContactId};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/contacts", get(list).post(create))
        .route("/contacts/{id}", get(show).patch(update))
        .route("/contacts/{id}/erase", axum::routing::post(erase))
        .route("/contacts/{id}/export", get(export))
        .route("/companies", get(list_companies).post(create_company))
        .route("/companies/{id}", get(show_company).patch(update_company))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactQuery {
    /// Only the contact with this email address.
    email: Option<String>,
    /// Contacts whose name, email address or company name contains this (case-insensitively).
    q: Option<String>,
    /// Contacts after this id (the last id of the previous page).
    #[serde(rename = "page[after]")]
    #[param(rename = "page[after]")]
    after: Option<String>,
    #[serde(rename = "page[size]")]
    #[param(rename = "page[size]")]
    size: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ContactList {
    contacts: Vec<Contact>,
}

/// List contacts, optionally the one with an email address, or those matching `q`. A contact's tickets and chats
/// are `GET /api/v1/tickets?requester=<contact id>`.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", security(("api_key" = [])), params(ContactQuery),
    responses((status = 200, body = ContactList), (status = 422, body = Problem)))]
pub(crate) async fn list(
    api: ApiCaller,
    q: Result<Query<ContactQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ContactList>> {
    api.caller.require_directory()?;
    let Query(q) = q.map_err(|e| parley_domain::Invalid::field("query", e.body_text()))?;
    let after = q
        .after
        .as_deref()
        .map(|a| ContactId::parse(a).ok_or_else(|| parley_domain::Invalid::field("page[after]", "is not a contact id")))
        .transpose()?;
    let size = q.size.unwrap_or(25);
    let contacts = match q.q.as_deref() {
        Some(text) => people::search_contacts(&api.ctx, text, after, size).await?,
        None => people::list_contacts(&api.ctx, q.email.as_deref(), after, size).await?,
    };
    Ok(Json(ContactList { contacts }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewContactBody {
    email: Option<String>,
    name: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    company_id: Option<CompanyId>,
}

/// Add a contact. Email addresses are unique within the account.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", security(("api_key" = [])), request_body = NewContactBody,
    responses((status = 201, body = Contact), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewContactBody>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    api.caller.require_directory()?;
    let c = people::create_contact(
        &api.ctx,
        NewContact { email: b.email, name: b.name, phones: b.phones, company_id: b.company_id },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Contact), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Contact>> {
    api.caller.require_directory()?;
    let id = path_id(&id, ContactId::parse)?;
    Ok(Json(people::get_contact(&api.ctx, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateContactBody {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    name: Option<Option<String>>,
    phones: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = "uuid")]
    company_id: Option<Option<CompanyId>>,
}

#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = UpdateContactBody,
    responses((status = 200, body = Contact), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateContactBody>,
) -> ApiResult<Json<Contact>> {
    api.caller.require_directory()?;
    let id = path_id(&id, ContactId::parse)?;
    Ok(Json(people::update_contact(&api.ctx, id, b.email, b.name, b.phones, b.company_id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CompanyList {
    companies: Vec<Company>,
}

#[utoipa::path(get, path = "/api/v1/companies", tag = "contacts", security(("api_key" = [])),
    responses((status = 200, body = CompanyList)))]
pub(crate) async fn list_companies(api: ApiCaller) -> ApiResult<Json<CompanyList>> {
    api.caller.require_directory()?;
    Ok(Json(CompanyList { companies: people::list_companies(&api.ctx).await? }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCompanyBody {
    name: String,
    /// Mail domains; new contacts from these domains join the company.
    #[serde(default)]
    domains: Vec<String>,
}

/// Add a company. A mail domain belongs to one company of the account: one another company has is a conflict.
#[utoipa::path(post, path = "/api/v1/companies", tag = "contacts", security(("api_key" = [])), request_body = NewCompanyBody,
    responses((status = 201, body = Company), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn create_company(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewCompanyBody>,
) -> ApiResult<(StatusCode, Json<Company>)> {
    api.caller.require_directory()?;
    let c = people::create_company(&api.ctx, NewCompany { name: b.name, domains: b.domains }).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Company), (status = 404, body = Problem)))]
pub(crate) async fn show_company(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<Company>> {
    api.caller.require_directory()?;
    let id = path_id(&id, CompanyId::parse)?;
    Ok(Json(people::get_company(&api.ctx, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateCompanyBody {
    /// 1–200 characters.
    name: Option<String>,
    /// Replaces the company's mail domains whole (`[]` removes them all).
    domains: Option<Vec<String>>,
}

/// Rename a company or replace its mail domains; what the body leaves out is kept. A domain another company of the
/// account has is a conflict (409), and nothing is changed.
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = UpdateCompanyBody,
    responses((status = 200, body = Company), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update_company(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateCompanyBody>,
) -> ApiResult<Json<Company>> {
    api.caller.require_directory()?;
    let id = path_id(&id, CompanyId::parse)?;
    let change = CompanyChange { name: b.name, domains: b.domains };
    Ok(Json(people::update_company(&api.ctx, id, change).await?))
}

/// Erase a contact and everything of theirs (admins): tickets they alone requested, their messages elsewhere
/// (replaced by "[erased]"), attachments, mail, webhook events; no copy stays in the region's files. Answers what
/// was removed.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The contact's id")),
    responses((status = 200, body = parley_domain::erasure::ErasureReport), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub(crate) async fn erase(
    api: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<parley_domain::erasure::ErasureReport>> {
    let id = path_id(&id, parley_domain::ids::ContactId::parse)?;
    Ok(Json(parley_app::privacy::erasure::erase_contact(&api.ctx, &api.caller, id).await?))
}

/// Everything about a contact as a ZIP archive (admins): `contact.json`, `tickets.json` (the tickets they
/// requested, with every message and event) and `attachments/`. The export is recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/export", tag = "contacts", security(("api_key" = [])),
    params(("id" = String, Path, description = "The contact's id")),
    responses((status = 200, description = "A ZIP archive", content_type = "application/zip"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn export(api: ApiCaller, Path(id): Path<String>) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let id = path_id(&id, parley_domain::ids::ContactId::parse)?;
    let export = parley_app::privacy::export::export_contact(&api.ctx, &api.caller, id).await?;
    let zip = crate::zip::archive(&export.files)
        .ok_or_else(|| crate::error::ApiError::Internal(anyhow::anyhow!("the export is too large for one archive")))?;
    let name = format!("attachment; filename=\"contact-{id}.zip\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/zip".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        zip,
    )
        .into_response())
}
