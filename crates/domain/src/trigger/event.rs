//! What triggers run on, and what one change to a ticket tells them: the events it is, and what it changed.

use crate::event::{Actor, EventKind};
use crate::ids::{AgentId, DepartmentId, MessageId};
use crate::ticket::{Channel, Priority, Status, Tag};
use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum TriggerEvent {
    #[serde(rename = "ticket.created")]
    TicketCreated,
    #[serde(rename = "ticket.updated")]
    TicketUpdated,
    #[serde(rename = "customer.replied")]
    CustomerReplied,
    #[serde(rename = "agent.replied")]
    AgentReplied,
    #[serde(rename = "chat.started")]
    ChatStarted,
    #[serde(rename = "chat.ended")]
    ChatEnded,
    #[serde(rename = "sla.warning")]
    SlaWarning,
    #[serde(rename = "sla.breached")]
    SlaBreached,
    /// A phone call ended on the ticket.
    #[serde(rename = "call.ended")]
    CallEnded,
}

impl TriggerEvent {
    pub const ALL: [TriggerEvent; 9] = [
        TriggerEvent::TicketCreated,
        TriggerEvent::TicketUpdated,
        TriggerEvent::CustomerReplied,
        TriggerEvent::AgentReplied,
        TriggerEvent::ChatStarted,
        TriggerEvent::ChatEnded,
        TriggerEvent::SlaWarning,
        TriggerEvent::SlaBreached,
        TriggerEvent::CallEnded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriggerEvent::TicketCreated => "ticket.created",
            TriggerEvent::TicketUpdated => "ticket.updated",
            TriggerEvent::CustomerReplied => "customer.replied",
            TriggerEvent::AgentReplied => "agent.replied",
            TriggerEvent::ChatStarted => "chat.started",
            TriggerEvent::ChatEnded => "chat.ended",
            TriggerEvent::SlaWarning => "sla.warning",
            TriggerEvent::SlaBreached => "sla.breached",
            TriggerEvent::CallEnded => "call.ended",
        }
    }

    pub fn parse(s: &str) -> Result<TriggerEvent, Invalid> {
        TriggerEvent::ALL.into_iter().find(|e| e.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = TriggerEvent::ALL.iter().map(|e| e.as_str()).collect();
            Invalid::field("", format!("must be one of: {}", names.join(", ")))
        })
    }
}

/// A field a change touched, with its values before and after (for "changed to" and "changed from").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    Status { from: Status, to: Status },
    Priority { from: Priority, to: Priority },
    Assignee { from: Option<AgentId>, to: Option<AgentId> },
    Department { from: Option<DepartmentId>, to: Option<DepartmentId> },
    Tags { added: Vec<Tag>, removed: Vec<Tag> },
    Subject,
}

/// What one change to a ticket was, as triggers see it: its events (a new ticket, a reply, an update …), what it
/// changed, and the message it brought (read from the timeline when the triggers run, for "text contains": no
/// copy of a customer's words is kept here, so erasing them leaves none behind).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub events: Vec<TriggerEvent>,
    pub changes: Vec<Change>,
    /// The public or internal message the change added, if any.
    #[serde(default)]
    pub message_id: Option<MessageId>,
}

impl Activity {
    /// The activity of a change from its timeline events and the message it added (who wrote it decides between
    /// a customer's and an agent's reply; an internal note is neither). Changes by triggers themselves never
    /// reach here: they are not recorded as activity.
    pub fn of(events: &[EventKind], message: Option<(MessageId, &Actor, bool)>) -> Activity {
        let mut a = Activity::default();
        let created = events.iter().any(|e| matches!(e, EventKind::Created));
        if created {
            a.events.push(TriggerEvent::TicketCreated);
        }
        for e in events {
            let change = match e {
                EventKind::StatusChanged { from, to } => Change::Status { from: *from, to: *to },
                EventKind::PriorityChanged { from, to } => Change::Priority { from: *from, to: *to },
                EventKind::AssigneeChanged { from, to } => Change::Assignee { from: *from, to: *to },
                EventKind::DepartmentChanged { from, to } => Change::Department { from: *from, to: *to },
                EventKind::TagsChanged { added, removed } => {
                    Change::Tags { added: added.clone(), removed: removed.clone() }
                }
                EventKind::SubjectChanged { .. } => Change::Subject,
                _ => continue,
            };
            a.changes.push(change);
        }
        if let Some((id, author, internal)) = message {
            a.message_id = Some(id);
            if !created && !internal {
                match author {
                    Actor::Contact(_) => a.events.push(TriggerEvent::CustomerReplied),
                    Actor::Agent(_) | Actor::ApiKey(_) => a.events.push(TriggerEvent::AgentReplied),
                    Actor::System | Actor::Staff(_) => {}
                }
            }
        }
        if events.iter().any(|e| matches!(e, EventKind::Call { .. })) {
            a.events.push(TriggerEvent::CallEnded);
        }
        if !created && (!a.changes.is_empty() || message.is_some()) {
            a.events.push(TriggerEvent::TicketUpdated);
        }
        a
    }

    /// The activity of a new ticket on `channel` with its first message (a chat's first message starts the chat).
    pub fn of_new(channel: Channel, events: &[EventKind], message: (MessageId, &Actor, bool)) -> Activity {
        let mut a = Activity::of(events, Some(message));
        if channel == Channel::Chat {
            a.events.push(TriggerEvent::ChatStarted);
        }
        a
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}
