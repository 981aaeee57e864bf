//! Business hours: the account's calendars, made, changed and deleted by administrators (every change audited),
//! read by every agent, and the hours a ticket is timed by (its department's, else the account's default).
//!
//! The first calendar an account makes becomes its default, as in Zendesk: the default is what SLA targets in
//! business hours count by when the ticket's department has no hours of its own.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::business_hours::{BusinessHours, Calendar, CalendarInput, HolidayInput, PeriodInput};
use parley_domain::error::Checker;
use parley_domain::ids::{BusinessHoursId, DepartmentId};
use parley_domain::{Invalid, Timestamp};
use serde_json::json;

/// How many calendars an account may keep: a team per time zone or shift, not one per ticket.
pub const MAX_CALENDARS: usize = 100;

/// A change: fields left `None` stay as they are.
#[derive(Debug, Default)]
pub struct HoursPatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub periods: Option<Vec<PeriodInput>>,
    pub holidays: Option<Vec<HolidayInput>>,
    pub default: Option<bool>,
    pub department_ids: Option<Vec<String>>,
}

/// The departments named, each a department of the account, once.
async fn departments(ctx: &AccountCtx, ids: &[String]) -> Result<Vec<DepartmentId>, AppError> {
    let known = ctx.store.list_departments(ctx.account_id).await?;
    let mut errs = Checker::new();
    let mut out: Vec<DepartmentId> = Vec::new();
    for (i, raw) in ids.iter().enumerate() {
        let field = format!("department_ids[{i}]");
        match DepartmentId::parse(raw) {
            Some(d) if known.iter().any(|k| k.id == d) => {
                if out.contains(&d) {
                    errs.add(field, "names a department already listed");
                } else {
                    out.push(d);
                }
            }
            _ => errs.add(field, "is not a department of this account"),
        }
    }
    errs.finish()?;
    Ok(out)
}

/// Audits a change and asks for a new look at the account's open tickets' SLA.
async fn audited(ctx: &AccountCtx, caller: &Caller, h: BusinessHoursId, what: &str) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target(format!("business_hours:{h}"))
        .detail(json!({ "business_hours": what }));
    audit::record(ctx, record).await?;
    // Every open ticket's SLA may read differently now: the watch looks at them again.
    ctx.store.recheck_sla(ctx.account_id, ctx.now()).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn create_business_hours(
    ctx: &AccountCtx,
    caller: &Caller,
    mut input: CalendarInput,
    department_ids: Vec<String>,
) -> Result<BusinessHours, AppError> {
    caller.require_admin()?;
    let existing = ctx.store.list_business_hours(ctx.account_id).await?;
    if existing.len() >= MAX_CALENDARS {
        return Err(AppError::Conflict(format!("an account keeps at most {MAX_CALENDARS} business hours")));
    }
    if !existing.iter().any(|h| h.calendar.is_default()) {
        input.default = true;
    }
    let checked = Calendar::new(&input);
    let departments = departments(ctx, &department_ids).await;
    let (calendar, departments) = both(checked, departments)?;
    let now = ctx.now();
    let h = BusinessHours {
        id: BusinessHoursId::new(),
        account_id: ctx.account_id,
        calendar,
        departments,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_business_hours(&h).await?;
    audited(ctx, caller, h.id, "created").await?;
    Ok(h)
}

/// Both checks' errors at once, so a form names every bad field in one answer.
pub(crate) fn both<A, B>(a: Result<A, Invalid>, b: Result<B, AppError>) -> Result<(A, B), AppError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(Invalid(mut x)), Err(AppError::Invalid(Invalid(y)))) => {
            x.extend(y);
            Err(Invalid(x).into())
        }
        (Err(e), _) => Err(e.into()),
        (_, Err(e)) => Err(e),
    }
}

pub async fn list_business_hours(ctx: &AccountCtx) -> Result<Vec<BusinessHours>, AppError> {
    Ok(ctx.store.list_business_hours(ctx.account_id).await?)
}

pub async fn get_business_hours(ctx: &AccountCtx, id: BusinessHoursId) -> Result<BusinessHours, AppError> {
    ctx.store.get_business_hours(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn update_business_hours(
    ctx: &AccountCtx,
    caller: &Caller,
    id: BusinessHoursId,
    patch: HoursPatch,
) -> Result<BusinessHours, AppError> {
    caller.require_admin()?;
    let old = get_business_hours(ctx, id).await?;
    let mut input = old.calendar.to_input();
    if let Some(v) = patch.name {
        input.name = v;
    }
    if let Some(v) = patch.time_zone {
        input.time_zone = v;
    }
    if let Some(v) = patch.periods {
        input.periods = v;
    }
    if let Some(v) = patch.holidays {
        input.holidays = v;
    }
    if let Some(v) = patch.default {
        input.default = v;
    }
    let checked = Calendar::new(&input);
    let departments = match &patch.department_ids {
        Some(ids) => departments(ctx, ids).await,
        None => Ok(old.departments.clone()),
    };
    let (calendar, departments) = both(checked, departments)?;
    let h = BusinessHours { calendar, departments, updated_at: ctx.now(), ..old };
    ctx.store.update_business_hours(&h).await?;
    audited(ctx, caller, h.id, "changed").await?;
    Ok(h)
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn delete_business_hours(ctx: &AccountCtx, caller: &Caller, id: BusinessHoursId) -> Result<(), AppError> {
    caller.require_admin()?;
    // A policy counting in these hours would silently fall back to others: it must be changed first.
    let own = id.to_string();
    let users = ctx.store.list_sla_policies(ctx.account_id).await?;
    if let Some(p) = users.iter().find(|p| p.policy.business_hours_id() == Some(own.as_str())) {
        return Err(AppError::Conflict(format!(
            "the SLA policy {} counts in these business hours; give it others first",
            p.policy.name()
        )));
    }
    ctx.store.delete_business_hours(ctx.account_id, id).await?;
    audited(ctx, caller, id, "deleted").await
}

/// The hours a ticket of `department` is timed by: the department's, else the account's default, else around the
/// clock.
pub async fn calendar_for(ctx: &AccountCtx, department: Option<DepartmentId>) -> Result<Calendar, AppError> {
    Ok(ctx.store.business_hours_for(ctx.account_id, department).await?.map_or_else(Calendar::always, |h| h.calendar))
}

/// When `minutes` of the calendar's business time have passed after `from`, and whether it is open at `from`: for
/// an administrator trying a calendar out before targets count by it.
pub struct Due {
    pub due_at: Option<Timestamp>,
    pub open: bool,
}

/// The longest target asked about: a year of minutes.
const MAX_MINUTES: i64 = 366 * 24 * 60;

pub fn due(h: &BusinessHours, from: Timestamp, minutes: i64) -> Result<Due, Invalid> {
    if !(0..=MAX_MINUTES).contains(&minutes) {
        return Err(Invalid::field("minutes", format!("must be a whole number from 0 to {MAX_MINUTES}")));
    }
    Ok(Due { due_at: h.calendar.add(from, minutes * 60_000), open: h.calendar.is_open(from) })
}
