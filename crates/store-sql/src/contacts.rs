//! Contacts and companies.

use crate::db::{args, Row, Tx, Value};
use crate::error::conflict_as;
use crate::rows::{id, json, opt_id, parsed, placeholders, to_json};
use crate::url::Engine;
use crate::SqlStore;

use async_trait::async_trait;
use parley_domain::contact::{Company, Contact};
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, CompanyId, ContactId};
use parley_domain::Timestamp;
use parley_store::{CompanyUpdate, ContactFilter, ContactStore, ContactUpdate, StoreError};

pub(crate) const CONTACT_COLS: &str = "id, account_id, email, name, phones, company_id, created_at, updated_at";

pub(crate) fn contact(r: &Row) -> Result<Contact, StoreError> {
    Ok(Contact {
        id: id("contact id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        email: r.opt_text("email")?.map(|e| parsed("email", &e, EmailAddress::parse)).transpose()?,
        name: r.opt_text("name")?,
        phones: json("phones", &r.text("phones")?)?,
        company_id: opt_id("company id", r.opt_text("company_id")?.as_deref())?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

fn company(r: &Row) -> Result<Company, StoreError> {
    Ok(Company {
        id: id("company id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        name: r.text("name")?,
        domains: json("domains", &r.text("domains")?)?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

const COMPANY_COLS: &str = "id, account_id, name, domains, created_at";

fn email_taken(e: StoreError, email: Option<&EmailAddress>) -> StoreError {
    conflict_as(e, || format!("a contact with the email {} exists", email.map(EmailAddress::as_str).unwrap_or("")))
}

/// SQLite: find the account's contact with this email, or add one (in the company that owns the address's domain, if any);
/// a name fills in a contact that had none.
pub(crate) async fn upsert_by_email(
    tx: &mut dyn Tx,
    account: AccountId,
    new_id: ContactId,
    email: &EmailAddress,
    name: Option<&str>,
    at: Timestamp,
) -> Result<Contact, StoreError> {
    let sql = format!(
        "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '[]', \
                 (SELECT id FROM companies WHERE account_id = $2 AND instr(domains, $6) > 0 ORDER BY created_at LIMIT 1), \
                 $5, $5) \
         ON CONFLICT (account_id, email) DO UPDATE SET name = COALESCE(contacts.name, excluded.name) \
         RETURNING {CONTACT_COLS}"
    );
    // Companies keep their domains as a JSON list of strings; the quotes make the match exact. (Not LIKE: SQLite
    // recompiles a statement every time the pattern of a LIKE changes.)
    let pattern = format!("\"{}\"", email.domain());

    let row = tx
        .query_opt(&sql, args![new_id.to_string(), account.to_string(), email.as_str(), name, at.millis(), pattern])
        .await?
        .ok_or_else(|| StoreError::Other("the contact upsert returned nothing".into()))?;
    contact(&row)
}

pub(crate) async fn contact_in(tx: &mut dyn Tx, account: AccountId, c: ContactId) -> Result<Contact, StoreError> {
    let sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1 AND id = $2");
    let row = tx.query_opt(&sql, args![account.to_string(), c.to_string()]).await?.ok_or(StoreError::NotFound)?;
    contact(&row)
}

/// `NotFound` unless the company is the account's own.
async fn company_exists(tx: &mut dyn Tx, account: AccountId, company: CompanyId) -> Result<(), StoreError> {
    tx.query_opt(
        "SELECT id FROM companies WHERE account_id = $1 AND id = $2",
        args![account.to_string(), company.to_string()],
    )
    .await?
    .map(|_| ())
    .ok_or(StoreError::NotFound)
}

/// Refuse a mail domain that another company of the account has: a new contact from that domain joins one
/// company, so two may not both claim it. Runs in the unit of work that writes `co`.
///
/// Domains are kept as a JSON list, which no unique index covers, so the check reads the account's other
/// companies. SQLite runs one unit of work at a time; on PostgreSQL, checks of one account wait for each other on a
/// transaction-scoped advisory lock, so two writers cannot both find a domain free.
async fn ensure_domains_free(tx: &mut dyn Tx, engine: Engine, co: &Company) -> Result<(), StoreError> {
    if co.domains.is_empty() {
        return Ok(());
    }
    if engine == Engine::Postgres {
        tx.query(
            "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l",
            args![format!("companies:{}", co.account_id)],
        )
        .await?;
    }
    let others = tx
        .query(
            &format!("SELECT {COMPANY_COLS} FROM companies WHERE account_id = $1 AND id <> $2 ORDER BY name, id"),
            args![co.account_id.to_string(), co.id.to_string()],
        )
        .await?;
    for row in &others {
        let other = company(row)?;
        if let Some(d) = co.domains.iter().find(|d| other.domains.contains(d)) {
            return Err(StoreError::Conflict(format!("the domain {d} belongs to the company {}", other.name)));
        }
    }
    Ok(())
}

async fn write_contact(tx: &mut dyn Tx, c: &Contact, insert: bool) -> Result<(), StoreError> {
    let email = c.email.as_ref().map(|e| e.as_str().to_string());
    let (sql, a) = if insert {
        (
            "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![
                c.id.to_string(),
                c.account_id.to_string(),
                email,
                c.name.clone(),
                to_json(&c.phones)?,
                c.company_id.map(|x| x.to_string()),
                c.created_at.millis(),
                c.updated_at.millis()
            ],
        )
    } else {
        (
            "UPDATE contacts SET email = $3, name = $4, phones = $5, company_id = $6, updated_at = $7 \
             WHERE id = $1 AND account_id = $2",
            args![
                c.id.to_string(),
                c.account_id.to_string(),
                email,
                c.name.clone(),
                to_json(&c.phones)?,
                c.company_id.map(|x| x.to_string()),
                c.updated_at.millis()
            ],
        )
    };
    tx.exec(sql, a).await.map_err(|e| email_taken(e, c.email.as_ref()))?;
    Ok(())
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn insert_contact(&self, c: &Contact) -> Result<(), StoreError> {
        let c = c.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    if let Some(company) = c.company_id {
                        company_exists(tx, c.account_id, company).await?;
                    }
                    write_contact(tx, &c, true).await
                })
            })
            .await
    }

    async fn get_contact(&self, account: AccountId, c: ContactId) -> Result<Option<Contact>, StoreError> {
        Ok(self.get_contacts(account, &[c]).await?.pop())
    }

    async fn get_contacts(&self, account: AccountId, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1 AND id IN ({})",
            placeholders(2, ids.len())
        );
        let mut a = args![account.to_string()];
        a.extend(ids.iter().map(|i| Value::from(i.to_string())));
        self.db.query(&sql, a).await?.iter().map(contact).collect()
    }

    async fn list_contacts(&self, account: AccountId, f: &ContactFilter) -> Result<Vec<Contact>, StoreError> {
        let mut sql = format!("SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $1");
        let mut a = args![account.to_string()];
        if let Some(e) = &f.email {
            a.push(Value::from(e.as_str()));
            sql.push_str(&format!(" AND email = ${}", a.len()));
        }
        if let Some(co) = &f.company_id {
            a.push(Value::from(co.to_string()));
            sql.push_str(&format!(" AND company_id = ${}", a.len()));
        }
        if let Some(after) = &f.after {
            a.push(Value::from(after.to_string()));
            sql.push_str(&format!(" AND id > ${}", a.len()));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT {}", f.limit.clamp(1, 1000)));
        self.db.query(&sql, a).await?.iter().map(contact).collect()
    }

    async fn update_contact(
        &self,
        account: AccountId,
        c: ContactId,
        u: &ContactUpdate,
        at: Timestamp,
    ) -> Result<Contact, StoreError> {
        let u = u.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let mut ct = contact_in(tx, account, c).await?;
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
                            company_exists(tx, account, company).await?;
                        }
                        ct.company_id = co;
                    }
                    ct.updated_at = at;
                    write_contact(tx, &ct, false).await?;
                    Ok(ct)
                })
            })
            .await
    }

    async fn insert_company(&self, co: &Company) -> Result<(), StoreError> {
        let co = co.clone();
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    ensure_domains_free(tx, engine, &co).await?;
                    tx.exec(
                        "INSERT INTO companies (id, account_id, name, domains, created_at) VALUES ($1, $2, $3, $4, $5)",
                        args![
                            co.id.to_string(),
                            co.account_id.to_string(),
                            &co.name,
                            to_json(&co.domains)?,
                            co.created_at.millis()
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_company(
        &self,
        account: AccountId,
        co: CompanyId,
        u: &CompanyUpdate,
    ) -> Result<Company, StoreError> {
        let u = u.clone();
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let sql = format!("SELECT {COMPANY_COLS} FROM companies WHERE account_id = $1 AND id = $2");
                    let row = tx
                        .query_opt(&sql, args![account.to_string(), co.to_string()])
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let mut c = company(&row)?;
                    if let Some(name) = u.name {
                        c.name = name;
                    }
                    if let Some(domains) = u.domains {
                        c.domains = domains;
                        ensure_domains_free(tx, engine, &c).await?;
                    }
                    tx.exec(
                        "UPDATE companies SET name = $3, domains = $4 WHERE account_id = $1 AND id = $2",
                        args![account.to_string(), co.to_string(), &c.name, to_json(&c.domains)?],
                    )
                    .await?;
                    Ok(c)
                })
            })
            .await
    }

    async fn get_company(&self, account: AccountId, co: CompanyId) -> Result<Option<Company>, StoreError> {
        let sql = format!("SELECT {COMPANY_COLS} FROM companies WHERE account_id = $1 AND id = $2");
        let row = self.db.query_opt(&sql, args![account.to_string(), co.to_string()]).await?;
        row.as_ref().map(company).transpose()
    }

    async fn list_companies(&self, account: AccountId) -> Result<Vec<Company>, StoreError> {
        let sql = format!("SELECT {COMPANY_COLS} FROM companies WHERE account_id = $1 ORDER BY name, id");
        let rows = self.db.query(&sql, args![account.to_string()]).await?;
        rows.iter().map(company).collect()
    }
}
