use parley_domain::ticket::TicketRuleError;
use parley_domain::Invalid;
use parley_store::StoreError;

/// Why a use case did not do what was asked. The web edge maps each to one status and one stable code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Rule(#[from] TicketRuleError),
    /// Signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("authentication required")]
    Unauthenticated,
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    /// Work the server is behind on (the search index) would grow past its bound: nothing was taken; try again.
    #[error("busy; try again in {retry_after_secs} seconds")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// Someone else answered (or noted) since the sender last looked: nothing was stored. The new messages.
    #[error("someone replied meanwhile")]
    RepliedMeanwhile(Vec<parley_domain::message::Message>),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => AppError::Conflict(what),
            StoreError::Stale => AppError::Conflict("the ticket was changed by someone else; try again".into()),
            StoreError::Unavailable(why) => AppError::Unavailable(why),
            StoreError::Other(why) => AppError::Internal(anyhow::anyhow!(why)),
        }
    }
}
