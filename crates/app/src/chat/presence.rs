//! Agents' presence for chats, and what a visitor gets when nobody is there: a form whose message becomes a ticket
//! answered by email.

use crate::tickets::payload;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::chat::{parse_chat_text, Presence};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{AgentId, ContactId, DepartmentId, MessageId, TicketId};
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::{Channel, Priority, Status, Ticket, TicketNumber};
use parley_domain::{text, Timestamp};
use parley_store::{NewTicket, Requester};

/// Agents set their own presence; administrators (and API keys) anyone's.
fn may_set(caller: &Caller, agent: AgentId) -> Result<(), AppError> {
    match caller {
        Caller::Agent(a) if a.id == agent => Ok(()),
        c => c.require_admin(),
    }
}

pub async fn set(ctx: &AccountCtx, caller: &Caller, agent: AgentId, status: &str) -> Result<Presence, AppError> {
    may_set(caller, agent)?;
    let status = Presence::parse(status)?;
    if ctx.store.get_agent(ctx.account_id, agent).await?.is_none() {
        return Err(AppError::NotFound);
    }
    ctx.store.set_presence(ctx.account_id, agent, status, Timestamp::now()).await?;
    Ok(status)
}

pub async fn get(ctx: &AccountCtx, agent: AgentId) -> Result<Presence, AppError> {
    Ok(ctx.store.presence(ctx.account_id, agent).await?)
}

/// An agent's presence, for the API: `NotFound` for an agent of no account or another.
pub async fn get_of(ctx: &AccountCtx, agent: AgentId) -> Result<Presence, AppError> {
    if ctx.store.get_agent(ctx.account_id, agent).await?.is_none() {
        return Err(AppError::NotFound);
    }
    get(ctx, agent).await
}

/// Whether someone takes chats now (in the department, when one is named).
pub async fn available(ctx: &AccountCtx, department: Option<DepartmentId>) -> Result<bool, AppError> {
    Ok(ctx.store.available_agents(ctx.account_id, department).await? > 0)
}

pub struct OfflineMessage {
    pub name: Option<String>,
    pub email: String,
    pub body: String,
    pub department_id: Option<DepartmentId>,
}

/// The offline form: the message becomes a ticket from that address, answered by email.
pub async fn leave_message(ctx: &AccountCtx, input: OfflineMessage) -> Result<TicketNumber, AppError> {
    let mut errs = Checker::new();
    let email = errs.check(EmailAddress::parse(&input.email));
    let body = errs.check(parse_chat_text(&input.body));
    let name = errs.check(text::optional_text("name", input.name.as_deref(), 200));
    crate::tickets::check::department(ctx, &mut errs, input.department_id).await?;
    errs.finish()?;
    let (Some(email), Some(body), Some(name)) = (email, body, name) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked offline message fields missing")));
    };
    let now = Timestamp::now();
    let id = TicketId::new();
    let new_id = ContactId::new();
    let first_line: String = body.lines().next().unwrap_or("").chars().take(80).collect();
    let ticket = Ticket {
        id,
        account_id: ctx.account_id,
        number: TicketNumber(0),
        subject: format!("Message from the chat: {first_line}"),
        status: Status::New,
        priority: Priority::Normal,
        channel: Channel::Web,
        requester_id: new_id,
        assignee_id: None,
        department_id: input.department_id,
        tags: Vec::new(),
        custom_fields: Default::default(),
        merged_into: None,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        version: 1,
    };
    let message = Message {
        id: MessageId::new(),
        account_id: ctx.account_id,
        ticket_id: id,
        author: Actor::Contact(new_id),
        internal: false,
        body,
        channel: Channel::Web,
        created_at: now,
        html: None,
        quoted: None,
        email: None,
        attachments: Vec::new(),
    };
    let created = TicketEvent::new(ctx.account_id, id, Actor::System, EventKind::Created, now);
    let new = NewTicket {
        ticket,
        requester: Requester::ByEmail { email, name, new_id, at: now },
        message,
        events: vec![created],
        outbox: payload::created,
    };
    let (ticket, _, _) = ctx.store.create_ticket(new).await?;
    Ok(ticket.number)
}
