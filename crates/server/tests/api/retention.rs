//! Retention and incidents from outside. An account keeps closed tickets for a day and ended chats for two: once one is older, the
//! background job erases it with everything of it, leaving no byte in the region's files, and says so in the audit
//! log; open tickets and young ones stay. An operator records an incident: owners of the accounts named get mail
//! and see it on their privacy page; other accounts see nothing.

use crate::chat::start_chat;
use crate::cli::parley;
use crate::erasure::files_holding;
use crate::helpers::{spawn_with, Options};
use crate::ui::{get, sign_in};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn closed_tickets_past_their_time_are_erased_for_good() {
    let app =
        spawn_with(Options { env: vec![("PARLEY_RETENTION_EVERY_SECS".into(), "1".into())], ..Default::default() })
            .await;
    let a = app.account("acme", "eu").await;
    let mut ids = Vec::new();
    for (subject, body) in [
        ("OLD-SUBJ-1301", "OLD-BODY-1302"),
        ("YOUNG-SUBJ-2201", "YOUNG-BODY-2202"),
        ("OPEN-SUBJ-3301", "OPEN-BODY-3302"),
    ] {
        let (s, t) = app
            .api(&a, Method::POST, "/tickets", Some(json!({"subject": subject, "requester": {"email": "r@customer.example"}, "message": {"body": body}})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    for id in &ids[..2] {
        let (s, t) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "closed"}))).await;
        assert_eq!(s, StatusCode::OK, "{t}");
    }
    // Two chats, both ended and neither resolved: transcripts kept for `chat_days`.
    let mut chats = Vec::new();
    for body in ["CHAT-OLD-4401", "CHAT-YOUNG-4402"] {
        let (_, id) =
            start_chat(&app, "acme", json!({"name": "Vi Sitor", "message": {"client_id": "c1", "body": body}})).await;
        let (s, p) = app.api(&a, Method::POST, &format!("/chats/{id}/end"), None).await;
        assert!(s.is_success(), "{s} {p}");
        chats.push(id);
    }
    // Bad policies are refused, naming the field.
    for bad in [
        json!({"closed_ticket_days": 0}),
        json!({"closed_ticket_days": 5000}),
        json!({"closed_ticket_days": "a"}),
        json!({"keep": 1}),
    ] {
        let (s, p) = app.api(&a, Method::PUT, "/settings/retention", Some(bad.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad} → {p}");
    }
    let (s, _) =
        app.api(&a, Method::PUT, "/settings/retention", Some(json!({"closed_ticket_days": 1, "chat_days": 2}))).await;
    assert_eq!(s, StatusCode::OK);
    // Three days pass for the first and the open ticket and the first chat (and only for them).
    let db = app.data_dir.path().join("eu").join("parley.db");
    let three_days_ago = parley_domain::Timestamp::now().millis() - 3 * 86_400_000;
    let aged = std::process::Command::new("python3")
        .args(["-c", "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=10)\n\
c.execute('UPDATE tickets SET updated_at = ? WHERE id IN (?, ?, ?)', (int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]))\nc.commit()"])
        .arg(&db)
        .arg(three_days_ago.to_string())
        .arg(&ids[0])
        .arg(&ids[2])
        .arg(&chats[0])
        .output()
        .unwrap();
    assert!(aged.status.success(), "{}", String::from_utf8_lossy(&aged.stderr));

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{}", ids[0]), None).await;
        if s == StatusCode::NOT_FOUND {
            break;
        }
        assert!(Instant::now() < deadline, "the expired ticket was not erased");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for id in &ids[1..] {
        let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
        assert_eq!(s, StatusCode::OK, "young and open tickets stay");
    }
    // The job records what it removed just after removing it.
    let log = loop {
        let (_, log) = app.api(&a, Method::GET, "/audit-log?action=retention.applied", None).await;
        if !log["entries"][0].is_null() || Instant::now() >= deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(log["entries"][0]["detail"]["removed"]["tickets_deleted"], 2, "the closed ticket and the chat: {log}");
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{}", chats[0]), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the old chat's transcript is gone");
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{}", chats[1]), None).await;
    assert_eq!(s, StatusCode::OK, "the young chat stays");
    // The job empties the write-ahead log last, after the ticket is gone from the API: give it a moment.
    for gone in ["OLD-SUBJ-1301", "OLD-BODY-1302", "CHAT-OLD-4401"] {
        loop {
            let left = files_holding(app.data_dir.path(), gone);
            if left.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "{gone} is left in {left:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    for kept in ["YOUNG-BODY-2202", "OPEN-BODY-3302", "CHAT-YOUNG-4402"] {
        assert!(!files_holding(app.data_dir.path(), kept).is_empty(), "{kept} is kept");
    }
}

#[tokio::test]
async fn owners_hear_of_an_incident_that_touched_their_account() {
    let relay = parley_test_support::CaptureRelay::start().await;
    let app = spawn_with(Options { env: vec![("PARLEY_SMTP_RELAY".into(), relay.url())], ..Default::default() }).await;
    let acme = app.account("acme", "eu").await;
    let other = app.account("other", "us").await;
    let data = app.data_dir.path();
    let args = |account: &'static str, date: &'static str| {
        vec![
            "incident",
            "create",
            "--account",
            account,
            "--title",
            "Backup bucket readable",
            "--description",
            "A backup was readable from outside for two hours.",
            "--data-categories",
            "contact emails,message texts",
            "--measures",
            "Locked the bucket; rotated keys.",
            "--occurred-on",
            date,
        ]
    };
    // A typo in a slug or a date records nothing, and says which value was wrong.
    let typo = parley(data, &args("acme,acmee", "2026-11-20"), &[]);
    assert!(!typo.status.success());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("acmee"), "{}", String::from_utf8_lossy(&typo.stderr));
    let date = parley(data, &args("acme", "20/11/2026"), &[]);
    assert!(
        String::from_utf8_lossy(&date.stderr).contains("--occurred-on"),
        "{}",
        String::from_utf8_lossy(&date.stderr)
    );
    let (_, none) = app.api(&acme, Method::GET, "/settings/incidents", None).await;
    assert_eq!(none, json!([]));

    let ok = parley(data, &args("acme", "2026-11-20"), &[]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let (s, list) = app.api(&acme, Method::GET, "/settings/incidents", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list[0]["title"], "Backup bucket readable", "{list}");
    assert_eq!(list[0]["data_categories"], json!(["contact emails", "message texts"]));
    let (_, theirs) = app.api(&other, Method::GET, "/settings/incidents", None).await;
    assert_eq!(theirs, json!([]), "an account it did not touch hears nothing");
    let (_, log) = app.api(&acme, Method::GET, "/audit-log?action=incident.recorded", None).await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 1, "{log}");

    let mail = relay.wait_for(1, 20).await;
    let to_owner =
        mail.iter().find(|m| m.rcpt_to.iter().any(|r| r == "owner@acme.example")).expect("the owner is mailed");
    assert!(to_owner.header("Subject").unwrap().contains("Backup bucket readable"));
    assert!(to_owner.text().contains("Locked the bucket"), "{}", to_owner.text());
    assert!(!mail.iter().any(|m| m.rcpt_to.iter().any(|r| r == "owner@other.example")));

    let (web, s) = sign_in(&app, "acme", &acme.email, &acme.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = get(&web, &app.url("acme", "/settings/privacy")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Backup bucket readable") && html.contains("contact emails, message texts"), "{html}");
}
