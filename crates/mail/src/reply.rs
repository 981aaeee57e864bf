//! Server replies and how they go on the wire.

use std::fmt::Write as _;

/// Longest reply text kept from a sink, so a sink cannot push a reply past RFC 5321's 512-octet reply line.
const MAX_TEXT: usize = 400;

/// One reply: a code and one or more lines of text (each line already carrying its enhanced status code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) code: u16,
    pub(crate) lines: Vec<String>,
}

impl Reply {
    pub(crate) fn new(code: u16, text: impl Into<String>) -> Self {
        Self { code, lines: vec![text.into()] }
    }

    pub(crate) fn multi(code: u16, lines: Vec<String>) -> Self {
        Self { code, lines }
    }

    /// Appends the reply as `code-text` continuation lines and a final `code text` line.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        let mut text = String::new();
        let last = self.lines.len().saturating_sub(1);
        if self.lines.is_empty() {
            let _ = write!(text, "{}\r\n", self.code);
        }
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let _ = write!(text, "{}{}{}\r\n", self.code, sep, line);
        }
        out.extend_from_slice(text.as_bytes());
    }
}

/// Makes text from a sink safe to put in a reply: no control characters (a CR or LF would forge reply lines) and
/// bounded length.
pub(crate) fn clean_text(text: &str) -> String {
    let mut cleaned: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned();
    if cleaned.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !cleaned.is_char_boundary(end) {
            end -= 1;
        }
        cleaned.truncate(end);
    }
    if cleaned.is_empty() {
        cleaned.push_str("No reason given");
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_uses_dashes_until_the_last_line() {
        let mut out = Vec::new();
        Reply::multi(250, vec!["a".into(), "b".into(), "c".into()]).write_to(&mut out);
        assert_eq!(out, b"250-a\r\n250-b\r\n250 c\r\n");
    }

    #[test]
    fn sink_text_cannot_inject_lines() {
        assert_eq!(clean_text("no\r\n250 ok"), "no  250 ok");
        assert_eq!(clean_text(""), "No reason given");
        assert!(clean_text(&"é".repeat(400)).len() <= MAX_TEXT);
    }
}
