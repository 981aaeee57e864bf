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

/// With an hour between polls, only IDLE can bring the second message in time: the server announces it and the
/// mailbox's task, waiting in IDLE, fetches it at once.
#[tokio::test]
async fn new_mail_is_fetched_at_once_where_the_server_offers_idle() {
    let (user, password) = ("idle@corp.example", "idle-secret");
    let dovecot = tokio::task::spawn_blocking(move || Dovecot::start(user, password)).await.unwrap();
    let app =
        spawn_with(Options { env: vec![("PARLEY_IMAP_POLL_SECS".into(), "3600".into())], ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    dovecot.append(user, password, "From: kim@customer.example\r\nTo: idle@corp.example\r\nSubject: Before IDLE\r\nMessage-ID: <idle-1@customer.example>\r\n\r\nFirst.\r\n");
    let (s, mb) = app
        .api(&a, Method::POST, "/mailboxes", Some(json!({"address": user, "imap": {
            "host": "127.0.0.1", "port": dovecot.port, "security": "plain", "user": user, "password": password, "folder": "INBOX"
        }})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mb}");

    let tickets = |n: usize, within: Duration| {
        let (app, a) = (&app, &a);
        async move {
            let deadline = std::time::Instant::now() + within;
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
    // The new mailbox is noticed within seconds and its mail fetched on connecting.
    let t = tickets(1, Duration::from_secs(20)).await;
    assert_eq!(t.len(), 1, "dovecot: {}", dovecot.log());
    assert_eq!(t[0]["subject"], "Before IDLE");
    // Flagging comes after storing; once it is seen, the task is past its fetch and on its way into IDLE.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !dovecot.flags(user, password).contains("\\Seen") {
        assert!(std::time::Instant::now() < deadline, "never flagged: {}", dovecot.flags(user, password));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    dovecot.append(user, password, "From: kim@customer.example\r\nTo: idle@corp.example\r\nSubject: During IDLE\r\nMessage-ID: <idle-2@customer.example>\r\n\r\nSecond.\r\n");
    let t = tickets(2, Duration::from_secs(10)).await;
    assert_eq!(t.len(), 2, "the server's announcement was not acted on; dovecot: {}", dovecot.log());
    assert!(t.iter().any(|t| t["subject"] == "During IDLE"), "{t:?}");

    // The task waiting in IDLE stops with the server, promptly.
    let stopping = std::time::Instant::now();
    app.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(5), "stopping took {:?}", stopping.elapsed());
}
