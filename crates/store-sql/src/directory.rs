//! The directory in SQL: a table of slug → account id, region and status.

use crate::db::{args, Db, Row};
use crate::error::conflict_as;
use crate::migrate::{self, Schema};
use crate::rows::{id, parsed};
use crate::url::DatabaseUrl;
use async_trait::async_trait;
use parley_domain::account::{AccountSlug, AccountStatus, DirectoryEntry};
use parley_domain::region::RegionName;
use parley_store::{DirectoryStore, StoreError};

#[derive(Clone)]
pub struct SqlDirectory {
    db: Db,
}

fn entry(r: &Row) -> Result<DirectoryEntry, StoreError> {
    Ok(DirectoryEntry {
        account_id: id("account id", &r.text("account_id")?)?,
        slug: parsed("slug", &r.text("slug")?, AccountSlug::parse)?,
        region: parsed("region", &r.text("region")?, RegionName::parse)?,
        status: parsed("status", &r.text("status")?, |s| AccountStatus::parse(s).ok_or(()))?,
    })
}

impl SqlDirectory {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        Ok(SqlDirectory { db: Db::connect(url, 2).await? })
    }

    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        migrate::migrate(&self.db, Schema::Directory).await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

#[async_trait]
impl DirectoryStore for SqlDirectory {
    async fn reserve(&self, e: &DirectoryEntry) -> Result<(), StoreError> {
        let e = e.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO directory (slug, account_id, region, status) VALUES ($1, $2, $3, $4)",
                        args![e.slug.as_str(), e.account_id.to_string(), e.region.as_str(), e.status.as_str()],
                    )
                    .await
                    .map_err(|err| conflict_as(err, || format!("the slug '{}' is taken", e.slug)))?;
                    Ok(())
                })
            })
            .await
    }

    async fn set_status(&self, slug: &AccountSlug, status: AccountStatus) -> Result<(), StoreError> {
        let slug = slug.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec("UPDATE directory SET status = $1 WHERE slug = $2", args![status.as_str(), slug.as_str()])
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn lookup(&self, slug: &AccountSlug) -> Result<Option<DirectoryEntry>, StoreError> {
        let row = self
            .db
            .query_opt("SELECT slug, account_id, region, status FROM directory WHERE slug = $1", args![slug.as_str()])
            .await?;
        row.as_ref().map(entry).transpose()
    }

    async fn list(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        let rows =
            self.db.query("SELECT slug, account_id, region, status FROM directory ORDER BY slug", vec![]).await?;
        rows.iter().map(entry).collect()
    }

    async fn release(&self, slug: &AccountSlug) -> Result<(), StoreError> {
        let slug = slug.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec("DELETE FROM directory WHERE slug = $1", args![slug.as_str()]).await?;
                    Ok(())
                })
            })
            .await
    }
}
