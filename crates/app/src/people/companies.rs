//! Companies: the organisations contacts belong to, each with the mail domains whose senders join it.

use crate::{AccountCtx, AppError};
use parley_domain::contact::{parse_domain, Company, Contact};
use parley_domain::error::Checker;
use parley_domain::ids::{CompanyId, ContactId};
use parley_domain::text::checked_text;
use parley_store::{CompanyUpdate, ContactFilter};

/// More than any organisation has; a bound on what one request may store.
const MAX_DOMAINS: usize = 100;

pub struct NewCompany {
    pub name: String,
    pub domains: Vec<String>,
}

/// A change to a company as asked for: `None` keeps a value; `domains` replaces the list whole.
#[derive(Debug, Default)]
pub struct CompanyChange {
    pub name: Option<String>,
    pub domains: Option<Vec<String>>,
}

fn check_name(errs: &mut Checker, name: &str) -> Option<String> {
    errs.check(checked_text("name", name, 200, false))
}

/// Each domain in its stored form (`Example.com ` → `example.com`), a domain given twice kept once.
fn check_domains(errs: &mut Checker, domains: &[String]) -> Vec<String> {
    if domains.len() > MAX_DOMAINS {
        errs.add("domains", format!("at most {MAX_DOMAINS} domains"));
    }
    let mut kept: Vec<String> = Vec::new();
    for d in domains.iter().filter_map(|d| errs.check(parse_domain(d))) {
        if !kept.contains(&d) {
            kept.push(d);
        }
    }
    kept
}

/// `Conflict` if another company of the account has one of the domains.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id))]
pub async fn create_company(ctx: &AccountCtx, input: NewCompany) -> Result<Company, AppError> {
    let mut errs = Checker::new();
    let name = check_name(&mut errs, &input.name);
    let domains = check_domains(&mut errs, &input.domains);
    errs.finish()?;
    let Some(name) = name else {
        return Err(AppError::Internal(anyhow::anyhow!("checked company name missing")));
    };
    let c = Company { id: CompanyId::new(), account_id: ctx.account_id, name, domains, created_at: ctx.now() };
    ctx.store.insert_company(&c).await?;
    Ok(c)
}

/// Renames a company or replaces its domains. Another account's company is `NotFound` before anything is checked;
/// a domain another company of the account has is a `Conflict`.
#[tracing::instrument(skip_all, fields(account = %ctx.account_id, company = %id))]
pub async fn update_company(ctx: &AccountCtx, id: CompanyId, change: CompanyChange) -> Result<Company, AppError> {
    ctx.store.get_company(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let mut errs = Checker::new();
    let name = change.name.as_deref().map(|n| check_name(&mut errs, n));
    let domains = change.domains.as_deref().map(|d| check_domains(&mut errs, d));
    errs.finish()?;
    let update = CompanyUpdate { name: name.flatten(), domains };
    Ok(ctx.store.update_company(ctx.account_id, id, &update).await?)
}

pub async fn list_companies(ctx: &AccountCtx) -> Result<Vec<Company>, AppError> {
    Ok(ctx.store.list_companies(ctx.account_id).await?)
}

/// The companies whose name or one of whose domains contains `q` (any case); all of them for an empty `q`.
///
/// Filtered here rather than in SQL: an account's companies are few enough that every customer's page already
/// loads them all for its company menu.
pub async fn find_companies(ctx: &AccountCtx, q: &str) -> Result<Vec<Company>, AppError> {
    let all = list_companies(ctx).await?;
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return Ok(all);
    }
    let found = |c: &Company| c.name.to_lowercase().contains(&q) || c.domains.iter().any(|d| d.contains(q.as_str()));
    Ok(all.into_iter().filter(found).collect())
}

pub async fn get_company(ctx: &AccountCtx, id: CompanyId) -> Result<Company, AppError> {
    ctx.store.get_company(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

/// The company's contacts in the order they were added, from just after `after`, at most `limit` (1–1000).
pub async fn company_contacts(
    ctx: &AccountCtx,
    id: CompanyId,
    after: Option<ContactId>,
    limit: u32,
) -> Result<Vec<Contact>, AppError> {
    let filter = ContactFilter { company_id: Some(id), after, limit: limit.clamp(1, 1000), ..Default::default() };
    Ok(ctx.store.list_contacts(ctx.account_id, &filter).await?)
}
