//! The outbound mail queue.

use crate::error::SqlResultExt;
use crate::rows::{id, opt_id};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::AccountId;
use parley_domain::Timestamp;
use parley_store::{MailOutbox, OutboundMail, StoreError};

#[async_trait]
impl MailOutbox for SqlStore {
    async fn queue_mail(&self, m: &OutboundMail) -> Result<(), StoreError> {
        let m = m.clone();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO mail_outbox (id, account_id, kind, to_addr, subject, body_text, ticket_id, message_id, \
                         status, attempts, next_attempt_at, last_error, created_at, sent_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, NULL, $9, NULL)",
                    )
                    .bind(&m.id)
                    .bind(m.account_id.to_string())
                    .bind(&m.kind)
                    .bind(&m.to)
                    .bind(&m.subject)
                    .bind(&m.text)
                    .bind(m.ticket_id.map(|t| t.to_string()))
                    .bind(m.message_id.map(|t| t.to_string()))
                    .bind(m.created_at.millis())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    Ok(())
                })
            })
            .await
    }

    async fn queued_mail(&self, account: AccountId, limit: u32) -> Result<Vec<OutboundMail>, StoreError> {
        type Row = (String, String, String, String, String, String, Option<String>, Option<String>, i64);
        let sql = format!(
            "SELECT id, account_id, kind, to_addr, subject, body_text, ticket_id, message_id, created_at FROM mail_outbox \
             WHERE account_id = $1 AND status = 'queued' ORDER BY created_at LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows: Vec<Row> = sqlx::query_as(&sql).bind(account.to_string()).fetch_all(&self.read).await.db()?;
        rows.into_iter()
            .map(|(mid, a, kind, to, subject, text, t, msg, at)| {
                Ok(OutboundMail {
                    id: mid,
                    account_id: id("account id", &a)?,
                    kind,
                    to,
                    subject,
                    text,
                    ticket_id: opt_id("ticket id", t.as_deref())?,
                    message_id: opt_id("message id", msg.as_deref())?,
                    created_at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }
}
