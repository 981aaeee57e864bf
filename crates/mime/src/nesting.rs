//! Bounding how deeply HTML nests before html5ever parses it.
//!
//! html5ever scans the stack of open elements on many start tags (for instance, every `<div>` looks for an open
//! `<p>` to close), so a body of 20,000 nested `<div>`s, about 100 KB, takes seconds and a megabyte takes minutes.
//! Browsers cap tree depth for the same reason (Blink at 512; mail needs far less). This pass drops start tags that would nest deeper
//! than [`MAX_DEPTH`], and their end tags; text is never dropped.
//!
//! The scan is a rough tokenizer, not a parser. Where it misreads hostile markup it only changes which tags are
//! counted: its output still goes through html5ever and ammonia, which decide what is safe.

use std::borrow::Cow;
use std::collections::HashMap;

const MAX_DEPTH: usize = 256;

/// Elements that never hold children.
const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];

/// Elements the parser closes implicitly when a sibling starts (`<li><li>`, `<p><div>`), so that they do not build
/// depth by themselves.
const SELF_CLOSING_SIBLINGS: &[&str] =
    &["p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rp", "rt"];

/// Elements whose content is text up to their end tag; tags inside them are not tags.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"];

/// Returns the HTML unchanged unless it nests deeper than [`MAX_DEPTH`].
pub(crate) fn limit_nesting(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut dropped: HashMap<String, usize> = HashMap::new();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;

    while let Some(offset) = html.get(i..).and_then(|rest| rest.find('<')) {
        let start = i + offset;
        let next = bytes.get(start + 1).copied().unwrap_or(b' ');
        if html.get(start..).is_some_and(|rest| rest.starts_with("<!--")) {
            i = html.get(start + 4..).and_then(|rest| rest.find("-->")).map_or(bytes.len(), |e| start + 4 + e + 3);
            continue;
        }
        if next == b'!' || next == b'?' {
            i = find_byte(bytes, start, b'>').map_or(bytes.len(), |e| e + 1);
            continue;
        }
        let closing = next == b'/';
        let name_start = if closing { start + 2 } else { start + 1 };
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        let name_end = (name_start..bytes.len())
            .find(|&k| bytes.get(k).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>'))
            .unwrap_or(bytes.len());
        let name = html.get(name_start..name_end).unwrap_or_default().to_ascii_lowercase();
        let end = tag_end(bytes, name_end);
        i = end;

        let drop = if closing {
            match dropped.get_mut(&name) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    true
                }
                _ => {
                    if let Some(at) = open.iter().rposition(|n| *n == name) {
                        open.truncate(at);
                    }
                    false
                }
            }
        } else if name == "plaintext" {
            break;
        } else if VOID.contains(&name.as_str()) || SELF_CLOSING_SIBLINGS.contains(&name.as_str()) {
            false
        } else if open.len() >= MAX_DEPTH {
            *dropped.entry(name.clone()).or_insert(0) += 1;
            true
        } else {
            open.push(name.clone());
            false
        };

        if drop {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(html.get(copied..start).unwrap_or_default());
            copied = end;
        } else if !closing && RAW_TEXT.contains(&name.as_str()) {
            i = raw_text_end(html, end, &name);
            if let Some(at) = open.iter().rposition(|n| *n == name) {
                open.truncate(at);
            }
        }
    }

    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(html.get(copied..).unwrap_or_default());
            Cow::Owned(out)
        }
    }
}

fn find_byte(bytes: &[u8], from: usize, wanted: u8) -> Option<usize> {
    bytes.get(from..)?.iter().position(|&b| b == wanted).map(|p| from + p)
}

/// The index just past the `>` that ends a tag, skipping quoted attribute values.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut k = from;
    while let Some(&b) = bytes.get(k) {
        match b {
            b'>' => return k + 1,
            b'"' | b'\'' => k = find_byte(bytes, k + 1, b).map_or(bytes.len(), |e| e + 1),
            _ => k += 1,
        }
    }
    bytes.len()
}

/// The index of the end tag closing a raw-text element (or the end of the input).
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut k = from;
    while let Some(p) = find_byte(bytes, k, b'<') {
        let matches_name = bytes
            .get(p + 2..p + 2 + name.len())
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()));
        if bytes.get(p + 1) == Some(&b'/') && matches_name {
            return p;
        }
        k = p + 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_html_is_untouched() {
        let html = "<div><p>a<br><b>b</b></div><script>if (a < b) { x = '<div>'.repeat(9999) }</script>";
        assert!(matches!(limit_nesting(html), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_cut_at_the_limit_keeping_text() {
        let depth = 2000;
        let html = format!("{}x{}after", "<div>".repeat(depth), "</div>".repeat(depth));
        let limited = limit_nesting(&html);
        assert_eq!(limited.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(limited.matches("</div>").count(), MAX_DEPTH);
        assert!(limited.contains("x") && limited.ends_with("after"));
    }

    #[test]
    fn stray_end_tags_do_not_hide_depth() {
        let html = "<div></span>".repeat(2000);
        assert_eq!(limit_nesting(&html).matches("<div>").count(), MAX_DEPTH);
    }

    #[test]
    fn siblings_and_quoted_brackets_do_not_count() {
        let html = format!("<ul>{}</ul><div title=\"a>b\">{}</div>", "<li>x".repeat(2000), "<p>y".repeat(2000));
        assert!(matches!(limit_nesting(&html), Cow::Borrowed(_)));
    }
}
