//! The outbound mail queue.

use crate::db::args;
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
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO mail_outbox (id, account_id, kind, to_addr, subject, body_text, ticket_id, message_id, \
                         status, attempts, next_attempt_at, last_error, created_at, sent_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, NULL, $9, NULL)",
                        args![
                            &m.id,
                            m.account_id.to_string(),
                            &m.kind,
                            &m.to,
                            &m.subject,
                            &m.text,
                            m.ticket_id.map(|t| t.to_string()),
                            m.message_id.map(|t| t.to_string()),
                            m.created_at.millis()
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn queued_mail(&self, account: AccountId, limit: u32) -> Result<Vec<OutboundMail>, StoreError> {
        let sql = format!(
            "SELECT id, account_id, kind, to_addr, subject, body_text, ticket_id, message_id, created_at FROM mail_outbox \
             WHERE account_id = $1 AND status = 'queued' ORDER BY created_at LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = self.db.query(&sql, args![account.to_string()]).await?;
        rows.iter()
            .map(|r| {
                Ok(OutboundMail {
                    id: r.text("id")?,
                    account_id: id("account id", &r.text("account_id")?)?,
                    kind: r.text("kind")?,
                    to: r.text("to_addr")?,
                    subject: r.text("subject")?,
                    text: r.text("body_text")?,
                    ticket_id: opt_id("ticket id", r.opt_text("ticket_id")?.as_deref())?,
                    message_id: opt_id("message id", r.opt_text("message_id")?.as_deref())?,
                    created_at: Timestamp::from_millis(r.int("created_at")?),
                })
            })
            .collect()
    }
}
