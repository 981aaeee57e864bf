//! Opening a ticket with its first message, from a known contact or an email address.

use super::{check, payload};
use crate::rules_cache::AccountRules;
use crate::sla_watch::first_look;
use crate::triggers::on_open::{run_on_open, RequesterFacts};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{AgentId, ContactId, DepartmentId, TicketId};
use parley_domain::message::{parse_body, Message, MessageContent, TicketEvent};
use parley_domain::text;
use parley_domain::ticket::{parse_subject, Channel, Priority, Status, Tag, Ticket, TicketNumber};
use parley_store::{AutomatedAtCreation, NewTicket, Requester, StoreError, Timeline};
use serde_json::Value;
use std::collections::BTreeMap;

pub enum RequesterInput {
    Id(ContactId),
    Email { email: String, name: Option<String> },
}

/// A ticket as asked for, before any checks.
pub struct OpenTicket {
    pub subject: String,
    pub body: String,
    pub requester: RequesterInput,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub channel: Option<String>,
    pub tags: Vec<String>,
    pub assignee_id: Option<AgentId>,
    pub department_id: Option<DepartmentId>,
    pub custom_fields: BTreeMap<String, Value>,
}

/// Check everything, report every problem at once, then write the ticket as one unit. The first message is the
/// requester's, as if they had written in.
#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn open_ticket(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    input: OpenTicket,
) -> Result<(Ticket, Contact, Message), AppError> {
    let mut errs = Checker::new();
    let subject = errs.check(parse_subject(&input.subject));
    let body = errs.check(parse_body(&input.body).map_err(|e| e.within("message")));
    let status = match &input.status {
        Some(s) => errs.check(Status::parse(s)),
        None => Some(Status::New),
    };
    let priority = match &input.priority {
        Some(p) => errs.check(Priority::parse(p)),
        None => Some(Priority::Normal),
    };
    let channel = match &input.channel {
        Some(c) => errs.check(Channel::parse(c)),
        None => Some(Channel::Api),
    };
    let tags = errs.check(Tag::parse_list(&input.tags));
    let now = ctx.now();
    let (requester, facts) = match input.requester {
        RequesterInput::Id(id) => {
            let contact = ctx.store.get_contact(ctx.account_id, id).await?;
            if contact.is_none() {
                errs.add("requester.id", "is not a contact of this account");
            }
            let facts = contact.map(|c| RequesterFacts {
                email: c.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                company: Some(c.company_id),
            });
            (Some(Requester::Existing(id)), facts)
        }
        RequesterInput::Email { email, name } => {
            let email = errs.check(EmailAddress::parse(&email).map_err(|e| e.within("requester")));
            let name = errs.check(text::optional_text("requester.name", name.as_deref(), 200));
            match (email, name) {
                (Some(email), Some(name)) => {
                    // Whether the address is a contact's already, and of which company, the write finds out.
                    let facts = RequesterFacts { email: email.to_string(), company: None };
                    (Some(Requester::ByEmail { email, name, new_id: ContactId::new(), at: now }), Some(facts))
                }
                _ => (None, None),
            }
        }
    };
    check::assignee(ctx, &mut errs, input.assignee_id).await?;
    check::department(ctx, &mut errs, input.department_id).await?;
    let custom_fields = check::custom_fields(ctx, &mut errs, input.custom_fields).await?;
    errs.finish()?;
    let (
        Some(subject),
        Some(body),
        Some(status),
        Some(priority),
        Some(channel),
        Some(tags),
        Some(requester),
        Some(facts),
    ) = (subject, body, status, priority, channel, tags, requester, facts)
    else {
        // finish() returned Ok, so every value above parsed.
        return Err(AppError::Internal(anyhow::anyhow!("checked ticket fields missing")));
    };
    let id = TicketId::new();
    let ticket = Ticket {
        id,
        account_id: ctx.account_id,
        number: TicketNumber(0),
        subject,
        status,
        priority,
        channel,
        requester_id: ContactId::new(),
        assignee_id: input.assignee_id,
        department_id: input.department_id,
        tags,
        custom_fields,
        merged_into: None,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        version: 1,
    };
    // The store fills in the requester's id and makes them the author once it is known.
    let author = match &requester {
        Requester::Existing(c) => Actor::Contact(*c),
        Requester::ByEmail { new_id, .. } => Actor::Contact(*new_id),
    };
    let message = MessageContent::new(channel, body).into_message(&ticket, author, now);
    let created = TicketEvent::new(ctx.account_id, id, caller.actor(), EventKind::Created, now);
    // The rules as this process last read them; the write checks they are still the account's, and when they
    // are not the ticket is opened again under the rules read anew.
    for fresh in [false, true] {
        let rules = app.rules.of(ctx, fresh).await?;
        let (mut ticket, mut events) = (ticket.clone(), vec![created.clone()]);
        let automated = automate(app, ctx, &rules, &mut ticket, &message, &mut events, &facts).await?;
        let new = NewTicket {
            ticket,
            requester: requester.clone(),
            message: message.clone(),
            events,
            outbox: payload::created,
            automated,
        };
        match ctx.store.create_ticket(new).await {
            Err(StoreError::Stale) if !fresh => continue,
            done => return Ok(done?),
        }
    }
    Err(AppError::Internal(anyhow::anyhow!("a ticket was opened neither time")))
}

/// The account's rules on the ticket before it is written, so that what they do is written with it: its
/// triggers (see [`crate::triggers::on_open`]) and the SLA watch's first look (see [`first_look`]). What they
/// leave is done after the write, as for any change.
async fn automate(
    app: &App,
    ctx: &AccountCtx,
    rules: &AccountRules,
    ticket: &mut Ticket,
    message: &Message,
    events: &mut Vec<TicketEvent>,
    requester: &RequesterFacts,
) -> Result<AutomatedAtCreation, AppError> {
    let turns = run_on_open(app, ctx, ticket, message, events, requester, rules).await?;
    let timeline = Timeline { messages: vec![message.clone()], events: events.clone() };
    let sla =
        first_look(ctx, rules, ticket, requester.company, &timeline, ticket.created_at).await?.map(|(sla, told)| {
            events.extend(told);
            sla
        });
    Ok(AutomatedAtCreation {
        triggers_ran: turns.is_some(),
        turns: turns.unwrap_or_default(),
        sla,
        rules_rev: Some(rules.rev),
    })
}
