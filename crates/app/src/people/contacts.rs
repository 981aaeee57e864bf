//! Contacts.

use crate::{AccountCtx, AppError};
use parley_domain::contact::{parse_phone, Contact};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::{CompanyId, ContactId};
use parley_domain::text::optional_text;
use parley_store::{ContactFilter, ContactUpdate, StoreError};

pub struct NewContact {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phones: Vec<String>,
    pub company_id: Option<CompanyId>,
}

fn check_phones(errs: &mut Checker, phones: &[String]) -> Vec<String> {
    if phones.len() > 20 {
        errs.add("phones", "at most 20 phone numbers");
    }
    phones.iter().filter_map(|p| errs.check(parse_phone(p))).collect()
}

fn company_missing(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => {
            AppError::Invalid(parley_domain::Invalid::field("company_id", "is not a company of this account"))
        }
        other => other.into(),
    }
}

pub async fn create_contact(ctx: &AccountCtx, input: NewContact) -> Result<Contact, AppError> {
    let mut errs = Checker::new();
    let email = input.email.as_deref().and_then(|e| errs.check(EmailAddress::parse(e)));
    let name = errs.check(optional_text("name", input.name.as_deref(), 200)).flatten();
    let phones = check_phones(&mut errs, &input.phones);
    if email.is_none() && input.email.is_none() && name.is_none() && phones.is_empty() {
        errs.add("email", "a contact needs an email, a name or a phone number");
    }
    errs.finish()?;
    let now = ctx.now();
    let c = Contact {
        id: ContactId::new(),
        account_id: ctx.account_id,
        email,
        name,
        phones,
        company_id: input.company_id,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_contact(&c).await.map_err(company_missing)?;
    Ok(c)
}

pub async fn list_contacts(
    ctx: &AccountCtx,
    email: Option<&str>,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<Contact>, AppError> {
    let email = email.map(EmailAddress::parse).transpose()?;
    let filter = ContactFilter { email, company_id: None, after, limit: limit.clamp(1, 100) };
    Ok(ctx.store.list_contacts(ctx.account_id, &filter).await?)
}

/// The directory as the workspace shows it: every contact a page at a time, or those a search finds.
pub async fn browse_contacts(
    ctx: &AccountCtx,
    q: &str,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<Contact>, AppError> {
    if q.trim().is_empty() {
        list_contacts(ctx, None, after, limit).await
    } else {
        super::merge::search_contacts(ctx, q, after, limit).await
    }
}

/// A change to a contact as asked for: `None` keeps, `Some(None)` clears.
pub async fn update_contact(
    ctx: &AccountCtx,
    id: ContactId,
    email: Option<Option<String>>,
    name: Option<Option<String>>,
    phones: Option<Vec<String>>,
    company_id: Option<Option<CompanyId>>,
) -> Result<Contact, AppError> {
    ctx.store.get_contact(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let mut errs = Checker::new();
    let email = email.map(|e| e.and_then(|e| errs.check(EmailAddress::parse(&e))));
    let name = name.map(|n| errs.check(optional_text("name", n.as_deref(), 200)).flatten());
    let phones = phones.map(|p| check_phones(&mut errs, &p));
    errs.finish()?;
    let update = ContactUpdate { email, name, phones, company_id };
    ctx.store.update_contact(ctx.account_id, id, &update, ctx.now()).await.map_err(company_missing)
}

pub async fn get_contact(ctx: &AccountCtx, id: ContactId) -> Result<Contact, AppError> {
    ctx.store.get_contact(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

pub async fn contacts_by_ids(ctx: &AccountCtx, ids: &[ContactId]) -> Result<Vec<Contact>, AppError> {
    Ok(ctx.store.get_contacts(ctx.account_id, ids).await?)
}
