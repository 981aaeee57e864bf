//! Security incidents per account.

use crate::db::{args, Row};
use crate::rows::{id, json, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::AccountId;
use parley_domain::incident::Incident;
use parley_domain::Timestamp;
use parley_store::{IncidentStore, StoreError};

fn incident(r: &Row) -> Result<Incident, StoreError> {
    Ok(Incident {
        id: id("incident id", &r.text("id")?)?,
        title: r.text("title")?,
        description: r.text("description")?,
        data_categories: json("data categories", &r.text("data_categories")?)?,
        measures: r.text("measures")?,
        occurred_on: r.opt_text("occurred_on")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

#[async_trait]
impl IncidentStore for SqlStore {
    async fn add_incident(&self, account: AccountId, i: &Incident) -> Result<bool, StoreError> {
        let values = args![
            account.to_string(),
            i.id.to_string(),
            i.title.clone(),
            i.description.clone(),
            to_json(&i.data_categories)?,
            i.measures.clone(),
            i.occurred_on.clone(),
            i.created_at.millis()
        ];
        let n = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO incidents (account_id, id, title, description, data_categories, measures, \
                         occurred_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT (account_id, id) DO NOTHING",
                        values,
                    )
                    .await
                })
            })
            .await?;
        Ok(n == 1)
    }

    async fn incidents(&self, account: AccountId) -> Result<Vec<Incident>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT id, title, description, data_categories, measures, occurred_on, created_at FROM incidents \
                 WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(incident).collect()
    }
}
