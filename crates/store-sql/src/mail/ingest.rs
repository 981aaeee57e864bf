//! Writing what a received mail does, as one unit with marking the mail processed, so each mail takes effect
//! exactly once however often processing is attempted (after a crash, by several processes).

use super::insert_mail;
use crate::contacts::contact_in;
use crate::db::{args, Tx, Value};
use crate::tickets::{create_in, save};
use crate::url::Engine;
use parley_domain::ids::{AccountId, ContactId};
use parley_domain::message::{AttachmentInfo, Message};
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;
use parley_store::{IncomingMail, MailWrite, StoreError};
use sha2::{Digest, Sha256};

/// Keeps a file of a message: its bytes once per account (by hash), and the attachment naming them.
pub(crate) async fn keep_file(
    tx: &mut dyn Tx,
    account: AccountId,
    message: &Message,
    info: &AttachmentInfo,
    data: &[u8],
) -> Result<(), StoreError> {
    let hash = hex(&Sha256::digest(data));
    tx.exec(
        "INSERT INTO blobs (account_id, hash, size, data, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, hash) DO NOTHING",
        args![account.to_string(), &hash, data.len() as i64, Value::Bytes(data.to_vec()), Timestamp::now().millis()],
    )
    .await?;
    tx.exec(
        "INSERT INTO attachments (id, account_id, message_id, blob_hash, filename, content_type, size, content_id, \
         inline, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            info.id.to_string(),
            account.to_string(),
            message.id.to_string(),
            &hash,
            &info.filename,
            &info.content_type,
            info.size,
            info.content_id.clone(),
            info.inline,
            message.created_at.millis()
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn ingest(tx: &mut dyn Tx, engine: Engine, m: IncomingMail) -> Result<(Ticket, Message), StoreError> {
    let IncomingMail { inbound, outcome, write, attachments, mail_ids, participants, outgoing } = m;
    let account = match &write {
        MailWrite::Create(n) => n.ticket.account_id,
        MailWrite::Append(c) => c.ticket.account_id,
    };
    let claimed = tx
        .exec(
            "UPDATE inbound_mail SET status = 'done', outcome = $1, processed_at = $2, attempts = attempts + 1 \
             WHERE account_id = $3 AND id = $4 AND status = 'pending'",
            args![&outcome, Timestamp::now().millis(), account.to_string(), inbound.to_string()],
        )
        .await?;
    if claimed == 0 {
        return Err(StoreError::Conflict("this mail was processed already".into()));
    }
    let (ticket, requester, message) = match write {
        MailWrite::Create(new) => create_in(tx, engine, new).await?,
        MailWrite::Append(change) => {
            save(tx, &change).await?;
            let requester = contact_in(tx, account, change.ticket.requester_id).await?;
            let message = change.message.ok_or_else(|| StoreError::Other("a mail reply without a message".into()))?;
            let mut ticket = change.ticket;
            ticket.version = change.expected_version + 1;
            (ticket, requester, message)
        }
    };
    tx.exec(
        "UPDATE inbound_mail SET ticket_id = $1, message_id = $2 WHERE account_id = $3 AND id = $4",
        args![ticket.id.to_string(), message.id.to_string(), account.to_string(), inbound.to_string()],
    )
    .await?;
    for a in &attachments {
        keep_file(tx, account, &message, &a.info, &a.data).await?;
    }
    for header_id in &mail_ids {
        tx.exec(
            "INSERT INTO mail_ids (account_id, header_id, ticket_id, message_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, header_id) DO NOTHING",
            args![account.to_string(), header_id, ticket.id.to_string(), message.id.to_string()],
        )
        .await?;
    }
    for p in &participants {
        let contact = participant_contact(tx, account, p.as_str()).await?;
        if contact != ticket.requester_id {
            tx.exec(
                "INSERT INTO ticket_participants (account_id, ticket_id, contact_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_id, ticket_id, contact_id) DO NOTHING",
                args![account.to_string(), ticket.id.to_string(), contact.to_string(), Timestamp::now().millis()],
            )
            .await?;
        }
    }
    for mail in outgoing(&ticket, &requester, &message) {
        insert_mail(tx, &mail).await?;
    }
    Ok((ticket, message))
}

/// The contact with this address, added if new.
async fn participant_contact(tx: &mut dyn Tx, account: AccountId, email: &str) -> Result<ContactId, StoreError> {
    let now = Timestamp::now().millis();
    let row = tx
        .query_opt(
            "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, updated_at) \
             VALUES ($1, $2, $3, NULL, '[]', NULL, $4, $4) \
             ON CONFLICT (account_id, email) DO UPDATE SET email = excluded.email RETURNING id",
            args![ContactId::new().to_string(), account.to_string(), email, now],
        )
        .await?
        .ok_or_else(|| StoreError::Other("the participant upsert returned nothing".into()))?;
    crate::rows::id("contact id", &row.text("id")?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
