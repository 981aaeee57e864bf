//! Accounts, sessions and API keys.

use crate::agents::insert_agent_rows;
use crate::error::SqlResultExt;
use crate::rows::{id, opt_id, parsed};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::account::{Account, AccountSlug};
use parley_domain::auth::{ApiKey, Session};
use parley_domain::ids::{AccountId, AgentId, ApiKeyId};
use parley_domain::Timestamp;
use parley_store::{AccountStore, ApiKeyStore, NewAccount, SessionStore, StoreError};

/// The PostgreSQL sequence an account's ticket numbers come from.
pub(crate) fn ticket_sequence(account: AccountId) -> String {
    format!("ticket_numbers_{}", account.to_string().replace('-', ""))
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    slug: String,
    name: String,
    created_at: i64,
}

#[async_trait]
impl AccountStore for SqlStore {
    #[tracing::instrument(skip_all, fields(account = %new.account.id))]
    async fn create_account(&self, new: &NewAccount) -> Result<(), StoreError> {
        let a = new.account.clone();
        let owner = new.owner.clone();
        let hash = new.owner_password_hash.clone();
        let key = new.api_key.clone();
        let engine = self.engine;
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO accounts (id, slug, name, next_ticket_number, created_at) VALUES ($1, $2, $3, 1, $4)",
                    )
                    .bind(a.id.to_string())
                    .bind(a.slug.as_str())
                    .bind(&a.name)
                    .bind(a.created_at.millis())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    if engine == Engine::Postgres {
                        let seq = format!("CREATE SEQUENCE {} START 1", ticket_sequence(a.id));
                        sqlx::Executor::execute(&mut *c, seq.as_str()).await.db()?;
                    }
                    insert_agent_rows(c, &owner, Some(&hash)).await?;
                    insert_api_key(c, &key).await
                })
            })
            .await
    }

    async fn get_account(&self, account: AccountId) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = sqlx::query_as("SELECT id, slug, name, created_at FROM accounts WHERE id = $1")
            .bind(account.to_string())
            .fetch_optional(&self.read)
            .await
            .db()?;
        row.map(|r| {
            Ok(Account {
                id: id("account id", &r.id)?,
                slug: parsed("slug", &r.slug, AccountSlug::parse)?,
                name: r.name,
                created_at: Timestamp::from_millis(r.created_at),
            })
        })
        .transpose()
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    account_id: String,
    agent_id: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
        let s = s.clone();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, account_id, agent_id, csrf_token, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.account_id.to_string())
                    .bind(s.agent_id.to_string())
                    .bind(&s.csrf_token)
                    .bind(s.created_at.millis())
                    .bind(s.expires_at.millis())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    Ok(())
                })
            })
            .await
    }

    async fn get_session(
        &self,
        account: AccountId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT token_hash, account_id, agent_id, csrf_token, created_at, expires_at FROM sessions \
             WHERE account_id = $1 AND token_hash = $2 AND expires_at > $3",
        )
        .bind(account.to_string())
        .bind(token_hash)
        .bind(now.millis())
        .fetch_optional(&self.read)
        .await
        .db()?;
        row.map(|r| {
            Ok(Session {
                token_hash: r.token_hash,
                account_id: id("account id", &r.account_id)?,
                agent_id: id("agent id", &r.agent_id)?,
                csrf_token: r.csrf_token,
                created_at: Timestamp::from_millis(r.created_at),
                expires_at: Timestamp::from_millis(r.expires_at),
            })
        })
        .transpose()
    }

    async fn delete_session(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash = $2")
                        .bind(account.to_string())
                        .bind(&token_hash)
                        .execute(&mut *c)
                        .await
                        .db()?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_agent_sessions(&self, account: AccountId, agent: AgentId) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND agent_id = $2")
                        .bind(account.to_string())
                        .bind(agent.to_string())
                        .execute(&mut *c)
                        .await
                        .db()?;
                    Ok(())
                })
            })
            .await
    }
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: String,
    account_id: String,
    name: String,
    prefix: String,
    hash: String,
    created_by: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = StoreError;
    fn try_from(r: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(ApiKey {
            id: id("api key id", &r.id)?,
            account_id: id("account id", &r.account_id)?,
            name: r.name,
            prefix: r.prefix,
            hash: r.hash,
            created_by: opt_id("agent id", r.created_by.as_deref())?,
            created_at: Timestamp::from_millis(r.created_at),
            revoked_at: r.revoked_at.map(Timestamp::from_millis),
        })
    }
}

const KEY_COLS: &str = "id, account_id, name, prefix, hash, created_by, created_at, revoked_at";

fn insert_api_key<'a>(
    c: &'a mut sqlx::AnyConnection,
    k: &'a ApiKey,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        sqlx::query(
            "INSERT INTO api_keys (id, account_id, name, prefix, hash, created_by, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(k.id.to_string())
        .bind(k.account_id.to_string())
        .bind(&k.name)
        .bind(&k.prefix)
        .bind(&k.hash)
        .bind(k.created_by.map(|a| a.to_string()))
        .bind(k.created_at.millis())
        .execute(&mut *c)
        .await
        .db()?;
        Ok(())
    })
}

#[async_trait]
impl ApiKeyStore for SqlStore {
    async fn create_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        let key = key.clone();
        self.writer.write(move |c| Box::pin(async move { insert_api_key(c, &key).await })).await
    }

    async fn find_api_key(&self, account: AccountId, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLS} FROM api_keys WHERE account_id = $1 AND hash = $2 AND revoked_at IS NULL");
        let row: Option<ApiKeyRow> =
            sqlx::query_as(&sql).bind(account.to_string()).bind(hash).fetch_optional(&self.read).await.db()?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn list_api_keys(&self, account: AccountId) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLS} FROM api_keys WHERE account_id = $1 ORDER BY created_at, id");
        let rows: Vec<ApiKeyRow> = sqlx::query_as(&sql).bind(account.to_string()).fetch_all(&self.read).await.db()?;
        rows.into_iter().map(ApiKey::try_from).collect()
    }

    async fn revoke_api_key(&self, account: AccountId, key: ApiKeyId, at: Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE account_id = $2 AND id = $3",
                    )
                    .bind(at.millis())
                    .bind(account.to_string())
                    .bind(key.to_string())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }
}
