//! Making a sender's HTML safe to show to an agent.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::nesting::limit_nesting;
use crate::serialized::{self, Token};

/// Formatting that is kept. Everything else is unwrapped (its text stays) or, for the tags in
/// [`DROPPED_WITH_CONTENT`], removed with its content.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
];

/// Elements whose content is code, styling, an embedded document or a form control, none of which an agent should
/// see as text. `style` goes entirely: CSS can load remote resources and exfiltrate what is on the page.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "title", "iframe", "frame", "frameset", "noframes", "object", "embed", "applet", "template",
    "svg", "math", "xmp", "noembed", "select", "textarea", "head",
];

/// Attributes allowed per tag. No `style`, `class`, `id`, `background` or `srcset`: each can load something or
/// restyle the agent's page.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("table", &["border", "cellpadding", "cellspacing", "width", "align", "bgcolor"]),
    ("td", &["colspan", "rowspan", "align", "valign", "width", "height", "bgcolor"]),
    ("th", &["colspan", "rowspan", "align", "valign", "width", "height", "bgcolor"]),
    ("tr", &["align", "valign", "bgcolor"]),
    ("col", &["span", "width"]),
    ("colgroup", &["span", "width"]),
    ("font", &["color", "size", "face"]),
    ("ol", &["start", "type"]),
    ("p", &["align"]),
    ("div", &["align"]),
    ("h1", &["align"]),
    ("h2", &["align"]),
    ("h3", &["align"]),
    ("h4", &["align"]),
    ("h5", &["align"]),
    ("h6", &["align"]),
];

const GENERIC_ATTRIBUTES: &[&str] = &["title", "lang", "dir"];

/// `cid:` and `data:` pass ammonia's scheme check only to be judged per attribute in [`filter_attribute`].
const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "cid", "data"];

const INLINE_IMAGE_PREFIXES: &[&str] =
    &["data:image/png;base64,", "data:image/jpeg;base64,", "data:image/gif;base64,", "data:image/webp;base64,"];

/// Returns HTML that can be put into an agent's page: no scripts, styles, frames, objects, embeds or forms, no
/// event handlers, no `javascript:`/`vbscript:`/`data:` URLs except base64 PNG/JPEG/GIF/WebP images.
///
/// Images never load from the network by themselves: `http(s)` sources move to `data-remote-src` (the agent may
/// choose to load them), and `cid:` sources are replaced with what `cid_url` returns for the Content-ID (without
/// angle brackets), or removed when it returns `None`. Links open in a new tab with
/// `rel="noopener noreferrer nofollow"`.
pub fn sanitize_html(html: &str, cid_url: &dyn Fn(&str) -> Option<String>) -> String {
    let cleaned = builder().clean(&limit_nesting(html)).to_string();
    rewrite_images(&cleaned, cid_url)
}

fn builder() -> ammonia::Builder<'static> {
    let tag_attributes: HashMap<&str, HashSet<&str>> =
        TAG_ATTRIBUTES.iter().map(|(tag, attrs)| (*tag, attrs.iter().copied().collect())).collect();
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .tag_attribute_values(HashMap::new())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    builder
}

/// Narrows the URL schemes ammonia let through to what each attribute may hold.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let lower = value.trim().to_ascii_lowercase();
    let allowed = match (element, attribute) {
        ("a", "href") => ["http:", "https:", "mailto:"].iter().any(|s| lower.starts_with(s)),
        ("img", "src") => {
            ["http:", "https:", "cid:"].iter().any(|s| lower.starts_with(s))
                || INLINE_IMAGE_PREFIXES.iter().any(|p| lower.starts_with(p))
        }
        _ => true,
    };
    allowed.then_some(Cow::Borrowed(value))
}

/// Rewrites `<img src>` in ammonia's output: remote sources are parked in `data-remote-src`, `cid:` sources are
/// resolved through `cid_url`. Ammonia's attribute filter cannot rename attributes or borrow the caller's closure,
/// hence this second pass over its (regular, see [`serialized`]) output.
fn rewrite_images(html: &str, cid_url: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    for token in serialized::tokens(html) {
        match token {
            Token::Tag { name: "img", closing: false, raw } => {
                out.push_str("<img");
                for (name, value) in serialized::attributes(raw) {
                    if name != "src" {
                        push_attribute(&mut out, name, value);
                        continue;
                    }
                    let url = serialized::unescape(value);
                    let lower = url.trim().to_ascii_lowercase();
                    if lower.starts_with("http:") || lower.starts_with("https:") {
                        push_attribute(&mut out, "data-remote-src", value);
                    } else if lower.starts_with("cid:") {
                        let cid = content_id_from_url(url.trim());
                        if let Some(local) = cid_url(&cid).filter(|u| is_safe_local_url(u)) {
                            push_attribute(&mut out, "src", &serialized::escape(&local));
                        }
                    } else if INLINE_IMAGE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
                        push_attribute(&mut out, "src", value);
                    }
                }
                out.push('>');
            }
            Token::Tag { raw, .. } => out.push_str(raw),
            Token::Text(text) => out.push_str(text),
        }
    }
    out
}

/// The agent asked to see a message's remote images: in HTML that [`sanitize_html`] produced, parked
/// `data-remote-src` sources become `src` again, with `referrerpolicy="no-referrer"` so the sender's server does not
/// learn the ticket's address. Only `http(s)` sources were parked, so nothing else is let in.
pub fn load_remote_images(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for token in serialized::tokens(html) {
        match token {
            Token::Tag { name: "img", closing: false, raw } => {
                out.push_str("<img");
                let mut remote = false;
                for (name, value) in serialized::attributes(raw) {
                    let lower = serialized::unescape(value).trim().to_ascii_lowercase();
                    match name {
                        "data-remote-src" if lower.starts_with("http:") || lower.starts_with("https:") => {
                            push_attribute(&mut out, "src", value);
                            remote = true;
                        }
                        "data-remote-src" | "referrerpolicy" => {}
                        _ => push_attribute(&mut out, name, value),
                    }
                }
                if remote {
                    push_attribute(&mut out, "referrerpolicy", "no-referrer");
                }
                out.push('>');
            }
            Token::Tag { raw, .. } => out.push_str(raw),
            Token::Text(text) => out.push_str(text),
        }
    }
    out
}

fn push_attribute(out: &mut String, name: &str, escaped_value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(escaped_value);
    out.push('"');
}

/// `cid:part1.abc%40example.com` → `part1.abc@example.com` (RFC 2392 URLs are percent-encoded).
fn content_id_from_url(url: &str) -> String {
    let encoded = url.get(4..).unwrap_or_default().trim_start_matches('<').trim_end_matches('>');
    let bytes = encoded.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// What `cid_url` returns comes from Parley, but is checked anyway: a path, or an http(s) or inline image URL.
fn is_safe_local_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find([':', '/', '?', '#']);
    let has_scheme = scheme_end.is_some_and(|i| lower.as_bytes().get(i) == Some(&b':'));
    !has_scheme
        || lower.starts_with("http:")
        || lower.starts_with("https:")
        || INLINE_IMAGE_PREFIXES.iter().any(|p| lower.starts_with(p))
}
