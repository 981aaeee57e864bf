//! Worked examples with exact instants. Expected instants are written in UTC so that they do not lean on the
//! zone arithmetic under test.

use super::*;

const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

fn period(day: &str, start: &str, end: &str) -> PeriodInput {
    PeriodInput { day: day.into(), start: start.into(), end: end.into() }
}

fn holiday(date: &str, end_date: Option<&str>, yearly: bool) -> HolidayInput {
    HolidayInput { date: date.into(), end_date: end_date.map(Into::into), name: None, yearly }
}

fn calendar(zone: &str, periods: Vec<PeriodInput>, holidays: Vec<HolidayInput>) -> Calendar {
    let input = CalendarInput { name: "Desk".into(), time_zone: zone.into(), periods, holidays, default: false };
    Calendar::new(&input).unwrap()
}

/// Budapest's desk from the issue: Mon–Fri 08:00–12:00 and 13:00–17:00.
fn budapest(holidays: Vec<HolidayInput>) -> Calendar {
    let days = ["mon", "tue", "wed", "thu", "fri"];
    let periods = days.iter().flat_map(|d| [period(d, "08:00", "12:00"), period(d, "13:00", "17:00")]).collect();
    calendar("Europe/Budapest", periods, holidays)
}

fn every_day(zone: &str, start: &str, end: &str) -> Calendar {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    calendar(zone, days.iter().map(|d| period(d, start, end)).collect(), vec![])
}

/// A local wall-clock time (`2026-11-20 16:30`, seconds optional) in `zone`.
fn local(zone: &str, s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.replace(' ', "T").parse().unwrap();
    let tz = jiff::tz::db().get(zone).unwrap();
    Timestamp::from_millis(tz.to_ambiguous_timestamp(dt).compatible().unwrap().as_millisecond())
}

fn utc(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn show(t: Option<Timestamp>) -> Option<String> {
    t.map(Timestamp::to_rfc3339)
}

#[test]
fn a_friday_afternoon_ticket_is_due_on_monday_or_tuesday_after_a_holiday() {
    // The issue's example: written at 16:30 on a Friday, first reply within 1 business hour.
    let friday = local("Europe/Budapest", "2026-11-20 16:30");
    let plain = budapest(vec![]);
    assert_eq!(show(plain.add(friday, HOUR)), Some("2026-11-23T07:30:00Z".into()), "Monday 08:30 CET");
    assert_eq!(plain.between(friday, utc("2026-11-23T07:30:00Z")), HOUR);
    let monday_off = budapest(vec![holiday("2026-11-23", None, false)]);
    assert_eq!(show(monday_off.add(friday, HOUR)), Some("2026-11-24T07:30:00Z".into()), "Tuesday 08:30 CET");
    assert_eq!(monday_off.between(friday, utc("2026-11-24T07:30:00Z")), HOUR);
    assert!(!monday_off.is_open(local("Europe/Budapest", "2026-11-23 10:00")));
}

#[test]
fn a_ticket_written_in_the_lunch_break_counts_from_one_oclock() {
    let cal = budapest(vec![]);
    let lunch = local("Europe/Budapest", "2026-11-17 12:15");
    assert!(!cal.is_open(lunch));
    assert_eq!(show(cal.next_open(lunch)), Some("2026-11-17T12:00:00Z".into()), "13:00 CET");
    assert_eq!(show(cal.add(lunch, 0)), Some("2026-11-17T12:00:00Z".into()));
    assert_eq!(show(cal.add(lunch, 30 * MINUTE)), Some("2026-11-17T12:30:00Z".into()));
    // Met exactly at closing time: due at 17:00, not at the next morning's opening.
    assert_eq!(show(cal.add(lunch, 4 * HOUR)), Some("2026-11-17T16:00:00Z".into()));
    assert_eq!(show(cal.add(lunch, 4 * HOUR + MINUTE)), Some("2026-11-18T07:01:00Z".into()));
    assert_eq!(cal.between(lunch, local("Europe/Budapest", "2026-11-17 13:30")), 30 * MINUTE);
    // Open at a period's start, closed at its end.
    assert!(cal.is_open(local("Europe/Budapest", "2026-11-17 13:00")));
    assert!(!cal.is_open(local("Europe/Budapest", "2026-11-17 12:00")));
}

#[test]
fn targets_longer_than_a_week() {
    let cal = budapest(vec![]);
    let monday = local("Europe/Budapest", "2026-11-02 08:00");
    // 40 business hours a week: 50 hours is the next week's Monday (8) and 2 hours of Tuesday.
    assert_eq!(show(cal.add(monday, 50 * HOUR)), Some("2026-11-10T09:00:00Z".into()), "Tuesday 10:00 CET");
    // 30 days of business time is 18 working weeks, met at the 18th Friday's closing.
    let target = cal.add(monday, 30 * 24 * HOUR);
    assert_eq!(show(target), Some("2027-03-05T16:00:00Z".into()), "Friday 17:00 CET");
    assert_eq!(cal.between(monday, utc("2027-03-05T16:00:00Z")), 30 * 24 * HOUR);
    // Exactly two weeks' worth from a Sunday: met at the second Friday's closing, not the Monday after.
    let sunday = local("Europe/Budapest", "2026-11-01 12:00");
    assert_eq!(show(cal.add(sunday, 80 * HOUR)), Some("2026-11-13T16:00:00Z".into()), "Friday 17:00 CET");
    // Across the spring-forward of 2027-03-28: 2 weeks and 1 hour from Friday 2027-03-19 16:00 CET.
    let friday = local("Europe/Budapest", "2027-03-19 16:00");
    assert_eq!(show(cal.add(friday, 80 * HOUR + HOUR)), Some("2027-04-02T15:00:00Z".into()), "17:00 CEST");
}

#[test]
fn budapest_spring_forward_and_fall_back() {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST, so 01:00–05:00 holds 3 real hours.
    let cal = every_day("Europe/Budapest", "01:00", "05:00");
    let day = local("Europe/Budapest", "2026-03-29 00:00");
    assert_eq!(cal.between(day, local("Europe/Budapest", "2026-03-30 00:00")), 3 * HOUR);
    assert_eq!(show(cal.add(day, 0)), Some("2026-03-29T00:00:00Z".into()), "01:00 CET");
    assert_eq!(show(cal.add(day, 2 * HOUR)), Some("2026-03-29T02:00:00Z".into()), "04:00 CEST");
    assert_eq!(show(cal.add(day, 3 * HOUR)), Some("2026-03-29T03:00:00Z".into()), "05:00 CEST");
    assert_eq!(show(cal.add(day, 3 * HOUR + 1)), Some("2026-03-29T23:00:00.001Z".into()), "next day 01:00 CEST");
    // The day before holds the usual 4.
    assert_eq!(cal.between(local("Europe/Budapest", "2026-03-28 00:00"), day), 4 * HOUR);
    // A period starting in the skipped hour starts at 03:30 CEST.
    let gap = every_day("Europe/Budapest", "02:30", "04:00");
    assert_eq!(cal_open_on(&gap, day), 30 * MINUTE);
    assert_eq!(show(gap.next_open(day)), Some("2026-03-29T01:30:00Z".into()));
    // 02:00–02:45 (skipped, so 03:00–03:45 CEST) and 03:00–04:00 CEST cover the same real time: counted once.
    let both =
        calendar("Europe/Budapest", vec![period("sun", "02:00", "02:45"), period("sun", "03:00", "04:00")], vec![]);
    assert_eq!(cal_open_on(&both, day), HOUR);
    assert_eq!(show(both.add(day, 30 * MINUTE)), Some("2026-03-29T01:30:00Z".into()));
    assert_eq!(show(both.add(day, HOUR + 1)), Some("2026-04-05T00:00:00.001Z".into()), "next Sunday 02:00 CEST");

    // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 00:00–04:00 holds 5 real hours.
    let cal = every_day("Europe/Budapest", "00:00", "04:00");
    let day = local("Europe/Budapest", "2026-10-25 00:00");
    assert_eq!(day, utc("2026-10-24T22:00:00Z"));
    assert_eq!(cal.between(day, local("Europe/Budapest", "2026-10-26 00:00")), 5 * HOUR);
    assert_eq!(show(cal.add(day, 5 * HOUR)), Some("2026-10-25T03:00:00Z".into()), "04:00 CET");
    assert_eq!(show(cal.add(day, 2 * HOUR + 30 * MINUTE)), Some("2026-10-25T00:30:00Z".into()), "first 02:30");
    // Both 02:xx hours are business time.
    assert_eq!(cal.between(utc("2026-10-25T00:00:00Z"), utc("2026-10-25T02:00:00Z")), 2 * HOUR);

    // The working week around the change: Friday 16:30 CEST + 1 hour is Monday 08:30 CET.
    let friday = local("Europe/Budapest", "2026-10-23 16:30");
    assert_eq!(friday, utc("2026-10-23T14:30:00Z"));
    assert_eq!(show(budapest(vec![]).add(friday, HOUR)), Some("2026-10-26T07:30:00Z".into()));
}

/// Business time on the local day that begins at `midnight`.
fn cal_open_on(cal: &Calendar, midnight: Timestamp) -> i64 {
    cal.between(midnight, Timestamp::from_millis(midnight.millis() + 24 * HOUR))
}

#[test]
fn new_york_spring_forward_and_fall_back() {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT; 00:00–06:00 holds 5 hours.
    let cal = every_day("America/New_York", "00:00", "06:00");
    let day = local("America/New_York", "2026-03-08 00:00");
    assert_eq!(day, utc("2026-03-08T05:00:00Z"));
    assert_eq!(cal.between(day, local("America/New_York", "2026-03-09 00:00")), 5 * HOUR);
    assert_eq!(show(cal.add(day, 5 * HOUR)), Some("2026-03-08T10:00:00Z".into()), "06:00 EDT");
    assert_eq!(show(cal.add(day, 5 * HOUR + MINUTE)), Some("2026-03-09T04:01:00Z".into()), "next 00:01 EDT");
    // 2026-11-01: 02:00 EDT becomes 01:00 EST; 00:00–06:00 holds 7 hours.
    let day = local("America/New_York", "2026-11-01 00:00");
    assert_eq!(day, utc("2026-11-01T04:00:00Z"));
    assert_eq!(cal.between(day, local("America/New_York", "2026-11-02 00:00")), 7 * HOUR);
    assert_eq!(show(cal.add(day, 7 * HOUR)), Some("2026-11-01T11:00:00Z".into()), "06:00 EST");

    // A working week: Friday 16:30 EST + 1 business hour is Monday 09:30 EDT.
    let days = ["mon", "tue", "wed", "thu", "fri"];
    let desk = calendar("America/New_York", days.iter().map(|d| period(d, "09:00", "17:00")).collect(), vec![]);
    let friday = local("America/New_York", "2026-03-06 16:30");
    assert_eq!(show(desk.add(friday, HOUR)), Some("2026-03-09T13:30:00Z".into()));
    let friday = local("America/New_York", "2026-10-30 16:30");
    assert_eq!(show(desk.add(friday, HOUR)), Some("2026-11-02T14:30:00Z".into()), "Monday 09:30 EST");
}

#[test]
fn a_holiday_range_closes_every_day_in_it() {
    let cal = budapest(vec![
        holiday("2026-12-24", Some("2026-12-26"), false),
        holiday("2026-12-31", None, false),
        // Ranges may overlap and nest.
        holiday("2027-02-01", Some("2027-02-12"), false),
        holiday("2027-02-03", None, false),
        holiday("2027-02-10", Some("2027-02-15"), false),
    ]);
    let open = |d: &str| cal.is_open(local("Europe/Budapest", &format!("{d} 10:00")));
    assert!(!open("2027-02-01") && !open("2027-02-05") && !open("2027-02-11") && !open("2027-02-15"));
    assert!(open("2027-01-29") && open("2027-02-16"));
    let wednesday = local("Europe/Budapest", "2026-12-23 16:30");
    // Thursday 24 and Friday 25 are closed, then the weekend.
    assert_eq!(show(cal.add(wednesday, HOUR)), Some("2026-12-28T07:30:00Z".into()), "Monday 08:30 CET");
    // Monday to Wednesday (3 days of 8 hours), Thursday 31 closed, Friday 1 January open.
    let monday = local("Europe/Budapest", "2026-12-28 08:00");
    assert_eq!(show(cal.add(monday, 25 * HOUR)), Some("2027-01-01T08:00:00Z".into()), "Friday 09:00 CET");
    assert_eq!(cal.between(wednesday, local("Europe/Budapest", "2027-01-02 00:00")), 30 * MINUTE + 32 * HOUR);
}

#[test]
fn a_yearly_holiday_recurs_from_its_first_year() {
    let cal = budapest(vec![holiday("2026-05-01", None, true)]);
    // 2028-05-01 is a Monday.
    let friday = local("Europe/Budapest", "2028-04-28 16:30");
    assert_eq!(show(cal.add(friday, HOUR)), Some("2028-05-02T06:30:00Z".into()), "Tuesday 08:30 CEST");
    // 2025 is before the first year: 1 May 2025 (a Thursday) is open.
    let wednesday = local("Europe/Budapest", "2025-04-30 16:30");
    assert_eq!(show(cal.add(wednesday, HOUR)), Some("2025-05-01T06:30:00Z".into()));

    // 29 February recurs only in leap years; a yearly range may run over New Year.
    let leap = holiday("2024-02-29", None, true);
    let new_year = holiday("2026-12-31", Some("2027-01-01"), true);
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let cal = calendar("UTC", days.iter().map(|d| period(d, "00:00", "24:00")).collect(), vec![leap, new_year]);
    let open = |d: &str| cal.is_open(utc(&format!("{d}T12:00:00Z")));
    assert!(!open("2028-02-29"));
    assert!(open("2027-02-28") && open("2027-03-01") && open("2028-02-28") && open("2028-03-01"));
    assert!(!open("2030-12-31") && !open("2031-01-01"));
    assert!(open("2030-12-30") && open("2031-01-02") && open("2026-01-01"));
    assert_eq!(cal.between(utc("2030-12-30T00:00:00Z"), utc("2031-01-03T00:00:00Z")), 48 * HOUR);
}

#[test]
fn periods_a_few_seconds_long() {
    let periods = vec![
        period("mon", "10:00:00", "10:00:30"),
        period("mon", "10:00:30", "10:00:45"),
        period("mon", "11:00:00", "11:00:01"),
    ];
    let cal = calendar("Europe/Budapest", periods, vec![]);
    let monday = local("Europe/Budapest", "2026-11-16 09:00");
    assert_eq!(cal.add(monday, 40_000), Some(local("Europe/Budapest", "2026-11-16 10:00:40")));
    assert_eq!(
        cal.add(monday, 500),
        Some(Timestamp::from_millis(local("Europe/Budapest", "2026-11-16 10:00").millis() + 500))
    );
    assert_eq!(cal.add(monday, 45_000), Some(local("Europe/Budapest", "2026-11-16 10:00:45")));
    assert_eq!(cal.add(monday, 46_000), Some(local("Europe/Budapest", "2026-11-16 11:00:01")));
    assert_eq!(cal.add(monday, 46_001), Some(local("Europe/Budapest", "2026-11-23 10:00:00.001")));
    assert_eq!(cal.between(monday, local("Europe/Budapest", "2026-11-30 09:00")), 2 * 46_000);
}

#[test]
fn work_over_midnight_is_one_stretch() {
    let periods = vec![period("mon", "22:00", "24:00"), period("tue", "00:00", "06:00")];
    let cal = calendar("Europe/Budapest", periods, vec![]);
    let at = |s: &str| local("Europe/Budapest", s);
    assert_eq!(cal.add(at("2026-11-16 23:00"), HOUR), Some(at("2026-11-17 00:00")));
    assert_eq!(cal.add(at("2026-11-16 23:00"), 3 * HOUR), Some(at("2026-11-17 02:00")));
    assert_eq!(cal.add(at("2026-11-16 12:00"), 8 * HOUR), Some(at("2026-11-17 06:00")));
    assert_eq!(cal.between(at("2026-11-16 21:00"), at("2026-11-17 07:00")), 8 * HOUR);
    assert!(cal.is_open(at("2026-11-17 00:00")) && cal.is_open(at("2026-11-16 23:59:59")));
    assert!(!cal.is_open(at("2026-11-17 06:00")));
}

#[test]
fn calendar_hours_are_plain_time() {
    let cal = Calendar::always();
    let t = utc("2026-03-29T00:30:00Z");
    assert_eq!(cal.add(t, 90 * 24 * HOUR + 7), Some(Timestamp::from_millis(t.millis() + 90 * 24 * HOUR + 7)));
    assert_eq!(cal.between(t, utc("2026-03-30T00:30:00Z")), 24 * HOUR);
    assert!(cal.is_open(t));
    // A calendar that is open around the clock in a DST zone is also plain time.
    let budapest = every_day("Europe/Budapest", "00:00", "24:00");
    assert_eq!(budapest.between(t, utc("2026-03-30T00:30:00Z")), 24 * HOUR);
    assert_eq!(budapest.add(t, 3 * HOUR), Some(utc("2026-03-29T03:30:00Z")));
}

#[test]
fn a_calendar_that_never_opens_answers_none() {
    let closed = calendar("Europe/Budapest", vec![], vec![]);
    let t = utc("2026-11-20T10:00:00Z");
    assert_eq!(closed.add(t, HOUR), None);
    assert_eq!(closed.next_open(t), None);
    assert_eq!(closed.between(t, utc("2027-11-20T10:00:00Z")), 0);
    assert!(!closed.is_open(t));
    // Twenty years of holidays: no opening within the ten years looked through.
    let away = budapest(vec![holiday("2026-01-01", Some("2045-12-31"), false)]);
    assert_eq!(away.add(t, HOUR), None);
    // Five years of holidays are waited out.
    let sabbatical = budapest(vec![holiday("2026-01-01", Some("2030-12-31"), false)]);
    assert_eq!(show(sabbatical.next_open(t)), Some("2031-01-01T07:00:00Z".into()), "Wednesday 08:00 CET");
    // A target too far for the calendar to count ends, without an answer.
    let utc_desk = calendar("UTC", vec![period("mon", "09:00", "17:00")], vec![]);
    assert_eq!(utc_desk.add(t, i64::MAX), None);
}

#[test]
fn every_bad_field_is_named_at_once() {
    let input = CalendarInput {
        name: " ".into(),
        time_zone: "Europe/Budapes".into(),
        periods: vec![
            period("mon", "08:00", "12:00"),
            period("monday", "08:00", "12:00"),
            period("tue", "8:00", "24:01"),
            period("wed", "12:00", "12:00"),
            period("mon", "11:00", "13:00"),
            period("mon", "12:00", "13:00"),
            period("thu", "24:00", "24:00"),
        ],
        holidays: vec![
            holiday("2026-02-30", None, false),
            holiday("2026-12-27", Some("2026-12-25"), false),
            holiday("2026-12-24", Some("2027-12-24"), true),
            HolidayInput { name: Some("x".repeat(201)), ..holiday("2026-12-25", Some("soon"), false) },
        ],
        default: false,
    };
    let e = Calendar::new(&input).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "name",
            "time_zone",
            "periods[1].day",
            "periods[2].start",
            "periods[2].end",
            "periods[3].end",
            "periods[6].start",
            "periods[4]",
            "periods[5]",
            "holidays[0].date",
            "holidays[1].end_date",
            "holidays[2].end_date",
            "holidays[3].end_date",
            "holidays[3].name",
        ],
        "{e:?}"
    );
    assert!(e.lines().iter().any(|l| l == "periods[4]: overlaps periods[0] (mon 08:00–12:00)"), "{e:?}");
    // Touching periods are fine.
    let touching = vec![period("mon", "08:00", "12:00"), period("mon", "12:00", "13:00")];
    assert!(Calendar::new(&CalendarInput { periods: touching, ..budapest(vec![]).to_input() }).is_ok());
    let long = CalendarInput { name: "x".repeat(201), ..budapest(vec![]).to_input() };
    assert_eq!(Calendar::new(&long).unwrap_err().0[0].field, "name");
}

#[test]
fn reads_the_api_shape_and_writes_it_back() {
    let body = r#"{"name": "Budapest team", "time_zone": "europe/budapest",
        "periods": [{"day": "mon", "start": "08:00", "end": "12:00"}, {"day": "mon", "start": "13:00:00", "end": "17:00:30"}],
        "holidays": [{"date": "2026-12-25"}, {"date": "2026-12-24", "end_date": "2026-12-26", "name": "Christmas", "yearly": true}],
        "default": true}"#;
    let input: CalendarInput = serde_json::from_str(body).unwrap();
    let cal = Calendar::new(&input).unwrap();
    assert_eq!((cal.name(), cal.time_zone(), cal.is_default()), ("Budapest team", "Europe/Budapest", true));
    let back = cal.to_input();
    assert_eq!(back.periods[1], period("mon", "13:00", "17:00:30"));
    assert_eq!(Calendar::new(&back).unwrap(), cal);
    let json = serde_json::to_value(&back).unwrap();
    assert_eq!(json["holidays"][0], serde_json::json!({"date": "2026-12-25", "yearly": false}));
    assert_eq!(
        json["holidays"][1],
        serde_json::json!({"date": "2026-12-24", "end_date": "2026-12-26", "name": "Christmas", "yearly": true})
    );
    assert_eq!(Calendar::new(&Calendar::always().to_input()).unwrap(), Calendar::always());
}
