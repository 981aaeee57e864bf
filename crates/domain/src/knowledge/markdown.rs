//! Articles' Markdown, rendered to HTML that is safe to serve from the account's own origin: raw HTML in the
//! Markdown and what the renderer makes are both passed through one allow-list (ammonia), which drops scripts,
//! styles, event handlers and every URL scheme but http, https, mailto and tel.

use pulldown_cmark::{Event, Options, Parser, TagEnd};
use std::collections::HashSet;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The article's body as sanitized HTML.
pub fn render(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        // Links lead off the portal: they pass no referrer, no window handle and no ranking.
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// The words of the article as a reader sees them, without markup (for search and for excerpts). Raw HTML is
/// left out: it is not shown as text either.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let h = render("# Reset\n\nOpen **Settings** and [ask us](https://example.com/help).\n\n- one\n- two");
        assert!(h.contains("<h1>Reset</h1>"), "{h}");
        assert!(h.contains("<strong>Settings</strong>"), "{h}");
        assert!(
            h.contains(r#"<a href="https://example.com/help" rel="noopener noreferrer nofollow">ask us</a>"#),
            "{h}"
        );
        assert!(h.contains("<li>two</li>"), "{h}");
    }

    #[test]
    fn raw_html_scripts_and_javascript_links_are_removed() {
        let h = render(
            "Hi <script>alert(1)</script><img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) \
             <a href=\"JaVaScRiPt:alert(4)\">x</a> <iframe src=\"https://evil.example\"></iframe>\n\n\
             <style>body{display:none}</style><b onclick=\"alert(5)\">bold</b>\n\n![i](data:text/html,x)",
        );
        for bad in
            ["<script", "alert(1)", "onerror", "javascript", "JaVaScRiPt", "<iframe", "<style", "onclick", "src=\"data"]
        {
            assert!(!h.contains(bad), "{bad} left in {h}");
        }
        assert!(h.contains("<b>bold</b>"), "{h}");
        assert!(h.contains(r#"<img alt="i">"#), "{h}");
    }

    #[test]
    fn plain_text_has_the_words_only() {
        let t = plain_text("## Printer\n\nIf the **toner** is `empty`, see <span>raw</span> [docs](https://x.y).");
        assert_eq!(t, "Printer\nIf the toner is empty, see raw docs.");
    }
}
