//! Accounts, sessions and API keys.

use crate::agents::insert_agent_rows;
use crate::db::{args, Row, Tx};
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

#[async_trait]
impl AccountStore for SqlStore {
    #[tracing::instrument(skip_all, fields(account = %new.account.id))]
    async fn create_account(&self, new: &NewAccount) -> Result<(), StoreError> {
        let (a, owner, hash, key, secret) = (
            new.account.clone(),
            new.owner.clone(),
            new.owner_password_hash.clone(),
            new.api_key.clone(),
            new.mail_secret.clone(),
        );
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO accounts (id, slug, name, next_ticket_number, created_at, mail_secret) \
                         VALUES ($1, $2, $3, 1, $4, $5)",
                        args![a.id.to_string(), a.slug.as_str(), &a.name, a.created_at.millis(), &secret],
                    )
                    .await?;
                    if engine == Engine::Postgres {
                        tx.batch(&format!("CREATE SEQUENCE {} START 1", ticket_sequence(a.id))).await?;
                    }
                    insert_agent_rows(tx, &owner, Some(&hash)).await?;
                    insert_api_key(tx, &key).await
                })
            })
            .await
    }

    async fn get_account(&self, account: AccountId) -> Result<Option<Account>, StoreError> {
        let row = self
            .db
            .query_opt("SELECT id, slug, name, created_at FROM accounts WHERE id = $1", args![account.to_string()])
            .await?;
        row.map(|r| {
            Ok(Account {
                id: id("account id", &r.text("id")?)?,
                slug: parsed("slug", &r.text("slug")?, AccountSlug::parse)?,
                name: r.text("name")?,
                created_at: Timestamp::from_millis(r.int("created_at")?),
            })
        })
        .transpose()
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, s: &Session) -> Result<(), StoreError> {
        let s = s.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO sessions (token_hash, account_id, agent_id, csrf_token, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        args![
                            &s.token_hash,
                            s.account_id.to_string(),
                            s.agent_id.to_string(),
                            &s.csrf_token,
                            s.created_at.millis(),
                            s.expires_at.millis()
                        ],
                    )
                    .await?;
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
        let row = self
            .db
            .query_opt(
                "SELECT token_hash, account_id, agent_id, csrf_token, created_at, expires_at FROM sessions \
                 WHERE account_id = $1 AND token_hash = $2 AND expires_at > $3",
                args![account.to_string(), token_hash, now.millis()],
            )
            .await?;
        row.map(|r| {
            Ok(Session {
                token_hash: r.text("token_hash")?,
                account_id: id("account id", &r.text("account_id")?)?,
                agent_id: id("agent id", &r.text("agent_id")?)?,
                csrf_token: r.text("csrf_token")?,
                created_at: Timestamp::from_millis(r.int("created_at")?),
                expires_at: Timestamp::from_millis(r.int("expires_at")?),
            })
        })
        .transpose()
    }

    async fn delete_session(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "DELETE FROM sessions WHERE account_id = $1 AND token_hash = $2",
                        args![account.to_string(), &token_hash],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_agent_sessions(&self, account: AccountId, agent: AgentId) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "DELETE FROM sessions WHERE account_id = $1 AND agent_id = $2",
                        args![account.to_string(), agent.to_string()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }
}

const KEY_COLS: &str = "id, account_id, name, prefix, hash, created_by, created_at, revoked_at, last_used_at";

fn api_key(r: &Row) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: id("api key id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        name: r.text("name")?,
        prefix: r.text("prefix")?,
        hash: r.text("hash")?,
        created_by: opt_id("agent id", r.opt_text("created_by")?.as_deref())?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        revoked_at: r.opt_int("revoked_at")?.map(Timestamp::from_millis),
        last_used_at: r.opt_int("last_used_at")?.map(Timestamp::from_millis),
    })
}

async fn insert_api_key(tx: &mut dyn Tx, k: &ApiKey) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO api_keys (id, account_id, name, prefix, hash, created_by, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        args![
            k.id.to_string(),
            k.account_id.to_string(),
            &k.name,
            &k.prefix,
            &k.hash,
            k.created_by.map(|a| a.to_string()),
            k.created_at.millis()
        ],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl ApiKeyStore for SqlStore {
    async fn create_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        let key = key.clone();
        self.db.write(move |tx| Box::pin(async move { insert_api_key(tx, &key).await })).await
    }

    async fn find_api_key(&self, account: AccountId, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLS} FROM api_keys WHERE account_id = $1 AND hash = $2 AND revoked_at IS NULL");
        self.db.query_opt(&sql, args![account.to_string(), hash]).await?.as_ref().map(api_key).transpose()
    }

    async fn list_api_keys(&self, account: AccountId) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!("SELECT {KEY_COLS} FROM api_keys WHERE account_id = $1 ORDER BY created_at, id");
        self.db.query(&sql, args![account.to_string()]).await?.iter().map(api_key).collect()
    }

    async fn revoke_api_key(&self, account: AccountId, key: ApiKeyId, at: Timestamp) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE account_id = $2 AND id = $3",
                            args![at.millis(), account.to_string(), key.to_string()],
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

    async fn note_api_key_use(
        &self,
        account: AccountId,
        key: ApiKeyId,
        at: Timestamp,
        since: Timestamp,
    ) -> Result<bool, StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE api_keys SET last_used_at = $1 WHERE account_id = $2 AND id = $3 \
                             AND (last_used_at IS NULL OR last_used_at < $4)",
                            args![at.millis(), account.to_string(), key.to_string(), since.millis()],
                        )
                        .await?;
                    Ok(n == 1)
                })
            })
            .await
    }
}
