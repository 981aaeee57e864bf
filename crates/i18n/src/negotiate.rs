//! Choosing a language: one the visitor asked for (`?lang=`), else the first the browser accepts by its weights
//! (`Accept-Language`), else English.

use crate::LANGUAGES;

/// The language Parley speaks for a tag like `de-AT` or `fil`, by its primary subtag.
pub fn known(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase();
    let primary = if primary == "fil" { "tl".to_string() } else { primary };
    LANGUAGES.iter().map(|l| l.code).find(|c| *c == primary)
}

/// The tags of an `Accept-Language` header, most wanted first (equal weights keep the browser's order), without
/// the ones refused (`q=0`). Reads at most 20 entries: the header is the visitor's to make long.
fn accepted(header: &str) -> Vec<String> {
    let mut ranked: Vec<(f32, String)> = header
        .split(',')
        .take(20)
        .filter_map(|part| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim();
            if tag.is_empty() || tag.len() > 35 {
                return None;
            }
            let q =
                bits.find_map(|b| b.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then(|| (q, tag.to_ascii_lowercase()))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().map(|(_, t)| t).collect()
}

/// The language of Parley's own texts for a visitor: `asked` when Parley speaks it, else the first the browser
/// accepts that Parley speaks, else English.
pub fn negotiate(asked: Option<&str>, accept_language: &str) -> &'static str {
    asked.and_then(known).or_else(|| accepted(accept_language).iter().find_map(|t| known(t))).unwrap_or("en")
}

/// Of `available` (content languages, such as a knowledge base's), the one the browser wants most: an exact tag
/// first, else one of the same primary language. `None` when it accepts none of them.
pub fn preferred(accept_language: &str, available: &[String]) -> Option<String> {
    let primary = |t: &str| t.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    for want in accepted(accept_language) {
        if let Some(a) = available.iter().find(|a| a.eq_ignore_ascii_case(&want)) {
            return Some(a.clone());
        }
        if let Some(a) = available.iter().find(|a| primary(a) == primary(&want)) {
            return Some(a.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asked_wins_then_weights_then_english() {
        assert_eq!(negotiate(Some("hu"), "de"), "hu");
        assert_eq!(negotiate(Some("xx"), "fr;q=1, de;q=0.5, hu;q=0.8"), "hu");
        assert_eq!(negotiate(None, "de-AT,de;q=0.9"), "de");
        assert_eq!(negotiate(None, "fil-PH"), "tl");
        assert_eq!(negotiate(None, "hu;q=0, fr"), "en");
        assert_eq!(negotiate(None, ""), "en");
    }

    #[test]
    fn content_languages_match_by_tag_then_primary() {
        let kb = vec!["en".to_string(), "pt-BR".to_string(), "hu".to_string()];
        assert_eq!(preferred("pt-br, en;q=0.5", &kb).as_deref(), Some("pt-BR"));
        assert_eq!(preferred("pt-PT, en;q=0.5", &kb).as_deref(), Some("pt-BR"));
        assert_eq!(preferred("hu-HU;q=0.9, en;q=0.8", &kb).as_deref(), Some("hu"));
        assert_eq!(preferred("fr", &kb), None);
    }
}
