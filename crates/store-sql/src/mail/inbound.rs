//! Received mail, the lookups threading needs, mailboxes and attachments.

use super::attachment_info;
use crate::contacts::{contact, CONTACT_COLS};
use crate::db::{args, Row, Value};
use crate::error::conflict_as;
use crate::rows::{id, json, parsed, placeholders, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AttachmentId, ContactId, InboundId, MailboxId, TicketId};
use parley_domain::mail_template::MailSettings;
use parley_domain::mailbox::Mailbox;
use parley_domain::message::{AttachmentInfo, Message};
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;
use parley_store::{Inbound, InboundStore, IncomingMail, MailIdentity, StoreError};

const MAILBOX_COLS: &str = "id, account_id, address, name, imap, webhook_secret, created_at";

fn mailbox(r: &Row) -> Result<Mailbox, StoreError> {
    Ok(Mailbox {
        id: id("mailbox id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        address: parsed("mailbox address", &r.text("address")?, EmailAddress::parse)?,
        name: r.opt_text("name")?,
        imap: r.opt_text("imap")?.map(|i| json("imap settings", &i)).transpose()?,
        webhook_secret: r.text("webhook_secret")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

fn inbound(r: &Row) -> Result<Inbound, StoreError> {
    Ok(Inbound {
        id: id("inbound id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        source: r.text("source")?,
        mail_from: r.opt_text("mail_from")?,
        rcpt_to: r.text("rcpt_to")?,
        received_at: Timestamp::from_millis(r.int("received_at")?),
    })
}

#[async_trait]
impl InboundStore for SqlStore {
    async fn store_inbound(&self, m: &Inbound, raw: &[u8]) -> Result<(), StoreError> {
        let (m, raw) = (m.clone(), raw.to_vec());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO inbound_mail (id, account_id, source, mail_from, rcpt_to, raw, size, received_at, status) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')",
                        args![
                            m.id.to_string(),
                            m.account_id.to_string(),
                            &m.source,
                            m.mail_from.clone(),
                            &m.rcpt_to,
                            Value::Bytes(raw.clone()),
                            raw.len() as i64,
                            m.received_at.millis()
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn pending_inbound(&self, limit: u32) -> Result<Vec<(AccountId, InboundId, Option<String>)>, StoreError> {
        let sql = format!(
            "SELECT account_id, id, mail_from FROM inbound_mail WHERE status = 'pending' ORDER BY received_at, id LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = self.db.query(&sql, vec![]).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    id("account id", &r.text("account_id")?)?,
                    id("inbound id", &r.text("id")?)?,
                    r.opt_text("mail_from")?,
                ))
            })
            .collect()
    }

    async fn load_inbound(
        &self,
        account: AccountId,
        inbound_id: InboundId,
    ) -> Result<Option<(Inbound, Vec<u8>)>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT id, account_id, source, mail_from, rcpt_to, received_at, raw FROM inbound_mail \
                 WHERE account_id = $1 AND id = $2 AND status = 'pending'",
                args![account.to_string(), inbound_id.to_string()],
            )
            .await?;
        row.map(|r| Ok((inbound(&r)?, r.bytes("raw")?))).transpose()
    }

    async fn close_inbound(
        &self,
        account: AccountId,
        inbound_id: InboundId,
        outcome: &str,
    ) -> Result<bool, StoreError> {
        let outcome = outcome.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE inbound_mail SET status = 'done', outcome = $1, processed_at = $2, attempts = attempts + 1 \
                             WHERE account_id = $3 AND id = $4 AND status = 'pending'",
                            args![&outcome, Timestamp::now().millis(), account.to_string(), inbound_id.to_string()],
                        )
                        .await?;
                    Ok(n > 0)
                })
            })
            .await
    }

    async fn ingest_mail(&self, mail: IncomingMail) -> Result<(Ticket, Message), StoreError> {
        let engine = self.db.engine();
        let created = matches!(mail.write, parley_store::MailWrite::Create(_));
        let (ticket, message) = self.db.write(move |tx| Box::pin(super::ingest::ingest(tx, engine, mail))).await?;
        let news = if created {
            crate::news::created(&ticket)
        } else {
            parley_store::TicketNews::of(parley_store::TicketNewsKind::of_saved(&ticket), &ticket)
        };
        self.announce(vec![news]).await;
        Ok((ticket, message))
    }

    async fn ticket_by_mail_ids(&self, account: AccountId, ids: &[String]) -> Result<Option<TicketId>, StoreError> {
        if ids.is_empty() {
            return Ok(None);
        }
        let ids: Vec<&String> = ids.iter().take(100).collect();
        let sql = format!(
            "SELECT ticket_id FROM mail_ids WHERE account_id = $1 AND header_id IN ({}) LIMIT 1",
            placeholders(2, ids.len())
        );
        let mut a = args![account.to_string()];
        a.extend(ids.into_iter().map(Value::from));
        self.db.query_opt(&sql, a).await?.map(|r| id("ticket id", &r.text("ticket_id")?)).transpose()
    }

    async fn thread_ids(&self, account: AccountId, ticket: TicketId) -> Result<Vec<String>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT email FROM messages WHERE account_id = $1 AND ticket_id = $2 AND email IS NOT NULL \
                 ORDER BY created_at, id",
                args![account.to_string(), ticket.to_string()],
            )
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let e: parley_domain::message::EmailInfo = json("email", &r.text("email")?)?;
            if !e.message_id.is_empty() {
                out.push(e.message_id);
            }
        }
        Ok(out)
    }

    async fn participants(&self, account: AccountId, ticket: TicketId) -> Result<Vec<Contact>, StoreError> {
        // From the ticket's few participants to their contacts, never the other way round (CROSS JOIN fixes the
        // order in SQLite and is a plain join in PostgreSQL).
        let sql = format!(
            "SELECT {} FROM ticket_participants p CROSS JOIN contacts c \
             WHERE c.id = p.contact_id AND c.account_id = p.account_id AND p.account_id = $1 AND p.ticket_id = $2 \
             ORDER BY p.created_at",
            CONTACT_COLS.split(", ").map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ")
        );
        self.db.query(&sql, args![account.to_string(), ticket.to_string()]).await?.iter().map(contact).collect()
    }

    async fn tickets_opened_since(
        &self,
        account: AccountId,
        who: ContactId,
        since: Timestamp,
        cap: u32,
    ) -> Result<i64, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM tickets WHERE account_id = $1 AND requester_id = $2 \
                 AND created_at >= $3 LIMIT $4) AS recent",
                args![account.to_string(), who.to_string(), since.millis(), i64::from(cap)],
            )
            .await?;
        Ok(row.map(|r| r.int("n")).transpose()?.unwrap_or(0))
    }

    async fn mail_identity(&self, account: AccountId) -> Result<MailIdentity, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT a.name, a.language, a.mail_secret, s.settings, \
                 (SELECT m.address FROM mailboxes m WHERE m.account_id = a.id ORDER BY m.address LIMIT 1) AS mailbox \
                 FROM accounts a LEFT JOIN mail_settings s ON s.account_id = a.id WHERE a.id = $1",
                args![account.to_string()],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let secret = row.text("mail_secret")?;
        if secret.len() < 32 {
            return Err(StoreError::Other("the account has no mail secret".into()));
        }
        Ok(MailIdentity {
            name: row.text("name")?,
            language: row.text("language")?,
            secret: secret.into_bytes(),
            mailbox: row.opt_text("mailbox")?,
            settings: match row.opt_text("settings")? {
                Some(s) => json("mail settings", &s)?,
                None => MailSettings::default(),
            },
        })
    }

    async fn set_mail_settings(
        &self,
        account: AccountId,
        settings: &MailSettings,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let settings = to_json(settings)?;
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO mail_settings (account_id, settings, updated_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (account_id) DO UPDATE SET settings = excluded.settings, \
                         updated_at = excluded.updated_at",
                        args![account.to_string(), &settings, at.millis()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn attachment(
        &self,
        account: AccountId,
        att: AttachmentId,
    ) -> Result<Option<(AttachmentInfo, TicketId, Vec<u8>)>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT a.id, a.filename, a.content_type, a.size, a.content_id, a.inline, m.ticket_id, b.data \
                 FROM attachments a \
                 JOIN blobs b ON b.account_id = a.account_id AND b.hash = a.blob_hash \
                 JOIN messages m ON m.account_id = a.account_id AND m.id = a.message_id \
                 WHERE a.account_id = $1 AND a.id = $2",
                args![account.to_string(), att.to_string()],
            )
            .await?;
        row.map(|r| Ok((attachment_info(&r)?, id("ticket id", &r.text("ticket_id")?)?, r.bytes("data")?))).transpose()
    }

    async fn blob(&self, account: AccountId, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .db
            .query_opt("SELECT data FROM blobs WHERE account_id = $1 AND hash = $2", args![account.to_string(), hash])
            .await?;
        row.map(|r| r.bytes("data")).transpose()
    }

    async fn original_mail(
        &self,
        account: AccountId,
        message: parley_domain::ids::MessageId,
    ) -> Result<Option<(TicketId, Vec<u8>)>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT ticket_id, raw FROM inbound_mail WHERE account_id = $1 AND message_id = $2",
                args![account.to_string(), message.to_string()],
            )
            .await?;
        row.map(|r| Ok((id("ticket id", &r.text("ticket_id")?)?, r.bytes("raw")?))).transpose()
    }

    async fn insert_mailbox(&self, m: &Mailbox) -> Result<(), StoreError> {
        let m = m.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let imap = m.imap.as_ref().map(|i| {
                        // The password is kept (it must be sent to the server); it never leaves through the API.
                        serde_json::json!({"host": i.host, "port": i.port, "security": i.security, "user": i.user,
                            "password": i.password, "folder": i.folder, "move_to": i.move_to})
                        .to_string()
                    });
                    tx.exec(
                        "INSERT INTO mailboxes (id, account_id, address, name, imap, imap_state, webhook_secret, created_at) \
                         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
                        args![
                            m.id.to_string(),
                            m.account_id.to_string(),
                            m.address.as_str(),
                            m.name.clone(),
                            imap,
                            &m.webhook_secret,
                            m.created_at.millis()
                        ],
                    )
                    .await
                    .map_err(|e| conflict_as(e, || format!("the address {} already belongs to a mailbox", m.address)))?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<Mailbox>, StoreError> {
        let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 ORDER BY address");
        self.db.query(&sql, args![account.to_string()]).await?.iter().map(mailbox).collect()
    }

    async fn get_mailbox(&self, account: AccountId, m: MailboxId) -> Result<Option<Mailbox>, StoreError> {
        let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), m.to_string()]).await?.as_ref().map(mailbox).transpose()
    }

    async fn mailbox_by_address(&self, address: &EmailAddress) -> Result<Option<Mailbox>, StoreError> {
        let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE address = $1");
        self.db.query_opt(&sql, args![address.as_str()]).await?.as_ref().map(mailbox).transpose()
    }

    async fn imap_mailboxes(&self) -> Result<Vec<Mailbox>, StoreError> {
        let sql = format!("SELECT {MAILBOX_COLS} FROM mailboxes WHERE imap IS NOT NULL ORDER BY id");
        self.db.query(&sql, vec![]).await?.iter().map(mailbox).collect()
    }

    async fn imap_state(&self, account: AccountId, m: MailboxId) -> Result<Option<String>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT imap_state FROM mailboxes WHERE account_id = $1 AND id = $2",
                args![account.to_string(), m.to_string()],
            )
            .await?;
        Ok(row.map(|r| r.opt_text("imap_state")).transpose()?.flatten())
    }

    async fn set_imap_state(&self, account: AccountId, m: MailboxId, state: &str) -> Result<(), StoreError> {
        let state = state.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "UPDATE mailboxes SET imap_state = $1 WHERE account_id = $2 AND id = $3",
                        args![&state, account.to_string(), m.to_string()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }
}
