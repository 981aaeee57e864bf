//! `GET /api/v1/search`: the account's tickets the caller may see that match a query, best first, each with a
//! highlighted piece of its text.

use crate::api::tickets::TicketOut;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::search::{search_tickets, SearchInput};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new().route("/search", get(search))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    q: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    as_you_type: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SearchHit {
    ticket: TicketOut,
    /// A piece of the ticket's text around what matched: HTML-escaped, with hits in `<mark>`.
    snippet: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SearchResults {
    results: Vec<SearchHit>,
}

/// Search tickets: words match any form of themselves (English, German, Hungarian stems), `"two words"` is a
/// phrase, `word*` a prefix, `#1042` a number; in subject, messages, requester name and email, tags and number.
#[utoipa::path(get, path = "/api/v1/search", tag = "tickets", security(("api_key" = [])),
    params(
        ("q" = String, Query, description = "The query"),
        ("status" = Option<String>, Query, description = "One status or several, comma-separated"),
        ("assignee" = Option<String>, Query, description = "An agent id, or `none`"),
        ("tag" = Option<String>, Query, description = "Tickets with this tag"),
        ("from" = Option<String>, Query, description = "Created on or after (YYYY-MM-DD or RFC 3339)"),
        ("to" = Option<String>, Query, description = "Created on or before (YYYY-MM-DD or RFC 3339)"),
        ("limit" = Option<u32>, Query, description = "1 to 100, default 20"),
        ("as_you_type" = Option<bool>, Query, description = "The last word is a prefix (suggestions)"),
    ),
    responses((status = 200, body = SearchResults), (status = 422, body = Problem)))]
pub(crate) async fn search(
    api: ApiCaller,
    q: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<SearchResults>> {
    let Query(p) = q.map_err(|e| {
        crate::error::ApiError::from(parley_app::AppError::Invalid(parley_domain::Invalid::field(
            "query",
            e.body_text(),
        )))
    })?;
    let input = SearchInput {
        q: p.q,
        as_you_type: p.as_you_type.unwrap_or(false),
        status: p.status.map(|s| s.split(',').map(|x| x.trim().to_string()).collect()).unwrap_or_default(),
        assignee: p.assignee,
        tag: p.tag,
        from: p.from,
        to: p.to,
        limit: p.limit,
    };
    let hits = search_tickets(&api.ctx, &api.caller, input).await?;
    let results =
        hits.into_iter().map(|h| SearchHit { ticket: TicketOut::bare(h.ticket), snippet: h.snippet }).collect();
    Ok(Json(SearchResults { results }))
}
