//! Tickets' SLA as last looked at: the record kept with the ticket, and the sweep's index of what comes due.

use crate::db::{args, Value};
use crate::rows::{id, json, placeholders, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, TicketId};
use parley_domain::sla::SlaSummary;
use parley_domain::Timestamp;
use parley_store::{SlaDue, SlaWrite, StoreError, StoredSla, TicketSlaStore};

#[async_trait]
impl TicketSlaStore for SqlStore {
    async fn sla_checks_due(&self, now: Timestamp, limit: usize) -> Result<Vec<(AccountId, TicketId)>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT account_id, id FROM tickets WHERE sla_check_at IS NOT NULL AND sla_check_at <= $1 \
                 ORDER BY sla_check_at LIMIT $2",
                args![now.millis(), limit as i64],
            )
            .await?;
        rows.iter().map(|r| Ok((id("account id", &r.text("account_id")?)?, id("ticket id", &r.text("id")?)?))).collect()
    }

    async fn ticket_sla(&self, account: AccountId, ticket: TicketId) -> Result<Option<StoredSla>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT sla, sla_rev FROM tickets WHERE account_id = $1 AND id = $2",
                args![account.to_string(), ticket.to_string()],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let record = r.opt_text("sla")?.map(|s| json("ticket SLA", &s)).transpose()?;
        Ok(Some(StoredSla { record, rev: r.int("sla_rev")? }))
    }

    async fn write_ticket_sla(&self, w: SlaWrite) -> Result<bool, StoreError> {
        let record = w.record.as_ref().map(to_json).transpose()?;
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE tickets SET sla = $1, sla_due_at = $2, sla_state = $3, sla_check_at = $4, \
                             sla_rev = sla_rev + 1 \
                             WHERE account_id = $5 AND id = $6 AND version = $7 AND sla_rev = $8",
                            args![
                                record,
                                w.due_at.map(Timestamp::millis),
                                w.state.map(|s| s.as_str()),
                                w.check_at.map(Timestamp::millis),
                                w.account_id.to_string(),
                                w.ticket_id.to_string(),
                                w.expected_version,
                                w.expected_rev
                            ],
                        )
                        .await?;
                    if n == 0 {
                        return Ok(false);
                    }
                    crate::tickets::insert_events(tx, &w.events).await?;
                    for m in &w.mail {
                        crate::mail::insert_mail(tx, m).await?;
                    }
                    if !w.outbox.is_empty() {
                        crate::webhooks::enqueue(tx, w.account_id, || w.outbox.clone()).await?;
                    }
                    if !w.trigger_events.is_empty() {
                        let q = parley_store::QueuedActivity {
                            id: parley_domain::ids::OutboxEventId::new().to_string(),
                            account_id: w.account_id,
                            ticket_id: w.ticket_id,
                            version: w.expected_version,
                            activity: parley_domain::trigger::Activity {
                                events: w.trigger_events.clone(),
                                ..Default::default()
                            },
                            created_at: w.events.last().map_or(Timestamp::from_millis(0), |e| e.created_at),
                        };
                        crate::triggers::queue(tx, &q).await?;
                    }
                    Ok(true)
                })
            })
            .await
    }

    async fn clear_sla_checks(
        &self,
        account: AccountId,
        tickets: &[TicketId],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        if tickets.is_empty() {
            return Ok(0);
        }
        let mut a: Vec<Value> = args![account.to_string(), now.millis()];
        a.extend(tickets.iter().map(|t| Value::Text(t.to_string())));
        let sql = format!(
            "UPDATE tickets SET sla_check_at = NULL WHERE account_id = $1 AND sla IS NULL AND sla_check_at <= $2 \
             AND id IN ({})",
            placeholders(3, tickets.len())
        );
        self.db.write(move |tx| Box::pin(async move { tx.exec(&sql, a).await })).await
    }

    async fn recheck_sla(&self, account: AccountId, now: Timestamp) -> Result<u64, StoreError> {
        let a = args![account.to_string(), now.millis()];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "UPDATE tickets SET sla_check_at = $2 WHERE account_id = $1 \
                         AND status NOT IN ('closed', 'spam') AND (sla_check_at IS NULL OR sla_check_at > $2)",
                        a,
                    )
                    .await
                })
            })
            .await
    }

    async fn sla_due_of(&self, account: AccountId, tickets: &[TicketId]) -> Result<Vec<SlaDue>, StoreError> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        let mut a: Vec<Value> = args![account.to_string()];
        a.extend(tickets.iter().map(|t| Value::Text(t.to_string())));
        let sql = format!(
            "SELECT id, sla_due_at, sla_state FROM tickets WHERE account_id = $1 AND sla_state IS NOT NULL \
             AND id IN ({})",
            placeholders(2, tickets.len())
        );
        let rows = self.db.query(&sql, a).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let raw = r.text("sla_state")?;
            // A state this version does not know (written by a newer one) shows no pill rather than failing the list.
            let Some(state) = SlaSummary::parse(&raw) else { continue };
            out.push(SlaDue {
                ticket_id: id("ticket id", &r.text("id")?)?,
                due_at: r.opt_int("sla_due_at")?.map(Timestamp::from_millis),
                state,
            });
        }
        Ok(out)
    }
}
