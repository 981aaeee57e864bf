//! A call that leaves a trace goes on a ticket: the caller's open one (found by their number), or a new one. The
//! caller is matched to a contact by their E.164 number (a contact is made for a number not seen before). The call
//! and its ticket are written in one unit of work, so a call is filed once, whichever webhook ends it.

use super::flow::Flow;
use crate::channels::{self, Outgoing};
use crate::{AccountCtx, App};
use parley_domain::contact::Contact;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::ContactId;
use parley_domain::message::{append, MessageContent, TicketEvent};
use parley_domain::ticket::{Channel, Status, Tag};
use parley_domain::voice::{Call, Outcome};
use parley_store::{CallFiling, Requester, TicketFilter, TicketQuery};

pub(super) async fn file(app: &App, ctx: &AccountCtx, mut call: Call) -> Flow<()> {
    let now = ctx.now();
    let contact = contact_of(ctx, &call).await?;
    call.contact_id = Some(contact.id);
    let agent = match call.agent_id {
        Some(a) => ctx.store.get_agent(ctx.account_id, a).await?.map(|a| a.name),
        None => None,
    };
    let body = describe(&call, agent.as_deref());
    let tags: Vec<Tag> = call.tags.iter().filter_map(|t| Tag::parse(t).ok()).collect();
    let query = TicketQuery {
        filter: TicketFilter {
            requester: Some(contact.id),
            status: vec![Status::New, Status::Open, Status::Pending],
            ..Default::default()
        },
        descending: true,
        limit: 1,
        ..Default::default()
    };
    let open = ctx.store.list_tickets(ctx.account_id, &query).await?.into_iter().next();
    let content = MessageContent::new(Channel::Phone, body.clone());
    let filing = match open {
        Some(mut ticket) => {
            for t in tags {
                if !ticket.tags.contains(&t) {
                    ticket.tags.push(t);
                }
            }
            let mut appended = append(ticket, Actor::Contact(contact.id), content, now);
            appended.events.push(call_event(ctx, appended.ticket.id, &call, now));
            CallFiling::Append(channels::change(appended, Outgoing::default()))
        }
        None => {
            let mut new = crate::tickets::customer_ticket(
                ctx,
                subject(&call),
                Channel::Phone,
                call.department_id,
                Requester::Existing(contact.id),
                body,
                now,
            );
            new.ticket.tags = tags;
            new.events.push(call_event(ctx, new.ticket.id, &call, now));
            if call.outcome == Some(Outcome::Answered) {
                // Whoever talked to the caller has the ticket.
                new.ticket.assignee_id = call.agent_id;
            }
            CallFiling::Open(new)
        }
    };
    let ended = call_json(&call);
    let events: parley_store::CallEvents = Box::new(move |t| vec![crate::tickets::payload::call_ended(t, ended)]);
    ctx.store.file_call(&call, filing, events).await?;
    // A recording that was ready before the call was filed can be fetched now.
    if call.recording.is_some() {
        app.voice.wake.notify_one();
    }
    Ok(())
}

/// The call in the ticket's timeline (and, through it, the triggers' `call.ended`).
fn call_event(
    ctx: &AccountCtx,
    ticket: parley_domain::ids::TicketId,
    c: &Call,
    now: parley_domain::Timestamp,
) -> TicketEvent {
    let inbound = c.direction == parley_domain::voice::Direction::Inbound;
    let kind = EventKind::Call {
        call_id: c.id.to_string(),
        direction: c.direction.as_str().into(),
        outcome: c.outcome.map_or("missed", |o| o.as_str()).into(),
        number: if inbound { c.from.clone() } else { c.to.clone() },
        // An answered call's length is the conversation's; any other's, the call's.
        duration_s: match (c.answered_at, c.ended_at) {
            (Some(a), Some(e)) => (e.millis() - a.millis()) / 1000,
            _ => c.duration_s,
        },
    };
    TicketEvent::new(ctx.account_id, ticket, Actor::System, kind, now)
}

/// A call as webhooks carry it.
fn call_json(c: &Call) -> serde_json::Value {
    serde_json::json!({
        "id": c.id.to_string(),
        "direction": c.direction.as_str(),
        "from": c.from,
        "to": c.to,
        "outcome": c.outcome.map(|o| o.as_str()),
        "duration_s": c.duration_s,
        "agent_id": c.agent_id.map(|a| a.to_string()),
        "department_id": c.department_id.map(|d| d.to_string()),
        "tags": c.tags,
        "started_at": c.started_at,
        "answered_at": c.answered_at,
        "ended_at": c.ended_at,
    })
}

/// The caller as a contact: the one the call was matched to, the one with the number, or a new one.
async fn contact_of(ctx: &AccountCtx, call: &Call) -> Flow<Contact> {
    if let Some(id) = call.contact_id {
        if let Some(c) = ctx.store.get_contact(ctx.account_id, id).await? {
            return Ok(c);
        }
    }
    if call.from.starts_with('+') {
        if let Some(c) = ctx.store.contact_by_phone(ctx.account_id, &call.from).await? {
            return Ok(c);
        }
    }
    let now = ctx.now();
    let c = Contact {
        id: ContactId::new(),
        account_id: ctx.account_id,
        email: None,
        name: None,
        // A caller without caller id is kept without a number.
        phones: if call.from.starts_with('+') { vec![call.from.clone()] } else { Vec::new() },
        company_id: None,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_contact(&c).await?;
    Ok(c)
}

fn subject(call: &Call) -> String {
    let what = match call.outcome {
        Some(Outcome::Voicemail) => "Voicemail",
        Some(Outcome::Missed) => "Missed call",
        Some(Outcome::Abandoned) => "Abandoned call",
        Some(Outcome::Callback) => "Callback request",
        _ => "Call",
    };
    format!("{what} from {}", call.from)
}

/// A length as people say it: `42 s`, `3 min 12 s`.
fn spoken(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s => format!("{} min {} s", s / 60, s % 60),
    }
}

/// The message a call leaves on its ticket.
fn describe(call: &Call, agent: Option<&str>) -> String {
    let talked = call.answered_at.zip(call.ended_at).map(|(a, e)| (e.millis() - a.millis()) / 1000);
    let waited = call.queued_at.map(|q| (call.ended_at.unwrap_or(q).millis() - q.millis()) / 1000);
    let line = match call.outcome {
        Some(Outcome::Answered) => format!(
            "Phone call from {} to {}, answered by {} ({}).",
            call.from,
            call.to,
            agent.unwrap_or("an agent"),
            spoken(talked.unwrap_or(call.duration_s))
        ),
        Some(Outcome::Voicemail) => {
            let length = call.recording.as_ref().map_or(call.duration_s, |r| r.duration_s);
            format!("Voicemail from {} to {} ({}).", call.from, call.to, spoken(length))
        }
        Some(Outcome::Abandoned) => format!(
            "Call from {} to {}: the caller hung up after waiting {}.",
            call.from,
            call.to,
            spoken(waited.unwrap_or(call.duration_s))
        ),
        Some(Outcome::Callback) => format!("{} asked to be called back (called {}).", call.from, call.to),
        Some(Outcome::Missed) | None => format!("Missed call from {} to {}.", call.from, call.to),
    };
    if call.tags.is_empty() {
        line
    } else {
        format!("{line}\nMenu choices: {}.", call.tags.join(", "))
    }
}
