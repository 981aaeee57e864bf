//! Agents write replies and notes in Markdown, as in the peers' composers: a list, a link, some bold. Customers
//! read the same text in the plain part of the mail and the rendered HTML beside it. HTML typed into a reply is
//! shown as text, as everywhere else in the workspace (an agent pasting a snippet of markup means the snippet), and
//! what the renderer makes passes one allow-list (ammonia) before it is stored or sent.

use pulldown_cmark::{Event, Options, Parser};
use std::collections::HashSet;

/// A reply's Markdown as sanitized HTML.
pub fn reply_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::reply_html;

    #[test]
    fn markdown_renders_and_typed_html_stays_text() {
        let h = reply_html(
            "Hi **Jane**,\n\n- restart\n- [read this](https://example.com/x)\n\n<b>not bold</b> <script>x</script>",
        );
        assert!(h.contains("<strong>Jane</strong>") && h.contains("<li>restart</li>"), "{h}");
        assert!(
            h.contains(r#"<a href="https://example.com/x" rel="noopener noreferrer nofollow">read this</a>"#),
            "{h}"
        );
        assert!(h.contains("&lt;b&gt;not bold&lt;/b&gt;") && h.contains("&lt;script&gt;x&lt;/script&gt;"), "{h}");
        assert!(!h.contains("<script") && !h.contains("<b>"), "{h}");
    }

    #[test]
    fn dangerous_links_are_dropped() {
        let h = reply_html("[x](javascript:alert(1)) ![i](data:text/html,x) <a href=\"javascript:y\">z</a>");
        assert!(!h.contains("<a href=\"javascript") && !h.contains("src=\"data:"), "{h}");
        assert!(h.contains("&lt;a href=\"javascript:y\"&gt;"), "typed HTML is text: {h}");
    }

    #[test]
    fn a_plain_reply_is_a_paragraph() {
        assert_eq!(
            reply_html("Refund for order #1009 is on its way."),
            "<p>Refund for order #1009 is on its way.</p>\n"
        );
    }
}
