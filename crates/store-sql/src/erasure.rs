//! Erasing a contact from every table of the region, in one unit of work.

use crate::db::{args, Tx, Value};
use crate::rows::{id, placeholders};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::erasure::ErasureReport;
use parley_domain::ids::{AccountId, ContactId, TicketId};
use parley_domain::retention::RetentionPolicy;
use parley_domain::Timestamp;
use parley_store::{ErasureStore, StoreError};

/// `column IN (...)` over `ids`, its parameters numbered after `first - 1` others; never true for no ids.
fn within(column: &str, first: usize, ids: &[String]) -> String {
    if ids.is_empty() {
        "1 = 0".into()
    } else {
        format!("{column} IN ({})", placeholders(first, ids.len()))
    }
}

fn with(account: &str, ids: &[String]) -> Vec<Value> {
    let mut a: Vec<Value> = args![account];
    a.extend(ids.iter().map(|i| Value::Text(i.clone())));
    a
}

async fn ids(tx: &mut dyn Tx, sql: &str, a: Vec<Value>) -> Result<Vec<String>, StoreError> {
    tx.query(sql, a).await?.iter().map(|r| r.text("id")).collect()
}

/// `s` for a LIKE pattern with `\` as its escape: its own `%`, `_` and `\` match only themselves.
fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `bytes` with every occurrence of `needle` (ASCII, any case) replaced; `None` when there was none.
fn redacted(bytes: &[u8], needle: &str) -> Option<Vec<u8>> {
    let n = needle.as_bytes();
    if n.is_empty() || bytes.len() < n.len() {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut found) = (0, false);
    while i < bytes.len() {
        if bytes.len() - i >= n.len() && bytes[i..i + n.len()].eq_ignore_ascii_case(n) {
            out.extend_from_slice(ERASED_ADDRESS.as_bytes());
            i += n.len();
            found = true;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    found.then_some(out)
}

/// What an erased person's address becomes where it stays in others' mail (a Cc of someone else's message).
const ERASED_ADDRESS: &str = "erased@erased.invalid";

/// The person's address in the mail of tickets they were copied on but did not request: in the raw mail kept,
/// in the messages' headers and in mail sent. Those stay (they are other people's), with the address replaced.
async fn redact_copies(
    tx: &mut dyn Tx,
    acc: &str,
    who: &str,
    email: &str,
    deleted: &[String],
) -> Result<u64, StoreError> {
    let shared: Vec<String> = ids(
        tx,
        "SELECT ticket_id AS id FROM ticket_participants WHERE account_id = $1 AND contact_id = $2",
        args![acc.to_string(), who.to_string()],
    )
    .await?
    .into_iter()
    .filter(|t| !deleted.contains(t))
    .collect();
    if shared.is_empty() {
        return Ok(0);
    }
    let mut n = 0;
    let raw = tx
        .query(
            &format!("SELECT id, raw FROM inbound_mail WHERE account_id = $1 AND {}", within("ticket_id", 2, &shared)),
            with(acc, &shared),
        )
        .await?;
    for r in &raw {
        if let Some(clean) = redacted(&r.bytes("raw")?, email) {
            let size = clean.len() as i64;
            n += tx
                .exec(
                    "UPDATE inbound_mail SET raw = $1, size = $2 WHERE account_id = $3 AND id = $4",
                    vec![Value::Bytes(clean), Value::Int(size), Value::Text(acc.into()), Value::Text(r.text("id")?)],
                )
                .await?;
        }
    }
    let texts = [("messages", "email"), ("mail_outbox", "meta")];
    for (table, column) in texts {
        let rows = tx
            .query(
                &format!(
                    "SELECT id, {column} AS v FROM {table} WHERE account_id = $1 AND {column} IS NOT NULL AND {}",
                    within("ticket_id", 2, &shared)
                ),
                with(acc, &shared),
            )
            .await?;
        for r in &rows {
            let Some(v) = r.opt_text("v")? else { continue };
            if let Some(clean) = redacted(v.as_bytes(), email) {
                let clean = String::from_utf8_lossy(&clean).into_owned();
                n += tx
                    .exec(
                        &format!("UPDATE {table} SET {column} = $1 WHERE account_id = $2 AND id = $3"),
                        args![clean, acc.to_string(), r.text("id")?],
                    )
                    .await?;
            }
        }
    }
    Ok(n)
}

/// Erases whole tickets (`in_theirs`: their messages), other messages of the erased person (`elsewhere`, left as
/// "[erased]"), and, for a person, the mail from and to their address. Everything that refers to what is erased
/// goes with it: attachments and the blobs nothing else uses, mail as received and sent, webhook events.
async fn erase_scope(
    tx: &mut dyn Tx,
    engine: crate::url::Engine,
    acc: &str,
    tickets: &[String],
    in_theirs: &[String],
    elsewhere: &[String],
    person: Option<(&str, Option<String>)>,
) -> Result<ErasureReport, StoreError> {
    let acc = acc.to_string();
    let (tickets, in_theirs, elsewhere) = (tickets.to_vec(), in_theirs.to_vec(), elsewhere.to_vec());
    let (who, email) = match person {
        Some((who, email)) => (Some(who.to_string()), email),
        None => (None, None),
    };
    let mut report = ErasureReport::default();
    let messages: Vec<String> = in_theirs.iter().chain(&elsewhere).cloned().collect();
    // The search index forgets the erased tickets at once, and the tickets that keep an erased message until the
    // indexer has written them again without it.
    let touched = ids(
        tx,
        &format!(
            "SELECT DISTINCT ticket_id AS id FROM messages WHERE account_id = $1 AND {}",
            within("id", 2, &elsewhere)
        ),
        with(&acc, &elsewhere),
    )
    .await?;
    crate::search::forget(tx, engine, &acc, &tickets).await?;
    // On PostgreSQL the marks are bumped first: an indexer that locked them commits before this goes on.
    for t in &touched {
        if let Some(t) = parley_domain::ids::TicketId::parse(t) {
            let account = parley_domain::ids::AccountId::parse(&acc).ok_or(StoreError::NotFound)?;
            crate::search::mark_dirty(tx, account, t).await?;
        }
    }
    crate::search::forget_documents(tx, engine, &acc, &touched).await?;
    if let (Some(who), Some(email)) = (&who, &email) {
        report.mentions_redacted = redact_copies(tx, &acc, who, email, &tickets).await?;
    }

    // Attachments, then the blobs nothing refers to any more.
    let files = tx
        .query(
            &format!(
                "SELECT id, blob_hash FROM attachments WHERE account_id = $1 AND {}",
                within("message_id", 2, &messages)
            ),
            with(&acc, &messages),
        )
        .await?;
    let mut hashes: Vec<String> = files.iter().map(|r| r.text("blob_hash")).collect::<Result<_, _>>()?;
    hashes.sort();
    hashes.dedup();
    report.attachments_deleted = tx
        .exec(
            &format!("DELETE FROM attachments WHERE account_id = $1 AND {}", within("message_id", 2, &messages)),
            with(&acc, &messages),
        )
        .await?;
    // A blob an image of a knowledge base also shows stays: it is the account's own content, not the person's.
    report.blobs_deleted += crate::knowledge::drop_unused_blobs(tx, &acc, &hashes).await?;

    // Mail as received and as sent.
    let mut a = with(&acc, &tickets);
    a.extend(messages.iter().map(|m| Value::Text(m.clone())));
    a.push(email.clone().map_or(Value::NullText, Value::Text));
    let n = tickets.len() + messages.len() + 2;
    report.received_mail_deleted = tx
        .exec(
            &format!(
                "DELETE FROM inbound_mail WHERE account_id = $1 AND ({} OR {} OR lower(mail_from) = lower(${n}))",
                within("ticket_id", 2, &tickets),
                within("message_id", tickets.len() + 2, &messages)
            ),
            a.clone(),
        )
        .await?;
    tx.exec(
        &format!(
            "DELETE FROM mail_ids WHERE account_id = $1 AND ({} OR {})",
            within("ticket_id", 2, &tickets),
            within("message_id", tickets.len() + 2, &messages)
        ),
        a[..a.len() - 1].to_vec(),
    )
    .await?;
    report.outgoing_mail_deleted = tx
        .exec(
            &format!(
                "DELETE FROM mail_outbox WHERE account_id = $1 AND ({} OR {} OR lower(to_addr) = lower(${n}))",
                within("ticket_id", 2, &tickets),
                within("message_id", tickets.len() + 2, &messages)
            ),
            a,
        )
        .await?;

    // Webhook events whose body names them or their tickets (found by the database, not read out of it).
    let mut needles: Vec<String> = tickets.clone();
    needles.extend(who.clone());
    needles.extend(email.clone());
    let mut a: Vec<Value> = args![acc.clone()];
    a.extend(needles.iter().map(|n| Value::Text(format!("%{}%", like_escaped(&n.to_lowercase())))));
    let any = (0..needles.len()).map(|i| format!("lower(payload) LIKE ${} ESCAPE '\\'", i + 2)).collect::<Vec<_>>();
    let events = if any.is_empty() {
        Vec::new()
    } else {
        tx.query(&format!("SELECT id FROM outbox_events WHERE account_id = $1 AND ({})", any.join(" OR ")), a).await?
    };
    for e in &events {
        let id = e.text("id")?;
        tx.exec(
            "DELETE FROM webhook_deliveries WHERE account_id = $1 AND event_id = $2",
            args![acc.clone(), id.clone()],
        )
        .await?;
        report.webhook_events_deleted +=
            tx.exec("DELETE FROM outbox_events WHERE account_id = $1 AND id = $2", args![acc.clone(), id]).await?;
    }

    // Their words in others' tickets stay as a placeholder, so the conversation still reads.
    report.messages_redacted = tx
        .exec(
            &format!(
                "UPDATE messages SET body = '[erased]', html = NULL, quoted = NULL, email = NULL \
                 WHERE account_id = $1 AND {}",
                within("id", 2, &elsewhere)
            ),
            with(&acc, &elsewhere),
        )
        .await?;
    report.messages_deleted = tx
        .exec(
            &format!("DELETE FROM messages WHERE account_id = $1 AND {}", within("id", 2, &in_theirs)),
            with(&acc, &in_theirs),
        )
        .await?;
    for table in [
        "ticket_events",
        "ticket_tags",
        "chat_events",
        "chat_conversations",
        "chat_routes",
        "ticket_viewers",
        "ticket_followers",
        "trigger_queue",
        "automation_runs",
        // A call on an erased ticket: its numbers are the caller's; its recording went with the messages.
        "calls",
    ] {
        tx.exec(
            &format!("DELETE FROM {table} WHERE account_id = $1 AND {}", within("ticket_id", 2, &tickets)),
            with(&acc, &tickets),
        )
        .await?;
    }
    let mut a = with(&acc, &tickets);
    a.push(who.clone().map_or(Value::NullText, Value::Text));
    report.participations_removed = tx
        .exec(
            &format!(
                "DELETE FROM ticket_participants WHERE account_id = $1 AND ({} OR contact_id = ${})",
                within("ticket_id", 2, &tickets),
                tickets.len() + 2
            ),
            a,
        )
        .await?;
    tx.exec(
        &format!(
            "UPDATE tickets SET merged_into = NULL WHERE account_id = $1 AND {}",
            within("merged_into", 2, &tickets)
        ),
        with(&acc, &tickets),
    )
    .await?;
    report.tickets_deleted = tx
        .exec(
            &format!("DELETE FROM tickets WHERE account_id = $1 AND {}", within("id", 2, &tickets)),
            with(&acc, &tickets),
        )
        .await?;
    if let Some(who) = &who {
        // The browser tokens that were this person: what they chat next starts from nothing.
        tx.exec("DELETE FROM chat_visitors WHERE account_id = $1 AND contact_id = $2", args![acc.clone(), who.clone()])
            .await?;
        // Their calls that reached no ticket (hung up in the menus), which still hold their number.
        tx.exec("DELETE FROM calls WHERE account_id = $1 AND contact_id = $2", args![acc.clone(), who.clone()]).await?;
        // And their portal sign-in links and sessions.
        tx.exec(
            "DELETE FROM customer_tokens WHERE account_id = $1 AND contact_id = $2",
            args![acc.clone(), who.clone()],
        )
        .await?;
    }
    Ok(report)
}

#[async_trait]
impl ErasureStore for SqlStore {
    async fn erase_contact(&self, account: AccountId, contact: ContactId) -> Result<ErasureReport, StoreError> {
        let engine = self.db.engine();
        let gone = self.tickets_of_requester(account, contact).await?;
        let report = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let (acc, who) = (account.to_string(), contact.to_string());
                    let found = tx
                        .query_opt("SELECT email FROM contacts WHERE account_id = $1 AND id = $2", args![acc.clone(), who.clone()])
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let email = found.opt_text("email")?;

                    let tickets = ids(tx, "SELECT id FROM tickets WHERE account_id = $1 AND requester_id = $2", args![acc.clone(), who.clone()]).await?;
                    let in_theirs = ids(
                        tx,
                        &format!("SELECT id FROM messages WHERE account_id = $1 AND {}", within("ticket_id", 2, &tickets)),
                        with(&acc, &tickets),
                    )
                    .await?;
                    let mut a = with(&acc, &tickets);
                    a.push(Value::Text(who.clone()));
                    let elsewhere = ids(
                        tx,
                        &format!(
                            "SELECT id FROM messages WHERE account_id = $1 AND author_type = 'contact' AND author_id = ${} \
                             AND NOT ({})",
                            tickets.len() + 2,
                            within("ticket_id", 2, &tickets)
                        ),
                        a,
                    )
                    .await?;
                    let report = erase_scope(tx, engine, &acc, &tickets, &in_theirs, &elsewhere, Some((&who, email))).await?;
                    tx.exec("DELETE FROM contacts WHERE account_id = $1 AND id = $2", args![acc, who]).await?;
                    Ok(report)
                })
            })
            .await?;
        self.announce_removed(gone).await;
        Ok(report)
    }

    async fn tickets_touching(&self, account: AccountId, contact: ContactId) -> Result<Vec<TicketId>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT t.id FROM tickets t WHERE t.account_id = $1 AND t.requester_id <> $2 AND \
                 (EXISTS (SELECT 1 FROM ticket_participants p WHERE p.account_id = t.account_id \
                          AND p.ticket_id = t.id AND p.contact_id = $2) \
                  OR EXISTS (SELECT 1 FROM messages m WHERE m.account_id = t.account_id AND m.ticket_id = t.id \
                             AND m.author_type = 'contact' AND m.author_id = $2)) \
                 ORDER BY t.created_at, t.id",
                args![account.to_string(), contact.to_string()],
            )
            .await?;
        rows.iter().map(|r| id("ticket id", &r.text("id")?)).collect()
    }

    async fn expired_tickets(
        &self,
        account: AccountId,
        policy: &RetentionPolicy,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<TicketId>, StoreError> {
        // A period not set is a limit nothing falls below.
        let before = |days: Option<u32>| days.map_or(i64::MIN, |d| now.millis() - i64::from(d) * 86_400_000);
        // Closed tickets past their period; chats past theirs once closed or ended (a chat the visitor left and
        // nobody resolved is a transcript like any other), unless someone worked on the ticket since.
        let sql = format!(
            "SELECT t.id FROM tickets t WHERE t.account_id = $1 AND \
             ((t.status IN ('resolved', 'closed') AND t.updated_at < $2) \
              OR (t.channel = 'chat' AND t.updated_at < $3 AND (t.status IN ('resolved', 'closed') \
                  OR EXISTS (SELECT 1 FROM chat_routes r WHERE r.account_id = t.account_id AND r.ticket_id = t.id \
                             AND r.state = 'ended')))) \
             ORDER BY t.updated_at LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = self
            .db
            .query(&sql, args![account.to_string(), before(policy.closed_ticket_days), before(policy.chat_days)])
            .await?;
        rows.iter().map(|r| id("ticket id", &r.text("id")?)).collect()
    }

    async fn erase_tickets(&self, account: AccountId, tickets: &[TicketId]) -> Result<ErasureReport, StoreError> {
        let gone = parley_store::TicketStore::get_tickets(self, account, tickets).await?;
        let tickets: Vec<String> = tickets.iter().map(|t| t.to_string()).collect();
        let engine = self.db.engine();
        let report = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let acc = account.to_string();
                    let messages = ids(
                        tx,
                        &format!(
                            "SELECT id FROM messages WHERE account_id = $1 AND {}",
                            within("ticket_id", 2, &tickets)
                        ),
                        with(&acc, &tickets),
                    )
                    .await?;
                    erase_scope(tx, engine, &acc, &tickets, &messages, &[], None).await
                })
            })
            .await?;
        self.announce_removed(gone).await;
        Ok(report)
    }

    async fn retention_policy(&self, account: AccountId) -> Result<RetentionPolicy, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT closed_ticket_days, chat_days FROM retention_policies WHERE account_id = $1",
                args![account.to_string()],
            )
            .await?;
        let days = |v: Option<i64>| v.map(|d| u32::try_from(d).unwrap_or(u32::MAX));
        Ok(match row {
            Some(r) => RetentionPolicy {
                closed_ticket_days: days(r.opt_int("closed_ticket_days")?),
                chat_days: days(r.opt_int("chat_days")?),
            },
            None => RetentionPolicy::default(),
        })
    }

    async fn set_retention_policy(
        &self,
        account: AccountId,
        policy: &RetentionPolicy,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let values = args![
            account.to_string(),
            policy.closed_ticket_days.map(i64::from),
            policy.chat_days.map(i64::from),
            at.millis()
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO retention_policies (account_id, closed_ticket_days, chat_days, updated_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE SET \
                         closed_ticket_days = excluded.closed_ticket_days, chat_days = excluded.chat_days, \
                         updated_at = excluded.updated_at",
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn purge_deleted(&self) -> Result<(), StoreError> {
        self.db.purge_files().await
    }
}
