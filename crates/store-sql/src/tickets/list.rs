//! Listing tickets: filters, an order, and keyset pages that stay fast however deep they go.

use super::TICKET_COLS;
use crate::db::{args, Value};
use parley_domain::ids::AccountId;
use parley_store::{SortKey, TicketQuery};

/// The query and its arguments.
pub(super) fn sql(account: AccountId, q: &TicketQuery) -> (String, Vec<Value>) {
    let mut sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1");
    let mut a = args![account.to_string()];
    let param = |a: &mut Vec<Value>, v: Value| {
        a.push(v);
        format!("${}", a.len())
    };
    let f = &q.filter;
    if !f.status.is_empty() {
        let list: Vec<String> = f.status.iter().map(|s| param(&mut a, Value::from(s.as_str()))).collect();
        sql.push_str(&format!(" AND status IN ({})", list.join(", ")));
    }
    match &f.assignee {
        Some(Some(x)) => sql.push_str(&format!(" AND assignee_id = {}", param(&mut a, Value::from(x.to_string())))),
        Some(None) => sql.push_str(" AND assignee_id IS NULL"),
        None => {}
    }
    match &f.department {
        Some(Some(d)) => sql.push_str(&format!(" AND department_id = {}", param(&mut a, Value::from(d.to_string())))),
        Some(None) => sql.push_str(" AND department_id IS NULL"),
        None => {}
    }
    if let Some(visible) = &f.visible_departments {
        let list: Vec<String> = visible.iter().map(|d| param(&mut a, Value::from(d.to_string()))).collect();
        if list.is_empty() {
            sql.push_str(" AND department_id IS NULL");
        } else {
            sql.push_str(&format!(" AND (department_id IS NULL OR department_id IN ({}))", list.join(", ")));
        }
    }
    if let Some(only) = &f.only_departments {
        let list: Vec<String> = only.iter().map(|d| param(&mut a, Value::from(d.to_string()))).collect();
        if list.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND department_id IN ({})", list.join(", ")));
        }
    }
    if let Some(only) = &f.only_tickets {
        let list: Vec<String> = only.iter().map(|t| param(&mut a, Value::from(t.to_string()))).collect();
        if list.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND id IN ({})", list.join(", ")));
        }
    }
    if let Some(r) = &f.requester {
        sql.push_str(&format!(" AND requester_id = {}", param(&mut a, Value::from(r.to_string()))));
    }
    if let Some(ch) = &f.channel {
        sql.push_str(&format!(" AND channel = {}", param(&mut a, Value::from(ch.as_str()))));
    }
    if let Some(tag) = &f.tag {
        let p = param(&mut a, Value::from(tag.as_str()));
        sql.push_str(&format!(" AND id IN (SELECT ticket_id FROM ticket_tags WHERE account_id = $1 AND tag = {p})"));
    }
    let col = match q.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
    };
    let (cmp, dir) = if q.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(after) = &q.after {
        let v = param(&mut a, Value::Int(after.value));
        let i = param(&mut a, Value::from(after.id.to_string()));
        sql.push_str(&format!(" AND ({col}, id) {cmp} ({v}, {i})"));
    }
    sql.push_str(&format!(" ORDER BY {col} {dir}, id {dir} LIMIT {}", q.limit.clamp(1, 1001)));
    (sql, a)
}
