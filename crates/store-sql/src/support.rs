//! Support grants and staff sessions.

use crate::db::{args, Row};
use crate::rows::{id, json, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, SupportGrantId};
use parley_domain::support::{GrantScope, SupportGrant};
use parley_domain::Timestamp;
use parley_store::{StoreError, SupportStore};

const COLUMNS: &str =
    "g.id, g.account_id, g.scope, g.department_ids, g.ticket_ids, g.reason, g.created_by, g.created_at, \
                       g.expires_at, g.revoked_at";

fn grant(r: &Row) -> Result<SupportGrant, StoreError> {
    Ok(SupportGrant {
        id: id("grant id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        scope: GrantScope::parse(&r.text("scope")?).ok_or_else(|| StoreError::Other("unknown grant scope".into()))?,
        department_ids: json("grant departments", &r.text("department_ids")?)?,
        ticket_ids: json("grant tickets", &r.text("ticket_ids")?)?,
        reason: r.text("reason")?,
        created_by: r.text("created_by")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        expires_at: Timestamp::from_millis(r.int("expires_at")?),
        revoked_at: r.opt_int("revoked_at")?.map(Timestamp::from_millis),
    })
}

#[async_trait]
impl SupportStore for SqlStore {
    async fn create_grant(&self, g: &SupportGrant) -> Result<(), StoreError> {
        let departments = to_json(&g.department_ids)?;
        let tickets = to_json(&g.ticket_ids)?;
        let g = g.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO support_grants (id, account_id, scope, department_ids, ticket_ids, reason, \
                         created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        args![
                            g.id.to_string(),
                            g.account_id.to_string(),
                            g.scope.as_str(),
                            departments,
                            tickets,
                            g.reason,
                            g.created_by,
                            g.created_at.millis(),
                            g.expires_at.millis()
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_grants(&self, account: AccountId) -> Result<Vec<SupportGrant>, StoreError> {
        let rows = self
            .db
            .query(
                &format!("SELECT {COLUMNS} FROM support_grants g WHERE g.account_id = $1 ORDER BY g.created_at DESC"),
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(grant).collect()
    }

    async fn revoke_grant(&self, account: AccountId, grant: SupportGrantId, at: Timestamp) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE support_grants SET revoked_at = COALESCE(revoked_at, $3) \
                             WHERE account_id = $1 AND id = $2",
                            args![account.to_string(), grant.to_string(), at.millis()],
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

    async fn open_support_session(
        &self,
        account: AccountId,
        grant: SupportGrantId,
        token_hash: &str,
        staff: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (hash, staff) = (token_hash.to_string(), staff.to_string());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO support_sessions (token_hash, account_id, grant_id, staff, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                        args![hash, account.to_string(), grant.to_string(), staff, at.millis()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn support_session(
        &self,
        account: AccountId,
        token_hash: &str,
    ) -> Result<Option<(SupportGrant, String)>, StoreError> {
        let row = self
            .db
            .query_opt(
                &format!(
                    "SELECT {COLUMNS}, s.staff FROM support_sessions s JOIN support_grants g ON g.id = s.grant_id \
                     AND g.account_id = s.account_id WHERE s.account_id = $1 AND s.token_hash = $2"
                ),
                args![account.to_string(), token_hash],
            )
            .await?;
        match row {
            Some(r) => Ok(Some((grant(&r)?, r.text("staff")?))),
            None => Ok(None),
        }
    }
}
