//! Listing and counting tickets: filters, an order, and keyset pages that stay fast however deep they go.
//!
//! Statuses, channels and "nobody's" are written into the SQL as literals, not parameters, and in one spelling
//! (statuses in their natural order): the partial indexes of the views (migration 0019) are found by the planners
//! only when the query's terms imply the index's `WHERE`, which SQLite checks term by term and neither engine can
//! do through a parameter. The values come from closed enums, never from the client's text.

use super::TICKET_COLS;
use crate::db::{args, Value};
use crate::url::Engine;
use parley_domain::ids::AccountId;
use parley_domain::ticket::{Priority, Status};
use parley_store::{Assignee, FieldValue, SortKey, SortValue, TicketFilter, TicketQuery};

/// Arguments as they are added, each giving its placeholder.
struct Args(Vec<Value>);

impl Args {
    fn add(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}

/// `status = 'open'` or `status IN ('new', 'open')`, in the spelling the partial indexes use.
fn status_term(list: &[Status]) -> String {
    let picked: Vec<String> =
        Status::ALL.iter().filter(|s| list.contains(s)).map(|s| format!("'{}'", s.as_str())).collect();
    match picked.as_slice() {
        [one] => format!(" AND status = {one}"),
        _ => format!(" AND status IN ({})", picked.join(", ")),
    }
}

/// The ranks of [`parley_domain::view::priority_rank`] and [`parley_domain::view::status_rank`], in SQL.
fn rank(col: &str, names: &[&str]) -> String {
    let whens: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("WHEN '{n}' THEN {i}")).collect();
    format!("CASE {col} {} ELSE {} END", whens.join(" "), names.len())
}

/// Where a ticket without a running SLA target sorts by due time: after every real one.
const NO_DUE: i64 = i64::MAX;

/// The expression a list is ordered by.
fn sort_expr(key: SortKey) -> String {
    match key {
        SortKey::CreatedAt => "created_at".into(),
        SortKey::UpdatedAt => "updated_at".into(),
        SortKey::Number => "number".into(),
        SortKey::Subject => "subject".into(),
        SortKey::Priority => rank("priority", &Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()),
        SortKey::Status => rank("status", &Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        SortKey::Channel => "channel".into(),
        // Tickets with no running target after every due time, soonest first (first the other way round).
        SortKey::SlaDue => format!("COALESCE(sla_due_at, {NO_DUE})"),
        // Names by a lookup of the row's own key (a primary-key read each); '' for nobody, so they come first.
        SortKey::Requester => "COALESCE((SELECT COALESCE(c.name, c.email, '') FROM contacts c \
                               WHERE c.id = tickets.requester_id AND c.account_id = tickets.account_id), '')"
            .into(),
        SortKey::Assignee => "COALESCE((SELECT a.name FROM agents a \
                              WHERE a.id = tickets.assignee_id AND a.account_id = tickets.account_id), '')"
            .into(),
        SortKey::Department => "COALESCE((SELECT d.name FROM departments d \
                                WHERE d.id = tickets.department_id AND d.account_id = tickets.account_id), '')"
            .into(),
    }
}

/// The ticket's value under `key`, as the lists compare it: numbers as 64-bit integers on both engines.
pub(super) fn sort_value_sql(key: SortKey) -> String {
    let expr = sort_expr(key);
    let expr = if key.is_text() { expr } else { format!("CAST({expr} AS BIGINT)") };
    format!("SELECT {expr} AS v FROM tickets WHERE account_id = $1 AND id = $2")
}

/// `WHERE …` for the filter, account first; `$1` is the account.
fn conditions(engine: Engine, account: AccountId, f: &TicketFilter) -> (String, Args) {
    let mut sql = String::from(" WHERE account_id = $1");
    let mut a = Args(args![account.to_string()]);
    if !f.status.is_empty() {
        sql.push_str(&status_term(&f.status));
    }
    if !f.priority.is_empty() {
        let list: Vec<String> = f.priority.iter().map(|p| a.add(p.as_str())).collect();
        sql.push_str(&format!(" AND priority IN ({})", list.join(", ")));
    }
    match &f.assignee {
        Some(Assignee::Agent(x)) => sql.push_str(&format!(" AND assignee_id = {}", a.add(x.to_string()))),
        Some(Assignee::Nobody) => sql.push_str(" AND assignee_id IS NULL"),
        Some(Assignee::Anyone) => sql.push_str(" AND assignee_id IS NOT NULL"),
        None => {}
    }
    match &f.department {
        Some(Some(d)) => sql.push_str(&format!(" AND department_id = {}", a.add(d.to_string()))),
        Some(None) => sql.push_str(" AND department_id IS NULL"),
        None => {}
    }
    if let Some(visible) = &f.visible_departments {
        let list: Vec<String> = visible.iter().map(|d| a.add(d.to_string())).collect();
        if list.is_empty() {
            sql.push_str(" AND department_id IS NULL");
        } else {
            sql.push_str(&format!(" AND (department_id IS NULL OR department_id IN ({}))", list.join(", ")));
        }
    }
    if let Some(only) = &f.only_departments {
        let list: Vec<String> = only.iter().map(|d| a.add(d.to_string())).collect();
        if list.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND department_id IN ({})", list.join(", ")));
        }
    }
    if let Some(only) = &f.only_tickets {
        let list: Vec<String> = only.iter().map(|t| a.add(t.to_string())).collect();
        if list.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND id IN ({})", list.join(", ")));
        }
    }
    if let Some(r) = &f.requester {
        sql.push_str(&format!(" AND requester_id = {}", a.add(r.to_string())));
    }
    if let Some(c) = &f.company {
        let p = a.add(c.to_string());
        sql.push_str(&format!(
            " AND requester_id IN (SELECT id FROM contacts WHERE account_id = $1 AND company_id = {p})"
        ));
    }
    if let Some(ch) = &f.channel {
        sql.push_str(&format!(" AND channel = '{}'", ch.as_str()));
    }
    if !f.sla.is_empty() {
        // Closed words, written as literals like the statuses.
        let list: Vec<String> = f.sla.iter().map(|s| format!("'{}'", s.as_str())).collect();
        sql.push_str(&format!(" AND sla_state IN ({})", list.join(", ")));
    }
    if let Some(before) = f.sla_due_before {
        sql.push_str(&format!(" AND sla_due_at < {}", a.add(before.millis())));
    }
    if let Some(tag) = &f.tag {
        let p = a.add(tag.as_str());
        sql.push_str(&format!(" AND id IN (SELECT ticket_id FROM ticket_tags WHERE account_id = $1 AND tag = {p})"));
    }
    for (key, value) in &f.custom_fields {
        // Keys are `[a-z][a-z0-9_]*` (checked when parsed), values always parameters.
        let (left, right) = match (engine, value) {
            (Engine::Sqlite, FieldValue::Text(v)) => {
                (format!("json_extract(custom_fields, {})", a.add(format!("$.{key}"))), a.add(v.as_str()))
            }
            (Engine::Sqlite, FieldValue::Number(n)) => (
                format!("json_extract(custom_fields, {})", a.add(format!("$.{key}"))),
                format!("CAST({} AS REAL)", a.add(n.to_string())),
            ),
            (Engine::Postgres, FieldValue::Text(v)) => {
                (format!("(custom_fields::jsonb ->> {})", a.add(key.as_str())), a.add(v.as_str()))
            }
            (Engine::Postgres, FieldValue::Number(n)) => (
                format!("(custom_fields::jsonb -> {})", a.add(key.as_str())),
                format!("{}::jsonb", a.add(n.to_string())),
            ),
        };
        sql.push_str(&format!(" AND {left} = {right}"));
    }
    let mut range = |col: &str, op: &str, t: Option<parley_domain::Timestamp>| {
        if let Some(t) = t {
            let p = a.add(t.millis());
            sql.push_str(&format!(" AND {col} {op} {p}"));
        }
    };
    range("created_at", ">=", f.created_after);
    range("created_at", "<", f.created_before);
    range("updated_at", ">=", f.updated_after);
    range("updated_at", "<", f.updated_before);
    (sql, a)
}

/// The query and its arguments.
pub(super) fn sql(engine: Engine, account: AccountId, q: &TicketQuery) -> (String, Vec<Value>) {
    let (cond, mut a) = conditions(engine, account, &q.filter);
    let col = sort_expr(q.sort);
    let (cmp, dir) = if q.descending { ("<", "DESC") } else { (">", "ASC") };
    let after = q.after.as_ref().map(|after| {
        let v = match &after.value {
            SortValue::Int(n) => a.add(*n),
            SortValue::Text(s) => a.add(s.as_str()),
        };
        (v, a.add(after.id.to_string()))
    });
    let order = format!(" ORDER BY {col} {dir}, id {dir}");
    let limit = q.limit.clamp(1, 1001);
    if let Some((table, key, name)) = name_join(q.sort) {
        // Ordered by a name: the filter's tickets joined to the names (a hash join on PostgreSQL, where a lookup
        // per ticket cost seconds at 150,000 tickets), sorted by name and id alone, then the page's rows read.
        let page_after = after.map(|(v, i)| format!(" WHERE ({name}, f.id) {cmp} ({v}, {i})")).unwrap_or_default();
        let inner = format!(
            "SELECT f.id FROM (SELECT id, account_id, {key} AS k FROM tickets{cond}) f \
             LEFT JOIN {table} j ON j.id = f.k AND j.account_id = f.account_id{page_after} \
             ORDER BY {name} {dir}, f.id {dir} LIMIT {limit}"
        );
        let sql = format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND id IN ({inner}){order}");
        return (sql, a.0);
    }
    let page_after = after.map(|(v, i)| format!(" AND ({col}, id) {cmp} ({v}, {i})")).unwrap_or_default();
    if indexed(q.sort) {
        return (format!("SELECT {TICKET_COLS} FROM tickets{cond}{page_after}{order} LIMIT {limit}"), a.0);
    }
    // No index holds this order: every ticket of the filter is read and sorted. Sorting only its key and id, then
    // reading the page's rows, keeps the sort from carrying every column of every ticket.
    let inner = format!("SELECT id FROM tickets{cond}{page_after}{order} LIMIT {limit}");
    (format!("SELECT {TICKET_COLS} FROM tickets WHERE account_id = $1 AND id IN ({inner}){order}"), a.0)
}

/// For an order by a name: the table holding it, the ticket's column naming the row, and the name as compared
/// (`j` the joined row) — the same value as [`sort_expr`]'s lookup gives.
fn name_join(key: SortKey) -> Option<(&'static str, &'static str, &'static str)> {
    match key {
        SortKey::Requester => Some(("contacts", "requester_id", "COALESCE(j.name, j.email, '')")),
        SortKey::Assignee => Some(("agents", "assignee_id", "COALESCE(j.name, '')")),
        SortKey::Department => Some(("departments", "department_id", "COALESCE(j.name, '')")),
        _ => None,
    }
}

/// Whether the views' indexes hold the order (times and numbers), so that a page reads a page of entries.
fn indexed(key: SortKey) -> bool {
    matches!(key, SortKey::UpdatedAt | SortKey::CreatedAt | SortKey::Number)
}

/// Counts the filter's tickets, stopping after `cap + 1`: a count that reads at most that many index entries,
/// whatever the account holds.
pub(crate) fn count_sql(engine: Engine, account: AccountId, f: &TicketFilter, cap: u64) -> (String, Vec<Value>) {
    let (cond, a) = conditions(engine, account, f);
    (format!("SELECT COUNT(*) AS n FROM (SELECT 1 FROM tickets{cond} LIMIT {}) capped", cap.saturating_add(1)), a.0)
}
