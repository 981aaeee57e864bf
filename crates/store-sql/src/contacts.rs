//! Contacts and companies.

use crate::error::{store_err, SqlResultExt};
use crate::rows::{id, json, opt_id, parsed, placeholders, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::contact::{Company, Contact};
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, CompanyId, ContactId};
use parley_domain::Timestamp;
use parley_store::{ContactFilter, ContactStore, ContactUpdate, StoreError};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: String,
    account_id: String,
    email: Option<String>,
    name: Option<String>,
    phones: String,
    company_id: Option<String>,
    created_at: i64,
    updated_at: i64,
}

pub(crate) const CONTACT_COLS: &str = "id, account_id, email, name, phones, company_id, created_at, updated_at";

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> Result<Self, StoreError> {
        Ok(Contact {
            id: id("contact id", &r.id)?,
            account_id: id("account id", &r.account_id)?,
            email: r.email.as_deref().map(|e| parsed("email", e, EmailAddress::parse)).transpose()?,
            name: r.name,
            phones: json("phones", &r.phones)?,
            company_id: opt_id("company id", r.company_id.as_deref())?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

fn email_conflict(e: sqlx::Error, email: Option<&EmailAddress>) -> StoreError {
    match store_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "a contact with the email {} exists",
            email.map(EmailAddress::as_str).unwrap_or("")
        )),
        other => other,
    }
}

/// Find the account's contact with this email, or add one; a name fills in a contact that had none.
pub(crate) async fn upsert_by_email(
    c: &mut AnyConnection,
    account: AccountId,
    new_id: ContactId,
    email: &EmailAddress,
    name: Option<&str>,
    at: Timestamp,
) -> Result<Contact, StoreError> {
    let sql = format!(
        "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '[]', \
                 (SELECT id FROM companies WHERE account_id = $2 AND domains LIKE $6 ORDER BY created_at LIMIT 1), \
                 $5, $5) \
         ON CONFLICT (account_id, email) DO UPDATE SET name = COALESCE(contacts.name, excluded.name) \
         RETURNING {CONTACT_COLS}"
    );
    // Companies keep their domains as a JSON list of strings; the quotes make the match exact.
    let domain_pattern = format!("%\"{}\"%", email.domain().replace(['%', '_'], ""));
    let row: ContactRow = sqlx::query_as(&sql)
        .bind(new_id.to_string())
        .bind(account.to_string())
        .bind(email.as_str())
        .bind(name.map(str::to_string))
        .bind(at.millis())
        .bind(domain_pattern)
        .fetch_one(&mut *c)
        .await
        .db()?;
    Contact::try_from(row)
}

pub(crate) fn contact_in<'a>(
    c: &'a mut AnyConnection,
    account: AccountId,
    contact: ContactId,
) -> crate::writer::BoxFuture<'a, Result<Contact, StoreError>> {
    Box::pin(async move {
        let sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1 AND id = $2");
        let row: Option<ContactRow> = sqlx::query_as(&sql)
            .bind(account.to_string())
            .bind(contact.to_string())
            .fetch_optional(&mut *c)
            .await
            .db()?;
        row.map(Contact::try_from).transpose()?.ok_or(StoreError::NotFound)
    })
}

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: String,
    account_id: String,
    name: String,
    domains: String,
    created_at: i64,
}

impl TryFrom<CompanyRow> for Company {
    type Error = StoreError;
    fn try_from(r: CompanyRow) -> Result<Self, StoreError> {
        Ok(Company {
            id: id("company id", &r.id)?,
            account_id: id("account id", &r.account_id)?,
            name: r.name,
            domains: json("domains", &r.domains)?,
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn insert_contact(&self, contact: &Contact) -> Result<(), StoreError> {
        let ct = contact.clone();
        let phones = to_json(&ct.phones)?;
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    if let Some(company) = ct.company_id {
                        company_exists(c, ct.account_id, company).await?;
                    }
                    sqlx::query(
                        "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(ct.id.to_string())
                    .bind(ct.account_id.to_string())
                    .bind(ct.email.as_ref().map(|e| e.as_str().to_string()))
                    .bind(ct.name.clone())
                    .bind(&phones)
                    .bind(ct.company_id.map(|c| c.to_string()))
                    .bind(ct.created_at.millis())
                    .bind(ct.updated_at.millis())
                    .execute(&mut *c)
                    .await
                    .map_err(|e| email_conflict(e, ct.email.as_ref()))?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_contact(&self, account: AccountId, contact: ContactId) -> Result<Option<Contact>, StoreError> {
        Ok(self.get_contacts(account, &[contact]).await?.pop())
    }

    async fn get_contacts(&self, account: AccountId, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1 AND id IN ({})",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query_as::<_, ContactRow>(&sql).bind(account.to_string());
        for i in ids {
            q = q.bind(i.to_string());
        }
        q.fetch_all(&self.read).await.db()?.into_iter().map(Contact::try_from).collect()
    }

    async fn list_contacts(&self, account: AccountId, f: &ContactFilter) -> Result<Vec<Contact>, StoreError> {
        let mut sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1");
        let mut binds = vec![account.to_string()];
        if let Some(e) = &f.email {
            binds.push(e.as_str().to_string());
            sql.push_str(&format!(" AND email = ${}", binds.len()));
        }
        if let Some(co) = &f.company_id {
            binds.push(co.to_string());
            sql.push_str(&format!(" AND company_id = ${}", binds.len()));
        }
        if let Some(after) = &f.after {
            binds.push(after.to_string());
            sql.push_str(&format!(" AND id > ${}", binds.len()));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {}", f.limit.clamp(1, 1000)));
        let mut q = sqlx::query_as::<_, ContactRow>(&sql);
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(&self.read).await.db()?.into_iter().map(Contact::try_from).collect()
    }

    async fn update_contact(
        &self,
        account: AccountId,
        contact: ContactId,
        u: &ContactUpdate,
        at: Timestamp,
    ) -> Result<Contact, StoreError> {
        let u = u.clone();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let mut ct = contact_in(c, account, contact).await?;
                    if let Some(e) = u.email {
                        ct.email = e;
                    }
                    if let Some(n) = u.name {
                        ct.name = n;
                    }
                    if let Some(p) = u.phones {
                        ct.phones = p;
                    }
                    if let Some(co) = u.company_id {
                        if let Some(company) = co {
                            company_exists(c, account, company).await?;
                        }
                        ct.company_id = co;
                    }
                    ct.updated_at = at;
                    sqlx::query(
                        "UPDATE contacts SET email = $1, name = $2, phones = $3, company_id = $4, updated_at = $5 \
                         WHERE account_id = $6 AND id = $7",
                    )
                    .bind(ct.email.as_ref().map(|e| e.as_str().to_string()))
                    .bind(ct.name.clone())
                    .bind(to_json(&ct.phones)?)
                    .bind(ct.company_id.map(|c| c.to_string()))
                    .bind(at.millis())
                    .bind(account.to_string())
                    .bind(contact.to_string())
                    .execute(&mut *c)
                    .await
                    .map_err(|e| email_conflict(e, ct.email.as_ref()))?;
                    Ok(ct)
                })
            })
            .await
    }

    async fn insert_company(&self, company: &Company) -> Result<(), StoreError> {
        let co = company.clone();
        let domains = to_json(&co.domains)?;
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO companies (id, account_id, name, domains, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(co.id.to_string())
                    .bind(co.account_id.to_string())
                    .bind(&co.name)
                    .bind(&domains)
                    .bind(co.created_at.millis())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_company(&self, account: AccountId, company: CompanyId) -> Result<Option<Company>, StoreError> {
        let row: Option<CompanyRow> = sqlx::query_as(
            "SELECT id, account_id, name, domains, created_at FROM companies WHERE account_id = $1 AND id = $2",
        )
        .bind(account.to_string())
        .bind(company.to_string())
        .fetch_optional(&self.read)
        .await
        .db()?;
        row.map(Company::try_from).transpose()
    }

    async fn list_companies(&self, account: AccountId) -> Result<Vec<Company>, StoreError> {
        let rows: Vec<CompanyRow> = sqlx::query_as(
            "SELECT id, account_id, name, domains, created_at FROM companies WHERE account_id = $1 ORDER BY name, id",
        )
        .bind(account.to_string())
        .fetch_all(&self.read)
        .await
        .db()?;
        rows.into_iter().map(Company::try_from).collect()
    }
}

/// `NotFound` unless the company is the account's own.
fn company_exists<'a>(
    c: &'a mut AnyConnection,
    account: AccountId,
    company: CompanyId,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        let found: Option<(String,)> = sqlx::query_as("SELECT id FROM companies WHERE account_id = $1 AND id = $2")
            .bind(account.to_string())
            .bind(company.to_string())
            .fetch_optional(&mut *c)
            .await
            .db()?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    })
}
