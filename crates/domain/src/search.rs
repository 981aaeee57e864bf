//! Searching tickets: how text becomes searchable terms, how a query is read, and how a hit is shown.
//!
//! Text is cut into words (letters and digits, lowercased). Each word is kept as it is (for phrases and prefixes)
//! and as its stems in English, German and Hungarian (for "printers" to find "printer", "Rechnungen" to find
//! "Rechnung", "számlát" to find "számla"): an account's tickets come in any of these languages, and a stem that
//! does not belong to a word's language rarely matches anything else. The same analysis serves both engines, so
//! SQLite (FTS5) and PostgreSQL (tsvector) find the same tickets.

use crate::Invalid;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

/// Words longer than this are not words (hashes, base64); they are cut.
const MAX_WORD: usize = 40;
/// Text beyond this (per ticket) is not indexed: the first 200 KB of a conversation say what it is about.
const MAX_TEXT: usize = 200 * 1024;
/// The most terms a query may have.
const MAX_TERMS: usize = 16;

static STEMMERS: LazyLock<[Stemmer; 3]> = LazyLock::new(|| {
    [Stemmer::create(Algorithm::English), Stemmer::create(Algorithm::German), Stemmer::create(Algorithm::Hungarian)]
});

/// The words of a text, lowercased, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD).flat_map(char::to_lowercase).collect())
}

/// A word's stems in the languages searched, without repeats.
pub fn stems(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(3);
    for s in STEMMERS.iter() {
        let stem = s.stem(word).into_owned();
        if !stem.is_empty() && !out.contains(&stem) {
            out.push(stem);
        }
    }
    out
}

/// What the index keeps of a ticket: its words in order (space-separated) and their stems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub words: String,
    pub stems: String,
}

impl Document {
    /// The document of a ticket's texts (subject, messages, requester, tags, number), in that order.
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Document {
        let mut words = String::new();
        let mut stems = String::new();
        let mut seen = std::collections::HashSet::new();
        'texts: for t in texts {
            for w in self::words(t) {
                if words.len() + w.len() >= MAX_TEXT {
                    break 'texts;
                }
                if !words.is_empty() {
                    words.push(' ');
                }
                words.push_str(&w);
                if seen.insert(w.clone()) {
                    for s in self::stems(&w) {
                        if !stems.is_empty() {
                            stems.push(' ');
                        }
                        stems.push_str(&s);
                    }
                }
            }
        }
        Document { words, stems }
    }
}

/// One condition of a query; a ticket matches when it meets all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word, matched by any of its stems.
    Word { word: String, stems: Vec<String> },
    /// Words in this order, next to each other.
    Phrase(Vec<String>),
    /// A word that starts so (as you type).
    Prefix(String),
}

/// A search as asked: terms, and a ticket number when the query names one (`#1042`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
    pub number: Option<i64>,
}

impl Query {
    /// Reads `q`: `"two words"` is a phrase, `word*` a prefix, `#1042` a ticket number, anything else words. With
    /// `as_you_type`, the last word is a prefix too.
    pub fn parse(q: &str, as_you_type: bool) -> Result<Query, Invalid> {
        let mut query = Query::default();
        let mut rest = q.trim();
        if rest.is_empty() {
            return Err(Invalid::field("q", "is empty"));
        }
        if q.len() > 500 {
            return Err(Invalid::field("q", "is longer than 500 characters"));
        }
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('"') {
                let (inside, next) = after.split_once('"').unwrap_or((after, ""));
                let ws: Vec<String> = words(inside).collect();
                match ws.len() {
                    0 => {}
                    1 => query.push_word(&ws[0]),
                    _ => query.terms.push(Term::Phrase(ws)),
                }
                rest = next.trim_start();
                continue;
            }
            let (token, next) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            rest = next.trim_start();
            if let Some(n) = token.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
                query.number = Some(n);
                continue;
            }
            let prefix = token.ends_with('*') || (as_you_type && rest.is_empty() && !q.ends_with(' '));
            let ws: Vec<String> = words(token).collect();
            for (i, w) in ws.iter().enumerate() {
                if prefix && i + 1 == ws.len() {
                    query.terms.push(Term::Prefix(w.clone()));
                } else {
                    query.push_word(w);
                }
            }
        }
        if query.terms.len() > MAX_TERMS {
            return Err(Invalid::field("q", format!("has more than {MAX_TERMS} words")));
        }
        if query.terms.is_empty() && query.number.is_none() {
            return Err(Invalid::field("q", "has no words to search for"));
        }
        Ok(query)
    }

    fn push_word(&mut self, w: &str) {
        // A number is matched as written: stemming "2024" means nothing.
        self.terms.push(Term::Word { word: w.to_string(), stems: stems(w) });
    }

    /// The words a hit is marked by: every word and phrase word, their stems, and prefixes.
    fn marks(&self) -> (Vec<String>, Vec<String>) {
        let mut exact = Vec::new();
        let mut prefixes = Vec::new();
        for t in &self.terms {
            match t {
                Term::Word { word, stems } => {
                    exact.push(word.clone());
                    exact.extend(stems.iter().cloned());
                }
                Term::Phrase(ws) => exact.extend(ws.iter().cloned()),
                Term::Prefix(p) => prefixes.push(p.clone()),
            }
        }
        (exact, prefixes)
    }

    /// A short piece of `text` around the first word the query matches, HTML-escaped, with matched words in
    /// `<mark>`; `None` when nothing in the text matches.
    pub fn snippet(&self, text: &str, width: usize) -> Option<String> {
        let (exact, prefixes) = self.marks();
        let hit = |w: &str| {
            let lw: String = w.chars().take(MAX_WORD).flat_map(char::to_lowercase).collect();
            exact.contains(&lw)
                || prefixes.iter().any(|p| lw.starts_with(p.as_str()))
                || stems(&lw).iter().any(|s| exact.contains(s))
        };
        // Words with their byte ranges in the text.
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        let first = spans.iter().position(|&(s, e)| hit(&text[s..e]))?;
        let from = spans[first.saturating_sub(6)].0;
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        let mut at = from;
        let mut shown = 0;
        for &(s, e) in &spans[first.saturating_sub(6)..] {
            if shown >= width {
                out.push('…');
                return Some(out);
            }
            out.push_str(&escape(&text[at..s]));
            let w = &text[s..e];
            if hit(w) {
                out.push_str("<mark>");
                out.push_str(&escape(w));
                out.push_str("</mark>");
            } else {
                out.push_str(&escape(w));
            }
            shown += e - s + 1;
            at = e;
        }
        out.push_str(&escape(&text[at..]));
        Some(out)
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stem_in_english_german_and_hungarian() {
        let d = Document::of(["Druckerpatronen für die Drucker", "A nyomtatók papírt kérnek", "Printers ON fire!"]);
        assert!(d.words.starts_with("druckerpatronen für die drucker a nyomtatók"), "{}", d.words);
        for stem in ["drucker", "nyomtató", "printer"] {
            assert!(d.stems.split(' ').any(|s| s == stem), "{stem} in {}", d.stems);
        }
        // The query's words meet the document's by stem.
        let Term::Word { stems: q, .. } = &Query::parse("nyomtatóval", false).unwrap().terms[0] else { panic!() };
        assert!(q.iter().any(|s| d.stems.split(' ').any(|t| t == s)), "{q:?}");
    }

    #[test]
    fn queries_read_phrases_prefixes_and_numbers() {
        let q = Query::parse(r#"  "printer on fire" toner* #1042 Rechnung"#, false).unwrap();
        assert_eq!(q.number, Some(1042));
        assert_eq!(q.terms[0], Term::Phrase(vec!["printer".into(), "on".into(), "fire".into()]));
        assert_eq!(q.terms[1], Term::Prefix("toner".into()));
        assert!(matches!(&q.terms[2], Term::Word { word, .. } if word == "rechnung"));
        let typing = Query::parse("printer to", true).unwrap();
        assert_eq!(typing.terms[1], Term::Prefix("to".into()), "the word being typed");
        for bad in ["", "   ", "!!! ???", &"a ".repeat(300)] {
            assert!(Query::parse(bad, false).is_err(), "{bad}");
        }
        assert!(Query::parse(&"word ".repeat(17), false).is_err(), "too many words");
    }

    #[test]
    fn snippets_mark_hits_and_escape_the_rest() {
        let q = Query::parse("printers", false).unwrap();
        let s = q.snippet("Hello <b>team</b>, our printer is on fire & smoking.", 200).unwrap();
        assert_eq!(s, "Hello &lt;b&gt;team&lt;/b&gt;, our <mark>printer</mark> is on fire &amp; smoking.");
        assert_eq!(q.snippet("nothing here", 200), None);
        let long = format!("{} printer {}", "word ".repeat(50), "tail ".repeat(50));
        let s = q.snippet(&long, 60).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<mark>printer</mark>"), "{s}");
    }
}
