//! The outbound mail queue.

use crate::db::{args, Row, Tx};
use crate::rows::{id, json, opt_id, to_json};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, MessageId};
use parley_domain::message::Delivery;
use parley_domain::Timestamp;
use parley_store::{MailOutbox, MailOutcome, OutboundMail, StoreError};

const MAIL_COLS: &str =
    "id, account_id, kind, to_addr, subject, body_text, ticket_id, message_id, created_at, meta, attempts";

fn mail(r: &Row) -> Result<OutboundMail, StoreError> {
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
        meta: json("mail meta", &r.text("meta")?)?,
    })
}

/// Queue a mail in the caller's unit of work.
pub(crate) async fn insert_mail(tx: &mut dyn Tx, m: &OutboundMail) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO mail_outbox (id, account_id, kind, to_addr, subject, body_text, ticket_id, message_id, \
         status, attempts, next_attempt_at, last_error, created_at, sent_at, meta) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, NULL, $9, NULL, $10)",
        args![
            &m.id,
            m.account_id.to_string(),
            &m.kind,
            &m.to,
            &m.subject,
            &m.text,
            m.ticket_id.map(|t| t.to_string()),
            m.message_id.map(|t| t.to_string()),
            m.created_at.millis(),
            to_json(&m.meta)?
        ],
    )
    .await?;
    Ok(())
}

async fn set_delivery(tx: &mut dyn Tx, account: AccountId, message: MessageId, d: &Delivery) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE messages SET delivery = $1 WHERE account_id = $2 AND id = $3",
        args![to_json(d)?, account.to_string(), message.to_string()],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl MailOutbox for SqlStore {
    async fn queue_mail(&self, m: &OutboundMail) -> Result<(), StoreError> {
        let m = m.clone();
        self.db.write(move |tx| Box::pin(async move { insert_mail(tx, &m).await })).await
    }

    async fn queued_mail(&self, account: AccountId, limit: u32) -> Result<Vec<OutboundMail>, StoreError> {
        let sql = format!(
            "SELECT {MAIL_COLS} FROM mail_outbox WHERE account_id = $1 AND status = 'queued' ORDER BY created_at LIMIT {}",
            limit.clamp(1, 1000)
        );
        self.db.query(&sql, args![account.to_string()]).await?.iter().map(mail).collect()
    }

    async fn claim_mail(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<(OutboundMail, i64)>, StoreError> {
        // PostgreSQL may have several processes sending; SKIP LOCKED hands each mail to one of them.
        let lock = if self.db.engine() == Engine::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE mail_outbox SET leased_until = $1 WHERE id IN ( \
                SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= $2 \
                AND (leased_until IS NULL OR leased_until < $2) ORDER BY next_attempt_at LIMIT {} {lock}) \
             RETURNING {MAIL_COLS}",
            limit.clamp(1, 500)
        );
        let rows = self
            .db
            .write(move |tx| Box::pin(async move { tx.query(&sql, args![lease_until.millis(), now.millis()]).await }))
            .await?;
        rows.iter().map(|r| Ok((mail(r)?, r.int("attempts")?))).collect()
    }

    async fn finish_mail(
        &self,
        account: AccountId,
        mail_id: &str,
        outcome: &MailOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let (mail_id, outcome) = (mail_id.to_string(), outcome.clone());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let (status, next, error, delivery) = match &outcome {
                        MailOutcome::Sent => ("sent", None, None, Delivery::Sent),
                        MailOutcome::Retry { error, at } => {
                            ("queued", Some(at.millis()), Some(error.clone()), Delivery::Queued { reason: Some(error.clone()) })
                        }
                        MailOutcome::Failed { error } => {
                            ("failed", None, Some(error.clone()), Delivery::Failed { reason: error.clone() })
                        }
                    };
                    let row = tx
                        .query_opt(
                            "UPDATE mail_outbox SET status = $1, attempts = attempts + 1, next_attempt_at = $2, \
                             last_error = $3, leased_until = NULL, sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END \
                             WHERE account_id = $5 AND id = $6 RETURNING message_id",
                            args![status, next, error, at.millis(), account.to_string(), &mail_id],
                        )
                        .await?;
                    if let Some(message) = row.map(|r| r.opt_text("message_id")).transpose()?.flatten() {
                        // A bounce can be stored between the relay's acceptance and this line; what the bounce
                        // says is later news than the relay's 250, so it is never overwritten here.
                        tx.exec(
                            "UPDATE messages SET delivery = $1 WHERE account_id = $2 AND id = $3 \
                             AND (delivery IS NULL OR delivery NOT LIKE '{\"status\":\"failed\"%')",
                            args![to_json(&delivery)?, account.to_string(), id::<MessageId>("message id", &message)?.to_string()],
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn set_delivery(&self, account: AccountId, message: MessageId, d: &Delivery) -> Result<(), StoreError> {
        let d = d.clone();
        self.db.write(move |tx| Box::pin(async move { set_delivery(tx, account, message, &d).await })).await
    }
}
