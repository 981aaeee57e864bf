//! Headers, body selection and MIME structure.

use parley_mime::{html_to_text, parse as parse_raw, text_to_html, AutoKind, Limits, Mailbox, ParseError};

use crate::helpers::{crlf, parse_str};

const ALTERNATIVE: &str = r#"Return-Path: <anna@example.org>
Message-ID: <reply-2@mail.example.org>
In-Reply-To: <ticket-17@parley.example>
References: <first-1@mail.example.org>
 <ticket-17@parley.example>
From: "Anna Kovács" <Anna.Kovacs@Example.ORG>
Reply-To: Support Desk <desk@Example.org>
To: help@parley.example, "Bob" <bob@parley.example>
Cc: <carol@EXAMPLE.net>
To: late@parley.example
Date: Tue, 02 Jan 2024 10:30:00 +0100
Subject: Re: Printer
 on fire
Content-Language: de-DE, en
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-1"

--alt-1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello,

the printer is still on fire =E2=80=93 please help.
--alt-1
Content-Type: text/html; charset=utf-8

<html><body><p>Hello,</p><p>the printer is <b>still</b> on fire &ndash; please help.</p></body></html>
--alt-1--
"#;

#[test]
fn alternative_gives_plain_text_html_and_all_headers() {
    let mail = parse_str(ALTERNATIVE);

    assert_eq!(mail.text, "Hello,\n\nthe printer is still on fire – please help.");
    let html = mail.html.as_deref().unwrap();
    assert!(html.contains("<b>still</b>") && html.contains("&ndash;"), "HTML is kept as received: {html}");
    assert!(mail.attachments.is_empty());
    assert!(mail.notes.is_empty(), "{:?}", mail.notes);

    assert_eq!(mail.message_id.as_deref(), Some("reply-2@mail.example.org"));
    assert_eq!(mail.in_reply_to, vec!["ticket-17@parley.example"]);
    assert_eq!(mail.references, vec!["first-1@mail.example.org", "ticket-17@parley.example"]);
    assert_eq!(mail.subject, "Re: Printer on fire");
    assert_eq!(mail.from, Some(Mailbox { name: Some("Anna Kovács".into()), email: "Anna.Kovacs@example.org".into() }));
    assert_eq!(mail.reply_to.as_ref().map(|m| m.email.as_str()), Some("desk@example.org"));
    let to: Vec<&str> = mail.to.iter().map(|m| m.email.as_str()).collect();
    assert_eq!(to, vec!["help@parley.example", "bob@parley.example", "late@parley.example"]);
    assert_eq!(mail.to[1].name.as_deref(), Some("Bob"));
    assert_eq!(mail.cc, vec![Mailbox { name: None, email: "carol@example.net".into() }]);
    assert_eq!(mail.date_ms, Some(1_704_187_800_000));
    assert_eq!(mail.language.as_deref(), Some("de-de"));
    assert_eq!(mail.auto, AutoKind::Human);
    assert_eq!(mail.bounce, None);
}

#[test]
fn html_only_mail_gets_text_derived_from_the_html() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: html only
Content-Type: text/html; charset=utf-8

<html><head><title>Ignored title</title><style>p { color: red }</style></head>
<body><div>Caf&eacute; &amp; cr&#232;me &lt;3&nbsp;&#x1F600;</div><script>alert("no")</script>
<p>First   paragraph
continues here.</p>



<ul><li>one</li><li>two</li></ul>line<br>break</body></html>
"#,
    );
    assert_eq!(mail.text, "Café & crème <3 😀\n\nFirst paragraph continues here.\n\none\ntwo\n\nline\nbreak");
    assert!(mail.html.as_deref().unwrap().contains("<script>"), "the html field is not sanitized");
}

#[test]
fn html_to_text_handles_tables_pre_and_blank_runs() {
    let text = html_to_text(
        "<table><tr><td>Name</td><td>Qty</td></tr><tr><td>Widget</td><td>3</td></tr></table>\
         <p></p><p></p><p></p><pre>  indented\n    code</pre><div>end</div>",
    );
    assert_eq!(text, "Name Qty\nWidget 3\n\n  indented\n    code\n\nend");
}

#[test]
fn text_to_html_escapes_and_keeps_line_breaks() {
    assert_eq!(
        text_to_html("a < b & \"c\" > 'd'\r\nnext\nlast"),
        "<div>a &lt; b &amp; &quot;c&quot; &gt; &#39;d&#39;<br>\nnext<br>\nlast</div>"
    );
}

#[test]
fn nested_related_and_mixed_with_a_cid_image() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: with logo
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=us-ascii

See the logo.
--alt
Content-Type: text/html; charset=us-ascii

<p>See the logo: <img src="cid:logo@parley.example"></p>
--alt--
--rel
Content-Type: image/png; name="logo.png"
Content-Transfer-Encoding: base64
Content-ID: <logo@parley.example>
Content-Disposition: inline; filename="logo.png"

iVBORw0KGgo=
--rel--
--outer
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
"#,
    );
    assert_eq!(mail.text, "See the logo.");
    assert!(mail.html.as_deref().unwrap().contains("cid:logo@parley.example"));
    assert_eq!(mail.attachments.len(), 2, "{:?}", mail.attachments);

    let logo = &mail.attachments[0];
    assert_eq!(logo.filename, "logo.png");
    assert_eq!(logo.content_type, "image/png");
    assert_eq!(logo.content_id.as_deref(), Some("logo@parley.example"));
    assert!(logo.inline);
    assert_eq!(logo.data, b"\x89PNG\r\n\x1a\n");

    let pdf = &mail.attachments[1];
    assert_eq!(pdf.filename, "invoice.pdf");
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.content_id, None);
    assert!(!pdf.inline);
    assert_eq!(pdf.data, b"%PDF-1.4\n");

    let shown = parley_mime::sanitize_html(mail.html.as_deref().unwrap(), &|cid| {
        mail.attachments.iter().any(|a| a.content_id.as_deref() == Some(cid)).then(|| format!("/files/{cid}"))
    });
    assert!(shown.contains(r#"<img src="/files/logo@parley.example">"#), "{shown}");
}

#[test]
fn attached_messages_become_eml_files_named_by_subject() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: Fwd: see below
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Forwarding this.
--b
Content-Type: message/rfc822

From: customer@example.com
Subject: My order #42 / broken?
Message-ID: <orig@example.com>

The order arrived broken.
--b
Content-Type: message/rfc822
Content-Transfer-Encoding: base64

RnJvbTogeEBleGFtcGxlLmNvbQpNZXNzYWdlLUlEOiA8bm9zdWJqZWN0QGV4YW1wbGUuY29tPgoKbm8gc3ViamVjdCBoZXJlCg==
--b--
"#,
    );
    assert_eq!(mail.text, "Forwarding this.");
    assert_eq!(mail.attachments.len(), 2, "{:?}", mail.attachments);
    let eml = &mail.attachments[0];
    assert_eq!(eml.filename, "My order #42 _ broken_.eml");
    assert_eq!(eml.content_type, "message/rfc822");
    let data = String::from_utf8_lossy(&eml.data);
    assert!(data.starts_with("From: customer@example.com"), "{data}");
    assert!(data.contains("The order arrived broken."));
    assert!(!data.contains("--b"), "the nested message ends at the boundary: {data}");

    let second = &mail.attachments[1];
    assert_eq!(second.filename, "message.eml");
    assert!(String::from_utf8_lossy(&second.data).contains("no subject here"));
}

#[test]
fn a_wrong_boundary_still_gives_the_body() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: broken
Content-Type: multipart/mixed; boundary="declared"

--actual
Content-Type: text/plain

The customer text is here.
--actual--
"#,
    );
    assert!(mail.text.contains("The customer text is here."), "{:?}", mail.text);
    assert!(mail.attachments.is_empty(), "{:?}", mail.attachments);
    assert!(mail.notes.iter().any(|n| n.contains("broken")), "{:?}", mail.notes);
}

#[test]
fn a_missing_closing_boundary_still_gives_body_and_attachment() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: truncated
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Body before the cut.
--b
Content-Type: application/octet-stream; name="data.bin"
Content-Transfer-Encoding: base64

AAEC
"#,
    );
    assert_eq!(mail.text.trim(), "Body before the cut.");
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename, "data.bin");
    assert_eq!(mail.attachments[0].data, [0, 1, 2]);
}

#[test]
fn broken_base64_is_noted_not_fatal() {
    let mail = parse_str(
        r#"From: a@example.org
Subject: bad encoding
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Body.
--b
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64

!!!! not base64 at all ****
--b--
"#,
    );
    assert_eq!(mail.text.trim(), "Body.");
    assert_eq!(mail.attachments.len(), 1);
    assert!(
        mail.notes.iter().any(|n| n.contains("report.pdf") && n.contains("not properly encoded")),
        "{:?}",
        mail.notes
    );
}

#[test]
fn subject_is_one_clean_line() {
    let mail =
        parse_str("From: a@example.org\nSubject: =?utf-8?Q?Line=0Aone?=\tand\x07 bell \u{202E}gnp.exe\n\nbody\n");
    assert_eq!(mail.subject, "Line one and bell gnp.exe");
    let none = parse_str("From: a@example.org\n\nbody\n");
    assert_eq!(none.subject, "");
    assert_eq!(none.text, "body\n");
}

#[test]
fn nothing_usable_is_an_error() {
    let limits = Limits::default();
    assert_eq!(parse_raw(b"", false, &limits), Err(ParseError::Empty));
    assert_eq!(parse_raw(b" \r\n ", false, &limits), Err(ParseError::Empty));
    assert_eq!(parse_raw(b"just some words", false, &limits), Err(ParseError::NotAMessage));
    assert_eq!(parse_raw(b"X-Nothing: useful\r\n\r\n  \r\n", false, &limits), Err(ParseError::NotAMessage));
    assert!(parse_raw(&crlf("Subject: only a header\n"), false, &limits).is_ok());
}
