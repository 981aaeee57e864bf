//! The customers' pages: the directory with search, and each customer's profile with every ticket and chat they
//! ever had, their details to edit, and merging a duplicate into them.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use crate::api::path_id;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::people;
use parley_app::tickets::{self as uc, ListTickets};
use parley_app::AppError;
use parley_domain::contact::Contact;
use parley_domain::ids::{CompanyId, ContactId};
use parley_store::{SortKey, TicketCursor, TicketFilter};
use serde::Deserialize;
use std::collections::HashMap;

/// A customer as a row of the directory.
pub(crate) struct ContactRow {
    id: String,
    name: String,
    email: String,
    company: String,
    /// The company's id, for a link to its page; empty with no company.
    company_id: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    shell: Shell,
    q: String,
    rows: Vec<ContactRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

const PAGE: u32 = 50;

fn row(c: &Contact, companies: &HashMap<CompanyId, String>) -> ContactRow {
    ContactRow {
        id: c.id.to_string(),
        name: c.name.clone().unwrap_or_default(),
        email: c.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        company: c.company_id.and_then(|id| companies.get(&id).cloned()).unwrap_or_default(),
        company_id: c.company_id.map(|id| id.to_string()).unwrap_or_default(),
    }
}

pub(crate) async fn list(s: AgentSession, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    s.caller().require_directory()?;
    let shell = Shell::build(&s, "contacts", None).await?;
    let after = q.after.as_deref().map(|a| path_id(a, ContactId::parse)).transpose()?;
    let query = q.q.clone().unwrap_or_default();
    let found = people::browse_contacts(&s.ctx, query.trim(), after, PAGE).await?;
    let companies: HashMap<_, _> = people::list_companies(&s.ctx).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let next = (found.len() as u32 == PAGE)
        .then(|| found.last().map(|c| format!("/contacts?q={}&after={}", urlencode(&query), c.id)))
        .flatten();
    let rows = found.iter().map(|c| row(c, &companies)).collect();
    Ok(render(&ContactsPage { shell, q: query, rows, next }))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    shell: Shell,
    csrf: String,
    c: ContactRow,
    phones: String,
    company_id: String,
    companies: Vec<(String, String)>,
    /// Every ticket and chat of theirs, newest first: (number, subject, status, channel, updated).
    tickets: Vec<(i64, String, &'static str, &'static str, String, String)>,
    /// The next page of them, and whether this is a later one (then a link back to the first).
    next: Option<String>,
    paged: bool,
    errors: Vec<String>,
    saved: bool,
    /// After a merge: how many tickets came over.
    merged: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    merged: Option<usize>,
    /// Their tickets' page: after this cursor, as the API gives them out.
    #[serde(default)]
    tickets_after: Option<String>,
}

async fn profile(
    s: &AgentSession,
    id: ContactId,
    typed: Option<&EditForm>,
    errors: Vec<String>,
    saved: bool,
    merged: Option<usize>,
    after: Option<TicketCursor>,
) -> Result<Response, PageError> {
    let shell = Shell::build(s, "contacts", None).await?;
    let contact = people::get_contact(&s.ctx, id).await?;
    let companies = people::list_companies(&s.ctx).await?;
    let names: HashMap<_, _> = companies.iter().map(|c| (c.id, c.name.clone())).collect();
    let filter = TicketFilter { requester: Some(id), ..Default::default() };
    let paged = after.is_some();
    let list = ListTickets { filter, sort: SortKey::UpdatedAt, descending: true, after, limit: 100 };
    let page = uc::list_tickets(&s.ctx, &s.caller(), list).await?;
    let next =
        page.next.as_ref().map(|c| format!("/contacts/{id}?tickets_after={}#their-tickets", uc::encode_cursor(c)));
    let zone = shell.time_zone.clone();
    let tickets = page
        .items
        .iter()
        .map(|t| {
            (
                t.number.0,
                t.subject.clone(),
                t.status.as_str(),
                t.channel.as_str(),
                t.updated_at.in_zone(&zone),
                t.updated_at.to_rfc3339(),
            )
        })
        .collect();
    let mut c = row(&contact, &names);
    if let Some(f) = typed {
        c.name = f.name.clone();
        c.email = f.email.clone();
    }
    Ok(render(&ContactPage {
        csrf: s.session.csrf_token.clone(),
        phones: typed.map(|f| f.phones.clone()).unwrap_or_else(|| contact.phones.join(", ")),
        company_id: typed
            .map(|f| f.company.clone())
            .unwrap_or_else(|| contact.company_id.map(|c| c.to_string()).unwrap_or_default()),
        companies: companies.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
        next,
        paged,
        tickets,
        c,
        errors,
        saved,
        merged: merged.map(|n| shell.t.with("ws-contacts-merged", &[("count", (n as i64).into())])),
        shell,
    }))
}

pub(crate) async fn show(
    s: AgentSession,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    s.caller().require_directory()?;
    let id = path_id(&id, ContactId::parse)?;
    let after = q.tickets_after.as_deref().map(uc::decode_cursor).transpose()?;
    profile(&s, id, None, Vec::new(), q.saved.is_some(), q.merged, after).await
}

#[derive(Deserialize)]
pub(crate) struct EditForm {
    name: String,
    email: String,
    #[serde(default)]
    phones: String,
    #[serde(default)]
    company: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Saves a customer's details; what does not pass is named above the form, which keeps what was typed.
pub(crate) async fn save(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    s.caller().require_directory()?;
    let id = path_id(&id, ContactId::parse)?;
    let blank = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    let company = match f.company.trim() {
        "" => None,
        c => Some(CompanyId::parse(c).ok_or_else(|| parley_domain::Invalid::field("company_id", "is not a company"))?),
    };
    let phones = f.phones.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    let saved =
        people::update_contact(&s.ctx, id, Some(blank(&f.email)), Some(blank(&f.name)), Some(phones), Some(company))
            .await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}?saved=1")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid.lines();
            profile(&s, id, Some(&f), errors, false, None, None).await
        }
        Err(AppError::Conflict(detail)) => profile(&s, id, Some(&f), vec![detail], false, None, None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(crate) struct MergeForm {
    from_email: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Merges the customer with the address given (a duplicate) into this one: their tickets and chats come here.
pub(crate) async fn merge(
    s: AgentSession,
    Path(id): Path<String>,
    Form(f): Form<MergeForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let into = path_id(&id, ContactId::parse)?;
    let found = match people::list_contacts(&s.ctx, Some(f.from_email.trim()), None, 1).await {
        Ok(found) => found,
        Err(AppError::Invalid(invalid)) => {
            let errors = invalid.lines();
            return profile(&s, into, None, errors, false, None, None).await;
        }
        Err(e) => return Err(e.into()),
    };
    let Some(from) = found.into_iter().next().filter(|c| c.id != into) else {
        let t = parley_i18n::Texts::of(&s.agent.profile.language);
        return profile(&s, into, None, vec![t.get("ws-contacts-merge-none")], false, None, None).await;
    };
    let (_, moved) = people::merge_contacts(&s.ctx, &s.caller(), into, from.id).await?;
    Ok(Redirect::to(&format!("/contacts/{into}?merged={}", moved.len())).into_response())
}
