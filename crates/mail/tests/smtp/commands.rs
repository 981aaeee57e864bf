//! Command sequencing, pipelining and broken input.

use std::time::Duration;

use crate::support::TestServer;

#[tokio::test]
async fn commands_out_of_order_get_503() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("MAIL FROM:<a@example.org>", 503).await;
    c.expect("RCPT TO:<b@example.com>", 503).await;
    c.expect("DATA", 503).await;
    c.expect("EHLO client.example", 250).await;
    c.expect("RCPT TO:<b@example.com>", 503).await;
    c.expect("DATA", 503).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 503).await;
    c.expect("DATA", 503).await;
    c.expect("RCPT TO:<unknown@example.com>", 550).await;
    c.expect("DATA", 503).await;
    c.expect("RSET", 250).await;
    c.expect("RCPT TO:<b@example.com>", 503).await;
    c.expect("LHLO client.example", 500).await;
    c.expect("STARTTLS", 502).await;
    // Still a working session.
    assert_eq!(c.deliver("a@example.org", &["b@example.com"], "x\r\n").await.code, 250);
    assert_eq!(server.stop().await.deliveries().len(), 1);
}

#[tokio::test]
async fn other_commands() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("NOOP", 250).await;
    c.expect("VRFY alice", 252).await;
    c.expect("EXPN staff", 502).await;
    assert!(c.expect("HELP", 214).await.text().contains("MAIL"));
    c.expect("FROB", 500).await;
    c.expect("MAIL TO:<x@example.com>", 501).await;
    c.expect("RSET now", 501).await;
    c.expect("EHLO", 501).await;
    c.expect("QUIT", 221).await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<unknown@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n").await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(c.reply().await.code);
    }
    assert_eq!(codes, [250, 250, 550, 250, 354]);
    c.send("first\r\n.\r\n").await;
    assert_eq!(c.reply().await.code, 250);

    // Everything in one write, message text included: the text must be read from what is already buffered.
    c.send("RSET\r\nNOOP\r\nMAIL FROM:<>\r\nRCPT TO:<d@example.com>\r\nDATA\r\nsecond\r\n.\r\nQUIT\r\n").await;
    let mut codes = Vec::new();
    for _ in 0..7 {
        codes.push(c.reply().await.code);
    }
    assert_eq!(codes, [250, 250, 250, 250, 354, 250, 221]);
    assert!(c.closed().await);

    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0].0.rcpt_to, ["b@example.com", "c@example.com"]);
    assert_eq!(deliveries[0].1, b"first\r\n");
    assert_eq!(deliveries[1].1, b"second\r\n");
}

#[tokio::test]
async fn overlong_command_line_is_refused_and_the_session_goes_on() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect(&format!("NOOP {}", "x".repeat(2000)), 500).await;
    // A longer line sent in pieces, with a command right behind it.
    c.send(format!("MAIL FROM:<{}", "y".repeat(20_000))).await;
    c.send(format!("{}@example.org>\r\nNOOP\r\n", "z".repeat(20_000))).await;
    assert_eq!(c.reply().await.code, 500);
    assert_eq!(c.reply().await.code, 250);
    c.expect("EHLO client.example", 250).await;
    assert_eq!(c.deliver("a@example.org", &["b@example.com"], "x\r\n").await.code, 250);
    assert_eq!(server.stop().await.deliveries().len(), 1);
}

#[tokio::test]
async fn non_utf8_command_gets_500() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.send(b"EHLO \xff\xfe\xfd\r\n").await;
    assert_eq!(c.reply().await.code, 500);
    c.send(b"\x00\x01\x02\r\n").await;
    assert_eq!(c.reply().await.code, 500);
    c.expect("EHLO client.example", 250).await;
}

#[tokio::test]
async fn too_many_errors_close_the_session() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    for _ in 0..20 {
        c.expect("BOGUS", 500).await;
    }
    c.expect("BOGUS", 421).await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn client_gone_mid_data_delivers_nothing() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<b@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send("Subject: half\r\n\r\nthe first half\r\n").await;
    drop(c);
    let sink = server.stop().await;
    assert!(sink.deliveries().is_empty());
}

#[tokio::test]
async fn idle_client_is_told_421_and_closed() {
    let server = TestServer::with(|c| c.idle_timeout = Duration::from_millis(300)).await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    let reply = c.reply().await;
    assert_eq!(reply.code, 421, "{reply:?}");
    assert!(c.closed().await);

    // Also while the message text is coming.
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<b@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send("partial\r\n").await;
    assert_eq!(c.reply().await.code, 421);
    assert!(server.stop().await.deliveries().is_empty());
}

#[tokio::test]
async fn refuses_a_hostname_that_would_break_replies() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    let sink = std::sync::Arc::new(crate::support::FakeSink::default());
    let config = parley_mail::SmtpConfig::new("mx.test\r\n250 forged");
    let error = parley_mail::serve(listener, config, sink, rx).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}
