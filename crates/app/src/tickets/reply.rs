//! Adding a public reply or an internal note to a ticket.

use super::{payload, visible_ticket, RETRIES};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::AttachmentId;
use parley_domain::ids::{MessageId, TicketId};
use parley_domain::mail::outgoing_message_id;
use parley_domain::message::{media_type, AttachmentInfo};
use parley_domain::message::{parse_body, parse_cc, Delivery, EmailInfo, Message, TicketEvent};
use parley_domain::reply_markdown::reply_html;
use parley_domain::ticket::{Channel, Ticket};
use parley_domain::Invalid;
use parley_store::{StoreError, TicketChange};

pub struct NewMessage {
    pub body: String,
    pub internal: bool,
    /// On a chat, the sender's own id for the message (a resend with the same id is recognised).
    pub client_id: Option<String>,
    /// On an email ticket's public reply, people copied on this reply besides the ticket's participants.
    pub cc: Vec<String>,
    /// Files that go with it: kept in the account's region, and sent with a reply by mail.
    pub attachments: Vec<Upload>,
}

/// A file as an agent attached it: the name and type it came with, and its bytes.
pub struct Upload {
    pub name: String,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The most files one message carries.
pub const MAX_FILES: usize = 10;

/// The files checked (each not empty, within the size a mail attachment may have, all of them together too) and
/// named harmlessly, each with the description its message keeps.
fn checked_files(app: &App, files: Vec<Upload>) -> Result<Vec<(AttachmentInfo, Vec<u8>)>, Invalid> {
    let limit = app.mail.max_attachment_bytes;
    let mut errs = Checker::new();
    if files.len() > MAX_FILES {
        errs.add("attachments", format!("at most {MAX_FILES} files"));
    }
    let total: usize = files.iter().map(|f| f.data.len()).sum();
    for f in &files {
        let name = parley_mime::safe_filename(&f.name);
        if f.data.is_empty() {
            errs.add("attachments", format!("'{name}' is empty"));
        } else if f.data.len() > limit {
            errs.add("attachments", format!("'{name}' is larger than the {} MB a file may be", limit >> 20));
        }
    }
    if total > limit && files.iter().all(|f| f.data.len() <= limit) {
        errs.add(
            "attachments",
            format!("together the files are larger than the {} MB one message may carry", limit >> 20),
        );
    }
    errs.finish()?;
    Ok(files
        .into_iter()
        .map(|f| {
            let info = AttachmentInfo {
                id: AttachmentId::new(),
                filename: parley_mime::safe_filename(&f.name),
                content_type: media_type(f.content_type.as_deref()),
                size: f.data.len() as i64,
                inline: false,
                content_id: None,
            };
            (info, f.data)
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug, ticket = %id))]
pub async fn add_message(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    input: NewMessage,
) -> Result<(Ticket, Message), AppError> {
    add(app, ctx, caller, id, input, None).await
}

/// Like [`add_message`], from a sender who had seen the ticket up to message `seen`: if a public message, or a
/// note by someone else, was added after it, nothing is stored and [`AppError::RepliedMeanwhile`] names them
/// (collision detection's "replied meanwhile"; the sender reads them and sends again, or sends anyway without
/// `seen`). Checked against the version the message is saved on, so a message added between the check and the
/// save is caught too.
#[tracing::instrument(skip_all, fields(account = %ctx.slug, ticket = %id))]
pub async fn add_message_after(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    input: NewMessage,
    seen: MessageId,
) -> Result<(Ticket, Message), AppError> {
    add(app, ctx, caller, id, input, Some(seen)).await
}

/// The messages after `seen` that the sender should read first: public ones, and notes by others.
async fn added_since(
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    seen: MessageId,
) -> Result<Vec<Message>, AppError> {
    let messages = ctx.store.timeline(ctx.account_id, id).await?.messages;
    let Some(at) = messages.iter().position(|m| m.id == seen) else {
        return Err(parley_domain::Invalid::field("after_message_id", "is not a message of this ticket").into());
    };
    let me = caller.actor();
    Ok(messages.into_iter().skip(at + 1).filter(|m| !m.internal || m.author != me).collect())
}

async fn add(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    id: TicketId,
    input: NewMessage,
    seen: Option<MessageId>,
) -> Result<(Ticket, Message), AppError> {
    let body = parse_body(&input.body)?;
    let cc = parse_cc(&input.cc)?;
    let files = checked_files(app, input.attachments)?;
    if !cc.is_empty() && input.internal {
        return Err(Invalid::field("cc", "an internal note is sent to nobody; copy people on a public reply").into());
    }
    // Files and CC on a reply depend on the ticket's channel: read it once, before anything is done.
    if !input.internal && (!files.is_empty() || !cc.is_empty()) {
        let channel = visible_ticket(ctx, caller, id).await?.channel;
        if !files.is_empty() && channel == Channel::Chat {
            return Err(Invalid::field("attachments", "in a chat, share files with the chat's file button").into());
        }
        if !cc.is_empty() && channel != Channel::Email {
            return Err(Invalid::field("cc", "only a reply by email copies people; this ticket is not an email").into());
        }
    }
    if let Some(seen) = seen {
        // Before anything else happens (a waiting chat taken by the sender): nothing at all is done.
        visible_ticket(ctx, caller, id).await?;
        let new = added_since(ctx, caller, id, seen).await?;
        if !new.is_empty() {
            return Err(AppError::RepliedMeanwhile(new));
        }
    }
    if !input.internal {
        crate::chat::routing::answering(app, ctx, caller, id).await?;
    }
    for _ in 0..RETRIES {
        let mut ticket = visible_ticket(ctx, caller, id).await?;
        ticket.ensure_open_for_change()?;
        let expected_version = ticket.version;
        if let Some(seen) = seen {
            // Read at this version: a message added after it makes the save below stale, and this look again.
            let new = added_since(ctx, caller, id, seen).await?;
            if !new.is_empty() {
                return Err(AppError::RepliedMeanwhile(new));
            }
        }
        let now = ctx.now();
        let author = caller.actor();
        let kinds = ticket.on_message(&author, input.internal, now);
        let message = Message {
            id: MessageId::new(),
            account_id: ctx.account_id,
            ticket_id: id,
            author,
            internal: input.internal,
            body: body.clone(),
            // Replies go out on the channel the conversation came in on; notes never leave.
            channel: if input.internal { Channel::Web } else { ticket.channel },
            created_at: now,
            // Written in Markdown, shown and mailed rendered; a chat's visitor reads turns as plain text.
            html: (input.internal || ticket.channel != Channel::Chat).then(|| reply_html(&body)),
            quoted: None,
            email: None,
            attachments: files.iter().map(|(info, _)| info.clone()).collect(),
        };
        let mut message = message;
        let mail = if !input.internal && ticket.channel == Channel::Email {
            by_mail(app, ctx, &ticket, &mut message, &cc).await?
        } else {
            Vec::new()
        };
        let mut mail = mail;
        if ticket.channel != Channel::Chat {
            let from = match caller {
                Caller::Agent(a) => a.name.clone(),
                _ => "the API".to_string(),
            };
            mail.extend(super::followers::follower_mails(app, ctx, &ticket, &message, &from).await?);
        }
        let chat = crate::chat::agent_reply_event(ctx, caller, &ticket, &message, input.client_id.clone()).await?;
        let mut outbox = vec![payload::message(&ticket, &message)];
        if !kinds.is_empty() {
            outbox.push(payload::updated(&ticket, &kinds));
        }
        let events = kinds.into_iter().map(|k| TicketEvent::new(ctx.account_id, id, author, k, now)).collect();
        let change = TicketChange {
            ticket: ticket.clone(),
            expected_version,
            message: Some(message.clone()),
            events,
            outbox,
            mail,
            chat,
        };
        let chatted = !change.chat.is_empty();
        let saved = if files.is_empty() {
            ctx.store.save_change(change).await
        } else {
            ctx.store.share_files(change, files.clone()).await
        };
        match saved {
            Ok(()) => {
                ticket.version += 1;
                if chatted {
                    crate::chat::appended(app, ctx, id).await;
                }
                return Ok((ticket, message));
            }
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}

/// A public reply on an email ticket goes to the customer (and the people copied) as mail, with our Message-ID so
/// that their answer comes back to this ticket.
async fn by_mail(
    app: &App,
    ctx: &AccountCtx,
    ticket: &Ticket,
    message: &mut Message,
    extra_cc: &[EmailAddress],
) -> Result<Vec<parley_store::OutboundMail>, AppError> {
    let Some(requester) = ctx.store.get_contact(ctx.account_id, ticket.requester_id).await? else {
        return Ok(Vec::new());
    };
    let Some(to) = requester.email.clone() else { return Ok(Vec::new()) };
    let id = crate::email::identity(app, ctx).await?;
    let participants = ctx.store.participants(ctx.account_id, ticket.id).await?;
    let thread = ctx.store.thread_ids(ctx.account_id, ticket.id).await?;
    let reason = (!app.settings.mail_relay_configured).then(|| "no mail relay is configured".to_string());
    message.email = Some(EmailInfo {
        message_id: outgoing_message_id(&id.secret, ticket.id, message.id, &id.host),
        from: Some(id.from.clone()),
        to: vec![to.to_string()],
        cc: crate::email::copied(&to.to_string(), &participants, extra_cc),
        delivery: Some(Delivery::Queued { reason }),
        notes: Vec::new(),
        automatic: false,
    });
    let mail = crate::email::reply_to_customer(&id, ticket, &requester, &participants, extra_cc, message, &thread);
    Ok(mail.into_iter().collect())
}
