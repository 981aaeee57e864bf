//! Custom ticket field definitions.

use crate::db::args;
use crate::error::conflict_as;
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
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO ticket_fields (id, account_id, key, label, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        args![f.id.to_string(), f.account_id.to_string(), &f.key, &f.label, &kind, f.created_at.millis()],
                    )
                    .await
                    .map_err(|e| conflict_as(e, || format!("a field with the key {} exists", f.key)))?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_fields(&self, account: AccountId) -> Result<Vec<TicketField>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT id, account_id, key, label, kind, created_at FROM ticket_fields WHERE account_id = $1 ORDER BY key",
                args![account.to_string()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TicketField {
                    id: id("field id", &r.text("id")?)?,
                    account_id: id("account id", &r.text("account_id")?)?,
                    key: r.text("key")?,
                    label: r.text("label")?,
                    kind: json("field kind", &r.text("kind")?)?,
                    created_at: Timestamp::from_millis(r.int("created_at")?),
                })
            })
            .collect()
    }
}
