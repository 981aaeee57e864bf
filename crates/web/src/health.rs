//! `GET /healthz`: for load balancers (any status but 200 takes the process out) and operators: whether the
//! process serves, and how far each region's derived work is behind (the search backlog, SQLite's write-ahead log).

use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// Always 200 while the process serves: a backlog is the region's, shared by every process serving it, and taking
/// processes out would not shorten it. It is reported instead, as last counted by this process's indexer.
pub(crate) async fn health(State(state): State<AppState>) -> Json<Value> {
    let regions: Vec<Value> = state
        .app
        .indexing
        .backlogs()
        .into_iter()
        .map(|b| {
            json!({
                "place": b.place,
                "search_backlog": b.waiting,
                "wal_bytes": b.wal_bytes,
                "search_behind": b.behind,
                "refusing_new_tickets": b.refusing,
            })
        })
        .collect();
    let behind = regions.iter().any(|r| r["search_behind"] == json!(true));
    Json(json!({"status": if behind { "behind" } else { "ok" }, "regions": regions}))
}
