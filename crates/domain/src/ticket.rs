//! Tickets: one conversation whatever the channel, with its status, priority, people, tags and custom fields, and
//! the rules for changing them.

use crate::event::{Actor, EventKind};
use crate::ids::{AccountId, AgentId, ContactId, DepartmentId, TicketId};
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, Invalid> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(Invalid::field($field, format!(
                        "'{}' is not one of: {}",
                        other.chars().take(40).collect::<String>(),
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Where a ticket stands. `Closed` is final: a closed ticket is kept as it is.
    Status, "status" {
    New => "new", Open => "open", Pending => "pending", Resolved => "resolved", Closed => "closed", Spam => "spam",
});

str_enum!(Priority, "priority" { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });

str_enum!(
    /// How the conversation reached the help desk.
    Channel, "channel" {
    Email => "email", Chat => "chat", Phone => "phone", Web => "web", Api => "api",
});

/// The per-account ticket number customers and agents quote: `#1042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct TicketNumber(pub i64);

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The most tags one ticket carries.
pub const MAX_TAGS: usize = 50;

/// A tag: one lowercase word of letters, digits and `-_:./`, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Tag(String);

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Tag::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Tag {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let t = s.trim().to_lowercase();
        let ok = !t.is_empty()
            && t.chars().count() <= 64
            && t.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '/'));
        if ok {
            Ok(Tag(t))
        } else {
            Err(Invalid::field(
                "tags",
                format!(
                    "'{}' is not a tag (one word of letters, digits and -_:./)",
                    s.chars().take(64).collect::<String>()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parse a list, dropping duplicates and keeping the order given.
    pub fn parse_list(items: &[String]) -> Result<Vec<Tag>, Invalid> {
        if items.len() > MAX_TAGS {
            return Err(Invalid::field("tags", format!("at most {MAX_TAGS} tags")));
        }
        let mut out: Vec<Tag> = Vec::with_capacity(items.len());
        for s in items {
            let t = Tag::parse(s)?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        Ok(out)
    }
}

/// A ticket's subject: one line, 1–250 characters.
pub fn parse_subject(s: &str) -> Result<String, Invalid> {
    crate::text::checked_text("subject", s, 250, false)
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub number: TicketNumber,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub channel: Channel,
    pub requester_id: ContactId,
    pub assignee_id: Option<AgentId>,
    pub department_id: Option<DepartmentId>,
    pub tags: Vec<Tag>,
    /// Values of the account's custom fields, by field key; JSON values checked against the field's type.
    #[schema(value_type = Object)]
    pub custom_fields: BTreeMap<String, serde_json::Value>,
    pub merged_into: Option<TicketId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    /// Bumped by every saved change; a save that finds another version lost a race and is retried.
    #[serde(skip)]
    pub version: i64,
}

/// A change asked for; `None` leaves a field as it is, `Some(None)` clears a clearable one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketPatch {
    pub subject: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<Option<AgentId>>,
    pub department_id: Option<Option<DepartmentId>>,
    pub tags: Option<Vec<Tag>>,
    pub add_tags: Vec<Tag>,
    pub remove_tags: Vec<Tag>,
    /// Checked values; `Value::Null` removes the field's value.
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

/// Why a change to a ticket is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketRuleError {
    #[error("ticket {0} is closed and can no longer be changed")]
    Closed(TicketNumber),
    #[error("a ticket cannot be merged into itself")]
    MergeIntoSelf,
    #[error("ticket {0} was merged and can no longer be changed")]
    Merged(TicketNumber),
}

impl Ticket {
    /// A change is allowed only while the ticket is not closed.
    pub fn ensure_open_for_change(&self) -> Result<(), TicketRuleError> {
        if self.merged_into.is_some() {
            return Err(TicketRuleError::Merged(self.number));
        }
        if self.status == Status::Closed {
            return Err(TicketRuleError::Closed(self.number));
        }
        Ok(())
    }

    /// Apply a patch and say what changed, as timeline events. Nothing changes if the patch changes nothing.
    pub fn apply(&mut self, patch: TicketPatch, now: Timestamp) -> Result<Vec<EventKind>, TicketRuleError> {
        self.ensure_open_for_change()?;
        let mut events = Vec::new();
        if let Some(s) = patch.subject {
            if s != self.subject {
                events.push(EventKind::SubjectChanged { from: std::mem::replace(&mut self.subject, s.clone()), to: s });
            }
        }
        if let Some(s) = patch.status {
            if s != self.status {
                events.push(EventKind::StatusChanged { from: self.status, to: s });
                self.status = s;
            }
        }
        if let Some(p) = patch.priority {
            if p != self.priority {
                events.push(EventKind::PriorityChanged { from: self.priority, to: p });
                self.priority = p;
            }
        }
        if let Some(a) = patch.assignee_id {
            if a != self.assignee_id {
                events.push(EventKind::AssigneeChanged { from: self.assignee_id, to: a });
                self.assignee_id = a;
            }
        }
        if let Some(d) = patch.department_id {
            if d != self.department_id {
                events.push(EventKind::DepartmentChanged { from: self.department_id, to: d });
                self.department_id = d;
            }
        }
        let mut tags = patch.tags.unwrap_or_else(|| self.tags.clone());
        for t in patch.add_tags {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        tags.retain(|t| !patch.remove_tags.contains(t));
        // A ticket holds at most MAX_TAGS tags, however many changes add them.
        tags.truncate(MAX_TAGS);
        let added: Vec<Tag> = tags.iter().filter(|t| !self.tags.contains(t)).cloned().collect();
        let removed: Vec<Tag> = self.tags.iter().filter(|t| !tags.contains(t)).cloned().collect();
        if !added.is_empty() || !removed.is_empty() {
            events.push(EventKind::TagsChanged { added, removed });
            self.tags = tags;
        }
        for (key, value) in patch.custom_fields {
            let old = self.custom_fields.get(&key).cloned().unwrap_or(serde_json::Value::Null);
            if old != value {
                events.push(EventKind::FieldChanged { key: key.clone(), from: old, to: value.clone() });
                if value.is_null() {
                    self.custom_fields.remove(&key);
                } else {
                    self.custom_fields.insert(key, value);
                }
            }
        }
        if !events.is_empty() {
            self.updated_at = now;
        }
        Ok(events)
    }

    /// What a new public or internal message does to the ticket, beyond being added to its timeline.
    ///
    /// The first public reply by the help desk is the first response and opens a new ticket; a customer writing
    /// again reopens a ticket that was pending or resolved.
    pub fn on_message(&mut self, author: &Actor, internal: bool, now: Timestamp) -> Vec<EventKind> {
        let mut events = Vec::new();
        self.updated_at = now;
        if internal {
            return events;
        }
        let by_help_desk = matches!(author, Actor::Agent(_) | Actor::ApiKey(_));
        if by_help_desk {
            if self.first_response_at.is_none() {
                self.first_response_at = Some(now);
            }
            if self.status == Status::New {
                events.push(EventKind::StatusChanged { from: self.status, to: Status::Open });
                self.status = Status::Open;
            }
        } else if matches!(author, Actor::Contact(_)) && matches!(self.status, Status::Pending | Status::Resolved) {
            events.push(EventKind::StatusChanged { from: self.status, to: Status::Open });
            self.status = Status::Open;
        }
        events
    }

    /// Merge `self` (the source) into `target`: the source closes and points at the target. Both get an event.
    pub fn merge_into(
        &mut self,
        target: &mut Ticket,
        now: Timestamp,
    ) -> Result<(EventKind, EventKind), TicketRuleError> {
        if self.id == target.id {
            return Err(TicketRuleError::MergeIntoSelf);
        }
        self.ensure_open_for_change()?;
        target.ensure_open_for_change()?;
        self.merged_into = Some(target.id);
        self.status = Status::Closed;
        self.updated_at = now;
        target.updated_at = now;
        Ok((
            EventKind::MergedInto { ticket_id: target.id, number: target.number },
            EventKind::MergedFrom { ticket_id: self.id, number: self.number },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ApiKeyId;

    fn ticket() -> Ticket {
        Ticket {
            id: TicketId::new(),
            account_id: AccountId::new(),
            number: TicketNumber(7),
            subject: "Printer on fire".into(),
            status: Status::New,
            priority: Priority::Normal,
            channel: Channel::Email,
            requester_id: ContactId::new(),
            assignee_id: None,
            department_id: None,
            tags: vec![Tag::parse("hardware").unwrap()],
            custom_fields: BTreeMap::new(),
            merged_into: None,
            created_at: Timestamp::from_millis(1),
            updated_at: Timestamp::from_millis(1),
            first_response_at: None,
            version: 1,
        }
    }

    #[test]
    fn a_patch_yields_one_event_per_change_and_none_for_no_change() {
        let mut t = ticket();
        let patch = TicketPatch {
            status: Some(Status::Pending),
            priority: Some(Priority::Normal),
            add_tags: vec![Tag::parse("urgent").unwrap(), Tag::parse("hardware").unwrap()],
            ..Default::default()
        };
        let events = t.apply(patch, Timestamp::from_millis(5)).unwrap();
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(t.status, Status::Pending);
        assert_eq!(t.tags.len(), 2);
        assert_eq!(t.updated_at, Timestamp::from_millis(5));
        let none = t
            .apply(TicketPatch { status: Some(Status::Pending), ..Default::default() }, Timestamp::from_millis(9))
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(t.updated_at, Timestamp::from_millis(5));
    }

    #[test]
    fn closed_tickets_refuse_changes() {
        let mut t = ticket();
        t.status = Status::Closed;
        let err =
            t.apply(TicketPatch { status: Some(Status::Open), ..Default::default() }, Timestamp::now()).unwrap_err();
        assert_eq!(err, TicketRuleError::Closed(TicketNumber(7)));
    }

    #[test]
    fn first_public_reply_opens_and_is_the_first_response() {
        let mut t = ticket();
        let ev = t.on_message(&Actor::ApiKey(ApiKeyId::new()), true, Timestamp::from_millis(3));
        assert!(ev.is_empty());
        assert_eq!(t.first_response_at, None);
        let ev = t.on_message(&Actor::Agent(AgentId::new()), false, Timestamp::from_millis(4));
        assert_eq!(ev, vec![EventKind::StatusChanged { from: Status::New, to: Status::Open }]);
        assert_eq!(t.first_response_at, Some(Timestamp::from_millis(4)));
    }

    #[test]
    fn a_customer_reply_reopens_a_pending_ticket() {
        let mut t = ticket();
        t.status = Status::Pending;
        let ev = t.on_message(&Actor::Contact(t.requester_id), false, Timestamp::from_millis(4));
        assert_eq!(ev.len(), 1);
        assert_eq!(t.status, Status::Open);
    }

    #[test]
    fn merging_closes_the_source() {
        let mut a = ticket();
        let mut b = ticket();
        b.number = TicketNumber(8);
        let (into, from) = a.merge_into(&mut b, Timestamp::from_millis(10)).unwrap();
        assert_eq!(a.status, Status::Closed);
        assert_eq!(a.merged_into, Some(b.id));
        assert_eq!(into, EventKind::MergedInto { ticket_id: b.id, number: TicketNumber(8) });
        assert_eq!(from, EventKind::MergedFrom { ticket_id: a.id, number: TicketNumber(7) });
        let mut c = ticket();
        let same = c.clone();
        let mut same = same;
        assert_eq!(c.merge_into(&mut same, Timestamp::now()).unwrap_err(), TicketRuleError::MergeIntoSelf);
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        let tags = Tag::parse_list(&["VIP".into(), "vip".into(), "billing".into()]).unwrap();
        assert_eq!(tags.iter().map(Tag::as_str).collect::<Vec<_>>(), ["vip", "billing"]);
        assert!(Tag::parse("two words").is_err());
        assert!(Status::parse("bogus").unwrap_err().to_string().contains("'bogus'"));
    }
}
