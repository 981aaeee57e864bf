//! Which ticket a received mail belongs to. In order: our signed marks (the reply address of a notification, our
//! Message-IDs in In-Reply-To/References), Message-IDs of earlier mail of the ticket, then the `[#1042]` token in
//! the subject, which only the ticket's own people may use.

use super::Identity;
use crate::{AccountCtx, AppError};
use parley_domain::mail::{subject_token, ticket_of_message_id, ticket_of_reply_address};
use parley_domain::ticket::Ticket;
use parley_mime::ParsedMail;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The signed reply address of an agent notification.
    ReplyAddress,
    /// One of our signed Message-IDs.
    OurMessageId,
    /// A Message-ID of earlier mail in the ticket.
    KnownMessageId,
    /// `[#1042]` in the subject.
    SubjectToken,
}

pub struct Found {
    pub ticket: Ticket,
    pub via: Via,
}

pub async fn find(ctx: &AccountCtx, id: &Identity, mail: &ParsedMail, rcpt: &str) -> Result<Option<Found>, AppError> {
    let store = &ctx.store;
    let local = rcpt.rsplit_once('@').map(|(l, _)| l).unwrap_or("");
    if let Some(t) = ticket_of_reply_address(&id.secret, &local.to_ascii_lowercase()) {
        if let Some(ticket) = store.get_ticket(ctx.account_id, t).await? {
            return Ok(Some(Found { ticket, via: Via::ReplyAddress }));
        }
    }
    let mut ids: Vec<String> = mail.in_reply_to.clone();
    ids.extend(mail.references.iter().rev().cloned());
    for i in &ids {
        if let Some(t) = ticket_of_message_id(&id.secret, i) {
            if let Some(ticket) = store.get_ticket(ctx.account_id, t).await? {
                return Ok(Some(Found { ticket, via: Via::OurMessageId }));
            }
        }
    }
    if let Some(t) = store.ticket_by_mail_ids(ctx.account_id, &ids).await? {
        if let Some(ticket) = store.get_ticket(ctx.account_id, t).await? {
            return Ok(Some(Found { ticket, via: Via::KnownMessageId }));
        }
    }
    if let Some(n) = subject_token(&mail.subject) {
        if let Some(ticket) = store.get_ticket_by_number(ctx.account_id, n).await? {
            return Ok(Some(Found { ticket, via: Via::SubjectToken }));
        }
    }
    Ok(None)
}
