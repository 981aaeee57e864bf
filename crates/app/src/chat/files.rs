//! Files shared in a chat, by the visitor or an agent: kept as the attachments of a message of the chat's ticket,
//! under the same rules as mail's attachments (size, a harmless name, a plain media type), and fetched back only
//! by the conversation's visitor or agents who may see the ticket.

use super::conversation::{may_write, store_once, with_message};
use crate::tickets::visible_ticket;
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::chat::{parse_client_id, ChatAuthor, ChatEvent, ChatEventKind, ChatFile, NewChatEvent, Visitor};
use parley_domain::error::Checker;
use parley_domain::event::Actor;
use parley_domain::ids::{AttachmentId, TicketId};
use parley_domain::message::{append, media_type, AttachmentInfo, MessageContent};
use parley_domain::ticket::{Channel, Ticket};
use parley_domain::Invalid;

/// Who shares a file.
pub enum Sender<'a> {
    Visitor(&'a Visitor),
    Agent(&'a Caller),
}

/// A file as sent: the sender's id for the message, the name and type it came with, and its bytes.
pub struct SharedFile {
    pub client_id: String,
    pub name: String,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// Shares a file in the conversation. Sending the same client id again answers with the event stored the first
/// time; the flag says whether it was stored now.
pub async fn share(
    app: &App,
    ctx: &AccountCtx,
    sender: Sender<'_>,
    ticket_id: TicketId,
    file: SharedFile,
) -> Result<(ChatEvent, bool), AppError> {
    let author = match &sender {
        Sender::Visitor(v) => {
            may_write(app, v)?;
            super::theirs(ctx, v, ticket_id).await?;
            None
        }
        Sender::Agent(caller) => {
            visible_ticket(ctx, caller, ticket_id).await?;
            if ctx.store.chat_visitor(ctx.account_id, ticket_id).await?.is_none() {
                return Err(Invalid::field("ticket", "is not a chat").into());
            }
            Some(*caller)
        }
    };
    let mut errs = Checker::new();
    let client_id = errs.check(parse_client_id(&file.client_id));
    let limit = app.mail.max_attachment_bytes;
    if file.data.is_empty() {
        errs.add("file", "is empty");
    } else if file.data.len() > limit {
        errs.add("file", format!("is larger than the {} MB a file may be", limit / (1024 * 1024)));
    }
    errs.finish()?;
    let Some(client_id) = client_id else {
        return Err(AppError::Internal(anyhow::anyhow!("checked chat file fields missing")));
    };
    if let Some(caller) = author {
        if ctx.store.chat_event_by_client(ctx.account_id, ticket_id, &client_id).await?.is_none() {
            // An agent sharing a file in a chat that waits for an agent takes it, as answering does.
            super::routing::answering(app, ctx, caller, ticket_id).await?;
        }
    }
    let name = parley_mime::safe_filename(&file.name);
    let info = AttachmentInfo {
        id: AttachmentId::new(),
        filename: name.clone(),
        content_type: media_type(file.content_type.as_deref()),
        size: file.data.len() as i64,
        inline: false,
        content_id: None,
    };
    let build = |ticket: Ticket| {
        ticket.ensure_open_for_change()?;
        let now = ctx.now();
        let (actor, chat_author) = match author {
            None => (Actor::Contact(ticket.requester_id), ChatAuthor::Visitor),
            Some(Caller::Agent(a)) => (Actor::Agent(a.id), ChatAuthor::Agent { id: a.id, name: a.name.clone() }),
            Some(c) => (c.actor(), ChatAuthor::System),
        };
        let content =
            MessageContent { attachments: vec![info.clone()], ..MessageContent::new(Channel::Chat, name.clone()) };
        let appended = append(ticket, actor, content, now);
        let shared =
            ChatFile { id: info.id, name: name.clone(), content_type: info.content_type.clone(), size: info.size };
        let kind = ChatEventKind::Message {
            message_id: appended.message.id,
            author: chat_author,
            body: name.clone(),
            client_id: Some(client_id.clone()),
            files: vec![shared],
        };
        Ok(with_message(appended, NewChatEvent { kind, at: now }))
    };
    store_once(app, ctx, ticket_id, &client_id, build, &[(info.clone(), file.data)]).await
}

/// A file of the visitor's own conversation; any other is `NotFound`.
pub async fn fetch(
    ctx: &AccountCtx,
    visitor: &Visitor,
    ticket: TicketId,
    file: AttachmentId,
) -> Result<(AttachmentInfo, Vec<u8>), AppError> {
    super::theirs(ctx, visitor, ticket).await?;
    match ctx.store.attachment(ctx.account_id, file).await? {
        Some((info, of, data)) if of == ticket => Ok((info, data)),
        _ => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn media_types_are_plain_or_unknown() {
        assert_eq!(media_type(Some("Image/PNG; charset=x")), "image/png");
        for bad in [None, Some(""), Some("text/html\r\nX: y"), Some("<script>"), Some("a/b/c")] {
            assert_eq!(media_type(bad), "application/octet-stream", "{bad:?}");
        }
    }
}
