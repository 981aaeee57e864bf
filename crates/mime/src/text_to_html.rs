//! The HTML part of outgoing mail, made from what an agent typed.

/// Escapes `&`, `<`, `>`, `"` and `'`, turns each line break into `<br>`, and wraps the result in a `<div>`.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 16);
    out.push_str("<div>");
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>\n");
            }
            '\n' => out.push_str("<br>\n"),
            _ => out.push(ch),
        }
    }
    out.push_str("</div>");
    out
}
