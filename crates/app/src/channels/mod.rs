//! The channels a ticket's conversation runs on. A message is added to a ticket the same way whichever channel
//! brought it ([`parley_domain::message::append`], saved as one unit by [`change`]); what differs per channel is how
//! a public reply reaches the customer, a [`ChannelDelivery`] that the ticket's channel picks ([`delivery`]).

mod chat;
mod email;

use crate::tickets::payload;
use crate::{AccountCtx, App, AppError, Caller};
use async_trait::async_trait;
use parley_domain::chat::NewChatEvent;
use parley_domain::email::EmailAddress;
use parley_domain::ids::TicketId;
use parley_domain::message::{Appended, Message};
use parley_domain::ticket::{Channel, Ticket};
use parley_store::{OutboundMail, TicketChange};

/// Who sends a public reply, and what they asked of its channel.
pub(crate) struct Reply<'a> {
    pub caller: &'a Caller,
    /// On a chat, the sender's own id for the message (a resend with the same id is recognised).
    pub client_id: Option<String>,
    /// On an email, people copied besides the ticket's participants.
    pub cc: &'a [EmailAddress],
}

/// What a change sends, saved in the same unit of work so that it leaves exactly when the change is stored.
#[derive(Default)]
pub(crate) struct Outgoing {
    /// Mail for the outbox, sent from there by the sender worker.
    pub mail: Vec<OutboundMail>,
    /// Events appended to the ticket's chat.
    pub chat: Vec<NewChatEvent>,
}

impl Outgoing {
    pub fn is_empty(&self) -> bool {
        self.mail.is_empty() && self.chat.is_empty()
    }
}

/// How a public reply reaches the customer on one channel.
#[async_trait]
pub(crate) trait ChannelDelivery: Send + Sync {
    /// Done when someone starts answering, before anything is stored. Nothing unless the channel assigns its
    /// conversations to agents.
    async fn answering(
        &self,
        _app: &App,
        _ctx: &AccountCtx,
        _caller: &Caller,
        _ticket: TicketId,
    ) -> Result<(), AppError> {
        Ok(())
    }

    /// What carries `message` to the customer. The message takes on what it carries on this channel (an email's
    /// Message-ID and recipients) before the change is built from it.
    async fn outgoing(
        &self,
        app: &App,
        ctx: &AccountCtx,
        ticket: &Ticket,
        message: &mut Message,
        reply: &Reply<'_>,
    ) -> Result<Outgoing, AppError>;

    /// Once a change that sent something is stored: tells whoever waits for it. Nothing unless the channel is
    /// read live; mail leaves from the outbox.
    async fn sent(&self, _app: &App, _ctx: &AccountCtx, _ticket: TicketId) {}
}

/// The delivery of a ticket's channel; `None` for channels that send nothing of their own (web and API tickets
/// today, phone tickets until voice arrives).
pub(crate) fn delivery(channel: Channel) -> Option<&'static dyn ChannelDelivery> {
    match channel {
        Channel::Email => Some(&email::EmailDelivery),
        Channel::Chat => Some(&chat::ChatDelivery),
        Channel::Phone | Channel::Web | Channel::Api => None,
    }
}

/// The change a message added to its ticket makes, saved as one unit: the ticket, the message, its events, the
/// webhooks' `message.created` (and `ticket.updated` when the message changed the ticket), and what it sends.
pub(crate) fn change(appended: Appended, out: Outgoing) -> TicketChange {
    let Appended { ticket, message, changes, events } = appended;
    let mut outbox = vec![payload::message(&ticket, &message)];
    if !changes.is_empty() {
        outbox.push(payload::updated(&ticket, &changes));
    }
    TicketChange {
        expected_version: ticket.version,
        ticket,
        message: Some(message),
        events,
        outbox,
        mail: out.mail,
        chat: out.chat,
    }
}
