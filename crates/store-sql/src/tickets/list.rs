//! Listing tickets: filters, an order, and keyset pages that stay fast however deep they go.

use super::{TicketRow, TICKET_COLS};
use crate::error::SqlResultExt;
use parley_domain::ids::AccountId;
use parley_domain::ticket::Ticket;
use parley_store::{SortKey, StoreError, TicketQuery};
use sqlx::AnyPool;

enum Bind {
    Text(String),
    Int(i64),
}

struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn text(&mut self, v: String) -> String {
        self.binds.push(Bind::Text(v));
        format!("${}", self.binds.len())
    }

    fn int(&mut self, v: i64) -> String {
        self.binds.push(Bind::Int(v));
        format!("${}", self.binds.len())
    }
}

pub(super) async fn list(pool: &AnyPool, account: AccountId, q: &TicketQuery) -> Result<Vec<Ticket>, StoreError> {
    let mut sql = Sql { text: format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1"), binds: Vec::new() };
    sql.binds.push(Bind::Text(account.to_string()));
    let f = &q.filter;
    if !f.status.is_empty() {
        let list: Vec<String> = f.status.iter().map(|s| sql.text(s.as_str().to_string())).collect();
        sql.text.push_str(&format!(" AND status IN ({})", list.join(", ")));
    }
    match &f.assignee {
        Some(Some(a)) => {
            let p = sql.text(a.to_string());
            sql.text.push_str(&format!(" AND assignee_id = {p}"));
        }
        Some(None) => sql.text.push_str(" AND assignee_id IS NULL"),
        None => {}
    }
    match &f.department {
        Some(Some(d)) => {
            let p = sql.text(d.to_string());
            sql.text.push_str(&format!(" AND department_id = {p}"));
        }
        Some(None) => sql.text.push_str(" AND department_id IS NULL"),
        None => {}
    }
    if let Some(visible) = &f.visible_departments {
        let list: Vec<String> = visible.iter().map(|d| sql.text(d.to_string())).collect();
        if list.is_empty() {
            sql.text.push_str(" AND department_id IS NULL");
        } else {
            sql.text.push_str(&format!(" AND (department_id IS NULL OR department_id IN ({}))", list.join(", ")));
        }
    }
    if let Some(r) = &f.requester {
        let p = sql.text(r.to_string());
        sql.text.push_str(&format!(" AND requester_id = {p}"));
    }
    if let Some(ch) = &f.channel {
        let p = sql.text(ch.as_str().to_string());
        sql.text.push_str(&format!(" AND channel = {p}"));
    }
    if let Some(tag) = &f.tag {
        let p = sql.text(tag.as_str().to_string());
        sql.text
            .push_str(&format!(" AND id IN (SELECT ticket_id FROM ticket_tags WHERE account_id = $1 AND tag = {p})"));
    }
    let col = match q.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
    };
    let (cmp, dir) = if q.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(after) = &q.after {
        let v = sql.int(after.value);
        let i = sql.text(after.id.to_string());
        sql.text.push_str(&format!(" AND ({col}, id) {cmp} ({v}, {i})"));
    }
    sql.text.push_str(&format!(" ORDER BY {col} {dir}, id {dir} LIMIT {}", q.limit.clamp(1, 1001)));

    let mut query = sqlx::query_as::<_, TicketRow>(&sql.text);
    for b in sql.binds {
        query = match b {
            Bind::Text(s) => query.bind(s),
            Bind::Int(i) => query.bind(i),
        };
    }
    query.fetch_all(pool).await.db()?.into_iter().map(Ticket::try_from).collect()
}
