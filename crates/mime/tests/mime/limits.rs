//! Bounded work and memory on oversized or pathological mail.

use std::fmt::Write;
use std::time::{Duration, Instant};

use parley_mime::{parse, Limits};

use crate::helpers::{crlf, parse as parse_default};

fn many_parts(count: usize) -> Vec<u8> {
    let mut raw =
        String::from("From: a@example.org\nSubject: many parts\nContent-Type: multipart/mixed; boundary=\"p\"\n\n");
    raw.push_str("--p\nContent-Type: text/plain\n\nThe body.\n");
    for i in 0..count {
        write!(raw, "--p\nContent-Type: application/octet-stream; name=\"f{i}.bin\"\n\nx{i}\n").unwrap();
    }
    raw.push_str("--p--\n");
    crlf(&raw)
}

#[test]
fn ten_thousand_parts_are_bounded_and_fast() {
    let raw = many_parts(10_000);
    let started = Instant::now();
    let mail = parse(&raw, false, &Limits::default()).unwrap();
    let elapsed = started.elapsed();

    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    assert_eq!(mail.text, "The body.");
    assert_eq!(mail.attachments.len(), 100, "max_attachments applies");
    assert_eq!(mail.attachments[0].filename, "f0.bin");
    assert!(
        mail.notes.iter().any(|n| n.contains("stopped reading after 1000 MIME parts") && n.contains("the rest")),
        "{:?}",
        mail.notes
    );
    assert!(mail.notes.iter().any(|n| n.contains("more than 100 attachments")), "{:?}", mail.notes);
    assert!(mail.notes.len() <= 25, "drop notes are summarised: {}", mail.notes.len());
}

#[test]
fn max_parts_stops_the_walk() {
    let limits = Limits { max_parts: 5, ..Limits::default() };
    let mail = parse(&many_parts(50), false, &limits).unwrap();
    // The container and the body are two of the five parts read.
    assert_eq!(mail.attachments.len(), 3);
    assert!(
        mail.notes.iter().any(|n| n == "stopped reading after 5 MIME parts; 47 more parts were not read"),
        "{:?}",
        mail.notes
    );
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 5_000;
    let mut raw = String::from("From: a@example.org\nSubject: deep\n");
    for i in 0..depth {
        write!(raw, "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n").unwrap();
    }
    raw.push_str("Content-Type: text/plain\n\ndeep body\n");
    for i in (0..depth).rev() {
        writeln!(raw, "--b{i}--").unwrap();
    }
    let raw = crlf(&raw);
    // Run on a small stack, as worker threads have, to catch recursion.
    let mail = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || parse(&raw, false, &Limits::default()).unwrap())
        .unwrap()
        .join()
        .unwrap();
    assert!(mail.notes.iter().any(|n| n.contains("stopped reading")), "{:?}", mail.notes);
}

#[test]
fn deeply_nested_messages_do_not_overflow_the_stack() {
    let depth = 20_000;
    let mut raw = String::new();
    for i in 0..depth {
        write!(raw, "From: a@example.org\nSubject: level {i}\nContent-Type: message/rfc822\n\n").unwrap();
    }
    raw.push_str("From: a@example.org\nSubject: inner\n\ninnermost\n");
    let raw = crlf(&raw);
    let mail = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse(&raw, false, &Limits::default()).unwrap())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(mail.subject, "level 0");
}

fn with_big_attachment(big_bytes: usize) -> Vec<u8> {
    let line = format!("{}\r\n", "A".repeat(76)); // 57 zero bytes per line
    let lines = big_bytes / 57 + 1;
    let mut raw = crlf(
        "From: a@example.org\nSubject: big file\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n\
         Content-Type: text/plain\n\nPlease see the report.\n--b\nContent-Type: application/pdf; name=\"report.pdf\"\n\
         Content-Transfer-Encoding: base64\n\n",
    );
    raw.reserve(lines * line.len() + 200);
    for _ in 0..lines {
        raw.extend_from_slice(line.as_bytes());
    }
    raw.extend_from_slice(&crlf(
        "--b\nContent-Type: text/csv; name=\"small.csv\"\nContent-Disposition: attachment; filename=\"small.csv\"\n\na,b\n--b--\n",
    ));
    raw
}

#[test]
fn a_60_mb_attachment_is_dropped_with_a_note() {
    let raw = with_big_attachment(60 * 1024 * 1024);
    let mail = parse_default(&raw);
    assert_eq!(mail.text, "Please see the report.");
    assert_eq!(mail.attachments.len(), 1, "the small file is kept");
    assert_eq!(mail.attachments[0].filename, "small.csv");
    assert_eq!(mail.attachments[0].content_type, "text/csv; charset=utf-8");
    assert_eq!(mail.attachments[0].data, b"a,b");
    assert_eq!(mail.notes, vec!["dropped report.pdf (60 MB): larger than the 25 MB limit".to_string()]);
}

#[test]
fn the_total_limit_drops_what_does_not_fit() {
    let limits = Limits { max_total_attachment_bytes: 100, max_attachment_bytes: 80, ..Limits::default() };
    let raw = crlf(
        "From: a@example.org\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nbody\n\
         --b\nContent-Type: application/octet-stream; name=\"one.bin\"\n\n\
         0123456789012345678901234567890123456789012345678901234567890123456789\n\
         --b\nContent-Type: application/octet-stream; name=\"two.bin\"\n\n\
         0123456789012345678901234567890123456789012345678901234567890123456789\n\
         --b\nContent-Type: application/octet-stream; name=\"three.bin\"\n\n0123456789\n--b--\n",
    );
    let mail = parse(&raw, false, &limits).unwrap();
    let names: Vec<&str> = mail.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, vec!["one.bin", "three.bin"]);
    assert_eq!(mail.notes.len(), 1);
    assert!(mail.notes[0].starts_with("dropped two.bin (70 bytes)"), "{:?}", mail.notes);
}
