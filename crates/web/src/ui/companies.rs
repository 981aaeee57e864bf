//! The companies' pages: the list with search and a form to add one, and each company's page with its details to
//! edit, its customers, and every ticket and chat of theirs.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use crate::api::path_id;
use crate::query::encode;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::people::{self, CompanyChange, NewCompany};
use parley_app::tickets::{self as uc, ListTickets};
use parley_app::AppError;
use parley_domain::contact::Contact;
use parley_domain::ids::{CompanyId, ContactId};
use parley_domain::Invalid;
use parley_store::{SortKey, TicketCursor, TicketFilter};
use serde::Deserialize;
use std::collections::HashMap;

/// A company as a row of the list.
pub(crate) struct CompanyRow {
    id: String,
    name: String,
    domains: String,
}

#[derive(Template)]
#[template(path = "companies.html")]
struct CompaniesPage {
    shell: Shell,
    q: String,
    rows: Vec<CompanyRow>,
    /// The next page of the list, and whether this is a later one.
    next: Option<String>,
    /// On a later page: the way back to the first.
    first: Option<String>,
    errors: Vec<String>,
    /// What was typed in the form to add a company, kept when it is refused: (name, domains).
    typed: (String, String),
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    /// The page after this company.
    #[serde(default)]
    after: Option<String>,
}

/// How many companies a page of the list shows.
const LISTED: usize = 100;

/// The domains as typed in a form: separated by commas or spaces.
fn domains_of(typed: &str) -> Vec<String> {
    typed.split(|c: char| c == ',' || c.is_whitespace()).filter(|d| !d.is_empty()).map(String::from).collect()
}

async fn list_page(
    s: &AgentSession,
    q: String,
    after: Option<CompanyId>,
    errors: Vec<String>,
    typed: Option<&NewForm>,
) -> Result<Response, PageError> {
    let shell = Shell::build(s, "companies", None).await?;
    let found = people::find_companies(&s.ctx, &q).await?;
    // In the list's order (name, then id): the page starts just after the company it was given.
    let start = match after {
        Some(a) => found
            .iter()
            .position(|c| c.id == a)
            .map(|i| i + 1)
            .ok_or_else(|| Invalid::field("after", "is not a company of this list"))?,
        None => 0,
    };
    let page: Vec<_> = found.into_iter().skip(start).take(LISTED + 1).collect();
    let next = match page.get(LISTED - 1) {
        Some(last) if page.len() > LISTED => Some(format!("/companies?q={}&after={}", encode(&q), last.id)),
        _ => None,
    };
    let rows = page
        .into_iter()
        .take(LISTED)
        .map(|c| CompanyRow { id: c.id.to_string(), name: c.name, domains: c.domains.join(", ") })
        .collect();
    let typed = typed.map(|f| (f.name.clone(), f.domains.clone())).unwrap_or_default();
    let first = after.map(|_| format!("/companies?q={}", encode(&q)));
    Ok(render(&CompaniesPage { shell, q, rows, next, first, errors, typed }))
}

pub(crate) async fn list(s: AgentSession, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    s.caller().require_directory()?;
    let after = match q.after.as_deref() {
        Some(a) => Some(CompanyId::parse(a).ok_or_else(|| Invalid::field("after", "is not a company of this list"))?),
        None => None,
    };
    list_page(&s, q.q.unwrap_or_default(), after, Vec::new(), None).await
}

#[derive(Deserialize)]
pub(crate) struct NewForm {
    name: String,
    #[serde(default)]
    domains: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Adds a company and opens its page; a refused one (a bad name or domain, a domain another company has) comes
/// back named above the form, as typed. Whoever may see the list may add to it, as in the API.
pub(crate) async fn create(s: AgentSession, Form(f): Form<NewForm>) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    s.caller().require_directory()?;
    let input = NewCompany { name: f.name.clone(), domains: domains_of(&f.domains) };
    match people::create_company(&s.ctx, input).await {
        Ok(c) => Ok(Redirect::to(&format!("/companies/{}", c.id)).into_response()),
        Err(AppError::Invalid(invalid)) => list_page(&s, String::new(), None, invalid.lines(), Some(&f)).await,
        Err(AppError::Conflict(detail)) => list_page(&s, String::new(), None, vec![detail], Some(&f)).await,
        Err(e) => Err(e.into()),
    }
}

/// One of the company's customers, linking to their page.
pub(crate) struct ContactLink {
    id: String,
    name: String,
    email: String,
}

/// One of the company's tickets or chats.
pub(crate) struct TicketLine {
    number: i64,
    subject: String,
    status: &'static str,
    channel: &'static str,
    requester: String,
    updated: String,
    updated_at: String,
}

#[derive(Template)]
#[template(path = "company.html")]
struct CompanyPage {
    shell: Shell,
    csrf: String,
    id: String,
    name: String,
    domains: String,
    /// The edit form's values: what was typed when it was refused, the stored ones otherwise.
    form_name: String,
    form_domains: String,
    contacts: Vec<ContactLink>,
    /// The customers' next page, and whether this is a later one (then a link back to the first).
    contacts_next: Option<String>,
    contacts_paged: bool,
    /// Every ticket and chat of the company's customers, newest first, a page at a time like the customers.
    tickets: Vec<TicketLine>,
    tickets_next: Option<String>,
    tickets_paged: bool,
    errors: Vec<String>,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
    /// The customers' page: after this contact.
    #[serde(default)]
    customers_after: Option<String>,
    /// The tickets' page: after this cursor, as the API gives them out.
    #[serde(default)]
    tickets_after: Option<String>,
}

/// Where each list of the page starts, checked.
#[derive(Default)]
struct Pages {
    customers_after: Option<ContactId>,
    tickets_after: Option<TicketCursor>,
}

impl Pages {
    fn parse(q: &ShowQuery) -> Result<Pages, AppError> {
        let customers_after = match q.customers_after.as_deref() {
            Some(c) => Some(
                ContactId::parse(c)
                    .ok_or_else(|| Invalid::field("customers_after", "is not a customer of this list"))?,
            ),
            None => None,
        };
        let tickets_after = q.tickets_after.as_deref().map(uc::decode_cursor).transpose()?;
        Ok(Pages { customers_after, tickets_after })
    }
}

/// How many customers and tickets the page shows.
const SHOWN: u32 = 100;

fn label(c: &Contact) -> String {
    c.name.clone().or_else(|| c.email.as_ref().map(|e| e.to_string())).unwrap_or_else(|| c.id.to_string())
}

async fn company_page(
    s: &AgentSession,
    id: CompanyId,
    typed: Option<&EditForm>,
    errors: Vec<String>,
    saved: bool,
    pages: Pages,
) -> Result<Response, PageError> {
    let shell = Shell::build(s, "companies", None).await?;
    let company = people::get_company(&s.ctx, id).await?;
    let contacts_paged = pages.customers_after.is_some();
    let tickets_paged = pages.tickets_after.is_some();
    let members = people::company_contacts(&s.ctx, id, pages.customers_after, SHOWN + 1).await?;
    let contacts_next = match members.get(SHOWN as usize - 1) {
        Some(last) if members.len() > SHOWN as usize => Some(format!("/companies/{id}?customers_after={}", last.id)),
        _ => None,
    };
    let filter = TicketFilter { company: Some(id), ..Default::default() };
    let list =
        ListTickets { filter, sort: SortKey::UpdatedAt, descending: true, after: pages.tickets_after, limit: SHOWN };
    let page = uc::list_tickets(&s.ctx, &s.caller(), list).await?;
    let tickets_next =
        page.next.as_ref().map(|c| format!("/companies/{id}?tickets_after={}#their-tickets", uc::encode_cursor(c)));
    // The requesters by id: a company may have more customers than the page lists.
    let mut ids: Vec<ContactId> = page.items.iter().map(|t| t.requester_id).collect();
    ids.sort_unstable_by_key(|c| c.to_string());
    ids.dedup();
    let requesters: HashMap<ContactId, String> =
        people::contacts_by_ids(&s.ctx, &ids).await?.iter().map(|c| (c.id, label(c))).collect();
    let zone = shell.time_zone.clone();
    let tickets = page
        .items
        .iter()
        .map(|t| TicketLine {
            number: t.number.0,
            subject: t.subject.clone(),
            status: t.status.as_str(),
            channel: t.channel.as_str(),
            requester: requesters.get(&t.requester_id).cloned().unwrap_or_default(),
            updated: t.updated_at.in_zone(&zone),
            updated_at: t.updated_at.to_rfc3339(),
        })
        .collect();
    let contacts = members
        .iter()
        .take(SHOWN as usize)
        .map(|c| ContactLink {
            id: c.id.to_string(),
            name: label(c),
            email: c.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        })
        .collect();
    let domains = company.domains.join(", ");
    Ok(render(&CompanyPage {
        csrf: s.session.csrf_token.clone(),
        id: company.id.to_string(),
        form_name: typed.map(|f| f.name.clone()).unwrap_or_else(|| company.name.clone()),
        form_domains: typed.map(|f| f.domains.clone()).unwrap_or_else(|| domains.clone()),
        name: company.name,
        domains,
        contacts,
        contacts_next,
        contacts_paged,
        tickets,
        tickets_next,
        tickets_paged,
        errors,
        saved,
        shell,
    }))
}

pub(crate) async fn show(
    s: AgentSession,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    s.caller().require_directory()?;
    let id = path_id(&id, CompanyId::parse)?;
    let pages = Pages::parse(&q)?;
    company_page(&s, id, None, Vec::new(), q.saved.is_some(), pages).await
}

#[derive(Deserialize)]
pub(crate) struct EditForm {
    name: String,
    #[serde(default)]
    domains: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Saves a company's name and domains; what does not pass is named above the form, which keeps what was typed.
pub(crate) async fn save(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    s.caller().require_directory()?;
    let id = path_id(&id, CompanyId::parse)?;
    let change = CompanyChange { name: Some(f.name.clone()), domains: Some(domains_of(&f.domains)) };
    match people::update_company(&s.ctx, id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/companies/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            company_page(&s, id, Some(&f), invalid.lines(), false, Pages::default()).await
        }
        Err(AppError::Conflict(detail)) => company_page(&s, id, Some(&f), vec![detail], false, Pages::default()).await,
        Err(e) => Err(e.into()),
    }
}
