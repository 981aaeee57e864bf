//! Shutdown: stop accepting, close idle sessions, let a transaction in flight finish, within a grace period.

use std::time::{Duration, Instant};

use tokio::net::TcpStream;

use crate::support::TestServer;

#[tokio::test]
async fn finishes_the_transaction_in_flight() {
    let server = TestServer::start().await;
    let mut busy = server.client().await;
    busy.expect("EHLO busy.example", 250).await;
    busy.expect("MAIL FROM:<a@example.org>", 250).await;
    busy.expect("RCPT TO:<b@example.com>", 250).await;
    busy.expect("DATA", 354).await;
    busy.send("Subject: in flight\r\n\r\nfirst half\r\n").await;

    let mut idle = server.client().await;
    idle.expect("EHLO idle.example", 250).await;

    server.request_shutdown();
    // The idle session is closed straight away; seeing that shows the shutdown has reached the sessions.
    assert_eq!(idle.reply().await.code, 421);
    assert!(idle.closed().await);

    busy.send("second half\r\n.\r\n").await;
    let reply = busy.reply().await;
    assert_eq!(reply.code, 250, "{reply:?}");
    // With its transaction done, the session is closed too.
    assert_eq!(busy.reply().await.code, 421);
    assert!(busy.closed().await);

    let addr = server.addr;
    let deliveries = server.finished().await.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].1, b"Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n");
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting after serve returned");
}

#[tokio::test]
async fn grace_period_bounds_a_stalled_transaction() {
    let server = TestServer::with(|c| c.shutdown_grace = Duration::from_millis(300)).await;
    let mut stalled = server.client().await;
    stalled.expect("EHLO client.example", 250).await;
    stalled.expect("MAIL FROM:<a@example.org>", 250).await;
    stalled.expect("RCPT TO:<b@example.com>", 250).await;
    stalled.expect("DATA", 354).await;
    stalled.send("never finished\r\n").await;

    let started = Instant::now();
    let sink = server.stop().await;
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(sink.deliveries().is_empty());
    assert!(stalled.closed().await);
}
