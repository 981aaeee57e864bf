//! Why a message could not be read at all.

/// Returned by [`crate::parse`] only when nothing usable could be read; broken MIME still yields a best-effort
/// [`crate::ParsedMail`] with notes instead.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    /// No header fields, or nothing at all that could be used (no sender, subject, id, body or attachment).
    #[error("no header fields or content were found; this is not an email message")]
    NotAMessage,
    #[error("the message is {bytes} bytes long, more than can be read")]
    TooLarge { bytes: usize },
    /// The MIME parser failed on this input. Kept apart so that a defect in a dependency shows as a refused
    /// message rather than a crashed worker.
    #[error("the message could not be read")]
    Unreadable,
}
