//! The directory in SQL: a table of slug → account id, region and status.

use crate::error::SqlResultExt;
use crate::migrate::{self, Schema};
use crate::rows::{id, parsed};
use crate::url::{DatabaseUrl, Engine};
use crate::{pg_pool, sqlite_pool};
use async_trait::async_trait;
use parley_domain::account::{AccountSlug, AccountStatus, DirectoryEntry};
use parley_domain::region::RegionName;
use parley_store::{DirectoryStore, StoreError};
use sqlx::AnyPool;

#[derive(Clone)]
pub struct SqlDirectory {
    pool: AnyPool,
    engine: Engine,
}

#[derive(sqlx::FromRow)]
struct Row {
    slug: String,
    account_id: String,
    region: String,
    status: String,
}

impl TryFrom<Row> for DirectoryEntry {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(DirectoryEntry {
            account_id: id("account id", &r.account_id)?,
            slug: parsed("slug", &r.slug, AccountSlug::parse)?,
            region: parsed("region", &r.region, RegionName::parse)?,
            status: parsed("status", &r.status, |s| AccountStatus::parse(s).ok_or(()))?,
        })
    }
}

impl SqlDirectory {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = url.engine();
        let pool = match engine {
            Engine::Postgres => pg_pool(url, 4).await?,
            Engine::Sqlite => {
                let pool = sqlite_pool(url, 2, false).await?;
                sqlx::Executor::execute(&pool, "PRAGMA journal_mode = WAL").await.db()?;
                pool
            }
        };
        Ok(SqlDirectory { pool, engine })
    }

    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        migrate::migrate(&self.pool, self.engine, Schema::Directory).await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl DirectoryStore for SqlDirectory {
    async fn reserve(&self, e: &DirectoryEntry) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO directory (slug, account_id, region, status) VALUES ($1, $2, $3, $4)")
            .bind(e.slug.as_str())
            .bind(e.account_id.to_string())
            .bind(e.region.as_str())
            .bind(e.status.as_str())
            .execute(&self.pool)
            .await
            .map_err(|err| match crate::error::store_err(err) {
                StoreError::Conflict(_) => StoreError::Conflict(format!("the slug '{}' is taken", e.slug)),
                other => other,
            })?;
        Ok(())
    }

    async fn set_status(&self, slug: &AccountSlug, status: AccountStatus) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE directory SET status = $1 WHERE slug = $2")
            .bind(status.as_str())
            .bind(slug.as_str())
            .execute(&self.pool)
            .await
            .db()?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn lookup(&self, slug: &AccountSlug) -> Result<Option<DirectoryEntry>, StoreError> {
        let row: Option<Row> = sqlx::query_as("SELECT slug, account_id, region, status FROM directory WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.map(DirectoryEntry::try_from).transpose()
    }

    async fn list(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as("SELECT slug, account_id, region, status FROM directory ORDER BY slug")
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.into_iter().map(DirectoryEntry::try_from).collect()
    }

    async fn release(&self, slug: &AccountSlug) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM directory WHERE slug = $1").bind(slug.as_str()).execute(&self.pool).await.db()?;
        Ok(())
    }
}
