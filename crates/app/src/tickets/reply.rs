//! Adding a public reply or an internal note to a ticket.

use super::{visible_ticket, RETRIES};
use crate::channels::{self, Outgoing, Reply};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::error::Checker;
use parley_domain::ids::AttachmentId;
use parley_domain::ids::{MessageId, TicketId};
use parley_domain::message::{append, media_type, AttachmentInfo, MessageContent};
use parley_domain::message::{parse_body, parse_cc, Message};
use parley_domain::reply_markdown::reply_html;
use parley_domain::ticket::{Channel, Ticket};
use parley_domain::Invalid;
use parley_store::StoreError;

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
    // What a reply may carry, and how it goes out, depend on the ticket's channel: read it once, before anything
    // is done.
    let delivery = if input.internal {
        None
    } else {
        let channel = visible_ticket(ctx, caller, id).await?.channel;
        if !files.is_empty() && channel == Channel::Chat {
            return Err(Invalid::field("attachments", "in a chat, share files with the chat's file button").into());
        }
        if !cc.is_empty() && channel != Channel::Email {
            return Err(Invalid::field("cc", "only a reply by email copies people; this ticket is not an email").into());
        }
        channels::delivery(channel)
    };
    if let Some(seen) = seen {
        // Before anything else happens (a waiting chat taken by the sender): nothing at all is done.
        visible_ticket(ctx, caller, id).await?;
        let new = added_since(ctx, caller, id, seen).await?;
        if !new.is_empty() {
            return Err(AppError::RepliedMeanwhile(new));
        }
    }
    if let Some(d) = delivery {
        d.answering(app, ctx, caller, id).await?;
    }
    let reply = Reply { caller, client_id: input.client_id, cc: &cc };
    for _ in 0..RETRIES {
        let ticket = visible_ticket(ctx, caller, id).await?;
        ticket.ensure_open_for_change()?;
        if let Some(seen) = seen {
            // Read at this version: a message added after it makes the save below stale, and this look again.
            let new = added_since(ctx, caller, id, seen).await?;
            if !new.is_empty() {
                return Err(AppError::RepliedMeanwhile(new));
            }
        }
        let channel = ticket.channel;
        // Replies go out on the channel the conversation came in on; notes never leave.
        let on = if input.internal { Channel::Web } else { channel };
        let content = MessageContent {
            internal: input.internal,
            // Written in Markdown, shown and mailed rendered; a chat's visitor reads turns as plain text.
            html: (input.internal || channel != Channel::Chat).then(|| reply_html(&body)),
            attachments: files.iter().map(|(info, _)| info.clone()).collect(),
            ..MessageContent::new(on, body.clone())
        };
        let mut appended = append(ticket, caller.actor(), content, ctx.now());
        let mut out = match delivery {
            Some(d) => d.outgoing(app, ctx, &appended.ticket, &mut appended.message, &reply).await?,
            None => Outgoing::default(),
        };
        let sent = !out.is_empty();
        if channel != Channel::Chat {
            let from = match caller {
                Caller::Agent(a) => a.name.clone(),
                _ => "the API".to_string(),
            };
            let (ticket, message) = (&appended.ticket, &appended.message);
            out.mail.extend(super::followers::follower_mails(app, ctx, ticket, message, &from).await?);
        }
        let (mut ticket, message) = (appended.ticket.clone(), appended.message.clone());
        let change = channels::change(appended, out);
        let saved = if files.is_empty() {
            ctx.store.save_change(change).await
        } else {
            ctx.store.share_files(change, files.clone()).await
        };
        match saved {
            Ok(()) => {
                ticket.version += 1;
                if let (Some(d), true) = (delivery, sent) {
                    d.sent(app, ctx, id).await;
                }
                return Ok((ticket, message));
            }
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Stale.into())
}
