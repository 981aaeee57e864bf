//! Which local dates are closed: one-off dates and ranges, and yearly ones.

use jiff::civil::Date;

/// The longest a yearly holiday may last, in days after its first: shorter than a year, so one year's occurrence
/// never runs into the next and only two occurrences can hold any date.
pub(super) const YEARLY_MAX_EXTRA_DAYS: i64 = 364;

/// One holiday as checked: `date` to `end` (both included), once or every year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Holiday {
    pub date: Date,
    /// Only when the input gave an end date, so that the calendar reads back as it was written.
    pub end_date: Option<Date>,
    pub name: Option<String>,
    pub yearly: bool,
}

impl Holiday {
    pub fn last(&self) -> Date {
        self.end_date.unwrap_or(self.date)
    }
}

/// The holidays of a calendar, arranged to answer "is this date closed?" quickly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Holidays {
    /// As given, for reading the calendar back.
    pub list: Vec<Holiday>,
    /// One-off ranges, sorted, merged so that none overlaps or touches the next: a binary search finds a date.
    once: Vec<(Date, Date)>,
    /// Yearly holidays: first date and how many days follow it.
    yearly: Vec<(Date, i64)>,
}

/// Whole days from `a` to `b`; civil dates have no DST, so every day is 24 hours.
pub(super) fn days_between(a: Date, b: Date) -> i64 {
    a.duration_until(b).as_secs().div_euclid(86_400)
}

impl Holidays {
    pub fn new(list: Vec<Holiday>) -> Holidays {
        let mut ranges: Vec<(Date, Date)> = list.iter().filter(|h| !h.yearly).map(|h| (h.date, h.last())).collect();
        ranges.sort();
        let mut once: Vec<(Date, Date)> = Vec::with_capacity(ranges.len());
        for (first, last) in ranges {
            match once.last_mut() {
                Some(prev) if first <= prev.1 || prev.1.tomorrow().is_ok_and(|next| next == first) => {
                    prev.1 = prev.1.max(last);
                }
                _ => once.push((first, last)),
            }
        }
        let yearly = list.iter().filter(|h| h.yearly).map(|h| (h.date, days_between(h.date, h.last()))).collect();
        Holidays { list, once, yearly }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether the whole local day `d` is closed.
    pub fn contains(&self, d: Date) -> bool {
        let after = self.once.partition_point(|r| r.0 <= d);
        if after > 0 && self.once[after - 1].1 >= d {
            return true;
        }
        self.yearly.iter().any(|&(first, extra)| {
            // This year's occurrence, or last year's running into this one (a range over New Year).
            [d.year(), d.year() - 1].into_iter().filter(|&y| y >= first.year()).any(|y| {
                // No occurrence in a year without the date: 29 February outside leap years.
                Date::new(y, first.month(), first.day()).is_ok_and(|start| {
                    let offset = days_between(start, d);
                    (0..=extra).contains(&offset)
                })
            })
        })
    }
}
