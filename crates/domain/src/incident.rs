//! Security incidents the operator records: what happened, to which data, and what was done, told to the owners
//! of every account it touched (GDPR art. 33–34 ask the controller to be told without undue delay).

use crate::error::Checker;
use crate::ids::IncidentId;
use crate::text::checked_text;
use crate::{Invalid, Timestamp};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Incident {
    #[schema(value_type = String)]
    pub id: IncidentId,
    pub title: String,
    /// What happened, as the operator tells it.
    pub description: String,
    /// Which kinds of data were or may have been affected (e.g. "contact emails", "message texts").
    pub data_categories: Vec<String>,
    /// What the operator did and will do about it.
    pub measures: String,
    /// The day it happened or began (`YYYY-MM-DD`), when known.
    pub occurred_on: Option<String>,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
}

/// What the operator writes when recording an incident.
#[derive(Debug, Clone, Default)]
pub struct IncidentReport {
    pub title: String,
    pub description: String,
    pub data_categories: Vec<String>,
    pub measures: String,
    pub occurred_on: Option<String>,
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

impl Incident {
    /// Checks every field, naming each one that is wrong.
    pub fn new(report: IncidentReport, at: Timestamp) -> Result<Incident, Invalid> {
        let mut errs = Checker::new();
        let title = errs.check(checked_text("title", &report.title, 200, false));
        let description = errs.check(checked_text("description", &report.description, 10_000, true));
        let measures = errs.check(checked_text("measures", &report.measures, 10_000, true));
        let named = report.data_categories.len();
        let categories: Vec<String> = report
            .data_categories
            .iter()
            .filter_map(|c| errs.check(checked_text("data_categories", c, 100, false)))
            .collect();
        if named == 0 {
            errs.add("data_categories", "name at least one kind of data affected");
        }
        let occurred_on = report.occurred_on.map(|d| d.trim().to_string());
        if let Some(d) = occurred_on.as_deref().filter(|d| !is_date(d)) {
            errs.add("occurred_on", format!("'{d}' is not a date like 2026-11-20"));
        }
        errs.finish()?;
        match (title, description, measures) {
            (Some(title), Some(description), Some(measures)) if categories.len() == named => Ok(Incident {
                id: IncidentId::new(),
                title,
                description,
                data_categories: categories,
                measures,
                occurred_on,
                created_at: at,
            }),
            // finish() returned Ok, so every field above was checked and kept.
            _ => Err(Invalid::field("report", "could not be read")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> IncidentReport {
        IncidentReport {
            title: "Backup copied to a wrong bucket".into(),
            description: "A nightly backup was readable by another customer for 2 hours.".into(),
            data_categories: vec!["contact emails".into()],
            measures: "The bucket was locked and the copy deleted.".into(),
            occurred_on: Some("2026-11-20".into()),
        }
    }

    #[test]
    fn a_full_report_is_an_incident() {
        let i = Incident::new(report(), Timestamp::now()).unwrap();
        assert_eq!(i.data_categories, vec!["contact emails".to_string()]);
        assert_eq!(i.occurred_on.as_deref(), Some("2026-11-20"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = IncidentReport {
            title: " ".into(),
            data_categories: vec![],
            occurred_on: Some("20.11.2026".into()),
            ..report()
        };
        let e = Incident::new(bad, Timestamp::now()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "data_categories", "occurred_on"], "{e:?}");
        let month = IncidentReport { occurred_on: Some("2026-13-01".into()), ..report() };
        assert!(Incident::new(month, Timestamp::now()).is_err());
    }
}
