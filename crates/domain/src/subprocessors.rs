//! The operator's register of subprocessors: who processes account data, for what, where, and for which feature.
//! Versions are dated and numbered; what changed between two is computed from them. An account's effective list is
//! the hosting of its region plus the providers of the features it switched on.

use crate::error::Checker;
use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a subprocessor is there for. `hosting` is part of every account of the regions it serves; the others
/// only of accounts that switched the feature on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    Hosting,
    Email,
    Voice,
    Ai,
    Support,
}

impl Feature {
    pub const ALL: [Feature; 5] = [Feature::Hosting, Feature::Email, Feature::Voice, Feature::Ai, Feature::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Hosting => "hosting",
            Feature::Email => "email",
            Feature::Voice => "voice",
            Feature::Ai => "ai",
            Feature::Support => "support",
        }
    }

    pub fn parse(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// One entry of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subprocessor {
    /// Unique within a version: what tells entries apart across versions.
    pub name: String,
    pub legal_entity: String,
    pub purpose: String,
    pub data_categories: Vec<String>,
    /// ISO 3166-1 alpha-2 code of where it processes the data.
    pub country: String,
    /// The regions it serves (`eu`, `us`, `uk`, `apac`).
    pub regions: Vec<String>,
    pub feature: Feature,
}

/// One dated version of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub version: u32,
    /// `YYYY-MM-DD`: the day the version takes effect.
    pub date: String,
    #[serde(rename = "subprocessor", default)]
    pub entries: Vec<Subprocessor>,
}

/// `YYYY-MM-DD` with a month and day that can exist.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let number = |r: std::ops::Range<usize>| s.get(r).and_then(|d| d.parse::<u32>().ok()).unwrap_or(0);
    b.len() == 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
}

impl Register {
    /// Checks a version as the operator wrote it: every field present and sensible, names unique, regions known.
    pub fn check(&self, known_regions: &[&str]) -> Result<(), Invalid> {
        let mut errs = Checker::new();
        if self.version == 0 {
            errs.add("version", "must be 1 or more");
        }
        if !is_date(&self.date) {
            errs.add("date", format!("'{}' is not a date written YYYY-MM-DD", self.date));
        }
        let mut names = BTreeSet::new();
        for (i, e) in self.entries.iter().enumerate() {
            let at = |f: &str| format!("subprocessor[{i}].{f}");
            for (field, value) in [("name", &e.name), ("legal_entity", &e.legal_entity), ("purpose", &e.purpose)] {
                if value.trim().is_empty() || value.len() > 300 || value.chars().any(char::is_control) {
                    errs.add(at(field), "must be 1 to 300 characters on one line");
                }
            }
            if !names.insert(e.name.trim().to_lowercase()) {
                errs.add(at("name"), format!("'{}' is listed twice", e.name));
            }
            if e.country.len() != 2 || !e.country.bytes().all(|b| b.is_ascii_uppercase()) {
                errs.add(at("country"), format!("'{}' is not a two-letter country code such as DE", e.country));
            }
            if e.regions.is_empty() {
                errs.add(at("regions"), "must name at least one region");
            }
            for r in &e.regions {
                if !known_regions.contains(&r.as_str()) {
                    errs.add(at("regions"), format!("'{r}' is not a region ({})", known_regions.join(", ")));
                }
            }
            if e.data_categories.is_empty() || e.data_categories.iter().any(|c| c.trim().is_empty()) {
                errs.add(at("data_categories"), "must list at least one category of data, none empty");
            }
        }
        errs.finish()
    }

    /// The entries an account of `region` with `enabled` features has: its region's hosting, and the providers of
    /// each enabled feature that serve its region.
    pub fn effective(&self, region: &str, enabled: &BTreeSet<Feature>) -> Vec<&Subprocessor> {
        self.entries
            .iter()
            .filter(|e| e.regions.iter().any(|r| r == region))
            .filter(|e| e.feature == Feature::Hosting || enabled.contains(&e.feature))
            .collect()
    }

    /// The providers of `feature` for `region`: what an owner consents to when switching it on.
    pub fn providers(&self, region: &str, feature: Feature) -> Vec<&Subprocessor> {
        self.entries.iter().filter(|e| e.feature == feature && e.regions.iter().any(|r| r == region)).collect()
    }
}

/// One entry that differs between two versions, with the fields that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Changed {
    pub before: Subprocessor,
    pub after: Subprocessor,
    pub fields: Vec<&'static str>,
}

/// What changed from one version to the next, entries matched by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Changes {
    pub added: Vec<Subprocessor>,
    pub removed: Vec<Subprocessor>,
    pub changed: Vec<Changed>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// Only what concerns an account of `region` with `enabled` features (hosting included).
    pub fn concerning(&self, region: &str, enabled: &BTreeSet<Feature>) -> Changes {
        let relevant = |e: &Subprocessor| {
            e.regions.iter().any(|r| r == region) && (e.feature == Feature::Hosting || enabled.contains(&e.feature))
        };
        Changes {
            added: self.added.iter().filter(|e| relevant(e)).cloned().collect(),
            removed: self.removed.iter().filter(|e| relevant(e)).cloned().collect(),
            changed: self.changed.iter().filter(|c| relevant(&c.before) || relevant(&c.after)).cloned().collect(),
        }
    }
}

/// A version's changes as they concern one account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionChanges {
    pub version: u32,
    pub date: String,
    pub changes: Changes,
}

/// The register as one account sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountRegister {
    pub version: u32,
    pub date: String,
    pub features: Vec<Feature>,
    pub subprocessors: Vec<Subprocessor>,
    /// Newest first; versions that changed nothing for this account are left out.
    pub history: Vec<VersionChanges>,
}

/// An owner's consent to the providers of a feature, as the register listed them when it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub feature: Feature,
    pub register_version: u32,
    /// The providers' names consented to.
    pub providers: Vec<String>,
    /// The owner who consented.
    #[schema(value_type = String)]
    pub agent_id: crate::ids::AgentId,
    #[schema(value_type = String)]
    pub at: crate::Timestamp,
}

/// Whether earlier consents cover every provider of a feature now: a provider added since needs consent anew.
pub fn consented(consents: &[Consent], feature: Feature, providers: &[&Subprocessor]) -> bool {
    providers.iter().all(|p| {
        consents
            .iter()
            .any(|c| c.feature == feature && c.providers.iter().any(|n| n.trim().eq_ignore_ascii_case(p.name.trim())))
    })
}

/// One optional feature as the account's settings show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeatureState {
    pub feature: Feature,
    pub enabled: bool,
    /// Who would process the account's data for it, in the account's region.
    pub providers: Vec<Subprocessor>,
    /// Every one of them was consented to by an owner.
    pub consented: bool,
}

/// A register version that changed an account's list, as its owners see it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegisterNotice {
    pub register_version: u32,
    /// What changed for the account ([`Changes`] as JSON).
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    #[schema(value_type = String)]
    pub created_at: crate::Timestamp,
    /// Owners may object until then.
    #[schema(value_type = String)]
    pub object_until: crate::Timestamp,
    pub objection: Option<Objection>,
}

/// An owner's objection to a register change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Objection {
    #[schema(value_type = String)]
    pub at: crate::Timestamp,
    #[schema(value_type = String)]
    pub by: crate::ids::AgentId,
    pub reason: String,
}

fn key(e: &Subprocessor) -> String {
    e.name.trim().to_lowercase()
}

pub fn diff(old: &Register, new: &Register) -> Changes {
    let mut changes = Changes::default();
    for n in &new.entries {
        match old.entries.iter().find(|o| key(o) == key(n)) {
            None => changes.added.push(n.clone()),
            Some(o) if o != n => {
                let mut fields = Vec::new();
                let pairs: [(&'static str, bool); 7] = [
                    ("name", o.name != n.name),
                    ("legal_entity", o.legal_entity != n.legal_entity),
                    ("purpose", o.purpose != n.purpose),
                    ("data_categories", o.data_categories != n.data_categories),
                    ("country", o.country != n.country),
                    ("regions", o.regions != n.regions),
                    ("feature", o.feature != n.feature),
                ];
                fields.extend(pairs.iter().filter(|(_, differs)| *differs).map(|(f, _)| *f));
                changes.changed.push(Changed { before: o.clone(), after: n.clone(), fields });
            }
            Some(_) => {}
        }
    }
    for o in &old.entries {
        if !new.entries.iter().any(|n| key(n) == key(o)) {
            changes.removed.push(o.clone());
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, feature: Feature, regions: &[&str]) -> Subprocessor {
        Subprocessor {
            name: name.into(),
            legal_entity: format!("{name} Ltd"),
            purpose: "testing".into(),
            data_categories: vec!["account data".into()],
            country: "DE".into(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            feature,
        }
    }

    fn register(version: u32, entries: Vec<Subprocessor>) -> Register {
        Register { version, date: "2026-11-01".into(), entries }
    }

    const REGIONS: [&str; 4] = ["eu", "us", "uk", "apac"];

    #[test]
    fn effective_lists_hosting_of_the_region_and_enabled_features_only() {
        let r = register(
            1,
            vec![
                entry("EU Host", Feature::Hosting, &["eu"]),
                entry("US Host", Feature::Hosting, &["us"]),
                entry("Mailer", Feature::Email, &["eu", "us"]),
                entry("Brain", Feature::Ai, &["eu"]),
                entry("Phones", Feature::Voice, &["us"]),
            ],
        );
        let names = |v: Vec<&Subprocessor>| v.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(r.effective("eu", &BTreeSet::new())), ["EU Host"]);
        let ai = BTreeSet::from([Feature::Ai, Feature::Voice]);
        assert_eq!(names(r.effective("eu", &ai)), ["EU Host", "Brain"], "voice has no provider in eu");
        assert_eq!(names(r.effective("us", &ai)), ["US Host", "Phones"]);
        assert_eq!(names(r.providers("eu", Feature::Email)), ["Mailer"]);
    }

    #[test]
    fn the_difference_between_versions_is_computed() {
        let old = register(1, vec![entry("A", Feature::Hosting, &["eu"]), entry("B", Feature::Ai, &["eu"])]);
        let mut moved = entry("A", Feature::Hosting, &["eu"]);
        moved.country = "FI".into();
        let new = register(2, vec![moved, entry("C", Feature::Email, &["eu"])]);
        let d = diff(&old, &new);
        assert_eq!(d.added.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["C"]);
        assert_eq!(d.removed.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["B"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].fields, ["country"]);
        assert!(diff(&new, &new).is_empty());
        // An account without AI is not concerned by B's removal; one in another region by nothing.
        let plain = d.concerning("eu", &BTreeSet::new());
        assert!(plain.removed.is_empty() && plain.changed.len() == 1 && plain.added.is_empty());
        assert!(d.concerning("us", &BTreeSet::from([Feature::Ai, Feature::Email])).is_empty());
    }

    #[test]
    fn bad_registers_are_named_field_by_field() {
        let mut bad = entry("", Feature::Hosting, &["mars"]);
        bad.country = "Germany".into();
        let r = Register {
            version: 0,
            date: "1st of May".into(),
            entries: vec![bad, entry("X", Feature::Ai, &["eu"]), entry("x", Feature::Ai, &["eu"])],
        };
        let err = r.check(&REGIONS).unwrap_err();
        let fields: Vec<String> = err.0.iter().map(|e| e.field.clone()).collect();
        for f in [
            "version",
            "date",
            "subprocessor[0].name",
            "subprocessor[0].country",
            "subprocessor[0].regions",
            "subprocessor[2].name",
        ] {
            assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
        }
        assert!(register(1, vec![entry("A", Feature::Hosting, &["eu"])]).check(&REGIONS).is_ok());
        assert!(!is_date("2026-13-01") && is_date("2026-02-28"));
    }
}
