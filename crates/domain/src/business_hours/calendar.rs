//! Checking business hours as sent, and writing them back: every bad field is named, all at once.

use super::holidays::{days_between, Holiday, Holidays, YEARLY_MAX_EXTRA_DAYS};
use super::{Calendar, CalendarInput, HolidayInput, Period, PeriodInput, DAY_SECS};
use crate::error::Checker;
use crate::text::{checked_text, optional_text};
use crate::Invalid;
use jiff::civil::Date;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MAX_NAME_CHARS: usize = 200;
/// Bounds on what a day's arithmetic walks through: far more than any desk needs (a period every half hour of
/// the week is 336).
const MAX_PERIODS: usize = 500;
const MAX_HOLIDAYS: usize = 1000;

impl Calendar {
    /// Check business hours as sent. Refuses an unknown time zone, a bad day, time or date, a period that ends
    /// before it starts or overlaps another on its day (touching is fine), a range that ends before it starts,
    /// and a name that is empty or longer than 200 characters; each error names its field, e.g. `periods[2].end`.
    pub fn new(input: &CalendarInput) -> Result<Calendar, Invalid> {
        let mut errs = Checker::new();
        let name = errs.check(checked_text("name", &input.name, MAX_NAME_CHARS, false));
        let zone = errs.check(time_zone(&input.time_zone));
        if input.periods.len() > MAX_PERIODS {
            errs.add("periods", format!("must be at most {MAX_PERIODS}"));
        }
        let periods: Vec<Option<Period>> =
            input.periods.iter().enumerate().map(|(i, p)| period(&mut errs, i, p)).collect();
        overlaps(&mut errs, &periods);
        if input.holidays.len() > MAX_HOLIDAYS {
            errs.add("holidays", format!("must be at most {MAX_HOLIDAYS}"));
        }
        let holidays: Vec<Option<Holiday>> =
            input.holidays.iter().enumerate().map(|(i, h)| holiday(&mut errs, i, h)).collect();
        errs.finish()?;
        let (Some(name), Some((time_zone, zone_name))) = (name, zone) else {
            // finish() returned Ok, so both were checked and kept.
            return Err(Invalid::field("calendar", "could not be read"));
        };
        let periods = periods.into_iter().flatten().collect();
        let holidays = Holidays::new(holidays.into_iter().flatten().collect());
        Ok(Calendar::from_parts(name, time_zone, zone_name, input.default, periods, holidays))
    }

    /// The calendar as the API shows it; `Calendar::new` of it gives this calendar again. Times read `HH:MM`, or
    /// `HH:MM:SS` when they have seconds.
    pub fn to_input(&self) -> CalendarInput {
        CalendarInput {
            name: self.name.clone(),
            time_zone: self.zone_name.clone(),
            periods: self
                .periods
                .iter()
                .map(|p| PeriodInput {
                    day: DAYS[p.day].to_string(),
                    start: format_time(p.start),
                    end: format_time(p.end),
                })
                .collect(),
            holidays: self
                .holidays
                .list
                .iter()
                .map(|h| HolidayInput {
                    date: h.date.to_string(),
                    end_date: h.end_date.map(|d| d.to_string()),
                    name: h.name.clone(),
                    yearly: h.yearly,
                })
                .collect(),
            default: self.default,
        }
    }
}

fn time_zone(name: &str) -> Result<(jiff::tz::TimeZone, String), Invalid> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Invalid::field("time_zone", "must name a time zone, e.g. Europe/Budapest"));
    }
    match jiff::tz::db().get(name) {
        // The database's own spelling, whatever case the request used.
        Ok(tz) if name.len() <= 64 => {
            let canonical = tz.iana_name().unwrap_or(name).to_string();
            Ok((tz, canonical))
        }
        _ => Err(Invalid::field(
            "time_zone",
            format!("'{name}' is not a time zone we know; use a name such as Europe/Budapest"),
        )),
    }
}

fn period(errs: &mut Checker, i: usize, p: &PeriodInput) -> Option<Period> {
    let day = DAYS.iter().position(|d| *d == p.day.trim());
    if day.is_none() {
        errs.add(format!("periods[{i}].day"), format!("must be one of {}", DAYS.join(", ")));
    }
    let start = parse_time(&p.start).filter(|&s| s < DAY_SECS);
    if start.is_none() {
        errs.add(format!("periods[{i}].start"), "must be a time from 00:00 to 23:59:59, as HH:MM or HH:MM:SS");
    }
    let end = parse_time(&p.end);
    if end.is_none() {
        errs.add(format!("periods[{i}].end"), "must be a time from 00:00 to 24:00, as HH:MM or HH:MM:SS");
    }
    let (day, start, end) = (day?, start?, end?);
    if start >= end {
        errs.add(format!("periods[{i}].end"), format!("must be after the start ({})", format_time(start)));
        return None;
    }
    Some(Period { day, start, end })
}

/// Periods on the same day may touch (12:00–13:00 after 08:00–12:00) but not overlap; the later one in the
/// request is named.
fn overlaps(errs: &mut Checker, periods: &[Option<Period>]) {
    for (day, day_name) in DAYS.iter().enumerate() {
        let mut on_day: Vec<(usize, Period)> =
            periods.iter().enumerate().filter_map(|(i, p)| p.filter(|p| p.day == day).map(|p| (i, p))).collect();
        on_day.sort_by_key(|(_, p)| (p.start, p.end));
        // The period reaching furthest so far: any later start before its end overlaps it.
        let mut reach: Option<(usize, Period)> = None;
        for (i, p) in on_day {
            match reach {
                Some((j, q)) if p.start < q.end => {
                    let (named, other) = (i.max(j), i.min(j));
                    let shown = if named == i { q } else { p };
                    errs.add(
                        format!("periods[{named}]"),
                        format!(
                            "overlaps periods[{other}] ({} {}–{})",
                            day_name,
                            format_time(shown.start),
                            format_time(shown.end)
                        ),
                    );
                    if p.end > q.end {
                        reach = Some((i, p));
                    }
                }
                _ => reach = Some((i, p)),
            }
        }
    }
}

fn holiday(errs: &mut Checker, i: usize, h: &HolidayInput) -> Option<Holiday> {
    let date = parse_date(&h.date);
    if date.is_none() {
        errs.add(format!("holidays[{i}].date"), "must be a date like 2026-12-25");
    }
    let end_date = match h.end_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => {
            let end = parse_date(s);
            if end.is_none() {
                errs.add(format!("holidays[{i}].end_date"), "must be a date like 2026-12-27");
            }
            end.map(Some)
        }
    };
    let name = errs.check(optional_text(&format!("holidays[{i}].name"), h.name.as_deref(), MAX_NAME_CHARS));
    let (date, end_date, name) = (date?, end_date?, name?);
    if let Some(end) = end_date {
        if end < date {
            errs.add(format!("holidays[{i}].end_date"), format!("must not be before the date ({date})"));
            return None;
        }
        if h.yearly && days_between(date, end) > YEARLY_MAX_EXTRA_DAYS {
            errs.add(format!("holidays[{i}].end_date"), "a yearly holiday must be shorter than a year");
            return None;
        }
    }
    Some(Holiday { date, end_date, name, yearly: h.yearly })
}

/// `HH:MM` or `HH:MM:SS` as seconds after midnight; `24:00` (and `24:00:00`) is 86 400.
fn parse_time(s: &str) -> Option<u32> {
    let b = s.trim().as_bytes();
    let two = |at: usize| -> Option<u32> {
        let (hi, lo) = (*b.get(at)?, *b.get(at + 1)?);
        (hi.is_ascii_digit() && lo.is_ascii_digit()).then(|| u32::from(hi - b'0') * 10 + u32::from(lo - b'0'))
    };
    let (h, m) = (two(0)?, two(3)?);
    let sec = match b.len() {
        5 if b[2] == b':' => 0,
        8 if b[2] == b':' && b[5] == b':' => two(6)?,
        _ => return None,
    };
    match (h, m, sec) {
        (24, 0, 0) => Some(DAY_SECS),
        (0..=23, 0..=59, 0..=59) => Some(h * 3600 + m * 60 + sec),
        _ => None,
    }
}

fn format_time(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Strictly `YYYY-MM-DD`: jiff's parser would also take a date with a time after it.
fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let (y, m, d) = (s[0..4].parse().ok()?, s[5..7].parse().ok()?, s[8..10].parse().ok()?);
    Date::new(y, m, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_times_strictly() {
        assert_eq!(parse_time("08:00"), Some(8 * 3600));
        assert_eq!(parse_time("10:00:30"), Some(10 * 3600 + 30));
        assert_eq!(parse_time("24:00"), Some(DAY_SECS));
        assert_eq!(parse_time("24:00:00"), Some(DAY_SECS));
        for bad in ["24:01", "8:00", "08:60", "08:00:60", "08-00", "08:00:", "", "ab:cd", "08:0０"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(format_time(10 * 3600 + 30), "10:00:30");
        assert_eq!(format_time(DAY_SECS), "24:00");
    }

    #[test]
    fn reads_dates_strictly() {
        assert_eq!(parse_date("2028-02-29"), Date::new(2028, 2, 29).ok());
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "2026-12-25T00:00", "20261225", "+2026-12-2"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
