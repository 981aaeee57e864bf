//! Assignment of new tickets: the account's settings row, and an assignment saved with its round-robin turn.

use crate::db::args;
use crate::rows::{id, parsed};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::assignment::AssignmentSettings;
use parley_domain::ids::{AccountId, AgentId, DepartmentId};
use parley_domain::trigger::Strategy;
use parley_domain::Timestamp;
use parley_store::{AssignmentStore, StoreError, TicketChange};

#[async_trait]
impl AssignmentStore for SqlStore {
    async fn assignment_settings(&self, account: AccountId) -> Result<Option<AssignmentSettings>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT enabled, strategy, max_open, business_hours FROM assignment_settings WHERE account_id = $1",
                args![account.to_string()],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let strategy = r.text("strategy")?;
        Ok(Some(AssignmentSettings {
            enabled: r.int("enabled")? != 0,
            strategy: parsed("assignment strategy", &strategy, |s| Strategy::parse(s).ok_or(()))?,
            max_open: u32::try_from(r.int("max_open")?).map_err(|_| StoreError::Other("bad max_open".into()))?,
            business_hours: r.int("business_hours")? != 0,
        }))
    }

    async fn set_assignment_settings(
        &self,
        account: AccountId,
        s: &AssignmentSettings,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let values = args![
            account.to_string(),
            i64::from(s.enabled),
            s.strategy.as_str(),
            i64::from(s.max_open),
            i64::from(s.business_hours),
            at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO assignment_settings (account_id, enabled, strategy, max_open, business_hours, \
                         updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO UPDATE SET \
                         enabled = excluded.enabled, strategy = excluded.strategy, max_open = excluded.max_open, \
                         business_hours = excluded.business_hours, updated_at = excluded.updated_at",
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn accounts_assigning(&self) -> Result<Vec<AccountId>, StoreError> {
        let rows = self.db.query("SELECT account_id FROM assignment_settings WHERE enabled = 1", args![]).await?;
        rows.iter().map(|r| id("account id", &r.text("account_id")?)).collect()
    }

    async fn save_assignment(
        &self,
        change: TicketChange,
        agent: AgentId,
        max_open: u32,
        turn: Option<(Option<DepartmentId>, AgentId)>,
    ) -> Result<(), StoreError> {
        let news = crate::news::saved(&change);
        // SQLite's one writer already orders the units of work; PostgreSQL's are ordered by the agent's row.
        let lock = if self.engine() == Engine::Postgres { " FOR UPDATE" } else { "" };
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let account = change.ticket.account_id.to_string();
                    tx.query_opt(
                        &format!("SELECT id FROM agents WHERE account_id = $1 AND id = $2{lock}"),
                        args![account.clone(), agent.to_string()],
                    )
                    .await?
                    .ok_or(StoreError::Stale)?;
                    let open = tx
                        .query_opt(
                            "SELECT COUNT(*) AS n FROM tickets WHERE account_id = $1 AND assignee_id = $2 \
                             AND status IN ('new', 'open', 'pending')",
                            args![account, agent.to_string()],
                        )
                        .await?
                        .map(|r| r.int("n"))
                        .transpose()?
                        .unwrap_or(0);
                    if open >= i64::from(max_open) {
                        return Err(StoreError::Stale);
                    }
                    crate::tickets::save(tx, &change).await?;
                    let at = change.ticket.updated_at;
                    crate::triggers::record_turns(tx, change.ticket.account_id, turn.as_slice(), at).await
                })
            })
            .await?;
        self.announce(vec![news]).await;
        Ok(())
    }
}
