//! Regions are the cells an account lives in. Each has its own database, blobs and index; nothing of an account is
//! written outside its region.

use crate::Invalid;
use serde::Serialize;
use std::fmt;

/// A region's name: short, lowercase, usable in paths and environment variable names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RegionName(String);

/// The regions every Parley has unless its configuration says otherwise.
pub const DEFAULT_REGIONS: [&str; 4] = ["eu", "us", "uk", "apac"];

impl RegionName {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let ok = !s.is_empty()
            && s.len() <= 16
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && s.as_bytes()[0].is_ascii_lowercase();
        if ok {
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
