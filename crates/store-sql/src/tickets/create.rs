//! Writing a new ticket: number, requester, ticket row, tags, first message, events, outbox.

use super::{insert_events, insert_message, write_tags};
use crate::accounts::ticket_sequence;
use crate::contacts::{contact_in, upsert_by_email};
use crate::error::SqlResultExt;
use crate::rows::to_json;
use crate::url::Engine;
use crate::webhooks::enqueue;
use parley_domain::contact::Contact;
use parley_domain::event::Actor;
use parley_domain::ids::AccountId;
use parley_domain::message::Message;
use parley_domain::ticket::{Ticket, TicketNumber};
use parley_store::{NewTicket, Requester, StoreError};
use sqlx::AnyConnection;

pub(super) fn create<'a>(
    c: &'a mut AnyConnection,
    engine: Engine,
    new: NewTicket,
) -> crate::writer::BoxFuture<'a, Result<(Ticket, Contact, Message), StoreError>> {
    Box::pin(async move {
        let NewTicket { mut ticket, requester, mut message, mut events, outbox } = new;
        let account = ticket.account_id;
        ticket.number = next_number(c, engine, account).await?;
        let contact = match requester {
            Requester::Existing(id) => contact_in(c, account, id).await?,
            Requester::ByEmail { email, name, new_id, at } => {
                upsert_by_email(c, account, new_id, &email, name.as_deref(), at).await?
            }
        };
        ticket.requester_id = contact.id;
        message.ticket_id = ticket.id;
        if let Actor::Contact(_) = message.author {
            message.author = Actor::Contact(contact.id);
        }
        for e in &mut events {
            e.ticket_id = ticket.id;
        }
        sqlx::query(
            "INSERT INTO tickets (id, account_id, number, subject, status, priority, channel, requester_id, assignee_id, \
             department_id, tags, custom_fields, merged_into, created_at, updated_at, first_response_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14, $15, $16)",
        )
        .bind(ticket.id.to_string())
        .bind(account.to_string())
        .bind(ticket.number.0)
        .bind(&ticket.subject)
        .bind(ticket.status.as_str())
        .bind(ticket.priority.as_str())
        .bind(ticket.channel.as_str())
        .bind(contact.id.to_string())
        .bind(ticket.assignee_id.map(|a| a.to_string()))
        .bind(ticket.department_id.map(|d| d.to_string()))
        .bind(to_json(&ticket.tags)?)
        .bind(to_json(&ticket.custom_fields)?)
        .bind(ticket.created_at.millis())
        .bind(ticket.updated_at.millis())
        .bind(ticket.first_response_at.map(|t| t.millis()))
        .bind(ticket.version)
        .execute(&mut *c)
        .await
        .db()?;
        write_tags(c, &ticket, false).await?;
        insert_message(c, &message).await?;
        insert_events(c, &events).await?;
        for event in outbox(&ticket, &contact, &message) {
            enqueue(c, &event).await?;
        }
        Ok((ticket, contact, message))
    })
}

/// The account's next ticket number. SQLite has one writer, so a counter row is enough; PostgreSQL uses the
/// account's sequence, which never blocks concurrent creations (a number may be skipped if a creation fails).
fn next_number<'a>(
    c: &'a mut AnyConnection,
    engine: Engine,
    account: AccountId,
) -> crate::writer::BoxFuture<'a, Result<TicketNumber, StoreError>> {
    Box::pin(async move {
        let n: Option<(i64,)> = match engine {
            Engine::Sqlite => sqlx::query_as(
                "UPDATE accounts SET next_ticket_number = next_ticket_number + 1 WHERE id = $1 \
                     RETURNING next_ticket_number - 1",
            )
            .bind(account.to_string())
            .fetch_optional(&mut *c)
            .await
            .db()?,
            Engine::Postgres => sqlx::query_as("SELECT nextval($1::regclass)")
                .bind(ticket_sequence(account))
                .fetch_optional(&mut *c)
                .await
                .db()?,
        };
        n.map(|(n,)| TicketNumber(n)).ok_or(StoreError::NotFound)
    })
}
