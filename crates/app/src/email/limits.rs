/// How much mail Parley takes, and from whom.
#[derive(Debug, Clone)]
pub struct MailLimits {
    pub max_message_bytes: usize,
    pub max_attachment_bytes: usize,
    pub max_attachments: usize,
    /// New tickets one sender may open per hour; beyond it mail is kept but opens nothing and is not answered.
    pub tickets_per_sender_hour: i64,
    /// Acknowledgements one sender gets per hour.
    pub acks_per_sender_hour: i64,
}

impl Default for MailLimits {
    fn default() -> Self {
        MailLimits {
            // Larger than the attachment limit by a margin, so a mail with one oversized attachment is still
            // taken (and the attachment dropped with a note) rather than refused whole.
            max_message_bytes: 64 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
            max_attachments: 100,
            tickets_per_sender_hour: 20,
            acks_per_sender_hour: 3,
        }
    }
}
