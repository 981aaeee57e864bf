//! The shape of business hours in the API and in storage, as scripts send it: plain strings, so that a bad value is
//! reported by `Calendar::new` with its field named instead of failing the whole body in serde.

use serde::{Deserialize, Serialize};

/// Business hours as sent: `{"name", "time_zone", "periods": […], "holidays": […], "default"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalendarInput {
    pub name: String,
    /// An IANA time zone, e.g. `Europe/Budapest`; periods and holidays are read on its clock.
    pub time_zone: String,
    #[serde(default)]
    pub periods: Vec<PeriodInput>,
    #[serde(default)]
    pub holidays: Vec<HolidayInput>,
    /// Whether these are the account's hours for whatever has no hours of its own.
    #[serde(default)]
    pub default: bool,
}

/// Open on a weekday from `start` to `end`, local time: `{"day": "mon", "start": "08:00", "end": "12:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodInput {
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`.
    pub day: String,
    /// `HH:MM` or `HH:MM:SS`.
    pub start: String,
    /// `HH:MM` or `HH:MM:SS`, after `start`; `24:00` for the end of the day.
    pub end: String,
}

/// A day closed for business, or several (`date` to `end_date`, both included), once or every year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HolidayInput {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The last day of a range, `YYYY-MM-DD`; the range includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Recurs every year from `date` on, on the same month and day (a 29 February only in leap years).
    #[serde(default)]
    pub yearly: bool,
}
