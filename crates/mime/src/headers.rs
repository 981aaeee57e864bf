//! Reading header fields into owned, tidy values.

use mail_parser::{Addr, Address, Header, HeaderValue, Message};

use crate::parsed::Mailbox;

/// Longest message id kept; RFC 5322 lines are at most 998 characters, anything longer is junk.
const MAX_ID_LEN: usize = 998;

/// The raw text of the last header called `name` (case-insensitive), for fields the parser keeps unstructured.
pub(crate) fn text<'a>(headers: &'a [Header<'_>], name: &str) -> Option<&'a str> {
    headers.iter().rev().find(|h| h.name.as_str().eq_ignore_ascii_case(name)).and_then(|h| h.value.as_text())
}

/// Whether a header called `name` is present at all.
pub(crate) fn has(headers: &[Header<'_>], name: &str) -> bool {
    headers.iter().any(|h| h.name.as_str().eq_ignore_ascii_case(name))
}

/// Message ids from an id header, without angle brackets, in order.
pub(crate) fn ids(value: Option<&HeaderValue<'_>>) -> Vec<String> {
    let raw: Vec<&str> = match value {
        Some(HeaderValue::Text(id)) => vec![id.as_ref()],
        Some(HeaderValue::TextList(list)) => list.iter().map(|id| id.as_ref()).collect(),
        _ => Vec::new(),
    };
    raw.into_iter().filter_map(clean_id).collect()
}

pub(crate) fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    if id.is_empty() || id.len() > MAX_ID_LEN || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        None
    } else {
        Some(id.to_string())
    }
}

/// The decoded subject on one line.
pub(crate) fn subject(message: &Message<'_>) -> String {
    message.subject().map(single_line).unwrap_or_default()
}

/// Folds text onto one line: whitespace runs become one space, control and bidi-override characters go (they can
/// break layouts or disguise text), and the ends are trimmed.
pub(crate) fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            pending_space = true;
        } else if ch.is_control() || matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(ch);
        }
    }
    out
}

fn mailbox(addr: &Addr<'_>) -> Option<Mailbox> {
    let email = single_line(addr.address()?);
    if email.is_empty() {
        return None;
    }
    let email = match email.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => email,
    };
    let name = addr.name().map(single_line).filter(|name| !name.is_empty());
    Some(Mailbox { name, email })
}

/// The first mailbox of an address header (groups included).
pub(crate) fn first_mailbox(address: Option<&Address<'_>>) -> Option<Mailbox> {
    address.and_then(|address| address.iter().find_map(mailbox))
}

/// Every mailbox of every instance of an address header.
pub(crate) fn all_mailboxes<'a, 'x: 'a>(instances: impl Iterator<Item = &'a Address<'x>>) -> Vec<Mailbox> {
    instances.flat_map(|address| address.iter()).filter_map(mailbox).collect()
}

/// The Date header as Unix milliseconds, when it names a real date.
pub(crate) fn date_ms(message: &Message<'_>) -> Option<i64> {
    let date = message.date()?;
    if !date.is_valid() {
        return None;
    }
    date.to_timestamp().checked_mul(1000)
}

/// The first Content-Language tag, lowercase, if it looks like a language tag (BCP 47 letters, digits, dashes).
pub(crate) fn language(headers: &[Header<'_>]) -> Option<String> {
    let value = headers.iter().rev().find(|h| h.name.as_str().eq_ignore_ascii_case("Content-Language"))?;
    let first = match &value.value {
        HeaderValue::Text(text) => text.split(',').next().map(str::to_string),
        HeaderValue::TextList(list) => list.first().map(|t| t.to_string()),
        _ => None,
    }?;
    let tag = first.trim().to_ascii_lowercase();
    let valid = !tag.is_empty() && tag.len() <= 35 && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then_some(tag)
}
