//! Properties of the arithmetic over random calendars (zones with DST, a 30-minute DST, a half-hour offset),
//! random periods (some seconds long, some touching) and random holidays, for instants in 2025–2028.

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

const ZONES: [&str; 5] = ["Europe/Budapest", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FROM: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z
const UNTIL: i64 = 1_861_920_000_000; // 2029-01-01T00:00:00Z
const QUARTER: i64 = 900_000;

fn hms(secs: u32) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Mostly quarter hours (to meet each other's edges), often in the small hours the clocks change in, sometimes
/// any second of the day.
fn point() -> impl Strategy<Value = u32> {
    prop_oneof![3 => (0..=96u32).prop_map(|q| q * 900), 2 => (0..=16u32).prop_map(|q| q * 900), 1 => 0..=86_400u32]
}

/// A day's periods: between sorted points, each gap kept or not, so neighbours kept together touch.
fn day_periods(day: &'static str) -> impl Strategy<Value = Vec<PeriodInput>> {
    (vec(point(), 0..7), vec(any::<bool>(), 6)).prop_map(move |(mut points, keep)| {
        points.sort_unstable();
        points.dedup();
        points
            .windows(2)
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(w, _)| PeriodInput { day: day.into(), start: hms(w[0]), end: hms(w[1]) })
            .collect()
    })
}

fn holiday() -> impl Strategy<Value = HolidayInput> {
    (0..1_461i64, prop::option::of(0..5i64), any::<bool>()).prop_map(|(offset, extra, yearly)| {
        let first = jiff::civil::date(2025, 1, 1).checked_add(jiff::Span::new().days(offset)).unwrap();
        let last = extra.map(|e| first.checked_add(jiff::Span::new().days(e)).unwrap().to_string());
        HolidayInput { date: first.to_string(), end_date: last, name: None, yearly }
    })
}

fn calendar() -> impl Strategy<Value = CalendarInput> {
    let week: Vec<_> = DAYS.iter().map(|d| day_periods(d)).collect();
    (0..ZONES.len(), week, vec(holiday(), 0..4)).prop_map(|(zone, week, holidays)| CalendarInput {
        name: "Random".into(),
        time_zone: ZONES[zone].into(),
        periods: week.into_iter().flatten().collect(),
        holidays,
        default: false,
    })
}

fn instant() -> impl Strategy<Value = Timestamp> {
    prop_oneof![FROM..UNTIL, (FROM / QUARTER..UNTIL / QUARTER).prop_map(|q| q * QUARTER)]
        .prop_map(Timestamp::from_millis)
}

/// A count of business time the calendar can meet within some weeks: small ones, whole weeks' worth (which
/// end exactly at a closing), or anything up to 20 weeks' worth.
fn count(cal: &Calendar, raw: u64) -> i64 {
    let most = 20 * cal.week_ms + 1;
    let (kind, raw) = (raw % 3, raw / 3);
    match kind {
        0 => (raw % (4 * 3_600_000)) as i64 % most,
        1 => (raw % 21) as i64 * cal.week_ms,
        _ => (raw % most as u64) as i64,
    }
}

fn ms(t: Timestamp, d: i64) -> Timestamp {
    Timestamp::from_millis(t.millis() + d)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_the_time_between_reaches_the_end(input in calendar(), a in instant(), b in instant()) {
        let cal = Calendar::new(&input).unwrap();
        let (start, end) = (a.min(b), a.max(b));
        prop_assume!(end > start);
        let n = cal.between(start, end);
        let reached = cal.add(start, n);
        if cal.is_open(end) && cal.is_open(ms(end, -1)) {
            prop_assert_eq!(reached, Some(end));
        } else if cal.is_open(end) {
            // `end` is an opening after a closed stretch: the count is met at that stretch's start, the
            // closing before it (or `end` itself when no business time lies between).
            let t = reached.unwrap();
            prop_assert!(t <= end);
            prop_assert_eq!(cal.between(t, end), 0);
        }
    }

    #[test]
    fn time_between_adds_up(input in calendar(), a in instant(), b in instant(), c in instant()) {
        let cal = Calendar::new(&input).unwrap();
        let mut abc = [a, b, c];
        abc.sort();
        let [a, b, c] = abc;
        prop_assert_eq!(cal.between(a, c), cal.between(a, b) + cal.between(b, c));
        prop_assert_eq!(cal.between(c, a), 0);
        prop_assert!(cal.between(a, c) <= c.millis() - a.millis(), "more business time than real time");
    }

    #[test]
    fn the_time_between_start_and_start_plus_n_is_n(input in calendar(), start in instant(), raw: u64, raw2: u64) {
        let cal = Calendar::new(&input).unwrap();
        let (n, m) = (count(&cal, raw), count(&cal, raw2));
        let Some(t) = cal.add(start, n) else {
            prop_assert!(!cal.has_periods());
            return Ok(());
        };
        prop_assert!(t >= start);
        prop_assert_eq!(cal.between(start, t), n);
        // Monotonic in n.
        let u = cal.add(start, m).unwrap();
        let (earlier, later) = if n <= m { (t, u) } else { (u, t) };
        prop_assert!(earlier <= later, "add({}) = {:?}, add({}) = {:?}", n, t, m, u);
    }

    #[test]
    fn skipping_weeks_changes_nothing(input in calendar(), a in instant(), b in instant(), raw: u64) {
        let cal = Calendar::new(&input).unwrap();
        prop_assert_eq!(cal.between_by(a, b, true), cal.between_by(a, b, false));
        let n = count(&cal, raw);
        prop_assert_eq!(cal.add_by(a, n, true), cal.add_by(a, n, false));
    }

    #[test]
    fn open_means_one_business_millisecond(input in calendar(), at in instant()) {
        let cal = Calendar::new(&input).unwrap();
        prop_assert_eq!(cal.is_open(at), cal.between(at, ms(at, 1)) == 1);
        if let Some(next) = cal.next_open(at) {
            prop_assert!(next >= at);
            prop_assert!(cal.is_open(next));
            prop_assert_eq!(cal.between(at, next), 0);
            prop_assert_eq!(next == at, cal.is_open(at));
        } else {
            prop_assert!(!cal.has_periods());
        }
    }
}
