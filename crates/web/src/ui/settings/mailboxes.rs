//! `/settings/mailboxes`: the addresses the account receives mail at, adding one (forwarded, posted by a provider,
//! or fetched by IMAP), and testing an IMAP mailbox's connection and sign-in.

use super::{frame, refusals, refused, Fields};
use crate::state::AppState;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use parley_app::email::{self, NewMailbox};
use parley_domain::ids::MailboxId;
use parley_domain::mailbox::{ImapSecurity, ImapSettings};

pub(super) struct Row {
    id: String,
    address: String,
    name: String,
    /// `user@host:port/folder (security)`, empty when the mailbox is not fetched by IMAP.
    imap: String,
}

/// What was typed in the form to add a mailbox, kept when it is refused.
#[derive(Default)]
pub(super) struct Typed {
    address: String,
    name: String,
    imap: bool,
    host: String,
    port: String,
    security: String,
    user: String,
    folder: String,
}

#[derive(Template)]
#[template(path = "settings_mailboxes.html")]
struct MailboxesPage {
    shell: Shell,
    rows: Vec<Row>,
    errors: Vec<String>,
    typed: Typed,
    securities: Vec<(&'static str, String)>,
    /// The mailbox just added: (address, inbound URL, inbound secret), shown once.
    created: Option<(String, String, String)>,
    /// The connection just tested: (mailbox id, ok, what happened).
    tested: Option<(String, bool, String)>,
}

fn security_name(s: &ImapSecurity) -> &'static str {
    match s {
        ImapSecurity::Imaps => "imaps",
        ImapSecurity::Starttls => "starttls",
        ImapSecurity::Plain => "plain",
    }
}

async fn build(s: &AgentSession, typed: Typed, errors: Vec<String>) -> Result<MailboxesPage, PageError> {
    let shell = frame(s, "mailboxes").await?;
    let rows = email::list_mailboxes(&s.ctx, &s.caller())
        .await?
        .into_iter()
        .map(|m| Row {
            id: m.id.to_string(),
            address: m.address.to_string(),
            name: m.name.unwrap_or_default(),
            imap: m
                .imap
                .map(|i| format!("{}@{}:{}/{} ({})", i.user, i.host, i.port, i.folder, security_name(&i.security)))
                .unwrap_or_default(),
        })
        .collect();
    let securities = ["imaps", "starttls", "plain"]
        .into_iter()
        .map(|k| (k, shell.tr(&format!("ws-mailboxes-security-{k}"))))
        .collect();
    Ok(MailboxesPage { shell, rows, errors, typed, securities, created: None, tested: None })
}

fn fresh() -> Typed {
    Typed { port: "993".into(), security: "imaps".into(), folder: "INBOX".into(), ..Default::default() }
}

pub(crate) async fn page(s: AgentSession) -> Result<Response, PageError> {
    Ok(render(&build(&s, fresh(), Vec::new()).await?))
}

/// Adds a mailbox. The page answers with the inbound URL and secret at once (not after a redirect): the secret is
/// shown this once.
pub(crate) async fn create(
    State(state): State<AppState>,
    s: AgentSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let typed = Typed {
        address: f.one("address"),
        name: f.one("name"),
        imap: f.has("imap"),
        host: f.one("host"),
        port: f.one("port"),
        security: f.one("security"),
        user: f.one("user"),
        folder: f.one("folder"),
    };
    let mut errors = Vec::new();
    let imap = if typed.imap {
        let port = typed.port.trim().parse::<u16>().ok().filter(|p| *p > 0);
        let security = match typed.security.as_str() {
            "imaps" => Some(ImapSecurity::Imaps),
            "starttls" => Some(ImapSecurity::Starttls),
            "plain" => Some(ImapSecurity::Plain),
            _ => None,
        };
        if port.is_none() {
            errors.push("imap.port: is not a port (1 to 65535)".into());
        }
        match (port, security) {
            (Some(port), Some(security)) => Some(ImapSettings {
                host: typed.host.trim().to_string(),
                port,
                security,
                user: typed.user.clone(),
                password: f.one("password"),
                folder: typed.folder.trim().to_string(),
                move_to: None,
            }),
            (_, None) => {
                errors.push("imap.security: is not a kind of connection".into());
                None
            }
            _ => None,
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Ok(refused(&build(&s, typed, errors).await?));
    }
    let name = Some(typed.name.clone()).filter(|n| !n.trim().is_empty());
    let input = NewMailbox { address: typed.address.clone(), name, imap };
    match email::create_mailbox(&state.app, &s.ctx, &s.caller(), input).await {
        Ok((mailbox, secret)) => {
            let url = format!(
                "{}/api/v1/mailboxes/{}/inbound",
                state.app.settings.account_url(s.ctx.slug.as_str()),
                mailbox.id
            );
            let mut page = build(&s, fresh(), Vec::new()).await?;
            page.created = Some((mailbox.address.to_string(), url, secret));
            Ok(render(&page))
        }
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&s, typed, errors).await?))
        }
    }
}

/// Connects to the mailbox's IMAP server and signs in, and shows what happened above the list.
pub(crate) async fn test(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let id = MailboxId::parse(&id).ok_or(PageError::Api(parley_app::AppError::NotFound.into()))?;
    let check = match email::test_imap(&s.ctx, &s.caller(), id).await {
        Ok(c) => c,
        Err(e) => {
            let errors = refusals(e)?;
            return Ok(refused(&build(&s, fresh(), errors).await?));
        }
    };
    let mut page = build(&s, fresh(), Vec::new()).await?;
    page.tested = Some((id.to_string(), check.ok, check.detail));
    Ok(render(&page))
}
