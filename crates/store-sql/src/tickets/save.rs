//! Saving a changed ticket, guarded by its version, and merging two.

use super::{insert_events, insert_message};
use crate::error::SqlResultExt;
use crate::rows::to_json;
use crate::tickets::write_tags;
use crate::webhooks::enqueue;
use parley_domain::event::EventKind;
use parley_store::{StoreError, TicketChange};
use sqlx::AnyConnection;

pub(super) fn save<'a>(
    c: &'a mut AnyConnection,
    ch: &'a TicketChange,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        let t = &ch.ticket;
        let done = sqlx::query(
            "UPDATE tickets SET subject = $1, status = $2, priority = $3, assignee_id = $4, department_id = $5, \
             tags = $6, custom_fields = $7, merged_into = $8, updated_at = $9, first_response_at = $10, \
             version = version + 1 \
             WHERE account_id = $11 AND id = $12 AND version = $13",
        )
        .bind(&t.subject)
        .bind(t.status.as_str())
        .bind(t.priority.as_str())
        .bind(t.assignee_id.map(|a| a.to_string()))
        .bind(t.department_id.map(|d| d.to_string()))
        .bind(to_json(&t.tags)?)
        .bind(to_json(&t.custom_fields)?)
        .bind(t.merged_into.map(|m| m.to_string()))
        .bind(t.updated_at.millis())
        .bind(t.first_response_at.map(|f| f.millis()))
        .bind(t.account_id.to_string())
        .bind(t.id.to_string())
        .bind(ch.expected_version)
        .execute(&mut *c)
        .await
        .db()?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        if ch.events.iter().any(|e| matches!(e.kind, EventKind::TagsChanged { .. })) {
            write_tags(c, t, true).await?;
        }
        if let Some(m) = &ch.message {
            insert_message(c, m).await?;
        }
        insert_events(c, &ch.events).await?;
        for e in &ch.outbox {
            enqueue(c, e).await?;
        }
        Ok(())
    })
}

pub(super) fn merge<'a>(
    c: &'a mut AnyConnection,
    source: &'a TicketChange,
    target: &'a TicketChange,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        save(c, source).await?;
        save(c, target).await?;
        sqlx::query("UPDATE messages SET ticket_id = $1 WHERE account_id = $2 AND ticket_id = $3")
            .bind(target.ticket.id.to_string())
            .bind(source.ticket.account_id.to_string())
            .bind(source.ticket.id.to_string())
            .execute(&mut *c)
            .await
            .db()?;
        Ok(())
    })
}
