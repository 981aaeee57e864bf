//! Writing a new ticket: number, requester, ticket row, tags, first message, events, outbox.

use super::{insert_events, insert_message, write_tags};
use crate::accounts::ticket_sequence;
use crate::contacts::{contact_in, upsert_by_email, CONTACT_COLS};
use crate::db::{args, Row, Tx, Value};
use crate::rows::to_json;
use crate::url::Engine;
use crate::webhooks::enqueue;
use parley_domain::contact::Contact;
use parley_domain::event::Actor;
use parley_domain::ids::AccountId;
use parley_domain::message::Message;
use parley_domain::ticket::{Ticket, TicketNumber};
use parley_store::{NewTicket, Requester, StoreError};

/// Write a new ticket in the caller's unit of work, the way each engine does it best.
pub(crate) async fn create_in(
    tx: &mut dyn Tx,
    engine: Engine,
    mut new: NewTicket,
) -> Result<(Ticket, Contact, Message), StoreError> {
    match engine {
        Engine::Sqlite => create(tx, new).await,
        Engine::Postgres => {
            let account = new.ticket.account_id;
            let (sql, args) = pg_statement(&new)?;
            let outbox = new.outbox;
            let turns = std::mem::take(&mut new.automated.turns);
            let at = new.ticket.created_at;
            let row = tx.query_opt(&sql, args).await?;
            // The statement writes nothing when the rules' revision is no longer the one given (see `pg_statement`).
            if row.is_none() && new.automated.rules_rev.is_some() {
                return Err(StoreError::Stale);
            }
            let stored = pg_stored(new, row)?;
            enqueue(tx, account, || outbox(&stored.0, &stored.1, &stored.2)).await?;
            crate::triggers::record_turns(tx, account, &turns, at).await?;
            Ok(stored)
        }
    }
}

/// SQLite: a statement per row, run on the writer thread where statements cost microseconds.
async fn create(tx: &mut dyn Tx, new: NewTicket) -> Result<(Ticket, Contact, Message), StoreError> {
    let NewTicket { mut ticket, requester, mut message, mut events, outbox, automated } = new;
    let account = ticket.account_id;
    if let Some(rev) = automated.rules_rev {
        if rules_rev(tx, account).await? != rev {
            return Err(StoreError::Stale);
        }
    }
    ticket.number = next_number(tx, account).await?;
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
    let sla = SlaColumns::of(&automated)?;
    tx.exec(
        "INSERT INTO tickets (id, account_id, number, subject, status, priority, channel, requester_id, assignee_id, \
         department_id, tags, custom_fields, merged_into, created_at, updated_at, first_response_at, version, \
         sla_check_at, status_changed_at, sla, sla_due_at, sla_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14, $15, $16, \
                 CASE WHEN $17 = 1 THEN $18 WHEN EXISTS (SELECT 1 FROM sla_policies p WHERE p.account_id = $2) THEN $13 END, \
                 $13, $19, $20, $21)",
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
            ticket.version,
            sla.looked,
            sla.check_at,
            sla.record,
            sla.due_at,
            sla.state
        ],
    )
    .await?;
    write_tags(tx, &ticket, false).await?;
    insert_message(tx, &message).await?;
    insert_events(tx, &events).await?;
    enqueue(tx, account, || outbox(&ticket, &contact, &message)).await?;
    crate::search::mark_dirty(tx, account, ticket.id).await?;
    if automated.triggers_ran {
        crate::triggers::record_turns(tx, account, &automated.turns, ticket.created_at).await?;
    } else {
        let kinds: Vec<_> = events.iter().map(|e| e.kind.clone()).collect();
        crate::triggers::queue(tx, &crate::triggers::activity_of_new(&ticket, &message, &kinds)).await?;
    }
    Ok((ticket, contact, message))
}

/// The SLA columns of a new ticket: the first look's result when the creation made it (`looked` = 1), else
/// empty, and the statement asks the watch for a look when the account has policies.
struct SlaColumns {
    looked: i64,
    check_at: Option<i64>,
    record: Option<String>,
    due_at: Option<i64>,
    state: Option<&'static str>,
}

impl SlaColumns {
    fn of(a: &parley_store::AutomatedAtCreation) -> Result<SlaColumns, StoreError> {
        Ok(match &a.sla {
            None => SlaColumns { looked: 0, check_at: None, record: None, due_at: None, state: None },
            Some(s) => SlaColumns {
                looked: 1,
                check_at: s.check_at.map(|t| t.millis()),
                record: s.record.as_ref().map(to_json).transpose()?,
                due_at: s.due_at.map(|t| t.millis()),
                state: s.state.map(|x| x.as_str()),
            },
        })
    }
}

/// The revision of the account's rules, read in the unit of work (SQLite's one writer orders it with every
/// change of the rules).
async fn rules_rev(tx: &mut dyn Tx, account: AccountId) -> Result<i64, StoreError> {
    let row = tx.query_opt("SELECT rules_rev FROM accounts WHERE id = $1", args![account.to_string()]).await?;
    Ok(row.map(|r| r.int("rules_rev")).transpose()?.unwrap_or(0))
}

/// The account's next ticket number. SQLite has one writer, so a counter row is enough. (PostgreSQL takes it
/// from the account's sequence, in [`pg_statement`].)
async fn next_number(tx: &mut dyn Tx, account: AccountId) -> Result<TicketNumber, StoreError> {
    let row = tx
        .query_opt(
            "UPDATE accounts SET next_ticket_number = next_ticket_number + 1 WHERE id = $1 \
             RETURNING next_ticket_number - 1",
            args![account.to_string()],
        )
        .await?;
    row.map(|r| r.first_int()).transpose()?.flatten().map(TicketNumber).ok_or(StoreError::NotFound)
}

/// Every row the statement writes hangs on its requester's row (`c`): with the rules' revision given ($41) and no
/// longer the account's, there is none, and nothing is written (a number of the sequence is skipped, as a rollback
/// would).
const RULES_STILL: &str = "($41::bigint IS NULL OR $41::bigint = (SELECT rules_rev FROM accounts WHERE id = $2))";

/// PostgreSQL: the whole creation as one statement of data-modifying CTEs. Each statement is a round trip and a
/// trip through the planner; a statement per row cost PostgreSQL and Parley about a millisecond of CPU per ticket.
fn pg_statement(new: &NewTicket) -> Result<(String, Vec<Value>), StoreError> {
    let (ticket, message) = (&new.ticket, &new.message);
    let account = ticket.account_id;
    let contact_cte = match &new.requester {
        Requester::Existing(_) => {
            format!("SELECT {CONTACT_COLS} FROM contacts WHERE account_id = $2 AND id = $16 AND {RULES_STILL}")
        }
        Requester::ByEmail { .. } => format!(
            "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, updated_at) \
             SELECT $16, $2, $17, $18, '[]', \
                     (SELECT id FROM companies WHERE account_id = $2 AND strpos(domains, $19) > 0 ORDER BY created_at LIMIT 1), \
                     $12, $12 WHERE {RULES_STILL} \
             ON CONFLICT (account_id, email) DO UPDATE SET name = COALESCE(contacts.name, excluded.name) \
             RETURNING {CONTACT_COLS}"
        ),
    };
    let (contact_id, email, name, domain) = match &new.requester {
        Requester::Existing(id) => (id.to_string(), None, None, None),
        Requester::ByEmail { email, name, new_id, .. } => (
            new_id.to_string(),
            Some(email.as_str().to_string()),
            name.clone(),
            Some(format!("\"{}\"", email.domain())),
        ),
    };
    let mut events_json = Vec::with_capacity(new.events.len());
    for e in &new.events {
        let (actor_type, actor_id) = e.actor.parts();
        events_json.push(serde_json::json!({"id": e.id.to_string(), "actor_type": actor_type, "actor_id": actor_id,
            "data": to_json(&e.kind)?, "created_at": e.created_at.millis()}));
    }
    let (author_type, author_id) = message.author.parts();
    let by_requester = matches!(message.author, Actor::Contact(_));
    let (email_meta, delivery) = super::email_columns(message)?;
    let kinds: Vec<_> = new.events.iter().map(|e| e.kind.clone()).collect();
    let queued = crate::triggers::activity_of_new(ticket, message, &kinds);
    let sla = SlaColumns::of(&new.automated)?;
    let sql = format!(
        "WITH c AS ({contact_cte}), \
         num AS (SELECT nextval($3::regclass) AS n), \
         t AS (INSERT INTO tickets (id, account_id, number, subject, status, priority, channel, requester_id, \
                 assignee_id, department_id, tags, custom_fields, merged_into, created_at, updated_at, first_response_at, version, \
                 sla_check_at, status_changed_at, sla, sla_due_at, sla_state) \
               SELECT $1, $2, num.n, $4, $5, $6, $7, c.id, $8, $9, $10, $11, NULL, $12, $27, $28, $29, \
                      CASE WHEN $35 = 1 THEN $36 WHEN EXISTS (SELECT 1 FROM sla_policies p WHERE p.account_id = $2) THEN $12 END, \
                      $12, $37, $38, $39 FROM num, c \
               RETURNING number), \
         tg AS (INSERT INTO ticket_tags (account_id, ticket_id, tag) \
               SELECT $2, $1, jsonb_array_elements_text($10::jsonb) FROM t), \
         m AS (INSERT INTO messages (id, account_id, ticket_id, author_type, author_id, internal, body, channel, created_at, \
                 html, quoted, email, delivery) \
               SELECT $13, $2, $1, $14, CASE WHEN $20 = 1 THEN c.id ELSE $15 END, $30, $21, $31, $32, $23, $24, $25, $26 \
               FROM c, t), \
         e AS (INSERT INTO ticket_events (id, account_id, ticket_id, actor_type, actor_id, data, created_at) \
               SELECT x.id, $2, $1, x.actor_type, x.actor_id, x.data, x.created_at FROM t, \
               jsonb_to_recordset($22::jsonb) AS x(id text, actor_type text, actor_id text, data text, created_at bigint)), \
         sd AS (INSERT INTO search_dirty (account_id, ticket_id, generation) SELECT $2, $1, 1 FROM t \
               ON CONFLICT (account_id, ticket_id) DO UPDATE SET generation = search_dirty.generation + 1), \
         tq AS (INSERT INTO trigger_queue (id, account_id, ticket_id, version, activity, created_at) \
               SELECT $33, $2, $1, $29, $34, $27 FROM t \
               WHERE $40 = 0 AND EXISTS (SELECT 1 FROM triggers WHERE account_id = $2 AND active = 1)) \
         SELECT t.number AS ticket_number, c.* FROM t, c"
    );
    let args = args![
        ticket.id.to_string(),
        account.to_string(),
        ticket_sequence(account),
        &ticket.subject,
        ticket.status.as_str(),
        ticket.priority.as_str(),
        ticket.channel.as_str(),
        ticket.assignee_id.map(|a| a.to_string()),
        ticket.department_id.map(|d| d.to_string()),
        to_json(&ticket.tags)?,
        to_json(&ticket.custom_fields)?,
        ticket.created_at.millis(),
        message.id.to_string(),
        author_type,
        author_id,
        contact_id,
        email,
        name,
        domain,
        i64::from(by_requester),
        &message.body,
        serde_json::Value::Array(events_json).to_string(),
        message.html.clone(),
        message.quoted.clone(),
        email_meta,
        delivery,
        ticket.updated_at.millis(),
        ticket.first_response_at.map(|t| t.millis()),
        ticket.version,
        message.internal,
        message.channel.as_str(),
        message.created_at.millis(),
        queued.id,
        to_json(&queued.activity)?,
        sla.looked,
        sla.check_at,
        sla.record,
        sla.due_at,
        sla.state,
        i64::from(new.automated.triggers_ran),
        new.automated.rules_rev
    ];
    Ok((sql, args))
}

/// The ticket, requester and message as stored, from the row the statement returned.
fn pg_stored(new: NewTicket, row: Option<Row>) -> Result<(Ticket, Contact, Message), StoreError> {
    let row = row.ok_or(StoreError::NotFound)?;
    let NewTicket { mut ticket, mut message, .. } = new;
    let contact = crate::contacts::contact(&row)?;
    ticket.number = TicketNumber(row.int("ticket_number")?);
    ticket.requester_id = contact.id;
    if let Actor::Contact(_) = message.author {
        message.author = Actor::Contact(contact.id);
    }
    Ok((ticket, contact, message))
}
