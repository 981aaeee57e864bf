//! Views: the built-in ticket lists, the views agents save, and their counts.
//!
//! Counts are capped: exact up to [`COUNT_CAP`], past it "10,000+" (`capped: true`), as Zendesk and Freshdesk show
//! them. A count then reads at most 10,001 entries of the view's index, whatever the account holds, so it costs
//! about what a first page costs: measured at 1,000,000 tickets by `parley-loadgen views`. An exact COUNT(*) of
//! half a million open tickets reads half a million entries (hundreds of milliseconds on either engine), and
//! counters kept per view would have to follow every ticket change for every saved filter a user can make; nobody
//! works a queue differently at 10,000 and 500,000.

mod list;
mod saved;
mod tickets;

pub use list::{list_views, view_entries, ViewEntry, ViewSummary};
pub use saved::{create_view, delete_view, get_view, update_view, ViewInput, ViewPatch};
pub use tickets::{view_tickets, ViewPage};

use crate::{AccountCtx, AppError, Caller};
use parley_domain::custom_field::FieldKind;
use parley_domain::error::Checker;
use parley_domain::ids::AgentId;
use parley_domain::view::{AssigneeMatch, DepartmentMatch, ViewFilters};
use parley_store::{Assignee, FieldValue, TicketFilter};
use serde_json::Value;

/// Counts stop here: see the module's doc.
pub const COUNT_CAP: u64 = 10_000;

/// How the filters' fields are named in errors: as query parameters of `GET /tickets`, or inside a view's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterNames {
    Query,
    Json,
}

impl FilterNames {
    fn of(self, filter: &str) -> String {
        match self {
            FilterNames::Query => filter.to_string(),
            FilterNames::Json => format!("filters.{filter}"),
        }
    }

    fn field(self, key: &str) -> String {
        match self {
            FilterNames::Query => format!("field[{key}]"),
            FilterNames::Json => format!("filters.custom_fields.{key}"),
        }
    }
}

/// The agent "me" means: the agent calling, or the agent an API key belongs to.
pub fn me(caller: &Caller) -> Option<AgentId> {
    match caller {
        Caller::Agent(a) => Some(a.id),
        Caller::ApiKey(k) => k.created_by,
        Caller::Staff { .. } => None,
    }
}

/// The store's filter for `f` as `caller` sees it: "me" becomes the caller's agent, custom field values are read as
/// their fields' types. With `strict` (a view being saved), the agents, departments, contacts and companies named
/// must exist in the account; a list filtered on an unknown one is merely empty.
pub async fn resolve(
    ctx: &AccountCtx,
    caller: &Caller,
    f: &ViewFilters,
    names: FilterNames,
    strict: bool,
) -> Result<TicketFilter, AppError> {
    let mut errs = Checker::new();
    let assignee = match f.assignee {
        None => None,
        Some(AssigneeMatch::Me) => match me(caller) {
            Some(a) => Some(Assignee::Agent(a)),
            None => {
                errs.add(names.of("assignee"), "`me` needs a caller who is an agent; this one is not");
                None
            }
        },
        Some(AssigneeMatch::Nobody) => Some(Assignee::Nobody),
        Some(AssigneeMatch::Anyone) => Some(Assignee::Anyone),
        Some(AssigneeMatch::Agent(a)) => {
            if strict && ctx.store.get_agent(ctx.account_id, a).await?.is_none() {
                errs.add(names.of("assignee"), "is not an agent of this account");
            }
            Some(Assignee::Agent(a))
        }
    };
    let department = match f.department {
        None => None,
        Some(DepartmentMatch::Nobody) => Some(None),
        Some(DepartmentMatch::Department(d)) => {
            if strict && ctx.store.get_department(ctx.account_id, d).await?.is_none() {
                errs.add(names.of("department"), "is not a department of this account");
            }
            Some(Some(d))
        }
    };
    if strict {
        if let Some(c) = f.requester {
            if ctx.store.get_contact(ctx.account_id, c).await?.is_none() {
                errs.add(names.of("requester"), "is not a contact of this account");
            }
        }
        if let Some(c) = f.company {
            if ctx.store.get_company(ctx.account_id, c).await?.is_none() {
                errs.add(names.of("company"), "is not a company of this account");
            }
        }
    }
    let mut custom_fields = Vec::new();
    if !f.custom_fields.is_empty() {
        let defined = ctx.store.list_fields(ctx.account_id).await?;
        for (key, v) in &f.custom_fields {
            let name = names.field(key);
            let Some(def) = defined.iter().find(|d| &d.key == key) else {
                errs.add(name, "is not a custom field of this account (see /api/v1/ticket-fields)");
                continue;
            };
            match (&def.kind, v) {
                (FieldKind::Number, v) => {
                    let n = match v {
                        Value::Number(n) => n.as_f64(),
                        Value::String(s) => s.trim().parse::<f64>().ok(),
                        _ => None,
                    };
                    match n.filter(|n| n.is_finite()) {
                        Some(n) => custom_fields.push((key.clone(), FieldValue::Number(n))),
                        None => errs.add(name, "must be a number"),
                    }
                }
                (kind, v) => {
                    // Query parameters are text: a number given for a text field is its digits.
                    let v = match v {
                        Value::Number(n) => Value::String(n.to_string()),
                        other => other.clone(),
                    };
                    match kind.check_value(key, &v) {
                        Ok(Value::String(s)) => custom_fields.push((key.clone(), FieldValue::Text(s))),
                        Ok(_) => errs.add(name, "must be a string"),
                        Err(e) => {
                            errs.check::<()>(Err(e.at(&name)));
                        }
                    }
                }
            }
        }
    }
    errs.finish()?;
    Ok(TicketFilter {
        status: f.status.clone(),
        priority: f.priority.clone(),
        assignee,
        department,
        tag: f.tag.clone(),
        requester: f.requester,
        company: f.company,
        channel: f.channel,
        custom_fields,
        created_after: f.created_after,
        created_before: f.created_before,
        updated_after: f.updated_after,
        updated_before: f.updated_before,
        sla: f.sla.clone(),
        sla_due_before: f.sla_due_before,
        ..TicketFilter::default()
    })
}
