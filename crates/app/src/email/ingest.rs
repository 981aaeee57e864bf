//! Processing a stored mail into the account's tickets: a new ticket, a reply in the right one, an agent's answer,
//! a bounce noted where it belongs, or nothing (a duplicate, a flood). Written as one unit with marking the mail
//! processed, so a mail takes effect exactly once, whoever processes it and however often.

use super::thread::{self, Via};
use super::{compose, identity, Identity};
use crate::channels::{self, Outgoing};
use crate::tickets::payload;
use crate::{AccountCtx, App, AppError};
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{AttachmentId, ContactId, InboundId, TicketId};
use parley_domain::mail::{outgoing_message_id, parse_message_id};
use parley_domain::message::{append, AttachmentInfo, Delivery, EmailInfo, Message, MessageContent, TicketEvent};
use parley_domain::ticket::{Channel, Priority, Status, Ticket, TicketNumber};
use parley_domain::Timestamp;
use parley_mime::{AutoKind, ParsedMail};
use parley_store::{
    ContactFilter, IncomingMail, MailWrite, NewAttachment, NewTicket, OutboundMail, Requester, StoreError, TicketChange,
};
use std::collections::{BTreeMap, HashMap};

/// What became of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    NewTicket(TicketNumber),
    Reply(TicketNumber),
    AgentReply(TicketNumber),
    Bounce(TicketNumber),
    /// Kept, but opened and answered nothing; the reason says why.
    Dropped(String),
    /// Someone processed it already.
    AlreadyDone,
}

const RETRIES: usize = 5;

#[tracing::instrument(skip_all, fields(account = %ctx.slug, inbound = %inbound))]
pub async fn process(app: &App, ctx: &AccountCtx, inbound: InboundId) -> Result<Processed, AppError> {
    for _ in 0..RETRIES {
        match attempt(app, ctx, inbound).await {
            Err(Attempt::Stale) => continue,
            Err(Attempt::Done) => return Ok(Processed::AlreadyDone),
            Err(Attempt::Failed(e)) => return Err(e),
            Ok(p) => return Ok(p),
        }
    }
    Err(AppError::Conflict("the ticket kept changing; the mail stays pending and is tried again".into()))
}

enum Attempt {
    Stale,
    Done,
    Failed(AppError),
}

impl From<AppError> for Attempt {
    fn from(e: AppError) -> Self {
        Attempt::Failed(e)
    }
}

impl From<StoreError> for Attempt {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale => Attempt::Stale,
            StoreError::Conflict(_) => Attempt::Done,
            other => Attempt::Failed(other.into()),
        }
    }
}

async fn close(ctx: &AccountCtx, inbound: InboundId, why: &str) -> Result<Processed, Attempt> {
    if ctx.store.close_inbound(ctx.account_id, inbound, why).await? {
        Ok(Processed::Dropped(why.into()))
    } else {
        Ok(Processed::AlreadyDone)
    }
}

async fn attempt(app: &App, ctx: &AccountCtx, inbound: InboundId) -> Result<Processed, Attempt> {
    let store = &ctx.store;
    let Some((inb, raw)) = store.load_inbound(ctx.account_id, inbound).await? else {
        return Ok(Processed::AlreadyDone);
    };
    let limits = parley_mime::Limits {
        max_attachments: app.mail.max_attachments,
        max_attachment_bytes: app.mail.max_attachment_bytes,
        ..parley_mime::Limits::default()
    };
    let Ok(mut mail) = parley_mime::parse(&raw, inb.mail_from.is_none(), &limits) else {
        return close(ctx, inbound, "unreadable").await;
    };
    let id = identity(app, ctx).await?;
    // The same mail again (a resend, a second fetch): its Message-ID already leads to a ticket.
    if let Some(mid) = &mail.message_id {
        if parse_message_id(&id.secret, mid).is_none()
            && store.ticket_by_mail_ids(ctx.account_id, std::slice::from_ref(mid)).await?.is_some()
        {
            return close(ctx, inbound, "duplicate").await;
        }
    }
    if mail.auto == AutoKind::Bounce {
        return bounce(ctx, &id, inbound, mail).await;
    }
    let sender = mail
        .from
        .as_ref()
        .and_then(|m| EmailAddress::parse(&m.email).ok())
        .or_else(|| inb.mail_from.as_deref().and_then(|a| EmailAddress::parse(a).ok()));
    let Some(sender) = sender else { return close(ctx, inbound, "no_sender").await };
    let sender_name = mail.from.as_ref().and_then(|m| m.name.clone()).filter(|n| !n.trim().is_empty());
    let machine = mail.auto != AutoKind::Human;
    let agent = store.agent_credentials(ctx.account_id, &sender).await?.map(|(a, _)| a).filter(|a| a.active);
    let found = thread::find(ctx, &id, &mail, &inb.rcpt_to).await?;

    let target = match found {
        None => None,
        Some(f) => {
            // A merged ticket's mail goes where it was merged.
            let ticket = match f.ticket.merged_into {
                Some(into) => store.get_ticket(ctx.account_id, into).await?.unwrap_or(f.ticket),
                None => f.ticket,
            };
            let signed = matches!(f.via, Via::ReplyAddress | Via::OurMessageId);
            let requester = store.get_contact(ctx.account_id, ticket.requester_id).await?;
            let participants = store.participants(ctx.account_id, ticket.id).await?;
            let is_requester = requester.as_ref().and_then(|c| c.email.as_ref()) == Some(&sender);
            let participant = participants.iter().find(|c| c.email.as_ref() == Some(&sender)).map(|c| c.id);
            if let (Some(agent), true) = (&agent, signed) {
                Some((ticket, Actor::Agent(agent.id), true))
            } else if f.via == Via::SubjectToken && !is_requester && participant.is_none() {
                // A token anyone can type is no proof of belonging: a stranger (or someone using an agent's
                // address without the signed mark) opens a ticket of their own.
                None
            } else if ticket.status == Status::Closed {
                None
            } else {
                let author = if is_requester {
                    ticket.requester_id
                } else if let Some(p) = participant {
                    p
                } else {
                    contact_for(ctx, &sender, sender_name.as_deref()).await?
                };
                Some((ticket, Actor::Contact(author), false))
            }
        }
    };

    let mut attachments: Vec<NewAttachment> = Vec::new();
    let mut cids: HashMap<String, AttachmentId> = HashMap::new();
    for a in std::mem::take(&mut mail.attachments) {
        let att_id = AttachmentId::new();
        if let Some(cid) = &a.content_id {
            cids.insert(cid.clone(), att_id);
        }
        attachments.push(NewAttachment {
            info: AttachmentInfo {
                id: att_id,
                size: a.data.len() as i64,
                filename: a.filename,
                content_type: a.content_type,
                inline: a.inline,
                content_id: a.content_id,
            },
            data: a.data,
        });
    }
    let html = mail
        .html
        .as_deref()
        .map(|h| parley_mime::sanitize_html(h, &|cid: &str| cids.get(cid).map(|a| format!("/attachments/{a}"))));
    let (body, quoted) = parley_mime::split_quoted(&mail.text);
    let body = clean_body(&body, !attachments.is_empty());
    let now = ctx.now();
    let our_ids: Vec<String> = vec![id.from.clone()];
    let cc: Vec<EmailAddress> = mail
        .cc
        .iter()
        .chain(mail.to.iter())
        .filter_map(|m| EmailAddress::parse(&m.email).ok())
        .filter(|e| *e != sender && e.domain() != id.host && !our_ids.iter().any(|o| o == e.as_str()))
        .take(20)
        .collect();
    let email = EmailInfo {
        message_id: mail.message_id.clone().unwrap_or_default(),
        from: Some(match &sender_name {
            Some(n) => format!("{n} <{sender}>"),
            None => sender.to_string(),
        }),
        to: mail.to.iter().map(|m| m.email.clone()).take(50).collect(),
        cc: mail.cc.iter().map(|m| m.email.clone()).take(50).collect(),
        delivery: None,
        notes: mail.notes.clone(),
        automatic: machine,
    };
    let mail_ids: Vec<String> = mail.message_id.iter().cloned().collect();

    let Some((ticket, author, by_agent)) = target else {
        return new_ticket(
            app,
            ctx,
            &id,
            inbound,
            &mail,
            NewMessage { body, quoted, html, email, attachments, cc, mail_ids },
            sender,
            sender_name,
            machine,
            now,
        )
        .await;
    };

    // A reply in an existing ticket.
    let content = MessageContent { html, quoted, email: Some(email), ..MessageContent::new(Channel::Email, body) };
    let mut appended = append(ticket, author, content, now);
    let (ticket, message) = (&appended.ticket, &mut appended.message);
    let mut mails: Vec<OutboundMail> = Vec::new();
    if by_agent {
        // The agent's answer goes on to the customer, with our own Message-ID so the customer's reply threads.
        if let Some(e) = message.email.as_mut() {
            e.message_id = outgoing_message_id(&id.secret, ticket.id, message.id, &id.host);
            e.delivery = Some(Delivery::Queued { reason: None });
        }
        if let Some(requester) = ctx.store.get_contact(ctx.account_id, ticket.requester_id).await? {
            let participants = ctx.store.participants(ctx.account_id, ticket.id).await?;
            let thread_ids = ctx.store.thread_ids(ctx.account_id, ticket.id).await?;
            mails.extend(compose::reply_to_customer(&id, ticket, &requester, &participants, &[], message, &thread_ids));
        }
    }
    let notify = if !by_agent && !machine { ticket.assignee_id } else { None };
    let who = sender_name.clone().unwrap_or_else(|| sender.to_string());
    let outcome = if by_agent { "agent_reply" } else { "reply" };
    let number = appended.ticket.number;
    let assignee = match notify {
        Some(a) => ctx.store.get_agent(ctx.account_id, a).await?.filter(|a| a.active),
        None => None,
    };
    // Followers hear of it too (not the assignee twice, not the agent who wrote), in the same unit of work.
    let followers = if machine {
        Vec::new()
    } else {
        crate::tickets::followers::to_tell(ctx, &appended.ticket, &appended.message, notify).await?
    };
    let ident = id.clone();
    let incoming = IncomingMail {
        inbound,
        outcome: outcome.into(),
        write: MailWrite::Append(channels::change(appended, Outgoing { mail: mails, ..Outgoing::default() })),
        attachments,
        mail_ids,
        participants: if by_agent { Vec::new() } else { cc },
        outgoing: Box::new(move |t: &Ticket, _c: &Contact, m: &Message| {
            assignee
                .iter()
                .chain(followers.iter())
                .map(|a| compose::agent_notification(&ident, t, a, m, &who))
                .collect()
        }),
    };
    ctx.store.ingest_mail(incoming).await?;
    Ok(if by_agent { Processed::AgentReply(number) } else { Processed::Reply(number) })
}

struct NewMessage {
    body: String,
    quoted: Option<String>,
    html: Option<String>,
    email: EmailInfo,
    attachments: Vec<NewAttachment>,
    cc: Vec<EmailAddress>,
    mail_ids: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
async fn new_ticket(
    app: &App,
    ctx: &AccountCtx,
    id: &Identity,
    inbound: InboundId,
    mail: &ParsedMail,
    m: NewMessage,
    sender: EmailAddress,
    sender_name: Option<String>,
    machine: bool,
    now: Timestamp,
) -> Result<Processed, Attempt> {
    // Flood control: one sender opens at most so many tickets an hour, and is acknowledged fewer times.
    let hour_ago = now.plus_seconds(-3600);
    let existing = ctx
        .store
        .list_contacts(ctx.account_id, &ContactFilter { email: Some(sender.clone()), limit: 1, ..Default::default() })
        .await?;
    let opened = match existing.first() {
        Some(c) => {
            let cap = app.mail.tickets_per_sender_hour.max(app.mail.acks_per_sender_hour);
            ctx.store
                .tickets_opened_since(ctx.account_id, c.id, hour_ago, u32::try_from(cap).unwrap_or(u32::MAX))
                .await?
        }
        None => 0,
    };
    if opened >= app.mail.tickets_per_sender_hour {
        return close(ctx, inbound, "rate_limited").await;
    }
    let acknowledge = !machine && opened < app.mail.acks_per_sender_hour;
    let ticket_id = TicketId::new();
    let subject = clean_subject(&mail.subject);
    let contact_placeholder = ContactId::new();
    let ticket = Ticket {
        id: ticket_id,
        account_id: ctx.account_id,
        number: TicketNumber(0),
        subject,
        status: Status::New,
        priority: Priority::Normal,
        channel: Channel::Email,
        requester_id: contact_placeholder,
        assignee_id: None,
        department_id: None,
        tags: Vec::new(),
        custom_fields: BTreeMap::new(),
        merged_into: None,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        version: 1,
    };
    let content = MessageContent {
        html: m.html,
        quoted: m.quoted,
        email: Some(m.email),
        ..MessageContent::new(Channel::Email, m.body)
    };
    let message = content.into_message(&ticket, Actor::Contact(contact_placeholder), now);
    let first_mail_id = mail.message_id.clone();
    let declared_language = mail.language.clone();
    let ident = id.clone();
    let incoming = IncomingMail {
        inbound,
        outcome: "new_ticket".into(),
        write: MailWrite::Create(NewTicket {
            ticket,
            requester: Requester::ByEmail { email: sender, name: sender_name, new_id: contact_placeholder, at: now },
            message,
            events: vec![TicketEvent::new(ctx.account_id, ticket_id, Actor::System, EventKind::Created, now)],
            outbox: payload::created,
            automated: Default::default(),
        }),
        attachments: m.attachments,
        mail_ids: m.mail_ids,
        participants: m.cc,
        outgoing: Box::new(move |t: &Ticket, requester: &Contact, _m: &Message| {
            if acknowledge {
                compose::acknowledgement(&ident, t, requester, first_mail_id.as_deref(), declared_language.as_deref())
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            }
        }),
    };
    let (ticket, _) = ctx.store.ingest_mail(incoming).await?;
    Ok(Processed::NewTicket(ticket.number))
}

/// A bounce for mail of ours: noted on the ticket, and the message it was about marked failed.
async fn bounce(ctx: &AccountCtx, id: &Identity, inbound: InboundId, mail: ParsedMail) -> Result<Processed, Attempt> {
    let Some(b) = mail.bounce.clone() else { return close(ctx, inbound, "bounce_unmatched").await };
    let Some((ticket_id, message_id)) = b.original_message_id.as_deref().and_then(|m| parse_message_id(&id.secret, m))
    else {
        return close(ctx, inbound, "bounce_unmatched").await;
    };
    let Some(ticket) = ctx.store.get_ticket(ctx.account_id, ticket_id).await? else {
        return close(ctx, inbound, "bounce_unmatched").await;
    };
    let reason = [b.status.as_deref(), b.diagnostic.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let to = b.recipient.clone().unwrap_or_else(|| "the recipient".into());
    let note = format!("Mail to {to} could not be delivered. {reason}").trim().to_string();
    let email = EmailInfo { message_id: mail.message_id.clone().unwrap_or_default(), ..EmailInfo::default() };
    let content = MessageContent { internal: true, email: Some(email), ..MessageContent::new(Channel::Email, note) };
    let appended = append(ticket, Actor::System, content, ctx.now());
    let attachments = vec![NewAttachment {
        info: AttachmentInfo {
            id: AttachmentId::new(),
            filename: "delivery-report.txt".into(),
            content_type: "text/plain".into(),
            size: mail.text.len() as i64,
            inline: false,
            content_id: None,
        },
        data: mail.text.clone().into_bytes(),
    }];
    let number = appended.ticket.number;
    let incoming = IncomingMail {
        inbound,
        outcome: "bounce".into(),
        // No webhook events: the note records our own mail's failure, not a message of the conversation.
        write: MailWrite::Append(TicketChange {
            expected_version: appended.ticket.version,
            ticket: appended.ticket,
            message: Some(appended.message),
            events: appended.events,
            outbox: vec![],
            mail: vec![],
            chat: Vec::new(),
        }),
        attachments,
        mail_ids: Vec::new(),
        participants: Vec::new(),
        outgoing: Box::new(|_: &Ticket, _: &Contact, _: &Message| Vec::new()),
    };
    ctx.store.ingest_mail(incoming).await?;
    let failed = Delivery::Failed { reason: if reason.is_empty() { "bounced".into() } else { reason } };
    ctx.store.set_delivery(ctx.account_id, message_id, &failed).await?;
    Ok(Processed::Bounce(number))
}

/// The contact with this address, added if the account has none.
async fn contact_for(ctx: &AccountCtx, email: &EmailAddress, name: Option<&str>) -> Result<ContactId, AppError> {
    let found = ctx
        .store
        .list_contacts(ctx.account_id, &ContactFilter { email: Some(email.clone()), limit: 1, ..Default::default() })
        .await?;
    if let Some(c) = found.first() {
        return Ok(c.id);
    }
    let now = ctx.now();
    let c = Contact {
        id: ContactId::new(),
        account_id: ctx.account_id,
        email: Some(email.clone()),
        name: name.map(str::to_string),
        phones: Vec::new(),
        company_id: None,
        created_at: now,
        updated_at: now,
    };
    match ctx.store.insert_contact(&c).await {
        Ok(()) => Ok(c.id),
        // Added meanwhile by another mail.
        Err(StoreError::Conflict(_)) => {
            let again = ctx
                .store
                .list_contacts(
                    ctx.account_id,
                    &ContactFilter { email: Some(email.clone()), limit: 1, ..Default::default() },
                )
                .await?;
            again.first().map(|c| c.id).ok_or(AppError::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

/// Mail text as a message body: no control characters but line breaks and tabs, at most 256 KiB.
fn clean_body(text: &str, has_attachments: bool) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    if out.len() > 256 * 1024 {
        let mut cut = 256 * 1024;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    let out = out.trim().to_string();
    if out.is_empty() {
        if has_attachments {
            "(attachments only)".into()
        } else {
            "(no text)".into()
        }
    } else {
        out
    }
}

fn clean_subject(s: &str) -> String {
    let one_line: String = s.chars().filter(|c| !c.is_control()).take(250).collect();
    let t = one_line.trim();
    if t.is_empty() {
        "(no subject)".into()
    } else {
        t.to_string()
    }
}
