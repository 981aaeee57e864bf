//! Fetching a mailbox from a real IMAP server (Dovecot): mail appears as tickets once, and is flagged seen on the
//! server only after it is stored.

use crate::helpers::{spawn_with, Options};
use parley_test_support::Dovecot;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn mail_is_fetched_from_imap_once_and_flagged() {
    let (user, password) = ("help@corp.example", "imap-secret");
    let dovecot = tokio::task::spawn_blocking(move || Dovecot::start(user, password)).await.unwrap();
    let app =
        spawn_with(Options { env: vec![("PARLEY_IMAP_POLL_SECS".into(), "1".into())], ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    let first = "From: Kim <kim@customer.example>\r\nTo: help@corp.example\r\nSubject: Fetched by IMAP\r\n\
                 Message-ID: <imap-1@customer.example>\r\n\r\nHello over IMAP.\r\n";
    dovecot.append(user, password, first);
    let (s, mb) = app
        .api(&a, Method::POST, "/mailboxes", Some(json!({"address": user, "imap": {
            "host": "127.0.0.1", "port": dovecot.port, "security": "plain", "user": user, "password": password, "folder": "INBOX"
        }})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mb}");
    assert!(mb["mailbox"]["imap"].get("password").is_none(), "the password never comes back: {mb}");

    let wait = |n: usize| {
        let (app, a) = (&app, &a);
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let (_, page) = app.api(a, Method::GET, "/tickets?status=new,open", None).await;
                let t = page["tickets"].as_array().unwrap().clone();
                if t.len() >= n || std::time::Instant::now() > deadline {
                    return t;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let t = wait(1).await;
    assert_eq!(t.len(), 1, "dovecot: {}", dovecot.log());
    assert_eq!(t[0]["subject"], "Fetched by IMAP");
    assert!(dovecot.flags(user, password).contains("\\Seen"), "flagged once stored: {}", dovecot.flags(user, password));

    // A second message is fetched; the first is not fetched again.
    dovecot.append(user, password, "From: kim@customer.example\r\nTo: help@corp.example\r\nSubject: Second\r\nMessage-ID: <imap-2@customer.example>\r\n\r\nAgain.\r\n");
    let t = wait(2).await;
    assert_eq!(t.len(), 2);
    // Three more polling rounds: nothing is fetched twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, page) = app.api(&a, Method::GET, "/tickets?status=new,open", None).await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 2, "nothing is fetched twice");

    // Plain IMAP is allowed only to this machine.
    let (s, p) = app
        .api(&a, Method::POST, "/mailboxes", Some(json!({"address": "other@corp.example", "imap": {
            "host": "imap.corp.example", "port": 143, "security": "plain", "user": "u", "password": "p", "folder": "INBOX"
        }})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
}
