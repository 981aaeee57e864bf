//! Reading HTML that ammonia (html5ever's serializer) wrote. That output is regular in ways arbitrary HTML is
//! not: outside tags `<` and `>` only appear as `&lt;`/`&gt;`; attribute values are always double-quoted with
//! `&`, `"`, `<` and `>` escaped; comments are stripped. So a few lines of scanning read it exactly, where
//! reading raw HTML this way would be unsafe.

/// One piece of serialized HTML.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Text with its entities still escaped.
    Text(&'a str),
    /// A start or end tag; `name` is lowercase ASCII, `raw` the whole `<…>`.
    Tag { name: &'a str, closing: bool, raw: &'a str },
}

/// Splits serialized HTML into text and tags.
pub(crate) fn tokens(html: &str) -> Tokens<'_> {
    Tokens { rest: html }
}

pub(crate) struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        if !self.rest.starts_with('<') {
            let end = self.rest.find('<').unwrap_or(self.rest.len());
            let (text, rest) = self.rest.split_at(end);
            self.rest = rest;
            return Some(Token::Text(text));
        }
        let end = self.rest.find('>').map_or(self.rest.len(), |i| i + 1);
        let (raw, rest) = self.rest.split_at(end);
        self.rest = rest;
        let inner = raw.trim_start_matches('<');
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner.find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(inner.len());
        Some(Token::Tag { name: &inner[..name_end], closing, raw })
    }
}

/// The attributes of a serialized start tag, values still escaped.
pub(crate) fn attributes(raw_tag: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let inner = raw_tag.trim_start_matches('<').trim_end_matches('>');
    let mut rest = match inner.find(|c: char| c.is_ascii_whitespace()) {
        Some(i) => &inner[i..],
        None => return out,
    };
    loop {
        rest = rest.trim_start();
        let Some(eq) = rest.find("=\"") else { break };
        let name = &rest[..eq];
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        out.push((name, &after[..close]));
        rest = &after[close + 1..];
    }
    out
}

/// Undoes the serializer's escaping.
pub(crate) fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{A0}")
        .replace("&amp;", "&")
}

/// Escapes text for a double-quoted attribute value or for element content.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_tags_and_reads_attributes() {
        let html = r#"a &lt;b&gt; <img src="x&quot;&gt;y" alt="z">c</p>"#;
        let tokens: Vec<_> = tokens(html).collect();
        assert_eq!(tokens.len(), 4);
        assert_eq!(tokens[0], Token::Text("a &lt;b&gt; "));
        let Token::Tag { name, closing, raw } = tokens[1] else { panic!("expected a tag") };
        assert_eq!((name, closing), ("img", false));
        assert_eq!(attributes(raw), vec![("src", "x&quot;&gt;y"), ("alt", "z")]);
        assert!(matches!(tokens[3], Token::Tag { name: "p", closing: true, .. }));
        assert_eq!(unescape("&lt;&amp;lt;&gt;"), "<&lt;>");
    }
}
