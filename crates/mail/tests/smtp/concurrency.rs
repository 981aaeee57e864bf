//! Many clients at once.

use std::collections::HashSet;

use crate::support::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_clients_fifty_messages_each_all_delivered_once() {
    const CLIENTS: usize = 8;
    const MESSAGES: usize = 50;
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let mut c = server.client().await;
        tasks.push(tokio::spawn(async move {
            c.expect(&format!("EHLO client{client}.example"), 250).await;
            let mut ids = Vec::new();
            for message in 0..MESSAGES {
                let body = format!("Subject: {client}-{message}\r\n\r\nbody of {client}-{message}\r\n");
                let reply = c.deliver(&format!("c{client}@example.org"), &["support@example.com"], &body).await;
                assert_eq!(reply.code, 250, "{reply:?}");
                ids.push(reply.text());
            }
            c.expect("QUIT", 221).await;
            ids
        }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        for id in task.await.unwrap() {
            assert!(ids.insert(id.clone()), "queue id {id} given twice");
        }
    }
    assert_eq!(ids.len(), CLIENTS * MESSAGES);

    let deliveries = server.stop().await.deliveries();
    assert_eq!(deliveries.len(), CLIENTS * MESSAGES);
    let subjects: HashSet<String> = deliveries
        .iter()
        .map(|(envelope, raw)| {
            let text = String::from_utf8(raw.clone()).unwrap();
            let subject = text.lines().next().unwrap().trim_start_matches("Subject: ").to_owned();
            assert_eq!(
                envelope.mail_from.as_deref(),
                Some(format!("c{}@example.org", subject.split('-').next().unwrap()).as_str())
            );
            subject
        })
        .collect();
    let expected: HashSet<String> = (0..CLIENTS).flat_map(|c| (0..MESSAGES).map(move |m| format!("{c}-{m}"))).collect();
    assert_eq!(subjects, expected);
}
