//! Business hours: when a help desk is open, and how much of that open time lies between two instants.
//!
//! A calendar has a time zone, weekly periods (`mon 08:00–12:00`, several a day) and holidays. Business time is
//! the set of real instants that fall in a period on a day that is not a holiday:
//!
//! - **Local clock.** Periods are wall-clock times in the calendar's zone. A day's period runs between the real
//!   instants its local start and end name, so it is as long as the clock says except on a day the clock changes:
//!   on 2026-03-29 in Budapest `01:00–05:00` holds 3 real hours, on 2026-10-25 `00:00–04:00` holds 5. A time the
//!   clock skips or repeats is resolved as jiff's `compatible` does (RFC 5545, Temporal): a skipped time moves
//!   forward by the gap, a repeated time means its first occurrence.
//! - **Days.** Each local day owns the real time from its midnight to the next; a period is cut to its day, and
//!   `24:00` is the next midnight, so `mon 22:00–24:00` and `tue 00:00–06:00` are one stretch without a seam.
//! - **Holidays** close whole local days: a date, a range of dates, or either every year from its first year on.
//! - **Milliseconds.** Parley keeps instants as milliseconds ([`Timestamp`]), periods may be seconds long, and a
//!   due time must come out exactly the same on every server, so all arithmetic is in integer milliseconds.
//!
//! Intervals are half-open: a desk open `08:00–12:00` is open at 08:00 and closed at 12:00. The arithmetic steps
//! a day at a time, or a week at a time when no holiday and no clock change falls in the week, so a target of
//! months costs a few hundred steps, never one per minute.

mod arithmetic;
mod calendar;
mod day;
mod holidays;
mod input;
mod record;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use input::{CalendarInput, HolidayInput, PeriodInput};
pub use record::BusinessHours;

use crate::Timestamp;
use holidays::Holidays;
use jiff::tz::TimeZone;

/// Seconds in a local day as periods count them: `24:00` is 86 400.
const DAY_SECS: u32 = 86_400;

/// Checked business hours, ready for arithmetic. Built by [`Calendar::new`] from a [`CalendarInput`], or
/// [`Calendar::always`] for targets in calendar hours.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    name: String,
    time_zone: TimeZone,
    /// The zone's IANA name, as it reads back.
    zone_name: String,
    default: bool,
    /// The periods as given (times normalised), for reading the calendar back.
    periods: Vec<Period>,
    /// Per weekday from Monday: the periods as seconds after local midnight, sorted and apart (touching at most).
    week: [Vec<(u32, u32)>; 7],
    /// Business milliseconds in a week without holidays or clock changes.
    week_ms: i64,
    holidays: Holidays,
    /// Every instant is business time (every day 00:00–24:00, no holidays): the arithmetic is plain subtraction.
    always_open: bool,
}

/// One weekly period: a weekday (0 is Monday) and seconds after local midnight, `start < end <= 86 400`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    day: usize,
    start: u32,
    end: u32,
}

impl Calendar {
    /// Open every moment of every day: for targets counted in calendar hours, through the same arithmetic.
    pub fn always() -> Calendar {
        let periods = (0..7).map(|day| Period { day, start: 0, end: DAY_SECS }).collect();
        Calendar::from_parts(
            "Around the clock".into(),
            TimeZone::UTC,
            "UTC".into(),
            false,
            periods,
            Holidays::default(),
        )
    }

    fn from_parts(
        name: String,
        time_zone: TimeZone,
        zone_name: String,
        default: bool,
        periods: Vec<Period>,
        holidays: Holidays,
    ) -> Calendar {
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for p in &periods {
            week[p.day].push((p.start, p.end));
        }
        for day in &mut week {
            day.sort_unstable();
        }
        let week_ms = periods.iter().map(|p| i64::from(p.end - p.start) * 1000).sum();
        // Checked periods never overlap, so seven full days are the whole week.
        let always_open = holidays.is_empty() && week_ms == 7 * i64::from(DAY_SECS) * 1000;
        Calendar { name, time_zone, zone_name, default, periods, week, week_ms, holidays, always_open }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The IANA name of the calendar's time zone.
    pub fn time_zone(&self) -> &str {
        &self.zone_name
    }

    /// Whether these are the account's hours for whatever has none of its own.
    pub fn is_default(&self) -> bool {
        self.default
    }

    /// Whether the calendar has any weekly period at all (a calendar without one is never open).
    pub fn has_periods(&self) -> bool {
        self.week_ms > 0
    }
}

/// The instant as Parley keeps it.
fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}
