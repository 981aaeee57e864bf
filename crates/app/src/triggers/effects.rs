//! What a run of triggers does to a ticket, as one change: the fields and tags their actions set (an assignment
//! by strategy as the agent picked), one internal note holding their notes, the mail they send, and an event
//! naming the triggers that fired.

use crate::email::{compose::trigger_mail, Identity};
use crate::tickets::payload;
use crate::{AccountCtx, AppError};
use parley_domain::agent::Agent;
use parley_domain::canned::{render, PlaceholderValues};
use parley_domain::contact::Contact;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{MessageId, WebhookId};
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::Ticket;
use parley_domain::ticket_action::{patch_of, SetField, TicketAction};
use parley_domain::trigger::{Recipient, Run, TriggerAction};
use parley_domain::Timestamp;
use parley_store::{OutboundMail, TicketChange};

/// What the triggers' run means for the ticket.
pub(crate) struct Effects {
    /// The change to save; `None` when nothing fired.
    pub change: Option<TicketChange>,
}

/// Who the mail and placeholders are about.
pub(crate) struct Parties<'a> {
    pub requester: Option<&'a Contact>,
    pub agents: &'a [Agent],
    /// Mail the triggers send to the requester is held back when the change came from a machine (an
    /// auto-responder): answering it would start a mail loop.
    pub requester_is_machine: bool,
}

pub(crate) fn effects(
    ctx: &AccountCtx,
    identity: Option<&Identity>,
    ticket: Ticket,
    run: &Run,
    parties: &Parties<'_>,
    now: Timestamp,
) -> Result<Effects, AppError> {
    if run.fired.is_empty() {
        return Ok(Effects { change: None });
    }
    let names = run.fired.iter().map(|f| f.name.clone()).collect();
    let actions: Vec<&TriggerAction> = run.fired.iter().flat_map(|f| &f.actions).collect();
    change_of(ctx, identity, ticket, &actions, EventKind::TriggersFired { names }, parties, now)
}

/// The change actions make to a ticket (done in order, an assignment by strategy already resolved), with `ran` —
/// the event naming who did it — first among its events.
pub(crate) fn change_of(
    ctx: &AccountCtx,
    identity: Option<&Identity>,
    mut ticket: Ticket,
    done: &[&TriggerAction],
    ran: EventKind,
    parties: &Parties<'_>,
    now: Timestamp,
) -> Result<Effects, AppError> {
    let expected_version = ticket.version;
    let mut actions: Vec<TicketAction> = Vec::new();
    let mut notes: Vec<&str> = Vec::new();
    let mut mails: Vec<(&Recipient, &str, &str)> = Vec::new();
    let mut hooks: Vec<(WebhookId, &str)> = Vec::new();
    for a in done.iter().copied() {
        match a {
            TriggerAction::Ticket(t) => actions.push(t.clone()),
            TriggerAction::Assign { department, agent, .. } => {
                if let Some(d) = department {
                    actions.push(TicketAction::Set(SetField::Department(Some(*d))));
                }
                if let Some(x) = agent {
                    actions.push(TicketAction::Set(SetField::Assignee(Some(*x))));
                }
            }
            TriggerAction::AddNote { body } => notes.push(body),
            TriggerAction::SendMail { to, subject, body } => mails.push((to, subject, body)),
            TriggerAction::NotifyWebhook { webhook, message } => hooks.push((*webhook, message)),
            // Put in its macro's actions before the run; one left is a macro deleted since: nothing to do.
            TriggerAction::ApplyMacro { .. } => {}
        }
    }
    let rule = match &ran {
        EventKind::TriggersFired { names } => names.join(", "),
        EventKind::AutomationFired { name } => name.clone(),
        other => other.describe(),
    };
    let mut kinds = vec![ran];
    let changed = ticket.apply(patch_of(&actions, None), now).map_err(|e| AppError::Conflict(e.to_string()))?;
    let fields_changed = !changed.is_empty();
    kinds.extend(changed);
    let values = placeholders(&ticket, parties);
    let message = (!notes.is_empty()).then(|| Message {
        id: MessageId::new(),
        account_id: ctx.account_id,
        ticket_id: ticket.id,
        author: Actor::System,
        internal: true,
        body: notes.iter().map(|n| render(n, &values)).collect::<Vec<_>>().join("\n\n"),
        channel: ticket.channel,
        created_at: now,
        html: None,
        quoted: None,
        email: None,
        attachments: Vec::new(),
    });
    let mail: Vec<OutboundMail> = match identity {
        Some(id) => mails
            .into_iter()
            .filter_map(|(to, subject, body)| {
                let address = address_of(to, &ticket, parties)?;
                Some(trigger_mail(id, &ticket, address, render(subject, &values), render(body, &values)))
            })
            .collect(),
        None => Vec::new(),
    };
    // Written even when the triggers' changes cancel out (two that undo each other): the timeline says they ran.
    let mut outbox = if fields_changed { vec![payload::updated(&ticket, &kinds[1..])] } else { Vec::new() };
    outbox.extend(hooks.into_iter().map(|(w, m)| payload::notified(&ticket, w, &rule, &render(m, &values))));
    let events =
        kinds.into_iter().map(|k| TicketEvent::new(ctx.account_id, ticket.id, Actor::System, k, now)).collect();
    Ok(Effects {
        change: Some(TicketChange { ticket, expected_version, message, events, outbox, mail, chat: Vec::new() }),
    })
}

fn address_of(to: &Recipient, t: &Ticket, p: &Parties<'_>) -> Option<String> {
    match to {
        Recipient::Requester if p.requester_is_machine => None,
        Recipient::Requester => p.requester.and_then(|c| c.email.as_ref()).map(|e| e.to_string()),
        Recipient::Assignee => {
            let a = t.assignee_id?;
            p.agents.iter().find(|x| x.id == a && x.active).map(|x| x.email.to_string())
        }
        Recipient::Address(a) => Some(a.to_string()),
    }
}

fn placeholders(t: &Ticket, p: &Parties<'_>) -> PlaceholderValues {
    let agent = t.assignee_id.and_then(|a| p.agents.iter().find(|x| x.id == a));
    PlaceholderValues {
        requester_name: p.requester.and_then(|c| c.name.clone()).unwrap_or_default(),
        requester_email: p.requester.and_then(|c| c.email.as_ref()).map(|e| e.to_string()).unwrap_or_default(),
        ticket_number: format!("#{}", t.number.0),
        ticket_subject: t.subject.clone(),
        agent_name: agent.map(|a| a.name.clone()).unwrap_or_default(),
        agent_signature: agent.map(|a| a.profile.signature.clone()).unwrap_or_default(),
    }
}
