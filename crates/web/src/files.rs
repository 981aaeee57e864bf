//! Serving stored files without letting them act as pages: downloads by default, images inline only when they are
//! of a type browsers show as images, never sniffed, sandboxed, under a name that carries nothing but text.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use parley_domain::message::AttachmentInfo;

const INLINE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

pub(crate) fn attachment_response(info: &AttachmentInfo, data: Vec<u8>) -> Response {
    let ct = info.content_type.to_ascii_lowercase();
    let inline = INLINE_TYPES.contains(&ct.as_str());
    let content_type = if inline { ct } else { "application/octet-stream".to_string() };
    file_response(data, &content_type, inline, &info.filename)
}

/// A received mail as a download (`.eml`, which mail clients open), never shown as a page.
pub(crate) fn original_response(raw: Vec<u8>) -> Response {
    file_response(raw, "message/rfc822", false, "original.eml")
}

fn file_response(data: Vec<u8>, content_type: &str, inline: bool, filename: &str) -> Response {
    let mut res = data.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let disposition = format!("{}; {}", if inline { "inline" } else { "attachment" }, filename_params(filename));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

/// `filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266): the ASCII form has quotes, backslashes and
/// anything outside printable ASCII replaced.
fn filename_params(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_the_header() {
        let p = filename_params("a\"b\\c\r\nSet-Cookie: x.txt");
        assert!(!p.contains('\r') && !p.contains('\n'));
        assert!(p.starts_with("filename=\"a_b_c__Set-Cookie: x.txt\""), "{p}");
        assert!(filename_params("árvíztűrő.pdf").contains("filename*=UTF-8''%C3%A1rv"));
    }
}
