//! Turning the parts that are not body into attachments: names, types, data, TNEF, limits.

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use crate::filename::safe_filename;
use crate::headers;
use crate::limits::{Budget, Limits};
use crate::parsed::Attachment;
use crate::parts::{Bodies, Walk};
use crate::tnef;

/// Builds the attachments from every part read that is neither a container nor a body, applying the limits.
/// Data is copied only once an attachment is admitted.
pub(crate) fn collect(
    message: &Message<'_>,
    walk: &Walk,
    bodies: &Bodies,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Vec<Attachment> {
    let mut budget = Budget::new(limits);
    let mut kept = Vec::new();
    for &id in &walk.order {
        let Some(part) = message.parts.get(id) else { continue };
        if matches!(part.body, PartType::Multipart(_)) || bodies.contains(id) {
            continue;
        }
        // Empty unnamed parts (stray separators, a body-less message) are noise, not files.
        if part.contents().is_empty() && part.attachment_name().is_none() {
            continue;
        }
        let file = PartFile::read(part, notes);

        if is_tnef(&file.content_type, &file.filename) {
            match tnef::unpack(&file.data) {
                Ok(inner) => {
                    for inner in inner {
                        let filename = safe_filename(inner.name.as_deref().unwrap_or_default());
                        if budget.admit(&filename, inner.data.len()) {
                            let content_type = inner
                                .content_type
                                .map(|t| t.trim().to_ascii_lowercase())
                                .filter(|t| is_mime_type(t))
                                .unwrap_or_else(|| type_from_extension(&filename).to_string());
                            kept.push(Attachment {
                                content_type,
                                content_id: inner.content_id.as_deref().and_then(headers::clean_id),
                                inline: false,
                                data: inner.data.to_vec(),
                                filename,
                            });
                        }
                    }
                    continue;
                }
                Err(error) => notes.push(format!("could not unpack {} ({error}); it is kept as it is", file.filename)),
            }
        }

        if budget.admit(&file.filename, file.data.len()) {
            kept.push(Attachment {
                filename: file.filename,
                content_type: file.content_type,
                content_id: file.content_id,
                inline: file.inline,
                data: file.data.into_owned(),
            });
        }
    }
    notes.extend(budget.into_notes());
    kept
}

/// One part seen as a file; `data` borrows from the message unless it had to be decoded again.
struct PartFile<'a> {
    filename: String,
    content_type: String,
    content_id: Option<String>,
    inline: bool,
    data: Cow<'a, [u8]>,
}

impl<'a> PartFile<'a> {
    fn read(part: &'a MessagePart<'_>, notes: &mut Vec<String>) -> Self {
        let content_type = content_type(part);
        let content_id = part.content_id().and_then(headers::clean_id);
        let inline = part.content_disposition().map_or(content_id.is_some(), |d| d.is_inline());
        let filename = match &part.body {
            // A subject is not a path: its slashes must not make safe_filename keep only the end of it.
            PartType::Message(nested) => {
                safe_filename(&format!("{}.eml", nested_subject(nested).replace(['/', '\\'], "_")))
            }
            _ => match part.attachment_name() {
                Some(name) => safe_filename(name),
                None => default_name(&content_type, &part.body),
            },
        };
        let data = match part_data(part) {
            Some(data) => data,
            None => {
                notes.push(format!("{filename} ({content_type}) was not properly encoded; it is kept as received"));
                Cow::Borrowed(part.contents())
            }
        };
        PartFile { filename, content_type, content_id, inline, data }
    }
}

/// The bytes of a part as a file, or `None` when the parser could not decode it. Text parts were decoded to
/// UTF-8 by the parser (their type says so, see [`content_type`]); nested messages are their raw RFC 5322 text.
/// The parser gives up on base64 or quoted-printable that runs to the end of a truncated message; decoding it
/// again without looking for a boundary usually recovers the file.
fn part_data<'a>(part: &'a MessagePart<'_>) -> Option<Cow<'a, [u8]>> {
    if let PartType::Message(nested) = &part.body {
        return Some(Cow::Borrowed(nested.raw_message()));
    }
    if !part.is_encoding_problem {
        return Some(Cow::Borrowed(part.contents()));
    }
    if matches!(part.body, PartType::Text(_) | PartType::Html(_))
        && part.content_type().is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("text"))
    {
        // Text stays as the parser recovered it.
        return None;
    }
    let encoding = part.content_transfer_encoding().unwrap_or_default().trim().to_ascii_lowercase();
    let decoded = match encoding.as_str() {
        "base64" => base64_decode(part.contents()),
        "quoted-printable" => quoted_printable_decode(part.contents()),
        _ => None,
    };
    decoded.map(Cow::Owned)
}

fn nested_subject(nested: &Message<'_>) -> String {
    let subject = headers::subject(nested);
    if subject.is_empty() {
        "message".to_string()
    } else {
        subject
    }
}

/// `type/subtype`, lowercase; text parts get `charset=utf-8` because that is what their data now is.
fn content_type(part: &MessagePart<'_>) -> String {
    let declared = part.content_type().map(|ct| match ct.subtype() {
        Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
        None => ct.ctype().to_ascii_lowercase(),
    });
    let declared = declared.filter(|t| is_mime_type(t));
    match &part.body {
        PartType::Text(_) | PartType::Html(_) => {
            let base = declared.filter(|t| t.starts_with("text/")).unwrap_or_else(|| {
                if matches!(part.body, PartType::Html(_)) { "text/html" } else { "text/plain" }.to_string()
            });
            format!("{base}; charset=utf-8")
        }
        PartType::Message(_) => "message/rfc822".to_string(),
        _ => declared.unwrap_or_else(|| "application/octet-stream".to_string()),
    }
}

fn is_mime_type(value: &str) -> bool {
    let mut halves = value.splitn(2, '/');
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 127 && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    matches!((halves.next(), halves.next()), (Some(t), Some(s)) if token(t) && token(s))
}

fn is_tnef(content_type: &str, filename: &str) -> bool {
    matches!(content_type, "application/ms-tnef" | "application/vnd.ms-tnef")
        || filename.eq_ignore_ascii_case("winmail.dat")
}

/// A name for a part that came without one.
fn default_name(content_type: &str, body: &PartType<'_>) -> String {
    let base = content_type.split(';').next().unwrap_or_default();
    let name = match base {
        "message/delivery-status" | "message/global-delivery-status" => "delivery-status.txt",
        "text/rfc822-headers" | "message/rfc822-headers" => "original-headers.txt",
        "message/disposition-notification" => "disposition-notification.txt",
        _ => {
            let stem = if base.starts_with("image/") { "image" } else { "attachment" };
            return match (extension_for(base), body) {
                (Some(ext), _) => format!("{stem}.{ext}"),
                (None, PartType::Text(_)) => format!("{stem}.txt"),
                _ => stem.to_string(),
            };
        }
    };
    name.to_string()
}

/// Extensions for the types that commonly arrive unnamed, and back.
const TYPES: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/bmp", "bmp"),
    ("image/tiff", "tif"),
    ("application/pdf", "pdf"),
    ("text/plain", "txt"),
    ("text/html", "html"),
    ("text/csv", "csv"),
    ("text/calendar", "ics"),
    ("application/zip", "zip"),
    ("application/msword", "doc"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("application/vnd.ms-excel", "xls"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    ("application/rtf", "rtf"),
    ("message/rfc822", "eml"),
];

fn extension_for(content_type: &str) -> Option<&'static str> {
    TYPES.iter().find(|(t, _)| *t == content_type).map(|(_, ext)| *ext)
}

fn type_from_extension(filename: &str) -> &'static str {
    let ext = filename.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    let ext = if ext == "jpeg" { "jpg".to_string() } else { ext };
    TYPES.iter().find(|(_, e)| *e == ext).map_or("application/octet-stream", |(t, _)| *t)
}
