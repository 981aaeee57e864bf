//! Every text Parley shows or sends to customers — the knowledge base portal, the chat widget, the mail Parley
//! writes itself, the public privacy pages — in each language it speaks, from Fluent files
//! (<https://projectfluent.org>) under `crates/i18n/locales/<language>/`. One system for all of them, so a
//! language added here is added everywhere.
//!
//! To add a language: copy `locales/en/` to `locales/<code>/`, translate the values (keep the ids), and add one
//! line to [`LANGUAGES`] naming the code, the language's own name and its files. The tests fail until every id of
//! English is translated and every file parses.

mod negotiate;

pub use negotiate::{known, negotiate, preferred};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

/// A language Parley speaks: its code (a primary language subtag), its own name, and its Fluent files.
pub struct Language {
    pub code: &'static str,
    pub name: &'static str,
    files: &'static [&'static str],
}

macro_rules! files {
    ($code:literal) => {
        &[
            include_str!(concat!("../locales/", $code, "/portal.ftl")),
            include_str!(concat!("../locales/", $code, "/widget.ftl")),
            include_str!(concat!("../locales/", $code, "/mail.ftl")),
            include_str!(concat!("../locales/", $code, "/privacy.ftl")),
            include_str!(concat!("../locales/", $code, "/workspace.ftl")),
            include_str!(concat!("../locales/", $code, "/voice.ftl")),
        ]
    };
}

/// The languages, English first: it is what a text missing elsewhere falls back to.
pub const LANGUAGES: &[Language] = &[
    Language { code: "en", name: "English", files: files!("en") },
    Language { code: "de", name: "Deutsch", files: files!("de") },
    Language { code: "hu", name: "Magyar", files: files!("hu") },
    Language { code: "tl", name: "Tagalog", files: files!("tl") },
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [Bundle] {
    static BUNDLES: OnceLock<Vec<Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| LANGUAGES.iter().map(bundle).collect())
}

/// A language's bundle. A file that does not parse keeps the messages it could read (the tests refuse such a
/// file, so this is only a guard against a broken build of the texts).
fn bundle(language: &Language) -> Bundle {
    let id = language.code.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // Texts go into HTML and mail, where Unicode isolation marks around values would show as stray characters.
    b.set_use_isolating(false);
    for text in language.files {
        let resource = FluentResource::try_new((*text).to_string()).unwrap_or_else(|(partial, _)| partial);
        // Two files defining one id: the first wins; the tests refuse it.
        let _ = b.add_resource(resource);
    }
    b
}

/// A value put into a text.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

/// The texts of one language; cheap to copy into every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts {
    index: usize,
}

impl Texts {
    /// The texts of `code` (one of [`LANGUAGES`]); English for any other.
    pub fn of(code: &str) -> Texts {
        Texts { index: LANGUAGES.iter().position(|l| l.code == code).unwrap_or(0) }
    }

    /// The language's code.
    pub fn lang(&self) -> &'static str {
        LANGUAGES[self.index].code
    }

    /// The text `id`, with no values.
    pub fn get(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// The text `id` with values put in. A text missing in this language is taken from English; missing there
    /// too, the id itself shows, which the tests catch.
    pub fn with(&self, id: &str, values: &[(&str, Arg<'_>)]) -> String {
        let all = bundles();
        let mut args = FluentArgs::new();
        for (name, v) in values {
            match v {
                Arg::Text(s) => args.set(*name, FluentValue::from(*s)),
                Arg::Number(n) => args.set(*name, FluentValue::from(*n)),
            }
        }
        for b in [&all[self.index], &all[0]] {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return b.format_pattern(pattern, Some(&args), &mut errors).into_owned();
            }
        }
        id.to_string()
    }

    /// Every text whose id starts with `prefix`, the prefix taken off the ids, with each value left as a
    /// `{name}` marker for a script to fill in (the widget's texts, written into it as JSON).
    pub fn group(&self, prefix: &str, markers: &[&str]) -> Vec<(String, String)> {
        let placeholders: Vec<String> = markers.iter().map(|m| format!("{{{m}}}")).collect();
        let values: Vec<(&str, Arg<'_>)> =
            markers.iter().zip(&placeholders).map(|(m, p)| (*m, Arg::Text(p.as_str()))).collect();
        ids(0)
            .into_iter()
            .filter_map(|id| id.strip_prefix(prefix).map(|short| (short.to_string(), self.with(&id, &values))))
            .collect()
    }
}

/// The message ids of a language, in file order.
fn ids(index: usize) -> Vec<String> {
    use fluent_bundle::FluentResource as R;
    let mut out = Vec::new();
    for text in LANGUAGES[index].files {
        let resource = R::try_new((*text).to_string()).unwrap_or_else(|(partial, _)| partial);
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                out.push(m.id.name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_file_parses_and_every_language_has_every_text() {
        let english: BTreeSet<String> = ids(0).into_iter().collect();
        assert!(english.len() > 50, "English has {} texts", english.len());
        for (i, lang) in LANGUAGES.iter().enumerate() {
            for text in lang.files {
                if let Err((_, errors)) = FluentResource::try_new((*text).to_string()) {
                    panic!("{}: {errors:?}", lang.code);
                }
            }
            let list = ids(i);
            let theirs: BTreeSet<String> = list.iter().cloned().collect();
            assert_eq!(theirs.len(), list.len(), "{} defines an id twice", lang.code);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, unknown {extra:?}", lang.code);
        }
    }

    #[test]
    fn texts_take_values_and_fall_back() {
        let hu = Texts::of("hu");
        assert_eq!(hu.lang(), "hu");
        assert_eq!(hu.get("portal-search"), "Keresés");
        assert_eq!(Texts::of("xx").lang(), "en");
        assert_eq!(Texts::of("en").with("widget-queue", &[("n", Arg::Number(3))]), "You are number 3 in the queue.");
        assert_eq!(Texts::of("de").get("no-such-text"), "no-such-text");
    }

    #[test]
    fn the_workspace_speaks_every_language() {
        assert_eq!(Texts::of("en").get("ws-tickets"), "Tickets");
        assert_eq!(Texts::of("hu").get("ws-view-my-open"), "Saját nyitott jegyeim");
        assert_eq!(Texts::of("de").with("ws-selected", &[("count", Arg::Number(2))]), "2 Tickets ausgewählt");
        assert_eq!(Texts::of("tl").get("ws-send"), "Ipadala");
    }

    #[test]
    fn plurals_follow_the_language() {
        let en = Texts::of("en");
        assert_eq!(en.with("portal-articles-count", &[("count", Arg::Number(1))]), "1 article");
        assert_eq!(en.with("portal-articles-count", &[("count", Arg::Number(4))]), "4 articles");
        assert_eq!(Texts::of("hu").with("portal-articles-count", &[("count", Arg::Number(4))]), "4 cikk");
    }

    #[test]
    fn groups_leave_markers_for_scripts() {
        let de: std::collections::HashMap<_, _> =
            Texts::of("de").group("widget-", &["n", "name"]).into_iter().collect();
        assert_eq!(de["queue"], "Sie sind Nummer {n} in der Warteschlange.");
        assert_eq!(de["typing"], "{name} schreibt…");
    }
}
