//! Writing a new ticket: number, requester, ticket row, tags, first message, events, outbox.

use super::{insert_events, insert_message, write_tags};
use crate::accounts::ticket_sequence;
use crate::contacts::{contact_in, upsert_by_email};
use crate::db::{args, Tx};
use crate::rows::to_json;
use crate::url::Engine;
use crate::webhooks::enqueue;
use parley_domain::contact::Contact;
use parley_domain::event::Actor;
use parley_domain::ids::AccountId;
use parley_domain::message::Message;
use parley_domain::ticket::{Ticket, TicketNumber};
use parley_store::{NewTicket, Requester, StoreError};

pub(super) async fn create(
    tx: &mut dyn Tx,
    engine: Engine,
    new: NewTicket,
) -> Result<(Ticket, Contact, Message), StoreError> {
    let NewTicket { mut ticket, requester, mut message, mut events, outbox } = new;
    let account = ticket.account_id;
    ticket.number = next_number(tx, engine, account).await?;
    let contact = match requester {
        Requester::Existing(id) => contact_in(tx, account, id).await?,
        Requester::ByEmail { email, name, new_id, at } => {
            upsert_by_email(tx, account, new_id, &email, name.as_deref(), at).await?
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
    tx.exec(
        "INSERT INTO tickets (id, account_id, number, subject, status, priority, channel, requester_id, assignee_id, \
         department_id, tags, custom_fields, merged_into, created_at, updated_at, first_response_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14, $15, $16)",
        args![
            ticket.id.to_string(),
            account.to_string(),
            ticket.number.0,
            &ticket.subject,
            ticket.status.as_str(),
            ticket.priority.as_str(),
            ticket.channel.as_str(),
            contact.id.to_string(),
            ticket.assignee_id.map(|a| a.to_string()),
            ticket.department_id.map(|d| d.to_string()),
            to_json(&ticket.tags)?,
            to_json(&ticket.custom_fields)?,
            ticket.created_at.millis(),
            ticket.updated_at.millis(),
            ticket.first_response_at.map(|t| t.millis()),
            ticket.version
        ],
    )
    .await?;
    write_tags(tx, &ticket, false).await?;
    insert_message(tx, &message).await?;
    insert_events(tx, &events).await?;
    enqueue(tx, account, &outbox(&ticket, &contact, &message)).await?;
    Ok((ticket, contact, message))
}

/// The account's next ticket number. SQLite has one writer, so a counter row is enough; PostgreSQL uses the
/// account's sequence, which never makes concurrent creations wait (a number may be skipped if a creation fails).
async fn next_number(tx: &mut dyn Tx, engine: Engine, account: AccountId) -> Result<TicketNumber, StoreError> {
    let row = match engine {
        Engine::Sqlite => {
            tx.query_opt(
                "UPDATE accounts SET next_ticket_number = next_ticket_number + 1 WHERE id = $1 \
                 RETURNING next_ticket_number - 1",
                args![account.to_string()],
            )
            .await?
        }
        Engine::Postgres => tx.query_opt("SELECT nextval($1::regclass)", args![ticket_sequence(account)]).await?,
    };
    row.map(|r| r.first_int()).transpose()?.flatten().map(TicketNumber).ok_or(StoreError::NotFound)
}
