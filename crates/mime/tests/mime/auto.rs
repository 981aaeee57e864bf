//! Loop and noise detection, and bounces.

use parley_mime::{parse, AutoKind, Limits};

use crate::helpers::{crlf, parse_str};

const DSN: &str = r#"Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: support@parley.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.net>
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.
I'm sorry to have to inform you that your message could not be delivered.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Tue,  2 Jan 2024 10:30:00 +0100 (CET)

Final-Recipient: rfc822; gone@customer.example
Original-Recipient: rfc822;Gone@customer.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.customer.example
Diagnostic-Code: smtp; 550 5.1.1 <gone@customer.example>: Recipient address
    rejected: User unknown

--dsn
Content-Type: message/rfc822

From: Support <support@parley.example>
To: gone@customer.example
Subject: Re: [#17] Printer on fire
Message-ID: <ticket-17-reply-3@parley.example>

We are on it.
--dsn--
"#;

#[test]
fn a_dsn_is_a_bounce_with_its_details() {
    let mail = parse(&crlf(DSN), true, &Limits::default()).unwrap();
    assert_eq!(mail.auto, AutoKind::Bounce);
    let bounce = mail.bounce.expect("bounce details");
    assert_eq!(bounce.original_message_id.as_deref(), Some("ticket-17-reply-3@parley.example"));
    assert_eq!(bounce.recipient.as_deref(), Some("gone@customer.example"));
    assert_eq!(bounce.action.as_deref(), Some("failed"));
    assert_eq!(bounce.status.as_deref(), Some("5.1.1"));
    assert_eq!(
        bounce.diagnostic.as_deref(),
        Some("550 5.1.1 <gone@customer.example>: Recipient address rejected: User unknown")
    );
    assert!(mail.text.starts_with("This is the mail system"), "{:?}", mail.text);
    let names: Vec<&str> = mail.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["delivery-status.txt", "Re_ [#17] Printer on fire.eml"]);
}

#[test]
fn a_dsn_is_a_bounce_even_without_the_null_sender_flag() {
    let mail = parse(&crlf(DSN), false, &Limits::default()).unwrap();
    assert_eq!(mail.auto, AutoKind::Bounce);
}

#[test]
fn a_dsn_with_returned_headers_only() {
    let raw = DSN
        .replace("Content-Type: message/rfc822\n\nFrom: Support", "Content-Type: text/rfc822-headers\n\nFrom: Support");
    let mail = parse(&crlf(&raw), true, &Limits::default()).unwrap();
    assert_eq!(mail.auto, AutoKind::Bounce);
    assert_eq!(mail.bounce.unwrap().original_message_id.as_deref(), Some("ticket-17-reply-3@parley.example"));
}

#[test]
fn a_null_sender_with_a_status_part_inside_mixed_is_a_bounce() {
    let raw = DSN.replace("multipart/report; report-type=delivery-status;", "multipart/mixed;");
    let from_null = parse(&crlf(&raw), true, &Limits::default()).unwrap();
    assert_eq!(from_null.auto, AutoKind::Bounce);
    assert_eq!(from_null.bounce.unwrap().status.as_deref(), Some("5.1.1"));

    let from_someone = parse(&crlf(&raw), false, &Limits::default()).unwrap();
    assert_eq!(from_someone.auto, AutoKind::Human);
    assert_eq!(from_someone.bounce, None);
}

#[test]
fn a_null_sender_without_a_dsn_is_an_auto_reply() {
    let raw = crlf("From: daemon@example.org\nSubject: Your mail\n\nSomething happened.\n");
    assert_eq!(parse(&raw, true, &Limits::default()).unwrap().auto, AutoKind::AutoReply);
    assert_eq!(parse(&raw, false, &Limits::default()).unwrap().auto, AutoKind::Human);
}

fn kind_with(header: &str) -> AutoKind {
    parse_str(&format!("From: someone@example.org\nSubject: hello\n{header}\n\nbody\n")).auto
}

#[test]
fn auto_replies_are_recognised() {
    assert_eq!(kind_with("Auto-Submitted: auto-replied"), AutoKind::AutoReply);
    assert_eq!(kind_with("Auto-Submitted: auto-generated; owner-email=\"x@example.org\""), AutoKind::AutoReply);
    assert_eq!(kind_with("auto-submitted: Auto-Replied"), AutoKind::AutoReply);
    assert_eq!(kind_with("X-Autoreply: yes"), AutoKind::AutoReply);
    assert_eq!(kind_with("X-Autorespond: Out of office"), AutoKind::AutoReply);
    assert_eq!(kind_with("X-Auto-Response-Suppress: All"), AutoKind::AutoReply);
    assert_eq!(kind_with("X-Auto-Response-Suppress: DR, OOF, AutoReply"), AutoKind::AutoReply);
    assert_eq!(kind_with("Precedence: auto_reply"), AutoKind::AutoReply);
}

#[test]
fn people_are_people() {
    assert_eq!(kind_with("Auto-Submitted: no"), AutoKind::Human);
    assert_eq!(kind_with("X-Auto-Response-Suppress: DR, RN"), AutoKind::Human);
    assert_eq!(kind_with("X-Mailer: Thunderbird"), AutoKind::Human);
}

#[test]
fn bulk_and_lists_are_recognised() {
    assert_eq!(kind_with("Precedence: bulk"), AutoKind::Bulk);
    assert_eq!(kind_with("Precedence: Junk"), AutoKind::Bulk);
    assert_eq!(kind_with("Precedence: list"), AutoKind::List);
    assert_eq!(kind_with("List-Id: Printer owners <printers.lists.example.org>"), AutoKind::List);
    assert_eq!(kind_with("List-Unsubscribe: <mailto:leave@lists.example.org>"), AutoKind::List);
    assert_eq!(kind_with("List-Id: <a.example.org>\nPrecedence: bulk"), AutoKind::Bulk, "bulk is checked before list");
    assert_eq!(kind_with("List-Id: <a.example.org>\nAuto-Submitted: auto-generated"), AutoKind::AutoReply);
}

#[test]
fn read_receipts_are_automatic() {
    let mail = parse_str(
        "From: a@example.org\nSubject: Read: hello\nContent-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\n\n\
         --r\nContent-Type: text/plain\n\nYour message was read.\n--r\nContent-Type: message/disposition-notification\n\n\
         Final-Recipient: rfc822; a@example.org\nDisposition: manual-action/MDN-sent-manually; displayed\n--r--\n",
    );
    assert_eq!(mail.auto, AutoKind::AutoReply);
    assert_eq!(mail.bounce, None);
}
