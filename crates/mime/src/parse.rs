//! Reading one raw message into a [`ParsedMail`].

use std::panic::{catch_unwind, AssertUnwindSafe};

use mail_parser::{HeaderName, Message, MessageParser, PartType};

use crate::attachments;
use crate::auto::{classify, AutoKind};
use crate::bounce::{read_bounce, report_shape};
use crate::error::ParseError;
use crate::headers;
use crate::html_to_text::html_to_text;
use crate::limits::Limits;
use crate::parsed::ParsedMail;
use crate::parts::{self, Bodies};

/// Reads a raw RFC 5322 message. `null_sender` says the SMTP envelope sender was `<>` (bounces and other
/// automatic mail), which only the receiving side knows.
///
/// Fails only when nothing usable is there at all; broken MIME gives a best-effort result whose `notes` say what
/// was lost. Charsets, encoded words and RFC 2231 parameters are decoded by `mail-parser`; text that cannot be
/// decoded becomes U+FFFD.
pub fn parse(raw: &[u8], null_sender: bool, limits: &Limits) -> Result<ParsedMail, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    // mail-parser keeps offsets as u32.
    if u32::try_from(raw.len()).is_err() {
        return Err(ParseError::TooLarge { bytes: raw.len() });
    }
    let (raw, cut) = within_part_budget(raw, limits.max_parts);
    // The parser is meant never to panic; if it ever does on some input, that one message is refused rather
    // than taking the caller down with it.
    let parsed = catch_unwind(AssertUnwindSafe(|| MessageParser::default().parse(raw)))
        .map_err(|_| ParseError::Unreadable)?
        .map(FlatDrop)
        .ok_or(ParseError::NotAMessage)?;
    let message = &parsed.0;
    let Some(root) = message.parts.first() else {
        return Err(ParseError::NotAMessage);
    };

    let mut notes = Vec::new();
    let walk = parts::walk(message, limits.max_parts);
    notes.extend(parts::unread_note(&walk, limits, cut));

    let mut bodies = Bodies::find(message, &walk);
    let mut text = bodies.plain_text(message);
    let html = bodies.html(message);
    if text.trim().is_empty() {
        text = html.as_deref().map(html_to_text).unwrap_or_default();
    }
    // A multipart whose boundary never appears is read by the parser as one text part that is neither body nor
    // attachment; show it as the body instead of offering it as a file.
    if text.is_empty() && html.is_none() {
        if let PartType::Text(raw_body) = &root.body {
            if !raw_body.trim().is_empty() {
                text = raw_body.to_string();
                bodies.text.push(0);
                notes.push("the MIME structure of this message is broken; its body is shown as received".to_string());
            }
        }
    }
    notes.extend(parts::body_encoding_notes(message, &bodies));

    let attachments = attachments::collect(message, &walk, &bodies, limits, &mut notes);

    let shape = report_shape(message, &walk);
    let auto = classify(root.headers(), shape, null_sender);
    let bounce = (auto == AutoKind::Bounce).then(|| read_bounce(message, &walk));

    let mail = ParsedMail {
        message_id: message.message_id().and_then(headers::clean_id),
        in_reply_to: headers::ids(message.header(HeaderName::InReplyTo)),
        references: headers::ids(message.header(HeaderName::References)),
        subject: headers::subject(message),
        from: headers::first_mailbox(message.from()),
        reply_to: headers::first_mailbox(message.reply_to()),
        to: headers::all_mailboxes(message.all_to()),
        cc: headers::all_mailboxes(message.all_cc()),
        date_ms: headers::date_ms(message),
        text: normalise_text(&text),
        html,
        attachments,
        auto,
        bounce,
        language: language(message, &bodies),
        notes,
    };
    let nothing = mail.from.is_none()
        && mail.subject.is_empty()
        && mail.message_id.is_none()
        && mail.text.trim().is_empty()
        && mail.html.is_none()
        && mail.attachments.is_empty();
    if nothing {
        return Err(ParseError::NotAMessage);
    }
    Ok(mail)
}

/// Cuts the message before its boundary lines (lines starting `--`) outnumber what [`Limits::max_parts`] will
/// read, with room to spare for text lines that merely look like boundaries.
///
/// The parser splits every part before the walk counts them, and each part costs it a few hundred bytes however
/// small it is, so a message of millions of tiny parts would otherwise cost gigabytes. Parts come in text order,
/// so nothing that the walk would read is cut.
fn within_part_budget(raw: &[u8], max_parts: usize) -> (&[u8], bool) {
    let allowed = max_parts.saturating_mul(2).saturating_add(1000);
    let mut seen = 0usize;
    let mut line_start = 0usize;
    for (i, &byte) in raw.iter().enumerate() {
        if byte != b'\n' {
            continue;
        }
        if raw.get(line_start..line_start + 2) == Some(b"--") {
            seen += 1;
            if seen > allowed {
                return (raw.get(..line_start).unwrap_or(raw), true);
            }
        }
        line_start = i + 1;
    }
    (raw, false)
}

/// Line ends as `\n`, and no control characters other than tab and newline.
fn normalise_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' => out.push(ch),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content-Language of the message, or else of its first body part.
fn language(message: &Message<'_>, bodies: &Bodies) -> Option<String> {
    let root = message.parts.first()?;
    headers::language(root.headers()).or_else(|| {
        bodies
            .text
            .iter()
            .chain(&bodies.html)
            .filter_map(|&id| message.parts.get(id))
            .find_map(|part| headers::language(part.headers()))
    })
}

/// Owns a parsed message and frees it without recursion. Each attached message/rfc822 is a nested `Message`,
/// and a sender can nest thousands in a small mail; dropping that chain the ordinary way recurses once per level
/// and overflows the stack, which aborts the process.
struct FlatDrop<'x>(Message<'x>);

impl Drop for FlatDrop<'_> {
    fn drop(&mut self) {
        let mut pending = vec![std::mem::take(&mut self.0)];
        while let Some(mut message) = pending.pop() {
            for part in &mut message.parts {
                if matches!(part.body, PartType::Message(_)) {
                    if let PartType::Message(nested) = std::mem::take(&mut part.body) {
                        pending.push(nested);
                    }
                }
            }
        }
    }
}
