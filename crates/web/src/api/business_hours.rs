//! `/api/v1/business-hours`: the account's calendars of opening periods and holidays, one of them the default, and
//! the departments working by each; plus a way to try one out (`…/due`).

use super::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiCaller;
use crate::json::ApiJson;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use parley_app::business_hours::{self as uc, HoursPatch};
use parley_domain::business_hours::{BusinessHours, CalendarInput, HolidayInput, PeriodInput};
use parley_domain::error::Checker;
use parley_domain::ids::BusinessHoursId;
use parley_domain::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route("/business-hours", get(list).post(create))
        .route("/business-hours/{id}", get(show).patch(update).delete(delete))
        .route("/business-hours/{id}/due", get(due))
}

/// Business hours as the API shows them.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HoursView {
    id: String,
    name: String,
    /// IANA time zone the periods and holidays are read in.
    time_zone: String,
    periods: Vec<PeriodInput>,
    holidays: Vec<HolidayInput>,
    /// The account's hours for tickets whose department has none of its own (at most one calendar is).
    default: bool,
    /// Departments whose tickets are timed by these hours.
    department_ids: Vec<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<BusinessHours> for HoursView {
    fn from(h: BusinessHours) -> Self {
        let input = h.calendar.to_input();
        HoursView {
            id: h.id.to_string(),
            name: input.name,
            time_zone: input.time_zone,
            periods: input.periods,
            holidays: input.holidays,
            default: input.default,
            department_ids: h.departments.iter().map(|d| d.to_string()).collect(),
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

/// New business hours: `{"name", "time_zone", "periods": [{"day": "mon", "start": "08:00", "end": "12:00"}],
/// "holidays": [{"date": "2026-12-25", "name"?, "end_date"?, "yearly"?}], "default"?, "department_ids"?}`. The
/// account's first calendar becomes its default.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewHoursBody {
    name: String,
    time_zone: String,
    #[serde(default)]
    periods: Vec<PeriodInput>,
    #[serde(default)]
    holidays: Vec<HolidayInput>,
    #[serde(default)]
    default: bool,
    /// Departments to time by these hours (each leaves the hours it had).
    #[serde(default)]
    department_ids: Vec<String>,
}

/// Create business hours (administrators).
#[utoipa::path(post, path = "/api/v1/business-hours", tag = "automation", security(("api_key" = [])),
    request_body = NewHoursBody,
    responses((status = 201, body = HoursView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn create(
    api: ApiCaller,
    ApiJson(b): ApiJson<NewHoursBody>,
) -> ApiResult<(StatusCode, Json<HoursView>)> {
    let input = CalendarInput {
        name: b.name,
        time_zone: b.time_zone,
        periods: b.periods,
        holidays: b.holidays,
        default: b.default,
    };
    let h = uc::create_business_hours(&api.ctx, &api.caller, input, b.department_ids).await?;
    Ok((StatusCode::CREATED, Json(h.into())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HoursList {
    business_hours: Vec<HoursView>,
}

/// The account's business hours, the default first, then by name.
#[utoipa::path(get, path = "/api/v1/business-hours", tag = "automation", security(("api_key" = [])),
    responses((status = 200, body = HoursList)))]
pub(crate) async fn list(api: ApiCaller) -> ApiResult<Json<HoursList>> {
    let all = uc::list_business_hours(&api.ctx).await?;
    Ok(Json(HoursList { business_hours: all.into_iter().map(HoursView::from).collect() }))
}

#[utoipa::path(get, path = "/api/v1/business-hours/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 200, body = HoursView), (status = 404, body = Problem)))]
pub(crate) async fn show(api: ApiCaller, Path(id): Path<String>) -> ApiResult<Json<HoursView>> {
    let id = path_id(&id, BusinessHoursId::parse)?;
    Ok(Json(uc::get_business_hours(&api.ctx, id).await?.into()))
}

/// Fields to change; those left out stay. Lists (`periods`, `holidays`, `department_ids`) are replaced whole.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoursPatchBody {
    name: Option<String>,
    time_zone: Option<String>,
    periods: Option<Vec<PeriodInput>>,
    holidays: Option<Vec<HolidayInput>>,
    default: Option<bool>,
    department_ids: Option<Vec<String>>,
}

/// Change business hours (administrators); what is timed by them counts by the new hours from now on.
#[utoipa::path(patch, path = "/api/v1/business-hours/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), request_body = HoursPatchBody,
    responses((status = 200, body = HoursView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub(crate) async fn update(
    api: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<HoursPatchBody>,
) -> ApiResult<Json<HoursView>> {
    let id = path_id(&id, BusinessHoursId::parse)?;
    let patch = HoursPatch {
        name: b.name,
        time_zone: b.time_zone,
        periods: b.periods,
        holidays: b.holidays,
        default: b.default,
        department_ids: b.department_ids,
    };
    Ok(Json(uc::update_business_hours(&api.ctx, &api.caller, id, patch).await?.into()))
}

/// Delete business hours (administrators); their departments fall back to the default.
#[utoipa::path(delete, path = "/api/v1/business-hours/{id}", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(crate) async fn delete(api: ApiCaller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, BusinessHoursId::parse)?;
    uc::delete_business_hours(&api.ctx, &api.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DueView {
    from: Timestamp,
    minutes: i64,
    /// When that much business time has passed; `null` when the calendar is never open.
    due_at: Option<Timestamp>,
    /// Whether the calendar is open at `from`.
    open: bool,
}

/// When `minutes` of these hours' business time will have passed after `from`: what an SLA target of that many
/// business minutes would be due at, for trying a calendar out.
#[utoipa::path(get, path = "/api/v1/business-hours/{id}/due", tag = "automation", security(("api_key" = [])),
    params(("id" = String, Path),
        ("from" = String, Query, description = "An RFC 3339 time, e.g. `2026-12-04T16:30:00+01:00`"),
        ("minutes" = i64, Query, description = "Business minutes, 0 to 527,040 (a year)")),
    responses((status = 200, body = DueView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(crate) async fn due(
    api: ApiCaller,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<DueView>> {
    let id = path_id(&id, BusinessHoursId::parse)?;
    // Unknown hours are unknown whatever is asked of them.
    let hours = uc::get_business_hours(&api.ctx, id).await?;
    let mut errs = Checker::new();
    let (mut from, mut minutes) = (None, None);
    let (mut saw_from, mut saw_minutes) = (false, false);
    for (k, v) in params {
        match k.as_str() {
            "from" => {
                saw_from = true;
                let t = Timestamp::parse(&v)
                    .ok_or_else(|| Invalid::field("from", "must be a time in RFC 3339 (2026-12-04T16:30:00Z)"));
                from = errs.check(t);
            }
            "minutes" => {
                saw_minutes = true;
                minutes = errs.check(v.parse::<i64>().map_err(|_| Invalid::field("minutes", "must be a whole number")));
            }
            other => errs.add(other.chars().take(40).collect::<String>(), "is not a parameter here"),
        }
    }
    if !saw_from {
        errs.add("from", "is required");
    }
    if !saw_minutes {
        errs.add("minutes", "is required");
    }
    errs.finish()?;
    let (Some(from), Some(minutes)) = (from, minutes) else {
        return Err(Invalid::field("from", "is required").into());
    };
    let d = uc::due(&hours, from, minutes)?;
    Ok(Json(DueView { from, minutes, due_at: d.due_at, open: d.open }))
}
