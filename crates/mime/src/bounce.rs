//! Recognising and reading delivery status notifications (RFC 3464).

use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

use crate::headers;
use crate::parts::Walk;

/// What a bounce says went wrong, taken from its message/delivery-status part (first recipient) and the returned
/// original message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bounce {
    /// Message-ID of the message that bounced, without angle brackets: links the bounce to the reply we sent.
    pub original_message_id: Option<String>,
    /// Final-Recipient (or Original-Recipient), without its address-type prefix.
    pub recipient: Option<String>,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lowercase.
    pub action: Option<String>,
    /// The enhanced status code, such as `5.1.1`.
    pub status: Option<String>,
    /// The remote server's words, without the `smtp;` prefix.
    pub diagnostic: Option<String>,
}

/// What the MIME structure said about reports, worked out while walking the parts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReportShape {
    /// The top-level type is multipart/report with report-type delivery-status.
    pub dsn_report: bool,
    /// The top-level type is multipart/report of another kind (read receipts and the like).
    pub other_report: bool,
    /// A message/delivery-status part was found somewhere.
    pub has_status_part: bool,
}

/// A message/delivery-status part (or its RFC 6533 UTF-8 form).
fn is_status_part(part: &MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        let subtype = ct.subtype().unwrap_or_default();
        ct.ctype().eq_ignore_ascii_case("message")
            && (subtype.eq_ignore_ascii_case("delivery-status")
                || subtype.eq_ignore_ascii_case("global-delivery-status"))
    })
}

/// Looks at the top-level type and the parts read for what [`crate::auto`] needs to know about reports.
pub(crate) fn report_shape(message: &Message<'_>, walk: &Walk) -> ReportShape {
    let mut shape = ReportShape::default();
    if let Some(ct) = message.parts.first().and_then(|root| root.content_type()) {
        if ct.ctype().eq_ignore_ascii_case("multipart")
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        {
            let kind = ct.attribute("report-type").unwrap_or_default();
            if kind.eq_ignore_ascii_case("delivery-status") || kind.eq_ignore_ascii_case("global-delivery-status") {
                shape.dsn_report = true;
            } else {
                shape.other_report = true;
            }
        }
    }
    shape.has_status_part = walk.order.iter().filter_map(|&id| message.parts.get(id)).any(is_status_part);
    shape
}

/// Fills a [`Bounce`] from the status part and the returned message (or its headers).
pub(crate) fn read_bounce(message: &Message<'_>, walk: &Walk) -> Bounce {
    let mut bounce = Bounce::default();
    let read_parts = || walk.order.iter().filter_map(|&id| message.parts.get(id));

    if let Some(status) = read_parts().find(|part| is_status_part(part)) {
        read_status_fields(status.contents(), &mut bounce);
    }

    bounce.original_message_id = read_parts().find_map(|part| {
        let ct = part.content_type()?;
        let subtype = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        let returned = matches!(
            (ct.ctype().to_ascii_lowercase().as_str(), subtype.as_str()),
            ("message", "rfc822" | "global" | "rfc822-headers") | ("text", "rfc822-headers")
        );
        if !returned {
            return None;
        }
        match &part.body {
            PartType::Message(original) => original.message_id().and_then(headers::clean_id),
            _ => MessageParser::default()
                .parse_headers(part.contents())
                .and_then(|headers_only| headers_only.message_id().and_then(headers::clean_id)),
        }
    });
    bounce
}

/// Only the start of a status part is read; real ones are a few hundred bytes.
const MAX_SCAN_BYTES: usize = 64 * 1024;
/// Longest field value kept.
const MAX_VALUE_CHARS: usize = 1000;

/// Fills recipient, action, status and diagnostic from the fields of a delivery-status body. Only the first value
/// of each field is kept, which for a multi-recipient report means the first recipient's.
fn read_status_fields(body: &[u8], bounce: &mut Bounce) {
    let body = String::from_utf8_lossy(body.get(..MAX_SCAN_BYTES).unwrap_or(body));
    let mut original_recipient = None;
    for (name, value) in unfolded_fields(&body) {
        let slot = match name.to_ascii_lowercase().as_str() {
            "final-recipient" => &mut bounce.recipient,
            "original-recipient" => &mut original_recipient,
            "action" => &mut bounce.action,
            "status" => &mut bounce.status,
            "diagnostic-code" => &mut bounce.diagnostic,
            _ => continue,
        };
        if slot.is_none() {
            let value = match name.to_ascii_lowercase().as_str() {
                "final-recipient" | "original-recipient" | "diagnostic-code" => without_type(&value),
                "action" => value.to_ascii_lowercase(),
                _ => value,
            };
            if !value.is_empty() {
                *slot = Some(value.chars().take(MAX_VALUE_CHARS).collect());
            }
        }
    }
    if bounce.recipient.is_none() {
        bounce.recipient = original_recipient;
    }
}

/// `rfc822; bob@example.com` → `bob@example.com`; `smtp; 550 …` → `550 …`.
fn without_type(value: &str) -> String {
    match value.split_once(';') {
        Some((kind, rest))
            if !kind.trim().is_empty() && kind.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            rest.trim().to_string()
        }
        _ => value.trim().to_string(),
    }
}

/// `Name: value` fields with continuation lines joined, across all blank-line separated groups.
fn unfolded_fields(body: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() && !name.contains(' ') => {
                fields.push((name.trim().to_string(), value.trim().to_string()));
            }
            // A blank line or junk ends any continuation.
            _ => fields.push((String::new(), String::new())),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_recipient_block() {
        let body = b"Reporting-MTA: dns; mx.example.net\r\n\r\nOriginal-Recipient: rfc822;first@example.org\r\nFinal-Recipient: rfc822; first@example.org\r\nAction: Failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such\r\n user here\r\n\r\nFinal-Recipient: rfc822; second@example.org\r\nAction: delayed\r\n";
        let mut bounce = Bounce::default();
        read_status_fields(body, &mut bounce);
        assert_eq!(bounce.recipient.as_deref(), Some("first@example.org"));
        assert_eq!(bounce.action.as_deref(), Some("failed"));
        assert_eq!(bounce.status.as_deref(), Some("5.1.1"));
        assert_eq!(bounce.diagnostic.as_deref(), Some("550 5.1.1 no such user here"));
    }
}
