//! The audit log page for administrators: entries newest first, filtered by action and actor, with the state of
//! the hash chain on top and a download of what is shown as JSON lines.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use parley_app::audit;
use parley_domain::audit::{AuditAction, AuditActor, Verification};
use parley_store::AuditFilter;
use serde::Deserialize;

const PAGE: i64 = 50;

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    before: Option<i64>,
    /// Check the whole chain: it reads every entry, so only when asked.
    #[serde(default)]
    verify: Option<String>,
}

impl AuditQuery {
    /// Filters from the form; values that are not what the form offers are ignored, not trusted.
    fn filter(&self) -> AuditFilter {
        let action = AuditAction::ALL.iter().map(|a| a.as_str()).chain(["login."]).find(|a| *a == self.action);
        AuditFilter {
            action_prefix: action.map(str::to_string),
            actor: AuditActor::parse(self.actor.trim()).map(|a| a.as_string()),
            beyond_seq: self.before.filter(|b| *b > 0),
            limit: PAGE + 1,
            ..Default::default()
        }
    }
}

pub(crate) struct Line {
    seq: i64,
    when: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    chain: Option<Verification>,
    verify_link: String,
    actions: Vec<&'static str>,
    action: String,
    actor: String,
    lines: Vec<Line>,
    older: Option<String>,
    export: String,
}

pub(crate) async fn page(s: AgentSession, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    let caller = s.caller();
    let mut entries = audit::list(&s.ctx, &caller, &q.filter()).await?;
    let chain = match q.verify.as_deref() {
        Some("1") => Some(audit::verify(&s.ctx, Some(&caller)).await?),
        _ => None,
    };
    let more = entries.len() as i64 > PAGE;
    entries.truncate(PAGE as usize);
    let query = format!("action={}&actor={}", crate::query::encode(&q.action), crate::query::encode(&q.actor));
    let older = if more { entries.last().map(|e| format!("/audit?{query}&before={}", e.seq)) } else { None };
    let lines = entries
        .into_iter()
        .map(|e| Line {
            seq: e.seq,
            when: e.at.to_display(),
            actor: e.actor,
            action: e.action,
            target: e.target.unwrap_or_default(),
            detail: if e.detail.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                e.detail.to_string()
            },
            ip: e.ip.unwrap_or_default(),
        })
        .collect();
    Ok(render(&AuditPage {
        shell: Shell::build(&s, "settings", Some("audit")).await?,
        chain,
        verify_link: format!("/audit?{query}&verify=1"),
        actions: AuditAction::ALL.iter().map(|a| a.as_str()).collect(),
        action: q.action,
        actor: q.actor,
        lines,
        older,
        export: format!("/audit/export?{query}"),
    }))
}

/// What the page's filters match, as JSON lines; recorded like an export through the API.
pub(crate) async fn export(s: AgentSession, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    let filter = AuditFilter { beyond_seq: None, ..q.filter() };
    let entries = audit::export(&s.ctx, &s.caller(), &filter).await?;
    Ok(crate::api::audit_json_lines(s.ctx.slug.as_str(), &entries)?)
}
