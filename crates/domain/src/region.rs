//! Regions are the cells an account lives in. Each has its own database, blobs and index; nothing of an account is
//! written outside its region.

use crate::Invalid;
use serde::Serialize;
use std::fmt;

/// Region and database names go into paths and environment variable names: a lowercase letter, then lowercase
/// letters and digits, 16 at most.
fn is_short_name(s: &str) -> bool {
    s.len() <= 16
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// A region's name: short, lowercase, usable in paths and environment variable names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RegionName(String);

/// The regions every Parley has unless its configuration says otherwise.
pub const DEFAULT_REGIONS: [&str; 4] = ["eu", "us", "uk", "apac"];

impl RegionName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if is_short_name(s) {
            Ok(RegionName(s.to_string()))
        } else {
            Err(Invalid::field("region", format!("'{s}' is not a region name (lowercase letters and digits)")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One of a region's databases. Every region has `main`; an operator may give a region more (to spread its accounts
/// over several servers), and accounts move between them without leaving the region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DatabaseName(String);

impl DatabaseName {
    pub const MAIN: &'static str = "main";

    pub fn main() -> Self {
        DatabaseName(Self::MAIN.to_string())
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if is_short_name(s) {
            Ok(DatabaseName(s.to_string()))
        } else {
            Err(Invalid::field("database", format!("'{s}' is not a database name (lowercase letters and digits)")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_main(&self) -> bool {
        self.0 == Self::MAIN
    }
}

impl fmt::Display for DatabaseName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an account's data is: one database of one region. Written `eu` for a region's main database and `eu/b`
/// for another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub region: RegionName,
    pub database: DatabaseName,
}

impl Place {
    pub fn main(region: RegionName) -> Self {
        Place { region, database: DatabaseName::main() }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.split_once('/') {
            Some((r, d)) => Ok(Place { region: RegionName::parse(r)?, database: DatabaseName::parse(d)? }),
            None => Ok(Place::main(RegionName::parse(s)?)),
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.database.is_main() {
            write!(f, "{}", self.region)
        } else {
            write!(f, "{}/{}", self.region, self.database)
        }
    }
}

impl Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The region an account from this country is created in (ISO 3166-1 alpha-2).
///
/// EU/EEA and Switzerland → `eu`; the United Kingdom → `uk`; North and Latin America → `us`; Asia-Pacific → `apac`.
/// Countries outside these lists get `None`: the operator must then pick a region explicitly.
pub fn region_for_country(code: &str) -> Option<&'static str> {
    const EU: &[&str] = &[
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
        "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH",
    ];
    const UK: &[&str] = &["GB", "IM", "JE", "GG"];
    const US: &[&str] = &[
        "US", "CA", "MX", "AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "SV", "GT", "HN", "NI", "PA", "PY",
        "PE", "PR", "UY", "VE", "BZ", "JM", "TT", "BS", "BB", "HT",
    ];
    const APAC: &[&str] = &[
        "AU", "NZ", "JP", "KR", "CN", "HK", "TW", "MO", "SG", "MY", "ID", "PH", "TH", "VN", "IN", "PK", "BD", "LK",
        "NP", "KH", "LA", "MM", "BN", "MN", "FJ", "PG",
    ];
    let code = code.trim().to_ascii_uppercase();
    let code = code.as_str();
    if EU.contains(&code) {
        Some("eu")
    } else if UK.contains(&code) {
        Some("uk")
    } else if US.contains(&code) {
        Some("us")
    } else if APAC.contains(&code) {
        Some("apac")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_a_region_and_one_of_its_databases() {
        let main = Place::parse("eu").unwrap();
        assert_eq!((main.region.as_str(), main.database.as_str(), main.to_string()), ("eu", "main", "eu".into()));
        let b = Place::parse("eu/b2").unwrap();
        assert_eq!((b.region.as_str(), b.database.as_str(), b.to_string()), ("eu", "b2", "eu/b2".into()));
        assert_eq!(Place::parse("eu/main").unwrap(), main);
        for bad in ["", "eu/", "/b", "EU/b", "eu/B", "eu/b/c", "eu/b c"] {
            assert!(Place::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn countries_map_to_regions() {
        assert_eq!(region_for_country("hu"), Some("eu"));
        assert_eq!(region_for_country("NO"), Some("eu"));
        assert_eq!(region_for_country("GB"), Some("uk"));
        assert_eq!(region_for_country("BR"), Some("us"));
        assert_eq!(region_for_country("CA"), Some("us"));
        assert_eq!(region_for_country("PH"), Some("apac"));
        assert_eq!(region_for_country("ZZ"), None);
    }

    #[test]
    fn region_names_are_checked() {
        assert!(RegionName::parse("eu").is_ok());
        assert!(RegionName::parse("EU").is_err());
        assert!(RegionName::parse("../x").is_err());
        assert!(RegionName::parse("").is_err());
    }
}
