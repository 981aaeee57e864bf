//! Business-time arithmetic: "start + N business milliseconds" and "business milliseconds between".

use super::day::Day;
use super::{ts, Calendar};
use crate::Timestamp;

/// How many days in a row without business time `add` and `next_open` look through before answering that the
/// calendar never opens: ten years, longer than any holiday list means.
const IDLE_DAYS_LIMIT: u32 = 3_660;

impl Calendar {
    /// The instant at which `business_ms` of business time have passed since `start`. Counting begins at `start`
    /// if the desk is open then, else at its next opening; `add(start, 0)` is that instant ([`Calendar::next_open`]).
    /// A target met exactly at closing time is due at closing time (Friday 17:00), not at the next opening. A
    /// negative count is taken as 0. `None` when the calendar has no business time in ten years after some point
    /// on the way (no periods, or every day a holiday), or the answer lies beyond the year 9999.
    pub fn add(&self, start: Timestamp, business_ms: i64) -> Option<Timestamp> {
        self.add_by(start, business_ms, true)
    }

    /// Business milliseconds in `[start, end)`; 0 when `end <= start`.
    pub fn between(&self, start: Timestamp, end: Timestamp) -> i64 {
        self.between_by(start, end, true)
    }

    /// Whether `at` is business time. Periods are half-open: open at 08:00 of `08:00–12:00`, closed at 12:00.
    pub fn is_open(&self, at: Timestamp) -> bool {
        if self.always_open {
            return true;
        }
        Day::containing(self, at.millis())
            .is_some_and(|day| day.open.iter().any(|&(s, e)| s <= at.millis() && at.millis() < e))
    }

    /// `at` if the desk is open then, else the next instant it opens; `None` if it does not open within ten years.
    pub fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        self.add(at, 0)
    }

    /// `add`, stepping over plain weeks whole when `weeks` (tests compare it with stepping day by day).
    pub(super) fn add_by(&self, start: Timestamp, business_ms: i64, weeks: bool) -> Option<Timestamp> {
        let t0 = start.millis();
        let mut left = business_ms.max(0);
        if self.always_open {
            return t0.checked_add(left).map(ts);
        }
        if self.week_ms == 0 {
            return None;
        }
        let mut day = Day::containing(self, t0)?;
        let mut idle_days = 0;
        loop {
            let mut opened = false;
            for &(s, e) in day.open.iter().filter(|&&(_, e)| e > t0) {
                let s = s.max(t0);
                opened = true;
                // A count of 0 stops at the first stretch: `start` itself if open, else the next opening.
                if left <= e - s {
                    return Some(ts(s + left));
                }
                left -= e - s;
            }
            idle_days = if opened { 0 } else { idle_days + 1 };
            if idle_days > IDLE_DAYS_LIMIT {
                return None;
            }
            day.advance()?;
            // Strictly more than a week left: a target met exactly at a week's last closing must stop there.
            while weeks && left > self.week_ms && day.plain_week() {
                left -= self.week_ms;
                idle_days = 0;
                day.skip_week()?;
            }
        }
    }

    pub(super) fn between_by(&self, start: Timestamp, end: Timestamp, weeks: bool) -> i64 {
        let (a, b) = (start.millis(), end.millis());
        if b <= a || self.week_ms == 0 {
            return 0;
        }
        if self.always_open {
            return b.saturating_sub(a);
        }
        let Some(mut day) = Day::containing(self, a) else { return 0 };
        let mut sum = 0;
        loop {
            sum += day.open.iter().map(|&(s, e)| (e.min(b) - s.max(a)).max(0)).sum::<i64>();
            if day.end >= b || day.advance().is_none() {
                return sum;
            }
            while weeks && day.start + 7 * super::day::DAY_MS <= b && day.plain_week() {
                sum += self.week_ms;
                if day.skip_week().is_none() {
                    return sum;
                }
            }
        }
    }
}
