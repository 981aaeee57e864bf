//! Saved views, and counting the tickets of a view.

use crate::db::{args, Row};
use crate::rows::{id, json, opt_id, to_json};
use crate::tickets::list::count_sql;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, AgentId, ViewId};
use parley_domain::view::{Column, SavedView, Sort, ViewFilters};
use parley_domain::Timestamp;
use parley_store::{StoreError, TicketCount, TicketFilter, ViewStore};

const VIEW_COLS: &str = "id, account_id, owner_id, shared, name, filters, sort, columns, created_at, updated_at";

fn view(r: &Row) -> Result<SavedView, StoreError> {
    let filters: serde_json::Value = json("view filters", &r.text("filters")?)?;
    let columns: Vec<String> = json("view columns", &r.text("columns")?)?;
    let sort = r.text("sort")?;
    Ok(SavedView {
        id: id("view id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        owner_id: opt_id("agent id", r.opt_text("owner_id")?.as_deref())?,
        shared: r.int("shared")? != 0,
        name: r.text("name")?,
        filters: ViewFilters::from_json(&filters)
            .map_err(|_| crate::error::corrupt("view filters", &filters.to_string()))?,
        sort: Sort::parse("sort", &sort).map_err(|_| crate::error::corrupt("view sort", &sort))?,
        columns: Column::parse_list("columns", &columns)
            .map_err(|_| crate::error::corrupt("view columns", &columns.join(",")))?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

fn columns_json(v: &SavedView) -> Result<String, StoreError> {
    to_json(&v.columns.iter().map(|c| c.as_str()).collect::<Vec<_>>())
}

#[async_trait]
impl ViewStore for SqlStore {
    #[tracing::instrument(skip_all, fields(account = %account))]
    async fn count_tickets(
        &self,
        account: AccountId,
        filter: &TicketFilter,
        cap: u64,
    ) -> Result<TicketCount, StoreError> {
        let (sql, a) = count_sql(self.db.engine(), account, filter, cap);
        let n = self.db.query_opt(&sql, a).await?.map(|r| r.int("n")).transpose()?.unwrap_or(0);
        let n = u64::try_from(n).unwrap_or(0);
        Ok(TicketCount { count: n.min(cap), capped: n > cap })
    }

    async fn insert_view(&self, v: &SavedView) -> Result<(), StoreError> {
        let a = args![
            v.id.to_string(),
            v.account_id.to_string(),
            v.owner_id.map(|o| o.to_string()),
            v.shared,
            &v.name,
            v.filters.to_json().to_string(),
            v.sort.to_param(),
            columns_json(v)?,
            v.created_at.millis(),
            v.updated_at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        &format!("INSERT INTO views ({VIEW_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
                        a,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_view(&self, account: AccountId, v: ViewId) -> Result<Option<SavedView>, StoreError> {
        let sql = format!("SELECT {VIEW_COLS} FROM views WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), v.to_string()]).await?.as_ref().map(view).transpose()
    }

    async fn list_views(&self, account: AccountId, agent: Option<AgentId>) -> Result<Vec<SavedView>, StoreError> {
        let sql = format!(
            "SELECT {VIEW_COLS} FROM views WHERE account_id = $1 AND (shared = 1 OR owner_id = $2) ORDER BY name, id"
        );
        self.db.query(&sql, args![account.to_string(), agent.map(|a| a.to_string())]).await?.iter().map(view).collect()
    }

    async fn update_view(&self, v: &SavedView) -> Result<(), StoreError> {
        let a = args![
            v.id.to_string(),
            v.account_id.to_string(),
            v.shared,
            &v.name,
            v.filters.to_json().to_string(),
            v.sort.to_param(),
            columns_json(v)?,
            v.updated_at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE views SET shared = $3, name = $4, filters = $5, sort = $6, columns = $7, \
                             updated_at = $8 WHERE id = $1 AND account_id = $2",
                            a,
                        )
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn delete_view(&self, account: AccountId, v: ViewId) -> Result<bool, StoreError> {
        let a = args![account.to_string(), v.to_string()];
        self.db
            .write(move |tx| {
                Box::pin(
                    async move { Ok(tx.exec("DELETE FROM views WHERE account_id = $1 AND id = $2", a).await? > 0) },
                )
            })
            .await
    }
}
