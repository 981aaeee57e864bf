//! Plain text from an HTML body, for mail that comes without a text/plain part.

use std::collections::{HashMap, HashSet};

use crate::nesting::limit_nesting;
use crate::serialized::{self, Token};

/// Block-level tags whose edges become line breaks. Only these survive the first pass; all other tags are
/// unwrapped to their text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "br",
    "caption",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Content that is not text a reader sees.
const DROPPED_WITH_CONTENT: &[&str] =
    &["script", "style", "title", "head", "template", "iframe", "object", "noembed", "noframes", "xmp", "svg", "math"];

/// Turns HTML into readable plain text: tags removed (the content of scripts and styles too), entities decoded,
/// block elements (`<br>`, `<p>`, `<div>`, `<li>`, `<tr>` …) as line breaks, runs of blank lines collapsed into one.
///
/// html5ever (through ammonia) does the parsing and entity decoding, which it gets right for real-world broken
/// HTML; what it writes back is regular enough to walk with a few lines of code.
pub fn html_to_text(html: &str) -> String {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(BLOCKS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(HashMap::new())
        .tag_attribute_values(HashMap::new())
        .generic_attributes(HashSet::new())
        .link_rel(None)
        .strip_comments(true);
    let blocks = builder.clean(&limit_nesting(html)).to_string();

    let mut text = String::with_capacity(blocks.len());
    let mut pre_depth = 0usize;
    for token in serialized::tokens(&blocks) {
        match token {
            Token::Tag { name, closing, .. } => {
                match (name, closing) {
                    ("pre", false) => pre_depth += 1,
                    ("pre", true) => pre_depth = pre_depth.saturating_sub(1),
                    _ => {}
                }
                match name {
                    "br" => {
                        trim_trailing_spaces(&mut text);
                        text.push('\n');
                    }
                    "td" | "th" if closing => push_collapsed(&mut text, " "),
                    "td" | "th" => {}
                    _ if PARAGRAPHS.contains(&name) => block_break(&mut text, 2),
                    _ => block_break(&mut text, 1),
                }
            }
            Token::Text(escaped) => {
                let plain = serialized::unescape(escaped);
                if pre_depth > 0 {
                    text.push_str(&plain.replace('\u{A0}', " "));
                } else {
                    push_collapsed(&mut text, &plain);
                }
            }
        }
    }
    tidy_lines(&text)
}

/// Blocks set apart by a blank line, as browsers show them with their default margins.
const PARAGRAPHS: &[&str] =
    &["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "hr"];

/// Ends the current line at a block edge. Edges do not add up (`</div><div>` is one break), unlike `<br>`.
fn block_break(out: &mut String, newlines: usize) {
    trim_trailing_spaces(out);
    if out.is_empty() {
        return;
    }
    let present = out.len() - out.trim_end_matches('\n').len();
    for _ in present..newlines {
        out.push('\n');
    }
}

fn trim_trailing_spaces(out: &mut String) {
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
}

/// Appends text with HTML whitespace rules: runs of spaces and newlines are one space, none at a line start.
/// A no-break space stays a space.
fn push_collapsed(out: &mut String, text: &str) {
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_ascii_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() && !out.ends_with(['\n', ' ']) {
            out.push(' ');
        }
        pending_space = false;
        out.push(if ch == '\u{A0}' { ' ' } else { ch });
    }
    if pending_space && !out.is_empty() && !out.ends_with(['\n', ' ']) {
        out.push(' ');
    }
}

/// Trims line ends and keeps at most one blank line between lines of text.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}
