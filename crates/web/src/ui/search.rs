//! The agents' search page: a query and a status filter, the tickets they may see that match, with snippets.

use super::session::{render, AgentSession, PageError};
use super::shell::Shell;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use parley_app::search::{search_tickets, SearchInput};
use parley_app::AppError;
use serde::Deserialize;

struct HitRow {
    number: i64,
    subject: String,
    status: &'static str,
    /// Escaped by the domain; hits in `<mark>`.
    snippet: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    status: String,
    statuses: [&'static str; 6],
    hits: Vec<HitRow>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
}

pub(crate) async fn page(s: AgentSession, Query(p): Query<SearchQuery>) -> Result<Response, PageError> {
    let mut hits = Vec::new();
    let mut error = None;
    if !p.q.trim().is_empty() {
        let status = if p.status.is_empty() { vec![] } else { vec![p.status.clone()] };
        let input = SearchInput { q: p.q.clone(), status, ..SearchInput::default() };
        match search_tickets(&s.ctx, &s.caller(), input).await {
            Ok(found) => {
                hits = found
                    .into_iter()
                    .map(|h| HitRow {
                        number: h.ticket.number.0,
                        subject: h.ticket.subject.clone(),
                        status: h.ticket.status.as_str(),
                        snippet: h.snippet,
                    })
                    .collect()
            }
            Err(AppError::Invalid(i)) => error = Some(i.to_string()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render(&SearchPage {
        shell: Shell::build(&s, "tickets", None).await?,
        q: p.q,
        status: p.status,
        statuses: ["new", "open", "pending", "resolved", "closed", "spam"],
        hits,
        error,
    }))
}
