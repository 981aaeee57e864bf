//! Custom ticket field definitions.

use crate::error::{store_err, SqlResultExt};
use crate::rows::{id, json, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::custom_field::TicketField;
use parley_domain::ids::AccountId;
use parley_domain::Timestamp;
use parley_store::{FieldStore, StoreError};

#[async_trait]
impl FieldStore for SqlStore {
    async fn insert_field(&self, f: &TicketField) -> Result<(), StoreError> {
        let f = f.clone();
        let kind = to_json(&f.kind)?;
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO ticket_fields (id, account_id, key, label, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(f.id.to_string())
                    .bind(f.account_id.to_string())
                    .bind(&f.key)
                    .bind(&f.label)
                    .bind(&kind)
                    .bind(f.created_at.millis())
                    .execute(&mut *c)
                    .await
                    .map_err(|e| match store_err(e) {
                        StoreError::Conflict(_) => StoreError::Conflict(format!("a field with the key {} exists", f.key)),
                        other => other,
                    })?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_fields(&self, account: AccountId) -> Result<Vec<TicketField>, StoreError> {
        let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, account_id, key, label, kind, created_at FROM ticket_fields WHERE account_id = $1 ORDER BY key",
        )
        .bind(account.to_string())
        .fetch_all(&self.read)
        .await
        .db()?;
        rows.into_iter()
            .map(|(i, a, key, label, kind, at)| {
                Ok(TicketField {
                    id: id("field id", &i)?,
                    account_id: id("account id", &a)?,
                    key,
                    label,
                    kind: json("field kind", &kind)?,
                    created_at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }
}
