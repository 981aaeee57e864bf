//! A phone call as Parley follows it: where the caller is (a menu, a queue, ringing an agent, talking, leaving a
//! message), what became of it, and the ticket it is on. Kept in the region's database so that any process may
//! take any of the call's webhooks.

use crate::ids::{
    AccountId, AgentId, AttachmentId, CallId, ContactId, DepartmentId, MessageId, PhoneNumberId, TicketId,
};
use crate::Timestamp;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// Where a call is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Hearing the IVR's menus.
    Menu,
    /// Waiting in a queue for an agent.
    Queued,
    /// An agent's phone is ringing for it.
    Ringing,
    /// Talking to an agent (or a forwarded number).
    Connected,
    /// Leaving a message.
    Voicemail,
    Ended,
}

impl CallState {
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Menu => "menu",
            CallState::Queued => "queued",
            CallState::Ringing => "ringing",
            CallState::Connected => "connected",
            CallState::Voicemail => "voicemail",
            CallState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "menu" => CallState::Menu,
            "queued" => CallState::Queued,
            "ringing" => CallState::Ringing,
            "connected" => CallState::Connected,
            "voicemail" => CallState::Voicemail,
            "ended" => CallState::Ended,
            _ => return None,
        })
    }
}

/// What became of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An agent (or the number it was forwarded to) answered.
    Answered,
    /// It rang, nobody answered, and the caller left no message.
    Missed,
    /// The caller left a message.
    Voicemail,
    /// The caller hung up while waiting.
    Abandoned,
    /// The caller asked to be called back.
    Callback,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Missed => "missed",
            Outcome::Voicemail => "voicemail",
            Outcome::Abandoned => "abandoned",
            Outcome::Callback => "callback",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "answered" => Outcome::Answered,
            "missed" => Outcome::Missed,
            "voicemail" => Outcome::Voicemail,
            "abandoned" => Outcome::Abandoned,
            "callback" => Outcome::Callback,
            _ => return None,
        })
    }
}

/// Where a call's recording is on its way from the provider into the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingState {
    /// Made at the provider, not ready to fetch yet.
    Pending,
    /// Ready to fetch.
    Ready,
    /// Kept in the region; still to be deleted at the provider.
    Stored,
    /// Kept in the region and gone from the provider.
    Deleted,
    /// Could not be fetched after every try.
    Failed,
}

impl RecordingState {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingState::Pending => "pending",
            RecordingState::Ready => "ready",
            RecordingState::Stored => "stored",
            RecordingState::Deleted => "deleted",
            RecordingState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => RecordingState::Pending,
            "ready" => RecordingState::Ready,
            "stored" => RecordingState::Stored,
            "deleted" => RecordingState::Deleted,
            "failed" => RecordingState::Failed,
            _ => return None,
        })
    }
}

/// A recording of a call at the provider, and where it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The provider's id (`RE…`).
    pub sid: String,
    pub state: RecordingState,
    pub duration_s: i64,
    /// The attachment it became, once stored in the region.
    pub attachment_id: Option<AttachmentId>,
    pub tries: i64,
    /// Not to be tried again before this (after a failed try).
    pub next_try_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub id: CallId,
    pub account_id: AccountId,
    /// The provider's id (`CA…`), unique per account.
    pub provider_sid: String,
    pub number_id: Option<PhoneNumberId>,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub state: CallState,
    pub outcome: Option<Outcome>,
    /// The IVR menu the caller is in, and how often they heard it without choosing.
    pub menu: Option<String>,
    pub tries: u32,
    pub department_id: Option<DepartmentId>,
    /// The agent ringing or talking; after the call, the one who answered.
    pub agent_id: Option<AgentId>,
    /// Agents rung for this call who did not answer.
    pub passed: BTreeSet<AgentId>,
    pub tags: Vec<String>,
    pub contact_id: Option<ContactId>,
    pub ticket_id: Option<TicketId>,
    /// The message the call left on its ticket (the voicemail, or the call's note); its recording attaches there.
    pub message_id: Option<MessageId>,
    pub recording: Option<Recording>,
    pub started_at: Timestamp,
    pub queued_at: Option<Timestamp>,
    /// When the caller last heard their place in the queue.
    pub announced_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_s: i64,
    /// The row's version, counted up by every write (so that two webhooks of one call never both win).
    pub version: i64,
}

impl Call {
    pub fn inbound(account: AccountId, number: PhoneNumberId, sid: &str, from: &str, to: &str, now: Timestamp) -> Call {
        Call {
            id: CallId::new(),
            account_id: account,
            provider_sid: sid.to_string(),
            number_id: Some(number),
            direction: Direction::Inbound,
            from: from.to_string(),
            to: to.to_string(),
            state: CallState::Menu,
            outcome: None,
            menu: None,
            tries: 0,
            department_id: None,
            agent_id: None,
            passed: BTreeSet::new(),
            tags: Vec::new(),
            contact_id: None,
            ticket_id: None,
            message_id: None,
            recording: None,
            started_at: now,
            queued_at: None,
            announced_at: None,
            answered_at: None,
            ended_at: None,
            duration_s: 0,
            version: 0,
        }
    }

    pub fn enqueue(&mut self, department: Option<DepartmentId>, now: Timestamp) {
        self.state = CallState::Queued;
        self.department_id = department;
        self.agent_id = None;
        self.queued_at.get_or_insert(now);
    }

    /// The agent rung did not answer: back to the queue, not to be rung again for this call.
    pub fn pass(&mut self) {
        if let Some(a) = self.agent_id.take() {
            self.passed.insert(a);
        }
        self.state = CallState::Queued;
    }

    pub fn add_tags(&mut self, tags: &[String]) {
        for t in tags {
            if !self.tags.contains(t) {
                self.tags.push(t.clone());
            }
        }
    }

    /// The call is over. What it came to, if nothing was decided before: answered if someone took it,
    /// abandoned if the caller gave up waiting, missed otherwise.
    pub fn end(&mut self, now: Timestamp, duration_s: Option<i64>) {
        if self.outcome.is_none() {
            self.outcome = Some(match self.state {
                CallState::Connected => Outcome::Answered,
                CallState::Queued | CallState::Ringing => Outcome::Abandoned,
                _ => Outcome::Missed,
            });
        }
        self.state = CallState::Ended;
        self.ended_at.get_or_insert(now);
        if let Some(d) = duration_s {
            self.duration_s = d.max(0);
        } else if self.duration_s == 0 {
            self.duration_s = ((now.millis() - self.started_at.millis()) / 1000).max(0);
        }
    }

    /// Whether the call leaves a trace on a ticket: every call that reached a person or a voicemail, and missed or
    /// abandoned ones when the number asks for it. A caller who hung up in the menus leaves none.
    pub fn files_ticket(&self, missed_call_tickets: bool) -> bool {
        match self.outcome {
            Some(Outcome::Answered | Outcome::Voicemail | Outcome::Callback) => true,
            Some(Outcome::Abandoned | Outcome::Missed) => missed_call_tickets && self.queued_at.is_some(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_through_the_queue() {
        let t = |s: i64| Timestamp::from_millis(s * 1000);
        let mut c = Call::inbound(AccountId::new(), PhoneNumberId::new(), "CA1", "+3612345678", "+3698765432", t(0));
        c.enqueue(None, t(10));
        let a = AgentId::new();
        c.agent_id = Some(a);
        c.state = CallState::Ringing;
        c.pass();
        assert!(c.passed.contains(&a) && c.agent_id.is_none() && c.state == CallState::Queued);
        c.enqueue(None, t(50));
        assert_eq!(c.queued_at, Some(t(10)), "the first time queued counts");
        c.end(t(90), None);
        assert_eq!((c.outcome, c.duration_s), (Some(Outcome::Abandoned), 90));
        assert!(c.files_ticket(true) && !c.files_ticket(false));
        let mut menu_only = Call::inbound(AccountId::new(), PhoneNumberId::new(), "CA2", "+1", "+2", t(0));
        menu_only.end(t(5), Some(5));
        assert_eq!(menu_only.outcome, Some(Outcome::Missed));
        assert!(!menu_only.files_ticket(true), "hanging up in the menus leaves no ticket");
        for s in ["menu", "queued", "ringing", "connected", "voicemail", "ended"] {
            assert_eq!(CallState::parse(s).unwrap().as_str(), s);
        }
        for s in ["answered", "missed", "voicemail", "abandoned", "callback"] {
            assert_eq!(Outcome::parse(s).unwrap().as_str(), s);
        }
    }
}
