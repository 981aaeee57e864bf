//! Messages that should arrive, and how they arrive.

use crate::support::TestServer;

#[tokio::test]
async fn delivers_to_accepted_recipients_and_refuses_unknown_ones() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    let ehlo = c.expect("EHLO client.example", 250).await;
    for ext in ["PIPELINING", "SIZE 31457280", "8BITMIME", "ENHANCEDSTATUSCODES"] {
        assert!(ehlo.lines.iter().any(|l| l == ext), "{ext} missing from {ehlo:?}");
    }
    assert!(!ehlo.text().contains("STARTTLS"), "STARTTLS offered without TLS: {ehlo:?}");

    c.expect("MAIL FROM:<sender@example.org>", 250).await;
    c.expect("RCPT TO:<alice@example.com>", 250).await;
    let refused = c.expect("RCPT TO:<unknown@example.com>", 550).await;
    assert!(refused.text().starts_with("5.1.1 "), "{refused:?}");
    c.expect("RCPT TO:<bob@example.com>", 250).await;
    c.expect("DATA", 354).await;
    let body = "From: sender@example.org\r\nSubject: hello\r\n\r\nHi there.\r\n";
    c.send(format!("{body}.\r\n")).await;
    let done = c.reply().await;
    assert_eq!(done.code, 250, "{done:?}");
    assert_eq!(done.text(), "2.0.0 Ok: queued as m1");
    c.expect("QUIT", 221).await;
    assert!(c.closed().await);

    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    let (envelope, raw) = &deliveries[0];
    assert_eq!(envelope.helo, "client.example");
    assert_eq!(envelope.mail_from.as_deref(), Some("sender@example.org"));
    assert_eq!(envelope.rcpt_to, ["alice@example.com", "bob@example.com"]);
    assert!(!envelope.tls);
    assert_eq!(envelope.peer.ip().to_string(), "127.0.0.1");
    assert_eq!(raw, body.as_bytes());
}

#[tokio::test]
async fn undoes_dot_stuffing() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("HELO client.example", 250).await;
    // As a client sends it: a dot added to every line that starts with one.
    let stuffed = "Subject: dots\r\n\r\n..leading dot\r\n...two dots\r\n..\r\n";
    let reply = c.deliver("a@example.org", &["b@example.com"], stuffed).await;
    assert_eq!(reply.code, 250, "{reply:?}");
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries[0].1, b"Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\n");
}

#[tokio::test]
async fn empty_message() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    assert_eq!(c.deliver("a@example.org", &["b@example.com"], "").await.code, 250);
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries[0].1, b"");
}

#[tokio::test]
async fn accepts_the_null_sender() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO mailer-daemon.example", 250).await;
    c.expect("MAIL FROM:<>", 250).await;
    c.expect("RCPT TO:<support@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send("Subject: Undeliverable\r\n\r\nbounce\r\n.\r\n").await;
    assert_eq!(c.reply().await.code, 250);
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries[0].0.mail_from, None);
}

#[tokio::test]
async fn tolerates_bare_lf_and_keeps_the_bytes_as_sent() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<b@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send("Subject: lf\n\nline one\n..stuffed after LF\nmixed\r\n.\r\n").await;
    assert_eq!(c.reply().await.code, 250);
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries[0].1, b"Subject: lf\n\nline one\n.stuffed after LF\nmixed\r\n");
}

/// SMTP smuggling: a lone dot ended by a bare LF, or following a bare LF, must not end the message, or text after
/// it would be read as new commands from a sender the upstream relay vouched for.
#[tokio::test]
async fn bare_lf_dot_does_not_end_the_message() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<b@example.com>", 250).await;
    c.expect("DATA", 354).await;
    let smuggled = "Subject: one\r\n\r\nbody\r\n.\nMAIL FROM:<ceo@example.com>\r\nx\n.\r\nRCPT TO:<b@example.com>\r\n";
    c.send(format!("{smuggled}.\r\n")).await;
    let reply = c.reply().await;
    assert_eq!(reply.code, 250, "{reply:?}");
    assert_eq!(c.cmd("NOOP").await.text(), "2.0.0 Ok", "text after a bare-LF dot was taken as commands");
    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].1, smuggled.as_bytes());
}

#[tokio::test]
async fn addresses_are_passed_as_given() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    c.expect("MAIL FROM: <\"odd sender\"@example.org> BODY=8BITMIME SIZE=100", 250).await;
    c.expect("RCPT TO:<\"john doe\"@example.com>", 250).await;
    c.expect("RCPT TO:<@relay.example:carol@example.com>", 250).await;
    c.expect("RCPT TO:<Postmaster>", 250).await;
    c.expect("RCPT TO:<a b@example.com>", 501).await;
    c.expect("RCPT TO:<nobody@>", 501).await;
    c.expect("RCPT TO:<>", 501).await;
    c.expect("RCPT TO:<x@example.com", 501).await;
    c.expect("RCPT TO:<x@example.com> NOTIFY=NEVER", 555).await;
    c.expect("DATA", 354).await;
    c.send("x\r\n.\r\n").await;
    assert_eq!(c.reply().await.code, 250);
    let sink = server.stop().await;
    assert_eq!(sink.checked(), ["\"john doe\"@example.com", "carol@example.com", "Postmaster"]);
    let (envelope, _) = &sink.deliveries()[0];
    assert_eq!(envelope.mail_from.as_deref(), Some("\"odd sender\"@example.org"));
}

/// After DATA an SMTP server has one reply for all recipients.
#[tokio::test]
async fn smtp_reply_after_data_sums_up_the_recipients() {
    let server = TestServer::start().await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 250).await;
    let deferred = c.deliver("a@example.org", &["ok@example.com", "defer@example.com"], "x\r\n").await;
    assert_eq!((deferred.code, deferred.text().as_str()), (451, "4.3.0 Store unavailable"));
    let refused = c.deliver("a@example.org", &["refuse1@example.com", "refuse2@example.com"], "x\r\n").await;
    assert_eq!((refused.code, refused.text().as_str()), (554, "5.0.0 Mailbox disabled"));
    let mixed = c.deliver("a@example.org", &["ok@example.com", "refuse@example.com"], "x\r\n").await;
    assert_eq!(mixed.code, 554, "{mixed:?}");
    let fine = c.deliver("a@example.org", &["ok@example.com"], "x\r\n").await;
    assert_eq!((fine.code, fine.text().as_str()), (250, "2.0.0 Ok: queued as m4"));
    assert_eq!(server.stop().await.deliveries().len(), 4);
}
