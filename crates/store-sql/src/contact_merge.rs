//! Two contacts of one person made one.

use crate::db::args;
use crate::rows::id;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::ids::{AccountId, ContactId, TicketId};
use parley_domain::Timestamp;
use parley_store::{ContactMergeStore, StoreError, TicketNewsKind};

/// `s` for a LIKE pattern with a backslash as its escape: its own `%`, `_` and backslashes match themselves.
fn like_escaped(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[async_trait]
impl ContactMergeStore for SqlStore {
    async fn search_contacts(
        &self,
        account: AccountId,
        q: &str,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<Vec<parley_domain::contact::Contact>, StoreError> {
        let pattern = format!("%{}%", like_escaped(&q.to_lowercase()));
        let sql = format!(
            "SELECT {} FROM contacts WHERE account_id = $1 AND id > $3 AND \
             (LOWER(COALESCE(name, '')) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE $2 ESCAPE '\\' \
              OR company_id IN (SELECT id FROM companies WHERE account_id = $1 AND LOWER(name) LIKE $2 ESCAPE '\\')) \
             ORDER BY id LIMIT {}",
            crate::contacts::CONTACT_COLS,
            limit.clamp(1, 1000)
        );
        let after = after.map(|a| a.to_string()).unwrap_or_default();
        let rows = self.db.query(&sql, args![account.to_string(), pattern, after]).await?;
        rows.iter().map(crate::contacts::contact).collect()
    }

    async fn merge_contacts(
        &self,
        account: AccountId,
        into: ContactId,
        from: ContactId,
        at: Timestamp,
    ) -> Result<Vec<TicketId>, StoreError> {
        let (acc, into_s, from_s) = (account.to_string(), into.to_string(), from.to_string());
        let moved = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let sql = "SELECT email, name, company_id FROM contacts WHERE account_id = $1 AND id = $2";
                    tx.query_opt(sql, args![acc.clone(), into_s.clone()]).await?.ok_or(StoreError::NotFound)?;
                    let other =
                        tx.query_opt(sql, args![acc.clone(), from_s.clone()]).await?.ok_or(StoreError::NotFound)?;
                    let tickets = tx
                        .query(
                            "SELECT id FROM tickets WHERE account_id = $1 AND requester_id = $2",
                            args![acc.clone(), from_s.clone()],
                        )
                        .await?;
                    let tickets: Vec<TicketId> =
                        tickets.iter().map(|r| id("ticket id", &r.text("id")?)).collect::<Result<_, _>>()?;
                    let three = || args![into_s.clone(), acc.clone(), from_s.clone()];
                    tx.exec(
                        "UPDATE tickets SET requester_id = $1 WHERE account_id = $2 AND requester_id = $3",
                        three(),
                    )
                    .await?;
                    tx.exec(
                        "UPDATE messages SET author_id = $1 WHERE account_id = $2 AND author_type = 'contact' \
                         AND author_id = $3",
                        three(),
                    )
                    .await?;
                    tx.exec(
                        "UPDATE chat_visitors SET contact_id = $1 WHERE account_id = $2 AND contact_id = $3",
                        three(),
                    )
                    .await?;
                    tx.exec(
                        "UPDATE customer_tokens SET contact_id = $1 WHERE account_id = $2 AND contact_id = $3",
                        three(),
                    )
                    .await?;
                    // Copied on a ticket as both: once is enough.
                    tx.exec(
                        "DELETE FROM ticket_participants WHERE account_id = $2 AND contact_id = $3 AND ticket_id IN \
                         (SELECT ticket_id FROM ticket_participants WHERE account_id = $2 AND contact_id = $1)",
                        three(),
                    )
                    .await?;
                    tx.exec(
                        "UPDATE ticket_participants SET contact_id = $1 WHERE account_id = $2 AND contact_id = $3",
                        three(),
                    )
                    .await?;
                    // A ticket of theirs copied to the one they are now is theirs, not a copy.
                    tx.exec(
                        "DELETE FROM ticket_participants WHERE account_id = $1 AND contact_id = $2 AND ticket_id IN \
                         (SELECT id FROM tickets WHERE account_id = $1 AND requester_id = $2)",
                        args![acc.clone(), into_s.clone()],
                    )
                    .await?;
                    tx.exec(
                        "DELETE FROM contacts WHERE account_id = $1 AND id = $2",
                        args![acc.clone(), from_s.clone()],
                    )
                    .await?;
                    // What the kept contact lacks, the other one knew.
                    tx.exec(
                        "UPDATE contacts SET email = COALESCE(email, $1), name = COALESCE(name, $2), \
                         company_id = COALESCE(company_id, $3), updated_at = $4 WHERE account_id = $5 AND id = $6",
                        args![
                            other.opt_text("email")?,
                            other.opt_text("name")?,
                            other.opt_text("company_id")?,
                            at.millis(),
                            acc.clone(),
                            into_s.clone()
                        ],
                    )
                    .await?;
                    for t in &tickets {
                        crate::search::mark_dirty(tx, account, *t).await?;
                    }
                    Ok(tickets)
                })
            })
            .await?;
        let now = parley_store::TicketStore::get_tickets(self, account, &moved).await?;
        self.announce(now.iter().map(|t| parley_store::TicketNews::of(TicketNewsKind::Updated, t)).collect()).await;
        Ok(moved)
    }
}
