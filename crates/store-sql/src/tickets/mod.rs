//! Tickets, their timelines and custom field definitions.

mod create;
mod fields;
mod list;
mod save;

use crate::error::SqlResultExt;
use crate::rows::{id, json, opt_id, parsed, placeholders, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::event::Actor;
use parley_domain::ids::{AccountId, TicketId};
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::{Channel, Priority, Status, Ticket, TicketNumber};
use parley_domain::Timestamp;
use parley_store::{NewTicket, StoreError, TicketChange, TicketQuery, TicketStore, Timeline};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
pub(crate) struct TicketRow {
    id: String,
    account_id: String,
    number: i64,
    subject: String,
    status: String,
    priority: String,
    channel: String,
    requester_id: String,
    assignee_id: Option<String>,
    department_id: Option<String>,
    tags: String,
    custom_fields: String,
    merged_into: Option<String>,
    created_at: i64,
    updated_at: i64,
    first_response_at: Option<i64>,
    version: i64,
}

pub(crate) const TICKET_COLS: &str = "id, account_id, number, subject, status, priority, channel, requester_id, \
    assignee_id, department_id, tags, custom_fields, merged_into, created_at, updated_at, first_response_at, version";

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> Result<Self, StoreError> {
        Ok(Ticket {
            id: id("ticket id", &r.id)?,
            account_id: id("account id", &r.account_id)?,
            number: TicketNumber(r.number),
            subject: r.subject,
            status: parsed("status", &r.status, Status::parse)?,
            priority: parsed("priority", &r.priority, Priority::parse)?,
            channel: parsed("channel", &r.channel, Channel::parse)?,
            requester_id: id("contact id", &r.requester_id)?,
            assignee_id: opt_id("agent id", r.assignee_id.as_deref())?,
            department_id: opt_id("department id", r.department_id.as_deref())?,
            tags: json("tags", &r.tags)?,
            custom_fields: json("custom fields", &r.custom_fields)?,
            merged_into: opt_id("ticket id", r.merged_into.as_deref())?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            first_response_at: r.first_response_at.map(Timestamp::from_millis),
            version: r.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: String,
    account_id: String,
    ticket_id: String,
    author_type: String,
    author_id: Option<String>,
    internal: i64,
    body: String,
    channel: String,
    created_at: i64,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> Result<Self, StoreError> {
        Ok(Message {
            id: id("message id", &r.id)?,
            account_id: id("account id", &r.account_id)?,
            ticket_id: id("ticket id", &r.ticket_id)?,
            author: actor(&r.author_type, r.author_id.as_deref())?,
            internal: r.internal != 0,
            body: r.body,
            channel: parsed("channel", &r.channel, Channel::parse)?,
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    account_id: String,
    ticket_id: String,
    actor_type: String,
    actor_id: Option<String>,
    data: String,
    created_at: i64,
}

impl TryFrom<EventRow> for TicketEvent {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(TicketEvent {
            id: id("event id", &r.id)?,
            account_id: id("account id", &r.account_id)?,
            ticket_id: id("ticket id", &r.ticket_id)?,
            actor: actor(&r.actor_type, r.actor_id.as_deref())?,
            kind: json("event", &r.data)?,
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

fn actor(kind: &str, id: Option<&str>) -> Result<Actor, StoreError> {
    Actor::from_parts(kind, id).ok_or_else(|| crate::error::corrupt("actor", &format!("{kind}:{id:?}")))
}

pub(crate) fn insert_message<'a>(
    c: &'a mut AnyConnection,
    m: &'a Message,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        let (author_type, author_id) = m.author.parts();
        sqlx::query(
            "INSERT INTO messages (id, account_id, ticket_id, author_type, author_id, internal, body, channel, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(m.id.to_string())
        .bind(m.account_id.to_string())
        .bind(m.ticket_id.to_string())
        .bind(author_type)
        .bind(author_id)
        .bind(i64::from(m.internal))
        .bind(&m.body)
        .bind(m.channel.as_str())
        .bind(m.created_at.millis())
        .execute(&mut *c)
        .await
        .db()?;
        Ok(())
    })
}

pub(crate) fn insert_events<'a>(
    c: &'a mut AnyConnection,
    events: &'a [TicketEvent],
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        if events.is_empty() {
            return Ok(());
        }
        let values: Vec<String> = (0..events.len()).map(|i| format!("({})", placeholders(i * 7 + 1, 7))).collect();
        let sql = format!(
            "INSERT INTO ticket_events (id, account_id, ticket_id, actor_type, actor_id, data, created_at) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for e in events {
            let (actor_type, actor_id) = e.actor.parts();
            q = q
                .bind(e.id.to_string())
                .bind(e.account_id.to_string())
                .bind(e.ticket_id.to_string())
                .bind(actor_type)
                .bind(actor_id)
                .bind(to_json(&e.kind)?)
                .bind(e.created_at.millis());
        }
        q.execute(&mut *c).await.db()?;
        Ok(())
    })
}

/// Replace the tag index rows of a ticket with its current tags.
pub(crate) fn write_tags<'a>(
    c: &'a mut AnyConnection,
    t: &'a Ticket,
    replace: bool,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        if replace {
            sqlx::query("DELETE FROM ticket_tags WHERE account_id = $1 AND ticket_id = $2")
                .bind(t.account_id.to_string())
                .bind(t.id.to_string())
                .execute(&mut *c)
                .await
                .db()?;
        }
        if t.tags.is_empty() {
            return Ok(());
        }
        let values: Vec<String> = (0..t.tags.len()).map(|i| format!("($1, $2, ${})", i + 3)).collect();
        let sql = format!("INSERT INTO ticket_tags (account_id, ticket_id, tag) VALUES {}", values.join(", "));
        let mut q = sqlx::query(&sql).bind(t.account_id.to_string()).bind(t.id.to_string());
        for tag in &t.tags {
            q = q.bind(tag.as_str());
        }
        q.execute(&mut *c).await.db()?;
        Ok(())
    })
}

#[async_trait]
impl TicketStore for SqlStore {
    #[tracing::instrument(skip_all, fields(account = %new.ticket.account_id))]
    async fn create_ticket(&self, new: NewTicket) -> Result<(Ticket, Contact, Message), StoreError> {
        let engine = self.engine;
        self.writer.write(move |c| Box::pin(create::create(c, engine, new))).await
    }

    async fn get_ticket(&self, account: AccountId, ticket: TicketId) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND id = $2");
        let row: Option<TicketRow> = sqlx::query_as(&sql)
            .bind(account.to_string())
            .bind(ticket.to_string())
            .fetch_optional(&self.read)
            .await
            .db()?;
        row.map(Ticket::try_from).transpose()
    }

    async fn get_ticket_by_number(
        &self,
        account: AccountId,
        number: TicketNumber,
    ) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND number = $2");
        let row: Option<TicketRow> =
            sqlx::query_as(&sql).bind(account.to_string()).bind(number.0).fetch_optional(&self.read).await.db()?;
        row.map(Ticket::try_from).transpose()
    }

    async fn list_tickets(&self, account: AccountId, query: &TicketQuery) -> Result<Vec<Ticket>, StoreError> {
        list::list(&self.read, account, query).await
    }

    async fn timeline(&self, account: AccountId, ticket: TicketId) -> Result<Timeline, StoreError> {
        let messages: Vec<MessageRow> = sqlx::query_as(
            "SELECT id, account_id, ticket_id, author_type, author_id, internal, body, channel, created_at \
             FROM messages WHERE account_id = $1 AND ticket_id = $2 ORDER BY created_at, id",
        )
        .bind(account.to_string())
        .bind(ticket.to_string())
        .fetch_all(&self.read)
        .await
        .db()?;
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT id, account_id, ticket_id, actor_type, actor_id, data, created_at \
             FROM ticket_events WHERE account_id = $1 AND ticket_id = $2 ORDER BY created_at, id",
        )
        .bind(account.to_string())
        .bind(ticket.to_string())
        .fetch_all(&self.read)
        .await
        .db()?;
        Ok(Timeline {
            messages: messages.into_iter().map(Message::try_from).collect::<Result<_, _>>()?,
            events: events.into_iter().map(TicketEvent::try_from).collect::<Result<_, _>>()?,
        })
    }

    async fn save_change(&self, change: TicketChange) -> Result<(), StoreError> {
        self.writer.write(move |c| Box::pin(async move { save::save(c, &change).await })).await
    }

    async fn save_merge(&self, source: TicketChange, target: TicketChange) -> Result<(), StoreError> {
        self.writer.write(move |c| Box::pin(async move { save::merge(c, &source, &target).await })).await
    }
}
