//! The right to be forgotten from outside: a customer's mail, tickets, attachments, our replies to them and the
//! webhook events about them are erased, and afterwards not one byte of their unique strings is left in any file
//! under the data directory (database, write-ahead log, anything), while another customer's data is untouched.

use crate::helpers::{spawn_with, Options, TestApp};
use parley_test_support::{smtp_client, CaptureRelay};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// Every file under `dir` whose bytes hold `needle`.
///
/// The files are read by a child process (`grep`), never by this one: POSIX record locks belong to a process, and
/// closing any descriptor of a SQLite file here would drop every lock the in-process server's SQLite holds on it.
/// Another process (a `parley` command run by the test) could then truncate or remove the write-ahead log under the
/// server's feet, which answers "disk I/O error" from then on.
pub fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let out = std::process::Command::new("grep")
        .env("LC_ALL", "C")
        .args(["-r", "-l", "-a", "-F", "-e", needle, "--"])
        .arg(dir)
        .output()
        .expect("grep runs");
    // 0: found, 1: found nothing, 2: an error, worth seeing unless a file went away while it was walked.
    let errors = String::from_utf8_lossy(&out.stderr);
    let vanished = errors.lines().all(|l| l.ends_with("No such file or directory"));
    assert!(matches!(out.status.code(), Some(0 | 1)) || vanished, "grep: {errors}");
    let mut found: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    found.sort();
    found
}

async fn send(app: &TestApp, from: &str, data: String) {
    let addr = app.smtp;
    let from = from.to_string();
    tokio::task::spawn_blocking(move || smtp_client::send(addr, &from, &["support@acme.localhost"], &data))
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn an_erased_contact_leaves_no_byte_in_the_regions_files() {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options {
        env: vec![("PARLEY_SMTP_RELAY".into(), relay.url()), ("PARLEY_WEBHOOK_ALLOW_PRIVATE".into(), "true".into())],
        ..Default::default()
    })
    .await;
    let a = app.account("acme", "eu").await;
    app.switch_on_email(&a).await;
    // Webhook events carry ticket bodies; the receiver is never there, so they stay queued.
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            "/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.created", "message.created"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let email = "zq-erase-7f3k@unique.example";
    let secrets = [
        "zq-erase-7f3k",
        "SUBJ-QWX-4471",
        "BODY-ZZ91-KEEPSAKE",
        "ATTACH-77Q-PAYLOAD",
        "SECOND-MAIL-3390",
        "Zelda Quartermain",
    ];
    send(&app, email, format!(
        "From: Zelda Quartermain <{email}>\r\nTo: support@acme.localhost\r\nSubject: SUBJ-QWX-4471\r\nMessage-ID: <m1@unique.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nBODY-ZZ91-KEEPSAKE\r\n\
         --b\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nATTACH-77Q-PAYLOAD\r\n--b--\r\n"
    )).await;
    send(&app, email, format!(
        "From: {email}\r\nTo: support@acme.localhost\r\nSubject: Another one\r\nMessage-ID: <m2@unique.example>\r\n\r\nSECOND-MAIL-3390\r\n"
    )).await;
    // Someone else, who must keep everything, and who copied them: their address alone leaves that mail.
    send(&app, "keeper@other.example", format!("From: keeper@other.example\r\nTo: support@acme.localhost\r\nCc: {email}\r\nSubject: KEEP-SUBJ-8080\r\nMessage-ID: <k1@other.example>\r\n\r\nKEEP-BODY-6060\r\n")).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let ticket_list = loop {
        let (_, page) = app.api(&a, Method::GET, "/tickets?status=new,open", None).await;
        let t = page["tickets"].as_array().unwrap().clone();
        if t.len() == 3 || std::time::Instant::now() > deadline {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(ticket_list.len(), 3);
    let theirs = ticket_list.iter().find(|t| t["subject"] == "SUBJ-QWX-4471").unwrap();
    // An agent answers them: the reply goes out by mail (acknowledgements went too).
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            &format!("/tickets/{}/messages", theirs["id"].as_str().unwrap()),
            Some(json!({"body": "Dear Zelda Quartermain, fixed."})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    relay.wait_for(4, 20).await;
    for s in secrets {
        assert!(!files_holding(app.data_dir.path(), s).is_empty(), "{s} should be stored before erasure");
    }

    let (_, found) = app.api(&a, Method::GET, &format!("/contacts?email={email}"), None).await;
    let contact = found["contacts"][0]["id"].as_str().unwrap().to_string();
    // First, what they may ask for: everything about them, as a ZIP that Python's own zipfile reads.
    let res = app
        .http
        .get(app.url("acme", &format!("/api/v1/contacts/{contact}/export")))
        .bearer_auth(&a.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let outside = tempfile::tempdir().unwrap();
    let zip = outside.path().join("export.zip");
    std::fs::write(&zip, res.bytes().await.unwrap()).unwrap();
    let read = std::process::Command::new("python3")
        .args(["-c", "import sys, zipfile, json\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n\
for n in sorted(z.namelist()): print(n)\nt = json.loads(z.read('tickets.json'))\nprint(len(t), t[0]['messages'][0]['body'])\n\
a = [n for n in z.namelist() if n.startswith('attachments/')][0]\nprint(z.read(a).decode())\n\
o = json.loads(z.read('other_tickets.json'))\nprint('other', len(o), o[0]['copied'], o[0]['ticket']['subject'], o[0]['messages'][0]['body'].strip())"])
        .arg(&zip)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&read.stdout);
    assert!(read.status.success(), "{said}{}", String::from_utf8_lossy(&read.stderr));
    assert!(said.contains("contact.json") && said.contains("tickets.json") && said.contains("-notes.txt"), "{said}");
    assert!(said.contains("2 BODY-ZZ91-KEEPSAKE") || said.contains("2 SECOND-MAIL-3390"), "{said}");
    assert!(said.contains("ATTACH-77Q-PAYLOAD"), "{said}");
    assert!(said.contains("other 1 True KEEP-SUBJ-8080 KEEP-BODY-6060"), "the ticket they were copied on: {said}");
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=contact.exported", None).await;
    assert_eq!(log["entries"][0]["detail"]["tickets"], 2);
    assert_eq!(log["entries"][0]["detail"]["other_tickets"], 1);

    let (s, report) = app.api(&a, Method::POST, &format!("/contacts/{contact}/erase"), None).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["tickets_deleted"], 2, "{report}");
    assert!(report["messages_deleted"].as_u64().unwrap() >= 3, "{report}");
    assert_eq!(report["attachments_deleted"], 1, "{report}");
    assert_eq!(report["received_mail_deleted"], 2, "{report}");
    assert!(report["outgoing_mail_deleted"].as_u64().unwrap() >= 3, "{report}");
    assert!(report["webhook_events_deleted"].as_u64().unwrap() >= 2, "{report}");
    assert!(
        report["mentions_redacted"].as_u64().unwrap() >= 2,
        "the raw mail and the message that copied them: {report}"
    );

    for s in secrets {
        assert_eq!(files_holding(app.data_dir.path(), s), Vec::<String>::new(), "{s} survived the erasure");
    }
    for s in ["KEEP-SUBJ-8080", "KEEP-BODY-6060", "keeper@other.example"] {
        assert!(!files_holding(app.data_dir.path(), s).is_empty(), "{s} of another customer was lost");
    }
    let keeper = ticket_list.iter().find(|t| t["subject"] == "KEEP-SUBJ-8080").unwrap();
    let (_, kept) =
        app.api(&a, Method::GET, &format!("/tickets/{}/messages", keeper["id"].as_str().unwrap()), None).await;
    let first = kept["messages"][0]["id"].as_str().unwrap().to_string();
    let original = app
        .http
        .get(app.url("acme", &format!("/api/v1/messages/{first}/original")))
        .bearer_auth(&a.api_key)
        .send()
        .await
        .unwrap();
    let original = original.text().await.unwrap();
    assert!(original.contains("Cc: erased@erased.invalid") && original.contains("KEEP-BODY-6060"), "{original}");
    let (s, _) = app.api(&a, Method::GET, &format!("/contacts/{contact}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{}", theirs["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::POST, &format!("/contacts/{contact}/erase"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "erased once");

    // The audit log says what happened, and holds nothing of them.
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=contact.erased", None).await;
    let entry: &Value = &log["entries"][0];
    assert_eq!(entry["target"], format!("contact:{contact}"));
    assert_eq!(entry["detail"]["tickets_deleted"], 2);

    // A chat visitor is a contact too: erased, their conversation leaves no byte behind.
    let body = json!({"name": "Quillon Chatwright", "message": {"client_id": "c1", "body": "CHAT-ZQ-5151 my order"}});
    let (_, chat) = crate::chat::start_chat(&app, "acme", body).await;
    let (s, t) = app.api(&a, Method::GET, &format!("/tickets/{chat}"), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let visitor = t["requester"]["id"].as_str().unwrap().to_string();
    for s in ["CHAT-ZQ-5151", "Quillon Chatwright"] {
        assert!(!files_holding(app.data_dir.path(), s).is_empty(), "{s} should be stored before erasure");
    }
    let (s, report) = app.api(&a, Method::POST, &format!("/contacts/{visitor}/erase"), None).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    for s in ["CHAT-ZQ-5151", "Quillon Chatwright"] {
        assert_eq!(files_holding(app.data_dir.path(), s), Vec::<String>::new(), "{s} survived the erasure");
    }
}
