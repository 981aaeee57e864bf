//! Business hours: the calendar kept as the API's JSON (checked again when read), the default and the departments
//! beside it in columns the database can hold to their rules.

use crate::db::{args, Row, Tx, Value};
use crate::rows::{id, json, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::business_hours::{BusinessHours, Calendar, CalendarInput};
use parley_domain::ids::{AccountId, BusinessHoursId, DepartmentId};
use parley_domain::Timestamp;
use parley_store::{BusinessHoursStore, StoreError};

const COLS: &str = "id, account_id, name, calendar, is_default, created_at, updated_at";

/// The row's calendar; `departments` are read apart.
fn hours(r: &Row, departments: Vec<DepartmentId>) -> Result<BusinessHours, StoreError> {
    let mut input: CalendarInput = json("business hours", &r.text("calendar")?)?;
    // The column decides: saving another calendar as the default clears this one's flag there, not in its JSON.
    input.default = r.int("is_default")? != 0;
    let calendar = Calendar::new(&input)
        .map_err(|e| StoreError::Other(format!("stored business hours no longer pass their checks: {e}")))?;
    Ok(BusinessHours {
        id: id("business hours id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        calendar,
        departments,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

/// Which departments work by which calendar, for the calendars of `rows`.
async fn with_departments(
    store: &SqlStore,
    account: AccountId,
    rows: Vec<Row>,
) -> Result<Vec<BusinessHours>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let links = store
        .db
        .query(
            "SELECT business_hours_id, department_id FROM department_business_hours WHERE account_id = $1 \
             ORDER BY department_id",
            args![account.to_string()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let own = r.text("id")?;
            let mut departments = Vec::new();
            for l in &links {
                if l.text("business_hours_id")? == own {
                    departments.push(id("department id", &l.text("department_id")?)?);
                }
            }
            // A calendar that no longer passes its checks (a time zone gone from the database) is left out and
            // logged: tickets then count in the default hours, or around the clock, instead of every page failing.
            Ok(hours(r, departments)
                .map_err(|e| tracing::warn!(error = %e, "business hours are left out: they do not read back"))
                .ok())
        })
        .collect::<Result<Vec<Option<BusinessHours>>, StoreError>>()
        .map(|all| all.into_iter().flatten().collect())
}

/// A calendar saved as the default: the one that was stops being it, before this one's row says so (the unique
/// index would refuse two at any moment).
async fn clear_other_default(tx: &mut dyn Tx, h: &BusinessHours) -> Result<(), StoreError> {
    if h.calendar.is_default() {
        tx.exec(
            "UPDATE business_hours SET is_default = 0 WHERE account_id = $1 AND id <> $2 AND is_default = 1",
            args![h.account_id.to_string(), h.id.to_string()],
        )
        .await?;
    }
    Ok(())
}

/// The departments named work by this calendar, each leaving the one it had; no other does.
async fn save_links(tx: &mut dyn Tx, h: &BusinessHours) -> Result<(), StoreError> {
    let (acc, own) = (h.account_id.to_string(), h.id.to_string());
    tx.exec(
        "DELETE FROM department_business_hours WHERE account_id = $1 AND business_hours_id = $2",
        args![acc.clone(), own.clone()],
    )
    .await?;
    for d in &h.departments {
        // A department named here leaves the calendar it had.
        tx.exec(
            "DELETE FROM department_business_hours WHERE account_id = $1 AND department_id = $2",
            args![acc.clone(), d.to_string()],
        )
        .await?;
        tx.exec(
            "INSERT INTO department_business_hours (account_id, department_id, business_hours_id) VALUES ($1, $2, $3)",
            args![acc.clone(), d.to_string(), own.clone()],
        )
        .await?;
    }
    Ok(())
}

fn values(h: &BusinessHours) -> Result<Vec<Value>, StoreError> {
    Ok(args![
        h.id.to_string(),
        h.account_id.to_string(),
        h.calendar.name().to_string(),
        to_json(&h.calendar.to_input())?,
        i64::from(h.calendar.is_default()),
        h.created_at.millis(),
        h.updated_at.millis()
    ])
}

#[async_trait]
impl BusinessHoursStore for SqlStore {
    async fn insert_business_hours(&self, h: &BusinessHours) -> Result<(), StoreError> {
        let (h, row) = (h.clone(), values(h)?);
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    clear_other_default(tx, &h).await?;
                    save_links(tx, &h).await?;
                    tx.exec(&format!("INSERT INTO business_hours ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"), row)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_business_hours(&self, h: &BusinessHours) -> Result<(), StoreError> {
        let (h, mut row) = (h.clone(), values(h)?);
        row.remove(5); // created_at stays
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    clear_other_default(tx, &h).await?;
                    let n = tx
                        .exec(
                            "UPDATE business_hours SET name = $3, calendar = $4, is_default = $5, updated_at = $6 \
                             WHERE id = $1 AND account_id = $2",
                            row,
                        )
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    save_links(tx, &h).await
                })
            })
            .await
    }

    async fn get_business_hours(
        &self,
        account: AccountId,
        h: BusinessHoursId,
    ) -> Result<Option<BusinessHours>, StoreError> {
        let rows = self
            .db
            .query(
                &format!("SELECT {COLS} FROM business_hours WHERE account_id = $1 AND id = $2"),
                args![account.to_string(), h.to_string()],
            )
            .await?;
        Ok(with_departments(self, account, rows).await?.into_iter().next())
    }

    async fn list_business_hours(&self, account: AccountId) -> Result<Vec<BusinessHours>, StoreError> {
        let rows = self
            .db
            .query(
                &format!("SELECT {COLS} FROM business_hours WHERE account_id = $1 ORDER BY is_default DESC, name, id"),
                args![account.to_string()],
            )
            .await?;
        with_departments(self, account, rows).await
    }

    async fn delete_business_hours(&self, account: AccountId, h: BusinessHoursId) -> Result<(), StoreError> {
        let (acc, own) = (account.to_string(), h.to_string());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "DELETE FROM business_hours WHERE account_id = $1 AND id = $2",
                            args![acc.clone(), own.clone()],
                        )
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    tx.exec(
                        "DELETE FROM department_business_hours WHERE account_id = $1 AND business_hours_id = $2",
                        args![acc, own],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn business_hours_for(
        &self,
        account: AccountId,
        department: Option<DepartmentId>,
    ) -> Result<Option<BusinessHours>, StoreError> {
        let own = match department {
            Some(d) => self
                .db
                .query_opt(
                    "SELECT business_hours_id FROM department_business_hours WHERE account_id = $1 AND department_id = $2",
                    args![account.to_string(), d.to_string()],
                )
                .await?
                .map(|r| r.text("business_hours_id"))
                .transpose()?,
            None => None,
        };
        let rows = match own {
            Some(h) => {
                self.db
                    .query(
                        &format!("SELECT {COLS} FROM business_hours WHERE account_id = $1 AND id = $2"),
                        args![account.to_string(), h],
                    )
                    .await?
            }
            None => {
                self.db
                    .query(
                        &format!("SELECT {COLS} FROM business_hours WHERE account_id = $1 AND is_default = 1"),
                        args![account.to_string()],
                    )
                    .await?
            }
        };
        Ok(with_departments(self, account, rows).await?.into_iter().next())
    }
}
