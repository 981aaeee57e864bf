//! `/settings/api-keys`: the account's API keys (name, made, last used), making one (its secret shown once) and
//! revoking one, as `parley apikey` does on the command line.

use super::{frame, refusals, refused, when, Fields};
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::{auth, AppError};
use parley_domain::ids::ApiKeyId;

pub(super) struct Row {
    id: String,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "settings_api_keys.html")]
struct ApiKeysPage {
    shell: Shell,
    rows: Vec<Row>,
    errors: Vec<String>,
    name: String,
    /// The key just made, shown once.
    secret: Option<String>,
}

async fn build(s: &AgentSession, name: String, errors: Vec<String>) -> Result<ApiKeysPage, PageError> {
    let shell = frame(s, "api-keys").await?;
    let rows = auth::list_api_keys(&s.ctx)
        .await?
        .into_iter()
        .map(|k| Row {
            id: k.id.to_string(),
            created: when(&shell, k.created_at),
            last_used: k.last_used_at.map(|t| when(&shell, t)).unwrap_or_default(),
            revoked: k.revoked_at.map(|t| when(&shell, t)).unwrap_or_default(),
            name: k.name,
            prefix: k.prefix,
        })
        .collect();
    Ok(ApiKeysPage { shell, rows, errors, name, secret: None })
}

pub(crate) async fn page(s: AgentSession) -> Result<Response, PageError> {
    Ok(render(&build(&s, String::new(), Vec::new()).await?))
}

/// Makes a key; the answer is the page itself with the secret, which is not shown again.
pub(crate) async fn create(s: AgentSession, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    match auth::create_api_key(&s.ctx, Some(&s.caller()), &f.one("name")).await {
        Ok((_, secret)) => {
            let mut page = build(&s, String::new(), Vec::new()).await?;
            page.secret = Some(secret);
            Ok(render(&page))
        }
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&s, f.one("name"), errors).await?))
        }
    }
}

pub(crate) async fn revoke(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    Fields(pairs).check(&s)?;
    let id = ApiKeyId::parse(&id).ok_or(PageError::Api(AppError::NotFound.into()))?;
    auth::revoke_api_key(&s.ctx, Some(&s.caller()), id).await?;
    Ok(Redirect::to("/settings/api-keys").into_response())
}
