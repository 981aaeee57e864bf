//! Points in time as milliseconds since the Unix epoch: one integer that sorts and compares the same in every engine.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        Timestamp((now.unix_timestamp_nanos() / 1_000_000) as i64)
    }

    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Timestamp(self.0.saturating_add(s.saturating_mul(1000)))
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-22T10:00:00.123Z`.
    pub fn to_rfc3339(self) -> String {
        let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        dt.format(&Rfc3339).unwrap_or_default()
    }

    /// Parse RFC 3339 (`2026-11-22T10:00:00Z`) or a plain date (`2026-11-22`, taken as midnight UTC).
    pub fn parse(s: &str) -> Option<Self> {
        if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
            return Some(Timestamp((dt.unix_timestamp_nanos() / 1_000_000) as i64));
        }
        let date = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        Some(Timestamp(date.midnight().assume_utc().unix_timestamp() * 1000))
    }

    /// A short human form for pages: `2026-11-22 10:00 UTC`.
    pub fn to_display(self) -> String {
        let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        dt.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default()
    }
}

impl Timestamp {
    /// The time as an agent reads it: `2026-11-22 11:00` in their time zone (UTC for a zone the database does
    /// not know, which a checked profile never holds).
    pub fn in_zone(self, zone: &str) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(self.0) else { return self.to_display() };
        match jiff::tz::db().get(zone) {
            Ok(tz) => tz.to_datetime(ts).strftime("%Y-%m-%d %H:%M").to_string(),
            Err(_) => self.to_display(),
        }
    }

    /// The date (`2026-11-22`) this time falls on in `zone` (UTC for a zone the database does not know).
    pub fn date_in_zone(self, zone: &str) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(self.0) else { return String::new() };
        let tz = jiff::tz::db().get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
        tz.to_datetime(ts).date().to_string()
    }

    /// The first moment of a date (`2026-11-22`) in `zone`, as a date picker gives it: "from the 22nd" means from
    /// the agent's midnight, not UTC's. `None` for a text that is no date, or a zone the database does not know.
    pub fn start_of_date(date: &str, zone: &str) -> Option<Self> {
        let date: jiff::civil::Date = date.parse().ok()?;
        let tz = jiff::tz::db().get(zone).ok()?;
        let zoned = date.to_zoned_datetime(tz).ok()?;
        Some(Timestamp(zoned.timestamp().as_millisecond()))
    }

    /// The first moment after a date in `zone`: the end of a range that takes that whole day in.
    pub fn end_of_date(date: &str, zone: &str) -> Option<Self> {
        let date: jiff::civil::Date = date.parse().ok()?;
        Timestamp::start_of_date(&date.tomorrow().ok()?.to_string(), zone)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// Read back as written: RFC 3339 (what the timeline and stored snapshots hold).
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not an RFC 3339 time")))
    }
}

impl utoipa::ToSchema for Timestamp {}
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_date_starts_at_the_zones_midnight() {
        // Budapest is UTC+1 in winter and UTC+2 in summer.
        let winter = super::Timestamp::start_of_date("2026-11-22", "Europe/Budapest").unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-11-21T23:00:00Z");
        let summer = super::Timestamp::start_of_date("2026-07-01", "Europe/Budapest").unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-06-30T22:00:00Z");
        assert_eq!(winter.date_in_zone("Europe/Budapest"), "2026-11-22");
        assert_eq!(winter.date_in_zone("UTC"), "2026-11-21");
        let end = super::Timestamp::end_of_date("2026-12-31", "Europe/Budapest").unwrap();
        assert_eq!(end.to_rfc3339(), "2026-12-31T23:00:00Z");
        assert!(super::Timestamp::start_of_date("2026-02-30", "UTC").is_none());
        assert!(super::Timestamp::start_of_date("2026-11-22", "Mars/Olympus").is_none());
    }

    use super::*;

    #[test]
    fn shows_times_in_the_agents_zone() {
        // 2025-11-22 10:00 UTC is 11:00 in Budapest (CET) and 05:00 in New York (EST).
        let t = Timestamp::from_millis(1_763_805_600_123);
        assert_eq!(t.in_zone("Europe/Budapest"), "2025-11-22 11:00");
        assert_eq!(t.in_zone("America/New_York"), "2025-11-22 05:00");
        assert_eq!(t.in_zone("Nowhere/Else"), "2025-11-22 10:00 UTC");
    }

    #[test]
    fn round_trips_rfc3339() {
        let t = Timestamp::from_millis(1_763_805_600_123);
        assert_eq!(t.to_rfc3339(), "2025-11-22T10:00:00.123Z");
        assert_eq!(Timestamp::parse(&t.to_rfc3339()), Some(t));
    }

    #[test]
    fn parses_plain_dates_as_midnight_utc() {
        assert_eq!(Timestamp::parse("1970-01-02"), Some(Timestamp::from_millis(86_400_000)));
        assert_eq!(Timestamp::parse("yesterday"), None);
    }
}
