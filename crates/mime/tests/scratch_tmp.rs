#![allow(clippy::unwrap_used)]
use std::fmt::Write;
use std::time::Instant;
#[test]
fn amplification() {
    let count = 300_000;
    let mut raw =
        String::from("From: a@example.org\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n");
    for i in 0..count {
        write!(raw, "--p\r\nContent-Type: text/plain\r\n\r\n{i}\r\n").unwrap();
    }
    raw.push_str("--p--\r\n");
    println!("input {} bytes", raw.len());
    let t = Instant::now();
    let mail = parley_mime::parse(raw.as_bytes(), false, &parley_mime::Limits::default()).unwrap();
    println!("took {:?}, text {} attachments {}", t.elapsed(), mail.text.len(), mail.attachments.len());
}
