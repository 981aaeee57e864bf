//! LMTP: LHLO, and one reply per accepted recipient after the text.

use crate::support::TestServer;

#[tokio::test]
async fn one_reply_per_accepted_recipient_in_order() {
    let server = TestServer::with(|c| c.lmtp = true).await;
    let mut c = server.client().await;
    c.expect("EHLO client.example", 500).await;
    c.expect("HELO client.example", 500).await;
    c.expect("MAIL FROM:<a@example.org>", 503).await;
    let lhlo = c.expect("LHLO mta.example", 250).await;
    assert!(lhlo.lines.contains(&"PIPELINING".to_owned()), "{lhlo:?}");

    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<alice@example.com>", 250).await;
    c.expect("RCPT TO:<unknown@example.com>", 550).await;
    c.expect("RCPT TO:<defer@example.com>", 250).await;
    c.expect("RCPT TO:<refuse@example.com>", 250).await;
    c.expect("RCPT TO:<alice@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send("Subject: lmtp\r\n\r\nhi\r\n.\r\n").await;

    let replies = [c.reply().await, c.reply().await, c.reply().await, c.reply().await];
    let summary: Vec<(u16, String)> = replies.iter().map(|r| (r.code, r.text())).collect();
    assert_eq!(
        summary,
        [
            (250, "2.0.0 <alice@example.com> Ok: delivered as m1".to_owned()),
            (451, "4.3.0 <defer@example.com> Store unavailable".to_owned()),
            (554, "5.0.0 <refuse@example.com> Mailbox disabled".to_owned()),
            (250, "2.0.0 <alice@example.com> Ok: delivered as m1".to_owned()),
        ]
    );
    // Nothing more was sent: the next reply is the NOOP's.
    assert_eq!(c.expect("NOOP", 250).await.text(), "2.0.0 Ok");

    // A message refused whole still gets one reply per recipient.
    c.expect("MAIL FROM:<a@example.org>", 250).await;
    c.expect("RCPT TO:<alice@example.com>", 250).await;
    c.expect("RCPT TO:<bob@example.com>", 250).await;
    c.expect("DATA", 354).await;
    c.send(format!("{}\r\n.\r\n", "x".repeat(2000))).await;
    assert_eq!((c.reply().await.code, c.reply().await.code), (500, 500));
    assert_eq!(c.expect("NOOP", 250).await.text(), "2.0.0 Ok");

    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        deliveries[0].0.rcpt_to,
        ["alice@example.com", "defer@example.com", "refuse@example.com", "alice@example.com"]
    );
}
