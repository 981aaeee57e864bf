//! Telling people from machines, so that Parley never answers a robot and starts a mail loop.

use mail_parser::Header;

use crate::bounce::ReportShape;
use crate::headers;

/// Who, or what, sent the message. Checked in this order; the first that matches wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoKind {
    /// Nothing says it was automatic.
    Human,
    /// An automatic answer: `Auto-Submitted` other than `no`, `X-Autoreply`/`X-Autorespond`,
    /// `X-Auto-Response-Suppress: All|OOF`, `Precedence: auto_reply`, a non-delivery report other than a bounce
    /// (read receipts), or a null sender that is not a recognisable bounce.
    AutoReply,
    /// `Precedence: bulk` or `junk`.
    Bulk,
    /// Mailing-list traffic: `List-Id`, `List-Unsubscribe` or `Precedence: list`.
    List,
    /// A delivery status notification.
    Bounce,
}

pub(crate) fn classify(headers: &[Header<'_>], shape: ReportShape, null_sender: bool) -> AutoKind {
    if shape.dsn_report || (null_sender && shape.has_status_part) {
        return AutoKind::Bounce;
    }

    let precedence = headers::text(headers, "Precedence").map(|p| p.trim().to_ascii_lowercase()).unwrap_or_default();
    let auto_submitted = headers::text(headers, "Auto-Submitted")
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .filter(|value| !value.is_empty())
        .is_some_and(|value| value != "no");
    let suppress = headers::text(headers, "X-Auto-Response-Suppress").is_some_and(|value| {
        value.split([',', ' ']).any(|token| token.eq_ignore_ascii_case("all") || token.eq_ignore_ascii_case("oof"))
    });
    if auto_submitted
        || headers::has(headers, "X-Autoreply")
        || headers::has(headers, "X-Autorespond")
        || suppress
        || precedence == "auto_reply"
        || shape.other_report
        || null_sender
    {
        return AutoKind::AutoReply;
    }

    if precedence == "bulk" || precedence == "junk" {
        return AutoKind::Bulk;
    }
    if precedence == "list" || headers::has(headers, "List-Id") || headers::has(headers, "List-Unsubscribe") {
        return AutoKind::List;
    }
    AutoKind::Human
}
