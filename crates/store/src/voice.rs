//! The phone channel: the account's provider credentials, its numbers and IVRs, and its calls.

use crate::{NewTicket, StoreError, TicketChange};
use async_trait::async_trait;
use parley_domain::contact::Contact;
use parley_domain::ids::{AccountId, AgentId, CallId, IvrId, PhoneNumberId, TicketId};
use parley_domain::message::{AttachmentInfo, Message};
use parley_domain::ticket::Ticket;
use parley_domain::voice::{Call, Ivr, PhoneNumber, Recording, RecordingState, VoiceCredentials};
use parley_domain::Timestamp;

/// The webhook events of a filed call, made once its ticket (and number) is known.
pub type CallEvents = Box<dyn FnOnce(&Ticket) -> Vec<crate::OutboxEvent> + Send>;

/// How a call reaches its ticket, written in one unit of work with the call.
pub enum CallFiling {
    /// A new ticket for the call.
    Open(NewTicket),
    /// A message added to the caller's open ticket.
    Append(TicketChange),
}

#[async_trait]
pub trait VoiceStore: Send + Sync {
    async fn voice_credentials(&self, account: AccountId) -> Result<Option<VoiceCredentials>, StoreError>;
    async fn set_voice_credentials(
        &self,
        account: AccountId,
        credentials: &VoiceCredentials,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// `Conflict` when the account has the number already.
    async fn insert_phone_number(&self, number: &PhoneNumber) -> Result<(), StoreError>;
    async fn list_phone_numbers(&self, account: AccountId) -> Result<Vec<PhoneNumber>, StoreError>;
    async fn phone_number(&self, account: AccountId, id: PhoneNumberId) -> Result<Option<PhoneNumber>, StoreError>;
    async fn phone_number_by_e164(&self, account: AccountId, number: &str) -> Result<Option<PhoneNumber>, StoreError>;
    async fn delete_phone_number(&self, account: AccountId, id: PhoneNumberId) -> Result<bool, StoreError>;

    async fn insert_ivr(&self, ivr: &Ivr) -> Result<(), StoreError>;
    async fn update_ivr(&self, ivr: &Ivr) -> Result<bool, StoreError>;
    async fn ivr(&self, account: AccountId, id: IvrId) -> Result<Option<Ivr>, StoreError>;
    async fn list_ivrs(&self, account: AccountId) -> Result<Vec<Ivr>, StoreError>;
    /// `Conflict` while a number still answers with it.
    async fn delete_ivr(&self, account: AccountId, id: IvrId) -> Result<bool, StoreError>;

    /// `Conflict` when the call (by its provider id) is known already.
    async fn insert_call(&self, call: &Call) -> Result<(), StoreError>;
    async fn call_by_sid(&self, account: AccountId, sid: &str) -> Result<Option<Call>, StoreError>;
    async fn call(&self, account: AccountId, id: CallId) -> Result<Option<Call>, StoreError>;
    /// Saves a call read at `call.version`, counting the version up; `Stale` when another request saved it since.
    async fn update_call(&self, call: &Call) -> Result<(), StoreError>;
    /// Saves the call and files it on its ticket in one unit of work (`Stale` as for [`Self::update_call`]), with
    /// the webhook events `events` makes of the ticket as filed.
    async fn file_call(
        &self,
        call: &Call,
        filing: CallFiling,
        events: CallEvents,
    ) -> Result<(Ticket, Option<Contact>), StoreError>;
    /// The calls on a ticket, oldest first.
    async fn ticket_calls(&self, account: AccountId, ticket: TicketId) -> Result<Vec<Call>, StoreError>;
    /// A queued call's place (1: next): the calls of the same department queued before it, plus one.
    async fn call_position(&self, account: AccountId, call: &Call) -> Result<u32, StoreError>;
    /// Agents of the account ringing or talking on a call now.
    async fn agents_on_calls(&self, account: AccountId) -> Result<Vec<AgentId>, StoreError>;
    /// Region-wide: calls whose recording is due to be fetched or deleted at the provider by `now`.
    async fn recordings_due(&self, now: Timestamp, limit: u32) -> Result<Vec<Call>, StoreError>;
    /// Keeps a fetched recording as an attachment of the call's message and saves `recording` (stored), in one
    /// unit of work, if the call's recording is still this one and still ready to fetch; `false` (nothing kept)
    /// when another worker kept it meanwhile. Only the recording's columns are written: the call's other webhooks
    /// may change the rest meanwhile.
    async fn keep_recording(
        &self,
        account: AccountId,
        call: CallId,
        recording: &Recording,
        message: &Message,
        info: &AttachmentInfo,
        data: &[u8],
    ) -> Result<bool, StoreError>;
    /// Saves a call's recording if it is still this one and in state `from`; `false` when it moved meanwhile.
    async fn set_recording(
        &self,
        account: AccountId,
        call: CallId,
        recording: &Recording,
        from: RecordingState,
    ) -> Result<bool, StoreError>;
    /// The account's contact with this phone number, if any (the first made when several have it).
    async fn contact_by_phone(&self, account: AccountId, number: &str) -> Result<Option<Contact>, StoreError>;
}
