//! Saving a changed ticket, guarded by its version, and merging two.

use super::{insert_events, insert_message, write_tags};
use crate::db::{args, Tx};
use crate::rows::to_json;
use crate::webhooks::enqueue_built;
use parley_domain::event::EventKind;
use parley_store::{StoreError, TicketChange};

/// Saves a change and queues it for the account's triggers.
pub(crate) async fn save(tx: &mut dyn Tx, ch: &TicketChange) -> Result<(), StoreError> {
    save_without_triggers(tx, ch).await?;
    crate::triggers::queue(tx, &crate::triggers::activity_of(ch, ch.expected_version + 1)).await
}

/// Saves a change the triggers made: it is not queued for them again (a trigger never runs on its own change).
pub(crate) async fn save_without_triggers(tx: &mut dyn Tx, ch: &TicketChange) -> Result<(), StoreError> {
    let t = &ch.ticket;
    let n = tx
        .exec(
            "UPDATE tickets SET subject = $1, status = $2, priority = $3, assignee_id = $4, department_id = $5, \
             tags = $6, custom_fields = $7, merged_into = $8, updated_at = $9, first_response_at = $10, \
             version = version + 1, \
             sla_check_at = CASE WHEN sla IS NOT NULL OR EXISTS (SELECT 1 FROM sla_policies p WHERE p.account_id = $11) \
                            THEN $9 ELSE sla_check_at END, \
             status_changed_at = CASE WHEN status <> $2 THEN $9 ELSE status_changed_at END \
             WHERE account_id = $11 AND id = $12 AND version = $13",
            args![
                &t.subject,
                t.status.as_str(),
                t.priority.as_str(),
                t.assignee_id.map(|a| a.to_string()),
                t.department_id.map(|d| d.to_string()),
                to_json(&t.tags)?,
                to_json(&t.custom_fields)?,
                t.merged_into.map(|m| m.to_string()),
                t.updated_at.millis(),
                t.first_response_at.map(|f| f.millis()),
                t.account_id.to_string(),
                t.id.to_string(),
                ch.expected_version
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    crate::search::mark_dirty(tx, t.account_id, t.id).await?;
    if ch.events.iter().any(|e| matches!(e.kind, EventKind::TagsChanged { .. })) {
        write_tags(tx, t, true).await?;
    }
    if let Some(m) = &ch.message {
        insert_message(tx, m).await?;
    }
    insert_events(tx, &ch.events).await?;
    for m in &ch.mail {
        crate::mail::insert_mail(tx, m).await?;
    }
    crate::chat::append(tx, t.account_id, t.id, &ch.chat).await?;
    if ch.outbox.is_empty() {
        return Ok(());
    }
    enqueue_built(tx, t.account_id, &ch.outbox).await
}

pub(super) async fn merge(tx: &mut dyn Tx, source: &TicketChange, target: &TicketChange) -> Result<(), StoreError> {
    // Rows are locked in id order whichever way round the merge goes, so two crossed merges cannot deadlock.
    if source.ticket.id < target.ticket.id {
        save(tx, source).await?;
        save(tx, target).await?;
    } else {
        save(tx, target).await?;
        save(tx, source).await?;
    }
    tx.exec(
        "UPDATE messages SET ticket_id = $1 WHERE account_id = $2 AND ticket_id = $3",
        args![target.ticket.id.to_string(), source.ticket.account_id.to_string(), source.ticket.id.to_string()],
    )
    .await?;
    Ok(())
}
