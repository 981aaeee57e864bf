//! Size, recipient and session limits.

use std::time::Duration;

use tokio::io::AsyncBufReadExt;
use tokio::net::TcpStream;

use crate::support::{TestServer, WAIT};

#[tokio::test]
async fn declared_size_over_the_limit_is_refused_at_mail() {
    let server = TestServer::with(|c| c.max_message_bytes = 1000).await;
    let mut c = server.client().await;
    assert!(c.expect("EHLO client.example", 250).await.lines.contains(&"SIZE 1000".to_owned()));
    let reply = c.expect("MAIL FROM:<a@example.org> SIZE=1001", 552).await;
    assert!(reply.text().starts_with("5.3.4"), "{reply:?}");
    c.expect("MAIL FROM:<a@example.org> SIZE=huge", 501).await;
    c.expect("MAIL FROM:<a@example.org> SIZE=1000", 250).await;
    c.expect("RCPT TO:<b@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send("small\r\n.\r\n").await;
    assert_eq!(c.reply().await.code, 250);
}

#[tokio::test]
async fn message_over_the_limit_gets_552_after_its_end_and_the_session_goes_on() {
    let server = TestServer::with(|c| c.max_message_bytes = 10_000).await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<b@example.com>", 250).await;
    c.expect("DATA", 354).await;
    let line = format!("{}\r\n", "a".repeat(78));
    for _ in 0..100 {
        // 8 KB a write, 80 KB in all: the reply must wait for the end.
        c.send(line.repeat(100)).await;
    }
    c.send(".\r\n").await;
    let reply = c.reply().await;
    assert_eq!(reply.code, 552, "{reply:?}");
    assert!(reply.text().starts_with("5.3.4"), "{reply:?}");

    // Exactly at the limit is fine.
    let body = format!("{}\r\n", "b".repeat(98)).repeat(100);
    assert_eq!(c.deliver("a@example.org", &["b@example.com"], &body).await.code, 250);
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].1.len(), 10_000);
}

#[tokio::test]
async fn overlong_text_line_refuses_the_message() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    let long = format!("{}\r\n", "x".repeat(1500));
    let reply = c.deliver("a@example.org", &["b@example.com"], &long).await;
    assert_eq!(reply.code, 500, "{reply:?}");
    let fits = format!("{}\r\n", "x".repeat(998));
    assert_eq!(c.deliver("a@example.org", &["b@example.com"], &fits).await.code, 250);
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].1, fits.as_bytes());
}

#[tokio::test]
async fn recipients_beyond_the_limit_get_452() {
    let server = TestServer::with(|c| c.max_recipients = 2).await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<one@example.com>", 250).await;
    c.expect("RCPT TO:<unknown@example.com>", 550).await;
    c.expect("RCPT TO:<two@example.com>", 250).await;
    c.expect("RCPT TO:<three@example.com>", 452).await;
    c.expect("RCPT TO:<busy@example.com>", 452).await;
    c.expect("DATA", 354).await;
    c.send("x\r\n.\r\n").await;
    assert_eq!(c.reply().await.code, 250);
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries[0].0.rcpt_to, ["one@example.com", "two@example.com"]);
}

#[tokio::test]
async fn recipient_tempfail_gets_451() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    let reply = c.expect("RCPT TO:<busy@example.com>", 451).await;
    assert_eq!(reply.text(), "4.3.0 Mailbox busy");
}

#[tokio::test]
async fn connections_over_the_session_cap_get_421() {
    let server = TestServer::with(|c| c.max_sessions = 2).await;
    let mut first = server.client().await;
    let _second = server.client().await;

    let mut third = tokio::io::BufReader::new(TcpStream::connect(server.addr).await.unwrap());
    let mut line = String::new();
    tokio::time::timeout(WAIT, third.read_line(&mut line)).await.unwrap().unwrap();
    assert!(line.starts_with("421 "), "{line:?}");

    // A session that ends frees its place (the server may need a moment to finish closing it).
    first.expect("QUIT", 221).await;
    assert!(first.closed().await);
    for attempt in 0.. {
        let mut next = tokio::io::BufReader::new(TcpStream::connect(server.addr).await.unwrap());
        let mut line = String::new();
        tokio::time::timeout(WAIT, next.read_line(&mut line)).await.unwrap().unwrap();
        if line.starts_with("220 ") {
            break;
        }
        assert!(attempt < 100, "place never freed: {line:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
