//! Files for signed-in agents (inline images in mail, attachment downloads).

use super::session::{AgentSession, PageError};
use axum::extract::Path;
use axum::response::Response;
use parley_app::email;
use parley_domain::ids::AttachmentId;

pub(crate) async fn attachment(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = AttachmentId::parse(&id).ok_or(PageError::Api(crate::error::ApiError::NotFound))?;
    let (info, data) = email::attachment(&s.ctx, &s.caller(), id).await?;
    Ok(crate::files::attachment_response(&info, data))
}

pub(crate) async fn original(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parley_domain::ids::MessageId::parse(&id).ok_or(PageError::Api(crate::error::ApiError::NotFound))?;
    let raw = email::original(&s.ctx, &s.caller(), id).await?;
    Ok(crate::files::original_response(raw))
}
