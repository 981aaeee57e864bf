//! The composer's form as it arrives: `application/x-www-form-urlencoded` when nothing is attached (and from
//! clients that never attach), `multipart/form-data` with the files under `files`.

use super::session::PageError;
use crate::state::AppState;
use axum::extract::{FromRequest, Multipart, Request};
use axum::Form;
use parley_app::tickets::{Upload, MAX_FILES};
use parley_domain::Invalid;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(crate) struct ReplyForm {
    pub body: String,
    #[serde(default)]
    pub internal: Option<String>,
    /// The newest message the agent had seen when they wrote this.
    #[serde(default)]
    pub after_message_id: Option<String>,
    /// "Send and set": the status the ticket takes once the reply is stored (empty: as it is).
    #[serde(default)]
    pub then_status: Option<String>,
    /// "Send anyway": send even though others wrote meanwhile.
    #[serde(default)]
    pub force: Option<String>,
    /// People copied on this reply (email tickets).
    #[serde(default)]
    pub cc: String,
    #[serde(rename = "_csrf")]
    pub csrf: String,
}

/// The form and the files attached to it. A file field left empty (a browser sends one part with no name and no
/// bytes) attaches nothing; more files than a message may carry are refused before they are read.
pub(crate) async fn read(req: Request, state: &AppState) -> Result<(ReplyForm, Vec<Upload>), PageError> {
    if !crate::json::is_multipart(req.headers()) {
        let Form(f) =
            Form::<ReplyForm>::from_request(req, state).await.map_err(|e| Invalid::field("form", e.body_text()))?;
        return Ok((f, Vec::new()));
    }
    let mut parts = Multipart::from_request(req, state).await.map_err(|e| Invalid::field("form", e.body_text()))?;
    let mut f = ReplyForm::default();
    let mut files = Vec::new();
    let bad = |e: axum::extract::multipart::MultipartError| Invalid::field("form", e.body_text());
    while let Some(part) = parts.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_string();
        if name == "files" {
            let file_name = part.file_name().unwrap_or_default().to_string();
            let content_type = part.content_type().map(str::to_string);
            let data = part.bytes().await.map_err(bad)?;
            if file_name.is_empty() && data.is_empty() {
                continue;
            }
            if files.len() == MAX_FILES {
                return Err(Invalid::field("attachments", format!("at most {MAX_FILES} files")).into());
            }
            files.push(Upload { name: file_name, content_type, data: data.to_vec() });
            continue;
        }
        let value = part.text().await.map_err(bad)?;
        match name.as_str() {
            "body" => f.body = value,
            "internal" => f.internal = Some(value),
            "after_message_id" => f.after_message_id = Some(value),
            "then_status" => f.then_status = Some(value),
            "force" => f.force = Some(value),
            "cc" => f.cc = value,
            "_csrf" => f.csrf = value,
            // Fields the page does not send are ignored, as the urlencoded form ignores them.
            _ => {}
        }
    }
    Ok((f, files))
}
