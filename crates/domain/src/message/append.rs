//! A message added to a ticket, whichever channel brought it (an agent's reply, a visitor's chat line, a mail):
//! the one place that says what the message is and what it does to the ticket.

use super::{AttachmentInfo, EmailInfo, Message, TicketEvent};
use crate::event::{Actor, EventKind};
use crate::ids::MessageId;
use crate::ticket::{Channel, Ticket};
use crate::Timestamp;

/// What a message says, as its channel brought it. Everything else a message is (its ticket, author and time)
/// comes from the ticket it is added to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent {
    /// The channel the message came in or goes out on; a note stays on `Web`.
    pub channel: Channel,
    pub body: String,
    pub internal: bool,
    pub html: Option<String>,
    pub quoted: Option<String>,
    pub email: Option<EmailInfo>,
    pub attachments: Vec<AttachmentInfo>,
}

impl MessageContent {
    /// A public message of plain text; the other fields are set by struct update where a channel has them.
    pub fn new(channel: Channel, body: String) -> Self {
        MessageContent {
            channel,
            body,
            internal: false,
            html: None,
            quoted: None,
            email: None,
            attachments: Vec::new(),
        }
    }

    /// The message this content makes on `ticket`, written by `author` at `at`.
    pub fn into_message(self, ticket: &Ticket, author: Actor, at: Timestamp) -> Message {
        Message {
            id: MessageId::new(),
            account_id: ticket.account_id,
            ticket_id: ticket.id,
            author,
            internal: self.internal,
            body: self.body,
            channel: self.channel,
            created_at: at,
            html: self.html,
            quoted: self.quoted,
            email: self.email,
            attachments: self.attachments,
        }
    }
}

/// A message added to a ticket: the ticket as it now stands, the message, and what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// Still at the version it was read at: saving the change is what moves it on.
    pub ticket: Ticket,
    pub message: Message,
    /// What the message did to the ticket (a status reopened), as webhooks announce it.
    pub changes: Vec<EventKind>,
    /// The same changes as timeline events, by the message's author.
    pub events: Vec<TicketEvent>,
}

/// Adds a message by `author` to `ticket` at `at`: the message, and the ticket's changes by
/// [`Ticket::on_message`] (first response, opening, reopening, last update). Whether the ticket may take a message
/// at all is the caller's to decide: a visitor still writes in a chat an agent closed.
pub fn append(mut ticket: Ticket, author: Actor, content: MessageContent, at: Timestamp) -> Appended {
    let changes = ticket.on_message(&author, content.internal, at);
    let message = content.into_message(&ticket, author, at);
    let events =
        changes.iter().map(|k| TicketEvent::new(ticket.account_id, ticket.id, author, k.clone(), at)).collect();
    Appended { ticket, message, changes, events }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AccountId, AgentId, ContactId, TicketId};
    use crate::ticket::{Priority, Status, TicketNumber};

    fn ticket(status: Status) -> Ticket {
        Ticket {
            id: TicketId::new(),
            account_id: AccountId::new(),
            number: TicketNumber(3),
            subject: "Where is my parcel?".into(),
            status,
            priority: Priority::Normal,
            channel: Channel::Email,
            requester_id: ContactId::new(),
            assignee_id: None,
            department_id: None,
            tags: Vec::new(),
            custom_fields: Default::default(),
            merged_into: None,
            created_at: Timestamp::from_millis(1),
            updated_at: Timestamp::from_millis(1),
            first_response_at: None,
            version: 4,
        }
    }

    fn said(channel: Channel) -> MessageContent {
        MessageContent::new(channel, "Hello".into())
    }

    #[test]
    fn the_message_belongs_to_the_ticket_its_author_and_its_time() {
        let t = ticket(Status::Open);
        let agent = Actor::Agent(AgentId::new());
        let at = Timestamp::from_millis(9);
        let a = append(t.clone(), agent, said(Channel::Chat), at);
        let m = &a.message;
        assert_eq!((m.ticket_id, m.account_id, m.author, m.created_at), (t.id, t.account_id, agent, at));
        assert_eq!((m.channel, m.body.as_str(), m.internal), (Channel::Chat, "Hello", false));
        assert_eq!(a.ticket.updated_at, at);
        assert_eq!(a.ticket.version, 4, "the store moves the version on when it saves");
    }

    #[test]
    fn the_first_public_reply_opens_a_new_ticket_once() {
        let agent = Actor::Agent(AgentId::new());
        let a = append(ticket(Status::New), agent, said(Channel::Email), Timestamp::from_millis(5));
        let opened = EventKind::StatusChanged { from: Status::New, to: Status::Open };
        assert_eq!(a.changes, vec![opened.clone()]);
        assert_eq!(a.ticket.first_response_at, Some(Timestamp::from_millis(5)));
        assert_eq!(a.events.len(), 1);
        assert_eq!((a.events[0].actor, &a.events[0].kind), (agent, &opened));
        assert_eq!((a.events[0].ticket_id, a.events[0].created_at), (a.ticket.id, Timestamp::from_millis(5)));

        let again = append(a.ticket, agent, said(Channel::Email), Timestamp::from_millis(8));
        assert!(again.changes.is_empty() && again.events.is_empty());
        assert_eq!(again.ticket.first_response_at, Some(Timestamp::from_millis(5)), "the first stays the first");
    }

    #[test]
    fn a_customer_writing_again_reopens_a_pending_or_resolved_ticket() {
        for status in [Status::Pending, Status::Resolved] {
            let t = ticket(status);
            let customer = Actor::Contact(t.requester_id);
            let a = append(t, customer, said(Channel::Email), Timestamp::from_millis(5));
            assert_eq!(a.ticket.status, Status::Open);
            assert_eq!(a.changes, vec![EventKind::StatusChanged { from: status, to: Status::Open }]);
            assert_eq!(a.events[0].actor, customer);
            assert_eq!(a.ticket.first_response_at, None, "a customer's message is no response");
        }
        let t = ticket(Status::New);
        let a = append(t.clone(), Actor::Contact(t.requester_id), said(Channel::Chat), Timestamp::from_millis(5));
        assert_eq!(a.ticket.status, Status::New, "a new ticket waits for the help desk whatever the customer adds");
    }

    #[test]
    fn a_note_or_a_system_message_only_touches_the_ticket() {
        let note = MessageContent { internal: true, ..said(Channel::Web) };
        let a = append(ticket(Status::New), Actor::Agent(AgentId::new()), note, Timestamp::from_millis(6));
        let b = append(ticket(Status::Pending), Actor::System, said(Channel::Email), Timestamp::from_millis(6));
        for (x, status) in [(a, Status::New), (b, Status::Pending)] {
            assert!(x.changes.is_empty() && x.events.is_empty());
            assert_eq!((x.ticket.status, x.ticket.first_response_at), (status, None));
            assert_eq!(x.ticket.updated_at, Timestamp::from_millis(6));
        }
    }
}
