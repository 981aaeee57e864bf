//! The lists of tickets: one view at a time (built-in, a department's or a saved one) with the view's columns, in
//! the order a column's header asks for. Selecting rows, bulk changes and live rows are the page's script's.

use super::session::{render, AgentSession, PageError};
use super::shell::{view_label, Shell};
use crate::query::encode;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use parley_app::people;
use parley_app::sla_ticket::sla_due_of;
use parley_app::tickets::{self as uc, ListTickets};
use parley_domain::contact::Contact;
use parley_domain::sla::SlaSummary;
use parley_domain::ticket::{Priority, Status, Ticket};
use parley_domain::view::{Column, Sort, SortKey};
use parley_store::{SlaDue, TicketFilter};
use serde::Deserialize;
use std::collections::HashMap;

/// One row of a ticket list, as the server renders it and as the page's script fills the same template live.
pub(crate) struct Row {
    id: String,
    number: i64,
    version: i64,
    subject: String,
    requester: String,
    status: &'static str,
    status_label: String,
    priority: &'static str,
    priority_label: String,
    channel: &'static str,
    assignee: String,
    department: String,
    tags: Vec<String>,
    created: String,
    created_iso: String,
    updated: String,
    updated_iso: String,
    /// The soonest SLA due time in the agent's zone, empty when no target runs.
    sla_due: String,
    sla_due_iso: String,
    /// `breached` or `paused` when the row shows a pill for it, else empty.
    sla_state: &'static str,
    sla_state_label: String,
    select_label: String,
}

impl Row {
    /// The row the page's script copies for tickets that arrive live.
    fn blank() -> Row {
        Row {
            id: String::new(),
            number: 0,
            version: 0,
            subject: String::new(),
            requester: String::new(),
            status: "new",
            status_label: String::new(),
            priority: "normal",
            priority_label: String::new(),
            channel: "",
            assignee: String::new(),
            department: String::new(),
            tags: Vec::new(),
            created: String::new(),
            created_iso: String::new(),
            updated: String::new(),
            updated_iso: String::new(),
            sla_due: String::new(),
            sla_due_iso: String::new(),
            sla_state: "",
            sla_state_label: String::new(),
            select_label: String::new(),
        }
    }
}

/// A column's header: its label, and for a column the list can be ordered by, the link that orders it.
pub(crate) struct Header {
    key: &'static str,
    label: String,
    href: Option<String>,
    /// `ascending`, `descending` or `none`, as `aria-sort` takes it.
    aria_sort: &'static str,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    shell: Shell,
    view: String,
    title: String,
    count: Option<String>,
    /// The whole view's size, for "select all in this view" (capped counts are not offered).
    total: Option<u64>,
    columns: Vec<&'static str>,
    headers: Vec<Header>,
    rows: Vec<Row>,
    blank: Row,
    next: Option<String>,
    /// The order asked for (`-updated_at`), kept by the script when it reads more of the view.
    sort: String,
    /// A saved view the agent may change: the page links to its editor.
    editable: bool,
    statuses: Vec<&'static str>,
    priorities: Vec<&'static str>,
    /// Active agents, (id, name), for assigning in bulk.
    agents: Vec<(String, String)>,
    /// Department id → name, for rows that arrive live.
    departments_json: String,
    /// (id, name), by name, for changing them in bulk.
    departments: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    view: Option<String>,
    after: Option<String>,
    sort: Option<String>,
}

/// How many rows a page of a list shows.
const PAGE: u32 = 50;

/// The list of one view, a page at a time with its count. `open` and `all`, the views of the first list, still
/// work for links people kept.
pub(crate) async fn list(s: AgentSession, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let view = match q.view.as_deref() {
        None | Some("open") => "all_open".to_string(),
        Some(v) => v.to_string(),
    };
    let shell = Shell::build(&s, "tickets", Some(&view)).await?;
    let after = q.after.as_deref().map(uc::decode_cursor).transpose()?;
    let asked = q.sort.as_deref().filter(|x| !x.is_empty()).map(|x| Sort::parse("sort", x)).transpose()?;
    let caller = s.caller();
    let (page, title, count, total, sort, saved) = if view == "all" {
        let sort = asked.unwrap_or_default();
        let list = ListTickets {
            filter: TicketFilter::default(),
            sort: sort.key,
            descending: sort.descending,
            after,
            limit: PAGE,
        };
        (uc::list_tickets(&s.ctx, &caller, list).await?, shell.t.get("ws-view-all"), None, None, sort, None)
    } else {
        let v = parley_app::views::view_tickets(&s.ctx, &caller, &view, asked, after, PAGE).await?;
        let title = if v.kind == "built_in" { view_label(shell.t, &view) } else { v.name };
        let count = format!("{}{}", v.count.count, if v.count.capped { "+" } else { "" });
        let total = (!v.count.capped).then_some(v.count.count);
        (v.page, title, Some(count), total, v.sort, v.saved)
    };
    let columns: Vec<Column> = saved.as_ref().map(|v| v.columns.clone()).unwrap_or_else(|| Column::DEFAULT.to_vec());
    let editable = saved.as_ref().is_some_and(|v| {
        if v.shared {
            shell.admin
        } else {
            v.owner_id.is_some() && v.owner_id == parley_app::views::me(&caller)
        }
    });
    let ids: Vec<_> = page.items.iter().map(|t| t.requester_id).collect();
    let contacts: HashMap<_, _> = people::contacts_by_ids(&s.ctx, &ids).await?.into_iter().map(|c| (c.id, c)).collect();
    let agents = people::list_agents(&s.ctx).await?;
    let agent_names: HashMap<_, _> = agents.iter().map(|a| (a.id, a.name.clone())).collect();
    let departments: HashMap<_, _> =
        people::list_departments(&s.ctx).await?.into_iter().map(|d| (d.id, d.name)).collect();
    // Read only when shown: the Ticket does not carry its SLA, and most views do not show it.
    let sla: HashMap<_, _> = if columns.contains(&Column::SlaDue) {
        let ids: Vec<_> = page.items.iter().map(|t| t.id).collect();
        sla_due_of(&s.ctx, &ids).await?.into_iter().map(|d| (d.ticket_id, d)).collect()
    } else {
        HashMap::new()
    };
    let names = Names { contacts: &contacts, agents: &agent_names, departments: &departments, sla: &sla };
    let rows = page.items.iter().map(|tk| row(&shell, tk, &names)).collect();
    let base = format!("/tickets?view={}", encode(&view));
    let sort_param = if q.sort.is_some() { format!("&sort={}", encode(&sort.to_param())) } else { String::new() };
    let next = page.next.as_ref().map(|c| format!("{base}{sort_param}&after={}", uc::encode_cursor(c)));
    let headers = columns.iter().map(|c| header(&shell, *c, &base, sort)).collect();
    let departments_json =
        serde_json::to_string(&departments.iter().map(|(k, v)| (k.to_string(), v)).collect::<HashMap<_, _>>())
            .unwrap_or_default();
    let mut department_list: Vec<(String, String)> =
        departments.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    department_list.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(render(&ListPage {
        departments: department_list,
        view,
        title,
        count,
        total,
        columns: columns.iter().map(|c| c.as_str()).collect(),
        headers,
        rows,
        blank: Row::blank(),
        next,
        sort: sort.to_param(),
        editable,
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
        agents: agents.iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name.clone())).collect(),
        departments_json,
        shell,
    }))
}

/// The names rows show in place of ids.
struct Names<'a> {
    contacts: &'a HashMap<parley_domain::ids::ContactId, Contact>,
    agents: &'a HashMap<parley_domain::ids::AgentId, String>,
    departments: &'a HashMap<parley_domain::ids::DepartmentId, String>,
    sla: &'a HashMap<parley_domain::ids::TicketId, SlaDue>,
}

fn row(shell: &Shell, tk: &Ticket, names: &Names) -> Row {
    let t = &shell.t;
    let sla = names.sla.get(&tk.id);
    let due = sla.and_then(|d| d.due_at);
    // Running is what a due time already says; breached and paused are what an agent must see at a glance.
    let sla_state = match sla.map(|d| d.state) {
        Some(SlaSummary::Breached) => "breached",
        Some(SlaSummary::Paused) => "paused",
        _ => "",
    };
    Row {
        id: tk.id.to_string(),
        number: tk.number.0,
        version: tk.version,
        subject: tk.subject.clone(),
        requester: names.contacts.get(&tk.requester_id).map(display_contact).unwrap_or_default(),
        status: tk.status.as_str(),
        status_label: t.get(&format!("ws-status-{}", tk.status.as_str())),
        priority: tk.priority.as_str(),
        priority_label: t.get(&format!("ws-priority-{}", tk.priority.as_str())),
        channel: tk.channel.as_str(),
        assignee: tk.assignee_id.and_then(|a| names.agents.get(&a).cloned()).unwrap_or_default(),
        department: tk.department_id.and_then(|d| names.departments.get(&d).cloned()).unwrap_or_default(),
        tags: tk.tags.iter().map(|g| g.as_str().to_string()).collect(),
        created: tk.created_at.in_zone(&shell.time_zone),
        created_iso: tk.created_at.to_rfc3339(),
        updated: tk.updated_at.in_zone(&shell.time_zone),
        updated_iso: tk.updated_at.to_rfc3339(),
        sla_due: due.map(|d| d.in_zone(&shell.time_zone)).unwrap_or_default(),
        sla_due_iso: due.map(|d| d.to_rfc3339()).unwrap_or_default(),
        sla_state,
        sla_state_label: if sla_state.is_empty() { String::new() } else { t.get(&format!("ws-sla-state-{sla_state}")) },
        select_label: t.with("ws-select-row", &[("number", tk.number.0.into())]),
    }
}

/// The order a column's header asks for: the other direction when the list is already in its order, else the
/// direction people look for first (newest, most urgent, highest number first; texts, names and statuses A to Z;
/// what is due soonest first).
fn header(shell: &Shell, c: Column, base: &str, current: Sort) -> Header {
    let key = sort_key(c);
    let href = key.map(|k| {
        let descending = if current.key == k {
            !current.descending
        } else {
            !(k.is_text() || matches!(k, SortKey::Status | SortKey::SlaDue))
        };
        format!("{base}&sort={}", encode(&Sort { key: k, descending }.to_param()))
    });
    let aria_sort = match key {
        Some(k) if k == current.key && current.descending => "descending",
        Some(k) if k == current.key => "ascending",
        _ => "none",
    };
    Header { key: c.as_str(), label: shell.t.get(&format!("ws-col-{}", c.as_str().replace('_', "-"))), href, aria_sort }
}

/// The order a column can be listed in, if any (a ticket's tags are a set: no order).
fn sort_key(c: Column) -> Option<SortKey> {
    match c {
        Column::Number => Some(SortKey::Number),
        Column::Subject => Some(SortKey::Subject),
        Column::Status => Some(SortKey::Status),
        Column::Priority => Some(SortKey::Priority),
        Column::CreatedAt => Some(SortKey::CreatedAt),
        Column::UpdatedAt => Some(SortKey::UpdatedAt),
        Column::Requester => Some(SortKey::Requester),
        Column::Assignee => Some(SortKey::Assignee),
        Column::Department => Some(SortKey::Department),
        Column::Channel => Some(SortKey::Channel),
        Column::SlaDue => Some(SortKey::SlaDue),
        Column::Tags => None,
    }
}

/// How a contact is named in lists: their name, else their address.
pub(crate) fn display_contact(c: &Contact) -> String {
    c.name.clone().or_else(|| c.email.as_ref().map(|e| e.to_string())).unwrap_or_default()
}
