//! One local day of a calendar as real time: where the day begins and ends, and its open intervals, in
//! milliseconds since the epoch. This is the one place local clock times become instants.

use super::{Calendar, DAY_SECS};
use jiff::civil::{Date, Time};

pub(super) const DAY_MS: i64 = 86_400_000;

/// A local date, the real span it owns (its midnight up to the next) and the business intervals in that span:
/// sorted, apart, none empty.
pub(super) struct Day<'c> {
    cal: &'c Calendar,
    pub date: Date,
    pub start: i64,
    pub end: i64,
    pub open: Vec<(i64, i64)>,
}

impl Calendar {
    /// The instant a local date and time name; a time the clock skips or repeats is resolved as `compatible`.
    fn local_ms(&self, date: Date, secs: u32) -> Option<i64> {
        let hms = |n: u32| i8::try_from(n).ok();
        let time = Time::new(hms(secs / 3600)?, hms(secs / 60 % 60)?, hms(secs % 60)?, 0).ok()?;
        let at = self.time_zone.to_ambiguous_timestamp(date.to_datetime(time)).compatible().ok()?;
        Some(at.as_millisecond())
    }

    fn midnight_ms(&self, date: Date) -> Option<i64> {
        self.local_ms(date, 0)
    }
}

impl<'c> Day<'c> {
    /// The day whose span holds `ms`. `None` only outside the years jiff can count (±9999).
    pub fn containing(cal: &'c Calendar, ms: i64) -> Option<Day<'c>> {
        let at = jiff::Timestamp::from_millisecond(ms).ok()?;
        let mut date = cal.time_zone.to_datetime(at).date();
        let mut start = cal.midnight_ms(date)?;
        // The clock's date is the day's, except in the hour a fall-back at midnight repeats: that belongs to the
        // next day's span. A step or two either way settles it.
        for _ in 0..3 {
            if start <= ms {
                break;
            }
            date = date.yesterday().ok()?;
            start = cal.midnight_ms(date)?;
        }
        let mut end = cal.midnight_ms(date.tomorrow().ok()?)?;
        for _ in 0..3 {
            if ms < end {
                break;
            }
            date = date.tomorrow().ok()?;
            start = end;
            end = cal.midnight_ms(date.tomorrow().ok()?)?;
        }
        let mut day = Day { cal, date, start, end, open: Vec::with_capacity(4) };
        day.fill()?;
        Some(day)
    }

    /// Move to the next local day.
    pub fn advance(&mut self) -> Option<()> {
        self.date = self.date.tomorrow().ok()?;
        self.start = self.end;
        self.end = self.cal.midnight_ms(self.date.tomorrow().ok()?)?;
        self.fill()
    }

    /// Whether the seven days from this one hold exactly the calendar's weekly business time: no holiday among
    /// them and no clock change from a day before to a day after (so every local time is the same offset away).
    pub fn plain_week(&self) -> bool {
        let Ok(from) = jiff::Timestamp::from_millisecond(self.start - DAY_MS) else { return false };
        let unchanged = match self.cal.time_zone.following(from).next() {
            None => true,
            Some(change) => change.timestamp().as_millisecond() > self.start + 8 * DAY_MS,
        };
        unchanged && (self.cal.holidays.is_empty() || self.no_holiday_for(7))
    }

    fn no_holiday_for(&self, days: usize) -> bool {
        let mut date = self.date;
        for _ in 0..days {
            if self.cal.holidays.contains(date) {
                return false;
            }
            let Ok(next) = date.tomorrow() else { return false };
            date = next;
        }
        true
    }

    /// Move seven days on; only after [`Day::plain_week`] said the week holds no surprise.
    pub fn skip_week(&mut self) -> Option<()> {
        self.date = self.date.checked_add(jiff::Span::new().days(7)).ok()?;
        self.start = self.cal.midnight_ms(self.date)?;
        self.end = self.cal.midnight_ms(self.date.tomorrow().ok()?)?;
        self.fill()
    }

    /// The day's business intervals: its weekday's periods as instants, cut to the day's span. Around a clock
    /// change two periods can land on the same real time (01:30 in a skipped hour is 02:30 after it), so they
    /// are merged rather than counted twice.
    fn fill(&mut self) -> Option<()> {
        self.open.clear();
        if self.cal.holidays.contains(self.date) {
            return Some(());
        }
        let (cal, date, start, end) = (self.cal, self.date, self.start, self.end);
        let weekday = usize::try_from(date.weekday().to_monday_zero_offset()).ok()?;
        let cut = |ms: i64| ms.max(start).min(end);
        for &(from, to) in &cal.week[weekday] {
            let a = if from == 0 { start } else { cut(cal.local_ms(date, from)?) };
            let b = if to >= DAY_SECS { end } else { cut(cal.local_ms(date, to)?) };
            if b > a {
                self.open.push((a, b));
            }
        }
        self.open.sort_unstable();
        let mut merged = 0;
        for i in 1..self.open.len() {
            if self.open[i].0 <= self.open[merged].1 {
                self.open[merged].1 = self.open[merged].1.max(self.open[i].1);
            } else {
                merged += 1;
                self.open[merged] = self.open[i];
            }
        }
        self.open.truncate((merged + 1).min(self.open.len()));
        Some(())
    }
}
