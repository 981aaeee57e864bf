//! `/settings/business-hours`: the account's calendars, and a form to make or change one. A weekday's periods are
//! typed on one line (`08:00-12:00, 13:00-17:00`), holidays one per row (a date, an optional last date, a name,
//! every year or once). The form is turned into the API's shape and checked by the same use case; what it refuses
//! is named by weekday and holiday, not by the API's indexes.

use super::{frame, refusals, refused, Choice, Fields};
use crate::api::path_id;
use crate::ui::profile::COMMON_ZONES;
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::business_hours::{self as uc, HoursPatch};
use parley_app::people;
use parley_domain::business_hours::{BusinessHours, CalendarInput, HolidayInput, PeriodInput};
use parley_domain::ids::BusinessHoursId;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Empty holiday rows a form offers beyond those the calendar has.
const SPARE_HOLIDAYS: usize = 3;

/// A calendar as a row of the list.
pub(crate) struct Row {
    id: String,
    name: String,
    time_zone: String,
    default: bool,
    /// `Mon 08:00–12:00, 13:00–17:00; Tue …`
    week: String,
    holidays: usize,
    departments: String,
}

#[derive(Template)]
#[template(path = "settings_business_hours.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
}

/// A weekday's line of the form: (key, label, periods as typed).
type DayLine = (&'static str, String, String);

/// A holiday's row of the form: (date, last date, name, every year).
type HolidayLine = (String, String, String, bool);

#[derive(Template)]
#[template(path = "settings_business_hours_edit.html")]
struct EditPage {
    shell: Shell,
    /// `None` for a new calendar.
    id: Option<String>,
    name: String,
    time_zone: String,
    zones: &'static [&'static str],
    default: bool,
    days: Vec<DayLine>,
    holidays: Vec<HolidayLine>,
    departments: Vec<Choice>,
    errors: Vec<String>,
}

fn day_label(shell: &Shell, day: &str) -> String {
    shell.t.get(&format!("ws-bh-day-{day}"))
}

/// One weekday's periods as a line: `08:00-12:00, 13:00-17:00`.
fn periods_line(input: &CalendarInput, day: &str) -> String {
    let parts: Vec<String> =
        input.periods.iter().filter(|p| p.day == day).map(|p| format!("{}-{}", p.start, p.end)).collect();
    parts.join(", ")
}

pub(crate) async fn list(s: AgentSession) -> Result<Response, PageError> {
    let shell = frame(&s, "business-hours").await?;
    let departments = people::list_departments(&s.ctx).await?;
    let rows = uc::list_business_hours(&s.ctx)
        .await?
        .into_iter()
        .map(|h| {
            let input = h.calendar.to_input();
            let week: Vec<String> = DAYS
                .iter()
                .map(|d| (d, periods_line(&input, d)))
                .filter(|(_, line)| !line.is_empty())
                .map(|(d, line)| format!("{} {line}", day_label(&shell, d)))
                .collect();
            let names: Vec<String> =
                departments.iter().filter(|d| h.departments.contains(&d.id)).map(|d| d.name.clone()).collect();
            Row {
                id: h.id.to_string(),
                name: input.name,
                time_zone: input.time_zone,
                default: input.default,
                week: week.join("; "),
                holidays: input.holidays.len(),
                departments: names.join(", "),
            }
        })
        .collect();
    Ok(render(&ListPage { shell, rows }))
}

/// The form's values for a calendar (or a new one), with what was typed in place of them when a save was refused.
async fn edit_page(
    s: &AgentSession,
    id: Option<BusinessHoursId>,
    stored: Option<&BusinessHours>,
    typed: Option<&Fields>,
    errors: Vec<String>,
) -> Result<EditPage, PageError> {
    let shell = frame(s, "business-hours").await?;
    let input = stored.map(|h| h.calendar.to_input());
    let linked = stored.map(|h| h.departments.clone()).unwrap_or_default();
    let (name, time_zone, default, days, mut holidays, ticked) = match typed {
        Some(f) => (
            f.one("name"),
            f.one("time_zone"),
            f.has("default"),
            DAYS.iter().map(|d| (*d, day_label(&shell, d), f.one(&format!("day_{d}")))).collect::<Vec<_>>(),
            typed_holidays(f)
                .into_iter()
                .map(|h| (h.date, h.end_date.unwrap_or_default(), h.name.unwrap_or_default(), h.yearly))
                .collect::<Vec<_>>(),
            f.all("department"),
        ),
        None => {
            let input = input.unwrap_or_else(|| CalendarInput {
                name: String::new(),
                time_zone: shell.time_zone.clone(),
                periods: ["mon", "tue", "wed", "thu", "fri"]
                    .iter()
                    .map(|d| PeriodInput { day: d.to_string(), start: "09:00".into(), end: "17:00".into() })
                    .collect(),
                holidays: Vec::new(),
                default: false,
            });
            (
                input.name.clone(),
                input.time_zone.clone(),
                input.default,
                DAYS.iter().map(|d| (*d, day_label(&shell, d), periods_line(&input, d))).collect(),
                input
                    .holidays
                    .iter()
                    .map(|h| {
                        (
                            h.date.clone(),
                            h.end_date.clone().unwrap_or_default(),
                            h.name.clone().unwrap_or_default(),
                            h.yearly,
                        )
                    })
                    .collect(),
                linked.iter().map(|d| d.to_string()).collect(),
            )
        }
    };
    holidays.extend((0..SPARE_HOLIDAYS).map(|_| (String::new(), String::new(), String::new(), false)));
    let departments = people::list_departments(&s.ctx)
        .await?
        .into_iter()
        .map(|d| {
            let id = d.id.to_string();
            let on = ticked.contains(&id);
            (id, d.name, on)
        })
        .collect();
    Ok(EditPage {
        id: id.map(|i| i.to_string()),
        name,
        time_zone,
        zones: COMMON_ZONES,
        default,
        days,
        holidays,
        departments,
        errors,
        shell,
    })
}

pub(crate) async fn new(s: AgentSession) -> Result<Response, PageError> {
    Ok(render(&edit_page(&s, None, None, None, Vec::new()).await?))
}

pub(crate) async fn edit(s: AgentSession, Path(id): Path<String>) -> Result<Response, PageError> {
    s.caller().require_admin()?;
    let id = path_id(&id, BusinessHoursId::parse)?;
    let h = uc::get_business_hours(&s.ctx, id).await?;
    Ok(render(&edit_page(&s, Some(id), Some(&h), None, Vec::new()).await?))
}

/// The weekday lines as periods, remembering which line and part each came from to name it in errors.
fn typed_periods(f: &Fields) -> Vec<(PeriodInput, String)> {
    let mut out = Vec::new();
    for d in DAYS {
        let line = f.one(&format!("day_{d}"));
        for part in line.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            // `08:00-12:00`, also with an en dash or spaces; a part without a dash is refused as its start.
            let (start, end) = part.split_once(['-', '–']).unwrap_or((part, ""));
            let period =
                PeriodInput { day: d.to_string(), start: start.trim().to_string(), end: end.trim().to_string() };
            out.push((period, format!("{d} {part}")));
        }
    }
    out
}

/// The holiday rows with a date (rows left empty are no holiday).
fn typed_holidays(f: &Fields) -> Vec<HolidayInput> {
    let (dates, ends, names) = (f.all("holiday_date"), f.all("holiday_end"), f.all("holiday_name"));
    let yearly = f.all("holiday_yearly");
    let mut out = Vec::new();
    for (i, date) in dates.iter().enumerate() {
        let end = ends.get(i).map(|e| e.trim().to_string()).unwrap_or_default();
        let name = names.get(i).map(|n| n.trim().to_string()).unwrap_or_default();
        if date.trim().is_empty() && end.is_empty() && name.is_empty() {
            continue;
        }
        out.push(HolidayInput {
            date: date.trim().to_string(),
            end_date: (!end.is_empty()).then_some(end),
            name: (!name.is_empty()).then_some(name),
            yearly: yearly.contains(&i.to_string()),
        });
    }
    out
}

/// The API's field names in refusals, as the form shows them: `periods[3].end` → `tue 17:00-09:00`, `holidays[0]`
/// → `holiday 1`.
fn named(lines: Vec<String>, periods: &[(PeriodInput, String)]) -> Vec<String> {
    lines
        .into_iter()
        .map(|line| {
            let mut line = line;
            for (i, (_, label)) in periods.iter().enumerate().rev() {
                for suffix in [".start", ".end", ".day", ""] {
                    line = line.replace(&format!("periods[{i}]{suffix}"), label);
                }
            }
            for i in (0..100).rev() {
                line = line.replace(&format!("holidays[{i}]"), &format!("holiday {}", i + 1));
            }
            line
        })
        .collect()
}

/// The form as the API's shape, with the weekday lines' periods (to name them in refusals).
fn typed_calendar(f: &Fields) -> (CalendarInput, Vec<(PeriodInput, String)>) {
    let periods = typed_periods(f);
    let input = CalendarInput {
        name: f.one("name"),
        time_zone: f.one("time_zone").trim().to_string(),
        periods: periods.iter().map(|(p, _)| p.clone()).collect(),
        holidays: typed_holidays(f),
        default: f.has("default"),
    };
    (input, periods)
}

pub(crate) async fn create(s: AgentSession, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let (input, periods) = typed_calendar(&f);
    match uc::create_business_hours(&s.ctx, &s.caller(), input, f.all("department")).await {
        Ok(_) => Ok(Redirect::to("/settings/business-hours").into_response()),
        Err(e) => {
            let errors = named(refusals(e)?, &periods);
            Ok(refused(&edit_page(&s, None, None, Some(&f), errors).await?))
        }
    }
}

pub(crate) async fn save(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let id = path_id(&id, BusinessHoursId::parse)?;
    let (input, periods) = typed_calendar(&f);
    // The form holds the whole calendar: every field is replaced.
    let patch = HoursPatch {
        name: Some(input.name),
        time_zone: Some(input.time_zone),
        periods: Some(input.periods),
        holidays: Some(input.holidays),
        default: Some(input.default),
        department_ids: Some(f.all("department")),
    };
    match uc::update_business_hours(&s.ctx, &s.caller(), id, patch).await {
        Ok(_) => Ok(Redirect::to("/settings/business-hours").into_response()),
        Err(e) => {
            // Refused: the form shows what was typed, so the stored calendar is not read again.
            let errors = named(refusals(e)?, &periods);
            Ok(refused(&edit_page(&s, Some(id), None, Some(&f), errors).await?))
        }
    }
}

pub(crate) async fn delete(
    s: AgentSession,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let id = path_id(&id, BusinessHoursId::parse)?;
    uc::delete_business_hours(&s.ctx, &s.caller(), id).await?;
    Ok(Redirect::to("/settings/business-hours").into_response())
}
