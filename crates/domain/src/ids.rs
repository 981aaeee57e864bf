//! Ids of stored things. They are UUIDv7: unique across processes, databases and regions (so an account can move
//! region without renumbering), and ordered by creation time.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id, ordered after every id made before it in this process.
            pub fn new() -> Self {
                $name(Uuid::now_v7())
            }

            pub fn parse(s: &str) -> Option<Self> {
                // Only the canonical hyphenated form, so one id has one spelling in URLs and logs.
                if s.len() != 36 {
                    return None;
                }
                Uuid::parse_str(s).ok().map($name)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = crate::Invalid;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| crate::Invalid::field("", "is not a valid id"))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom("is not a valid id"))
            }
        }

        impl utoipa::ToSchema for $name {}
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
                    .into()
            }
        }
    };
}

id_type!(/// An account (a tenant).
    AccountId);
id_type!(/// An agent (a user of the agent workspace).
    AgentId);
id_type!(/// A department agents belong to.
    DepartmentId);
id_type!(/// A contact (a customer, requester).
    ContactId);
id_type!(/// A company contacts belong to.
    CompanyId);
id_type!(/// A ticket.
    TicketId);
id_type!(/// A reply or internal note in a ticket.
    MessageId);
id_type!(/// An event in a ticket's timeline (status change, assignment, merge…).
    TicketEventId);
id_type!(/// An API key.
    ApiKeyId);
id_type!(/// A webhook subscription.
    WebhookId);
id_type!(/// An account's grant of access to the operator's support staff.
    SupportGrantId);
id_type!(/// A visitor of a site that embeds the chat widget.
    VisitorId);
id_type!(/// A security incident the operator recorded.
    IncidentId);
id_type!(/// An event in the account's outbox, the unit webhooks deliver.
    OutboxEventId);
id_type!(/// One attempt series to deliver one event to one webhook.
    DeliveryId);
id_type!(/// A custom ticket field definition.
    TicketFieldId);
id_type!(/// A file attached to a message.
    AttachmentId);
id_type!(/// A knowledge base of an account.
    KnowledgeBaseId);
id_type!(/// A category of a knowledge base.
    CategoryId);
id_type!(/// An article of a knowledge base (with its versions in several languages).
    ArticleId);
id_type!(/// An image uploaded for a knowledge base's articles or look.
    KbImageId);
id_type!(/// A mailbox (an address the account receives mail at).
    MailboxId);
id_type!(/// A mail as received, before it is processed.
    InboundId);
id_type!(/// A canned response: a saved reply text with placeholders.
    CannedResponseId);
id_type!(/// A macro: a named set of ticket actions with an optional reply.
    MacroId);
id_type!(/// A saved view (a named ticket list).
    ViewId);
id_type!(/// An account's business hours (a calendar of opening periods and holidays).
    BusinessHoursId);
id_type!(/// An SLA policy: the targets the account promises for the tickets it matches.
    SlaPolicyId);
id_type!(/// A trigger: a rule that changes tickets when something happens to them.
    TriggerId);
id_type!(/// An automation: a rule that changes tickets when a time has passed.
    AutomationId);
id_type!(/// A phone number of an account, at its voice provider.
    PhoneNumberId);
id_type!(/// An IVR: the menus a caller hears and answers with keys.
    IvrId);
id_type!(/// A phone call, inbound or outbound.
    CallId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_other_spellings() {
        let id = TicketId::new();
        assert_eq!(TicketId::parse(&id.to_string()), Some(id));
        assert_eq!(TicketId::parse(&id.to_string().replace('-', "")), None);
        assert_eq!(TicketId::parse("42"), None);
    }

    #[test]
    fn ids_are_ordered_by_creation() {
        let a = TicketId::new();
        let b = TicketId::new();
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }
}
