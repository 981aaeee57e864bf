//! Tickets, their timelines and custom field definitions.

mod create;
mod fields;
pub(crate) mod list;
mod save;

pub(crate) use create::create_in;
pub(crate) use save::{save, save_without_triggers};

use crate::db::{args, Row, Tx, Value};
use crate::rows::{id, json, opt_id, parsed, placeholders, to_json};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::event::Actor;
use parley_domain::ids::{AccountId, TicketId};
use parley_domain::message::{EmailInfo, Message, TicketEvent};
use parley_domain::ticket::{Channel, Priority, Status, Ticket, TicketNumber};
use parley_domain::Timestamp;
use parley_store::{NewTicket, SortKey, SortValue, StoreError, TicketChange, TicketQuery, TicketStore, Timeline};

pub(crate) const TICKET_COLS: &str = "id, account_id, number, subject, status, priority, channel, requester_id, \
    assignee_id, department_id, tags, custom_fields, merged_into, created_at, updated_at, first_response_at, version";

pub(crate) fn ticket(r: &Row) -> Result<Ticket, StoreError> {
    Ok(Ticket {
        id: id("ticket id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        number: TicketNumber(r.int("number")?),
        subject: r.text("subject")?,
        status: parsed("status", &r.text("status")?, Status::parse)?,
        priority: parsed("priority", &r.text("priority")?, Priority::parse)?,
        channel: parsed("channel", &r.text("channel")?, Channel::parse)?,
        requester_id: id("contact id", &r.text("requester_id")?)?,
        assignee_id: opt_id("agent id", r.opt_text("assignee_id")?.as_deref())?,
        department_id: opt_id("department id", r.opt_text("department_id")?.as_deref())?,
        tags: json("tags", &r.text("tags")?)?,
        custom_fields: json("custom fields", &r.text("custom_fields")?)?,
        merged_into: opt_id("ticket id", r.opt_text("merged_into")?.as_deref())?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
        first_response_at: r.opt_int("first_response_at")?.map(Timestamp::from_millis),
        version: r.int("version")?,
    })
}

fn actor(kind: &str, id: Option<&str>) -> Result<Actor, StoreError> {
    Actor::from_parts(kind, id).ok_or_else(|| crate::error::corrupt("actor", &format!("{kind}:{id:?}")))
}

pub(crate) const MESSAGE_COLS: &str =
    "id, account_id, ticket_id, author_type, author_id, internal, body, channel, created_at, html, quoted, email, delivery";

pub(crate) fn message(r: &Row) -> Result<Message, StoreError> {
    let mut email: Option<EmailInfo> = r.opt_text("email")?.map(|e| json("email", &e)).transpose()?;
    if let (Some(e), Some(d)) = (email.as_mut(), r.opt_text("delivery")?) {
        e.delivery = Some(json("delivery", &d)?);
    }
    Ok(Message {
        id: id("message id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        ticket_id: id("ticket id", &r.text("ticket_id")?)?,
        author: actor(&r.text("author_type")?, r.opt_text("author_id")?.as_deref())?,
        internal: r.int("internal")? != 0,
        body: r.text("body")?,
        channel: parsed("channel", &r.text("channel")?, Channel::parse)?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        html: r.opt_text("html")?,
        quoted: r.opt_text("quoted")?,
        email,
        attachments: Vec::new(),
    })
}

fn event(r: &Row) -> Result<TicketEvent, StoreError> {
    Ok(TicketEvent {
        id: id("event id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        ticket_id: id("ticket id", &r.text("ticket_id")?)?,
        actor: actor(&r.text("actor_type")?, r.opt_text("actor_id")?.as_deref())?,
        kind: json("event", &r.text("data")?)?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

/// The email metadata as stored: delivery lives in its own column, since it changes after the message is written.
pub(crate) fn email_columns(m: &Message) -> Result<(Option<String>, Option<String>), StoreError> {
    let Some(e) = &m.email else { return Ok((None, None)) };
    let delivery = e.delivery.as_ref().map(to_json).transpose()?;
    let meta = EmailInfo { delivery: None, ..e.clone() };
    Ok((Some(to_json(&meta)?), delivery))
}

pub(crate) async fn insert_message(tx: &mut dyn Tx, m: &Message) -> Result<(), StoreError> {
    let (author_type, author_id) = m.author.parts();
    let (email, delivery) = email_columns(m)?;
    tx.exec(
        "INSERT INTO messages (id, account_id, ticket_id, author_type, author_id, internal, body, channel, created_at, \
         html, quoted, email, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        args![
            m.id.to_string(),
            m.account_id.to_string(),
            m.ticket_id.to_string(),
            author_type,
            author_id,
            m.internal,
            &m.body,
            m.channel.as_str(),
            m.created_at.millis(),
            m.html.clone(),
            m.quoted.clone(),
            email,
            delivery
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_events(tx: &mut dyn Tx, events: &[TicketEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..events.len()).map(|i| format!("({})", placeholders(i * 7 + 1, 7))).collect();
    let sql = format!(
        "INSERT INTO ticket_events (id, account_id, ticket_id, actor_type, actor_id, data, created_at) VALUES {}",
        values.join(", ")
    );
    let mut a = Vec::with_capacity(events.len() * 7);
    for e in events {
        let (actor_type, actor_id) = e.actor.parts();
        a.extend(args![
            e.id.to_string(),
            e.account_id.to_string(),
            e.ticket_id.to_string(),
            actor_type,
            actor_id,
            to_json(&e.kind)?,
            e.created_at.millis()
        ]);
    }
    tx.exec(&sql, a).await?;
    Ok(())
}

/// Write the tag index rows of a ticket, replacing the old ones when asked.
pub(crate) async fn write_tags(tx: &mut dyn Tx, t: &Ticket, replace: bool) -> Result<(), StoreError> {
    if replace {
        tx.exec(
            "DELETE FROM ticket_tags WHERE account_id = $1 AND ticket_id = $2",
            args![t.account_id.to_string(), t.id.to_string()],
        )
        .await?;
    }
    if t.tags.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..t.tags.len()).map(|i| format!("($1, $2, ${})", i + 3)).collect();
    let sql = format!("INSERT INTO ticket_tags (account_id, ticket_id, tag) VALUES {}", values.join(", "));
    let mut a = args![t.account_id.to_string(), t.id.to_string()];
    a.extend(t.tags.iter().map(|tag| Value::from(tag.as_str())));
    tx.exec(&sql, a).await?;
    Ok(())
}

#[async_trait]
impl TicketStore for SqlStore {
    #[tracing::instrument(skip_all, fields(account = %new.ticket.account_id))]
    async fn create_ticket(&self, new: NewTicket) -> Result<(Ticket, Contact, Message), StoreError> {
        let engine = self.db.engine();
        let out = self.db.write(move |tx| Box::pin(create::create_in(tx, engine, new))).await?;
        self.announce(vec![crate::news::created(&out.0)]).await;
        Ok(out)
    }

    async fn get_ticket(&self, account: AccountId, t: TicketId) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND id = $2");
        self.db.query_opt(&sql, args![account.to_string(), t.to_string()]).await?.as_ref().map(ticket).transpose()
    }

    async fn get_tickets(&self, account: AccountId, ids: &[TicketId]) -> Result<Vec<Ticket>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut a: Vec<Value> = args![account.to_string()];
        a.extend(ids.iter().map(|t| Value::Text(t.to_string())));
        let sql = format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND id IN ({})",
            placeholders(2, ids.len())
        );
        self.db.query(&sql, a).await?.iter().map(ticket).collect()
    }

    async fn get_ticket_by_number(
        &self,
        account: AccountId,
        number: TicketNumber,
    ) -> Result<Option<Ticket>, StoreError> {
        let sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND number = $2");
        self.db.query_opt(&sql, args![account.to_string(), number.0]).await?.as_ref().map(ticket).transpose()
    }

    async fn list_tickets(&self, account: AccountId, query: &TicketQuery) -> Result<Vec<Ticket>, StoreError> {
        let (sql, a) = list::sql(self.db.engine(), account, query);
        self.db.query(&sql, a).await?.iter().map(ticket).collect()
    }

    async fn sort_value(&self, account: AccountId, t: TicketId, key: SortKey) -> Result<Option<SortValue>, StoreError> {
        let row = self.db.query_opt(&list::sort_value_sql(key), args![account.to_string(), t.to_string()]).await?;
        row.map(|r| Ok(if key.is_text() { SortValue::Text(r.text("v")?) } else { SortValue::Int(r.int("v")?) }))
            .transpose()
    }

    async fn timeline(&self, account: AccountId, t: TicketId) -> Result<Timeline, StoreError> {
        let messages = self
            .db
            .query(
                &format!("SELECT {MESSAGE_COLS} FROM messages WHERE account_id = $1 AND ticket_id = $2 ORDER BY created_at, id"),
                args![account.to_string(), t.to_string()],
            )
            .await?;
        let mut messages: Vec<Message> = messages.iter().map(message).collect::<Result<_, _>>()?;
        let attachments = self
            .db
            .query(
                "SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.content_id, a.inline FROM attachments a \
                 JOIN messages m ON m.id = a.message_id AND m.account_id = a.account_id \
                 WHERE a.account_id = $1 AND m.ticket_id = $2 ORDER BY a.created_at, a.id",
                args![account.to_string(), t.to_string()],
            )
            .await?;
        for a in &attachments {
            let owner = a.text("message_id")?;
            if let Some(m) = messages.iter_mut().find(|m| m.id.to_string() == owner) {
                m.attachments.push(crate::mail::attachment_info(a)?);
            }
        }
        let events = self
            .db
            .query(
                "SELECT id, account_id, ticket_id, actor_type, actor_id, data, created_at \
                 FROM ticket_events WHERE account_id = $1 AND ticket_id = $2 ORDER BY created_at, id",
                args![account.to_string(), t.to_string()],
            )
            .await?;
        Ok(Timeline { messages, events: events.iter().map(event).collect::<Result<_, _>>()? })
    }

    async fn save_change(&self, change: TicketChange) -> Result<(), StoreError> {
        let news = crate::news::saved(&change);
        self.db.write(move |tx| Box::pin(async move { save::save(tx, &change).await })).await?;
        self.announce(vec![news]).await;
        Ok(())
    }

    async fn save_merge(&self, source: TicketChange, target: TicketChange) -> Result<(), StoreError> {
        let news = vec![crate::news::saved(&source), crate::news::saved(&target)];
        self.db.write(move |tx| Box::pin(async move { save::merge(tx, &source, &target).await })).await?;
        self.announce(news).await;
        Ok(())
    }
}
