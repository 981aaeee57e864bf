//! Automations: the rule kept as the API's JSON (checked again when read), its order in a column; the tickets whose
//! time has come, read by status and time through an index; and the record of each firing.

use crate::db::{args, Row, Value};
use crate::rows::{id, json, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::automation::{Automation, AutomationInput, AutomationRecord, Since};
use parley_domain::ids::{AccountId, AutomationId, TicketId};
use parley_domain::ticket::Status;
use parley_domain::ticket_action::FieldDefs;
use parley_domain::Timestamp;
use parley_store::{AutomationApplied, AutomationStore, StoreError};

const COLS: &str = "id, account_id, position, active, rule, created_at, updated_at";

fn record(r: &Row) -> Result<AutomationRecord, StoreError> {
    let mut input: AutomationInput = json("automation", &r.text("rule")?)?;
    let position = r.int("position")?;
    input.position = Some(position);
    let automation = Automation::new(&input, FieldDefs::Trusted)
        .map_err(|e| StoreError::Other(format!("a stored automation no longer passes its checks: {e}")))?;
    Ok(AutomationRecord {
        id: id("automation id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        position,
        automation,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

/// The ticket's column holding the moment an automation counts from.
fn column(since: Since) -> &'static str {
    match since {
        Since::Created => "created_at",
        Since::Updated => "updated_at",
        Since::StatusChanged | Since::Solved => "status_changed_at",
    }
}

#[async_trait]
impl AutomationStore for SqlStore {
    async fn insert_automation(&self, a: &AutomationRecord) -> Result<(), StoreError> {
        let values = args![
            a.id.to_string(),
            a.account_id.to_string(),
            a.position,
            i64::from(a.automation.active()),
            to_json(&a.automation.to_input())?,
            a.created_at.millis(),
            a.updated_at.millis()
        ];
        self.write_one(
            "INSERT INTO automations (id, account_id, position, active, rule, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            values,
        )
        .await?;
        Ok(())
    }

    async fn update_automation(&self, a: &AutomationRecord) -> Result<(), StoreError> {
        let values = args![
            a.id.to_string(),
            a.account_id.to_string(),
            a.position,
            i64::from(a.automation.active()),
            to_json(&a.automation.to_input())?,
            a.updated_at.millis()
        ];
        let n = self
            .write_one(
                "UPDATE automations SET position = $3, active = $4, rule = $5, updated_at = $6 \
                 WHERE id = $1 AND account_id = $2",
                values,
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn get_automation(
        &self,
        account: AccountId,
        a: AutomationId,
    ) -> Result<Option<AutomationRecord>, StoreError> {
        let sql = format!("SELECT {COLS} FROM automations WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), a.to_string()]).await?.as_ref().map(record).transpose()
    }

    async fn list_automations(&self, account: AccountId) -> Result<Vec<AutomationRecord>, StoreError> {
        let sql = format!("SELECT {COLS} FROM automations WHERE account_id = $1 ORDER BY position, created_at, id");
        let rows = self.db.query(&sql, args![account.to_string()]).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                record(r)
                    .map_err(|e| tracing::warn!(error = %e, "an automation is left out: it does not read back"))
                    .ok()
            })
            .collect())
    }

    async fn accounts_with_automations(&self) -> Result<Vec<AccountId>, StoreError> {
        let rows = self.db.query("SELECT DISTINCT account_id FROM automations WHERE active = 1", Vec::new()).await?;
        rows.iter().map(|r| id("account id", &r.text("account_id")?)).collect()
    }

    async fn delete_automation(&self, account: AccountId, a: AutomationId) -> Result<(), StoreError> {
        let n = self
            .write_one(
                "DELETE FROM automations WHERE account_id = $1 AND id = $2",
                args![account.to_string(), a.to_string()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn automation_candidates(
        &self,
        account: AccountId,
        automation: AutomationId,
        since: Since,
        before: Timestamp,
        statuses: Option<&[Status]>,
        limit: usize,
    ) -> Result<Vec<(TicketId, Timestamp)>, StoreError> {
        let col = column(since);
        // Statuses come from a closed enum, written as literals so the planner matches the index's terms.
        let status = match statuses {
            Some([]) => return Ok(Vec::new()),
            Some(list) => {
                let s: Vec<String> = list.iter().map(|x| format!("'{}'", x.as_str())).collect();
                format!(" AND t.status IN ({})", s.join(", "))
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT t.id, t.{col} AS since_at FROM tickets t WHERE t.account_id = $1{status} \
             AND t.{col} IS NOT NULL AND t.{col} <= $2 AND t.merged_into IS NULL \
             AND NOT EXISTS (SELECT 1 FROM automation_runs r WHERE r.account_id = $1 AND r.automation_id = $3 \
                             AND r.ticket_id = t.id AND r.since_at = t.{col}) \
             ORDER BY t.{col} LIMIT $4"
        );
        let rows = self
            .db
            .query(&sql, args![account.to_string(), before.millis(), automation.to_string(), limit as i64])
            .await?;
        rows.iter()
            .map(|r| Ok((id("ticket id", &r.text("id")?)?, Timestamp::from_millis(r.int("since_at")?))))
            .collect()
    }

    async fn apply_automation(&self, a: AutomationApplied) -> Result<bool, StoreError> {
        let news = a.change.as_ref().map(crate::news::saved);
        let applied = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let first = tx
                        .exec(
                            "INSERT INTO automation_runs (account_id, automation_id, ticket_id, since_at, fired_at) \
                             VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (account_id, automation_id, ticket_id, since_at) DO NOTHING",
                            vec![
                                Value::Text(a.account_id.to_string()),
                                Value::Text(a.automation_id.to_string()),
                                Value::Text(a.ticket_id.to_string()),
                                Value::Int(a.since_at.millis()),
                                Value::Int(a.fired_at.millis()),
                            ],
                        )
                        .await?;
                    if first == 0 {
                        return Ok(false);
                    }
                    if let Some(change) = &a.change {
                        // An automation's change is a change like an agent's: the triggers run on it.
                        crate::tickets::save(tx, change).await?;
                    }
                    crate::triggers::record_turns(tx, a.account_id, &a.turns, a.fired_at).await?;
                    Ok(true)
                })
            })
            .await?;
        if applied {
            if let Some(n) = news {
                self.announce(vec![n]).await;
            }
        }
        Ok(applied)
    }
}
