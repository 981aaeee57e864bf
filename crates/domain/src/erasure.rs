//! What erasing a contact removed, as the report an administrator gets (and the audit log keeps, without any of
//! the erased data).

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    /// Tickets the contact alone requested, removed with their whole timelines.
    pub tickets_deleted: u64,
    /// Their messages in those tickets.
    pub messages_deleted: u64,
    /// Their messages in other people's tickets, replaced by "[erased]".
    pub messages_redacted: u64,
    pub attachments_deleted: u64,
    /// Stored files nothing refers to any more.
    pub blobs_deleted: u64,
    /// Mail received from or about them, as received.
    pub received_mail_deleted: u64,
    /// Mail to them waiting or sent.
    pub outgoing_mail_deleted: u64,
    /// Webhook events that carried their data.
    pub webhook_events_deleted: u64,
    /// Tickets of others they were copied on.
    pub participations_removed: u64,
    /// Others' mail that named their address (a Cc): kept, with the address replaced.
    pub mentions_redacted: u64,
}

impl ErasureReport {
    /// Adds another report's counts to this one (a job erasing in several steps).
    pub fn add(&mut self, o: &ErasureReport) {
        self.tickets_deleted += o.tickets_deleted;
        self.messages_deleted += o.messages_deleted;
        self.messages_redacted += o.messages_redacted;
        self.attachments_deleted += o.attachments_deleted;
        self.blobs_deleted += o.blobs_deleted;
        self.received_mail_deleted += o.received_mail_deleted;
        self.outgoing_mail_deleted += o.outgoing_mail_deleted;
        self.webhook_events_deleted += o.webhook_events_deleted;
        self.participations_removed += o.participations_removed;
        self.mentions_redacted += o.mentions_redacted;
    }
}
