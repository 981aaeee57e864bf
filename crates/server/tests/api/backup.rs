//! Backups from outside: `parley backup` copies a region while the server writes to it, only into the region's
//! backup directory; `parley restore` puts it into a fresh data directory (never over a live one), and a server
//! started there finds every ticket, the attachment's bytes and an audit chain that verifies. A PostgreSQL region
//! is backed up with pg_dump and checked by `parley check`.

use crate::cli::{parley, Server};
use crate::erasure::files_holding;
use crate::helpers::{spawn_with, Options, TestAccount, TestApp};
use parley_test_support::{http_client, smtp_client, PgTestDb};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn said(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// `parley` with the data directory and environment given, expected to fail naming `named`.
fn refused(data: &Path, args: &[&str], env: &[(&str, &str)], named: &str) -> String {
    let o = parley(data, args, env);
    assert!(!o.status.success(), "{args:?} should be refused: {}", said(&o));
    assert!(said(&o).contains(named), "{args:?}: the message names {named}: {}", said(&o));
    assert!(!said(&o).contains("panicked"), "{}", said(&o));
    said(&o)
}

/// A GET with an API key, read as JSON.
async fn get_json(http: &reqwest::Client, url: &str, key: &str) -> Value {
    http.get(url).bearer_auth(key).send().await.unwrap().json().await.unwrap()
}

/// Every ticket subject the account's API lists.
async fn subjects(http: &reqwest::Client, url: &str, key: &str) -> Vec<String> {
    let list = get_json(http, url, key).await;
    let mut out: Vec<String> =
        list["tickets"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap().to_string()).collect();
    out.sort();
    out
}

/// The id of the first attachment anywhere in a JSON answer.
fn first_attachment(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o
            .get("attachments")
            .and_then(|a| a[0]["id"].as_str().map(str::to_string))
            .or_else(|| o.values().find_map(first_attachment)),
        Value::Array(a) => a.iter().find_map(first_attachment),
        _ => None,
    }
}

/// A mail with a file, and the id of that file once its ticket is there.
async fn mail_with_file(app: &TestApp, a: &TestAccount) -> String {
    let data = "From: filer@customer.example\r\nTo: support@acme.localhost\r\nSubject: BACKUP-MAIL-2718\r\n\
        Message-ID: <b1@customer.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nsee the file\r\n--b\r\nContent-Type: application/octet-stream\r\n\
        Content-Disposition: attachment; filename=\"kept.bin\"\r\n\r\nBACKUP-ATTACH-3141\r\n--b--\r\n";
    let addr = app.smtp;
    tokio::task::spawn_blocking(move || {
        smtp_client::send(addr, "filer@customer.example", &["support@acme.localhost"], data)
    })
    .await
    .unwrap()
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, list) = app.api(a, Method::GET, "/tickets?channel=email", None).await;
        if let Some(t) = list["tickets"].as_array().and_then(|t| t.first()) {
            let (_, msgs) =
                app.api(a, Method::GET, &format!("/tickets/{}/messages", t["id"].as_str().unwrap()), None).await;
            if let Some(id) = first_attachment(&msgs) {
                return id;
            }
        }
        assert!(std::time::Instant::now() < deadline, "the mail's ticket did not arrive");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_fresh_data_directory_whole() {
    let backups = tempfile::tempdir().unwrap();
    let eu_backups = backups.path().join("eu");
    let eu_dir = eu_backups.to_str().unwrap().to_string();
    let env = [("PARLEY_REGION_EU_BACKUP_DIR", eu_dir.as_str())];
    let app = Arc::new(
        spawn_with(Options {
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        })
        .await,
    );
    let data = app.data().to_path_buf();
    let a = app.account("acme", "eu").await;
    for i in 0..5 {
        app.ticket(&a, &format!("BACKUP-SUBJ-{i}"), "kept in the backup", "jane@customer.example").await;
    }
    let file_id = mail_with_file(&app, &a).await;
    let (s, _) = app
        .api(&a, Method::PUT, "/settings/retention", Some(json!({"closed_ticket_days": 365, "chat_days": null})))
        .await;
    assert_eq!(s, StatusCode::OK);
    // Someone erased before the backup leaves nothing in it: the copy is rebuilt from live rows, not free pages.
    let gone = app.ticket(&a, "ERASED-SUBJ-1618", "ERASED-BODY-3399", "gone@customer.example").await;
    let contact = gone["requester"]["id"].as_str().unwrap();
    let (s, _) = app.api(&a, Method::POST, &format!("/contacts/{contact}/erase"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, before) = app.api(&a, Method::GET, "/audit-log/verify", None).await;
    let audited = before["entries"].as_u64().unwrap();
    assert!(audited > 1 && before["broken"].is_null(), "{before}");

    // The server keeps writing while the backup is taken: the copy is of one moment, whatever comes after.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (app, writing, key) = (app.clone(), writing.clone(), a.api_key.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while writing.load(Ordering::SeqCst) {
                let body = json!({"subject": format!("DURING-{n}"), "message": {"body": "x"},
                                  "requester": {"email": "busy@customer.example", "name": "Busy"}});
                let (s, _) = app.api_with_key("acme", &key, Method::POST, "/tickets", Some(body)).await;
                assert_eq!(s, StatusCode::CREATED);
                n += 1;
            }
            n
        })
    };
    let first = eu_backups.join("first");
    let o = tokio::task::spawn_blocking({
        let (data, first, dir) = (data.clone(), first.clone(), eu_dir.clone());
        move || {
            parley(
                &data,
                &["backup", "--region", "eu", "--to", first.to_str().unwrap()],
                &[("PARLEY_REGION_EU_BACKUP_DIR", dir.as_str())],
            )
        }
    })
    .await
    .unwrap();
    writing.store(false, Ordering::SeqCst);
    let written_during = writer.await.unwrap();
    assert!(o.status.success(), "{}", said(&o));
    assert!(said(&o).contains("Backed up region eu"), "{}", said(&o));
    let manifest: Value = serde_json::from_slice(&std::fs::read(first.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["region"], "eu");
    assert_eq!(manifest["accounts"][0]["slug"], "acme");
    let main = &manifest["databases"][0];
    assert_eq!(main["database"], "main");
    assert_eq!(main["size"].as_u64().unwrap(), std::fs::metadata(first.join("main.db")).unwrap().len());
    assert_eq!(main["sha256"].as_str().unwrap().len(), 64);
    let backed_up = main["tickets"].as_u64().unwrap();
    assert!((6..=6 + written_during).contains(&backed_up), "{backed_up} tickets, {written_during} written during");
    for erased in ["ERASED-SUBJ-1618", "ERASED-BODY-3399"] {
        assert!(files_holding(&first, erased).is_empty(), "{erased} is not in the backup");
    }

    // Backups go only inside the region's backup directory; a region without one has none.
    let outside = backups.path().join("elsewhere");
    refused(&data, &["backup", "--region", "eu", "--to", outside.to_str().unwrap()], &env, outside.to_str().unwrap());
    let climbing = format!("{eu_dir}/../escaped");
    refused(&data, &["backup", "--region", "eu", "--to", &climbing], &env, &climbing);
    std::os::unix::fs::symlink(backups.path(), eu_backups.join("link")).unwrap();
    let linked = format!("{eu_dir}/link/escaped");
    refused(&data, &["backup", "--region", "eu", "--to", &linked], &env, &linked);
    refused(&data, &["backup", "--region", "eu", "--to", &eu_dir], &env, &eu_dir);
    refused(&data, &["backup", "--region", "us"], &env, "PARLEY_REGION_US_BACKUP_DIR");
    refused(&data, &["backup", "--region", "eu", "--to", first.to_str().unwrap()], &env, "not empty");
    assert!(!outside.exists() && !backups.path().join("escaped").exists(), "nothing was written outside");

    // Never over live data, never into another region, never from a damaged copy.
    let from = first.to_str().unwrap();
    refused(&data, &["restore", "--region", "eu", "--from", from], &[], &data.join("eu").display().to_string());
    let fresh = tempfile::tempdir().unwrap();
    refused(fresh.path(), &["restore", "--region", "us", "--from", from], &[], "region eu, not us");
    let damaged = eu_backups.join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    for f in ["manifest.json", "main.db"] {
        std::fs::copy(first.join(f), damaged.join(f)).unwrap();
    }
    let mut bytes = std::fs::read(damaged.join("main.db")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(damaged.join("main.db"), bytes).unwrap();
    refused(fresh.path(), &["restore", "--region", "eu", "--from", damaged.to_str().unwrap()], &[], "damaged");
    assert!(!fresh.path().join("eu").exists(), "a refused restore writes nothing");

    // Into a fresh data directory: checked, and then served.
    let o = parley(fresh.path(), &["restore", "--region", "eu", "--from", from], &[]);
    assert!(o.status.success(), "{}", said(&o));
    assert!(said(&o).contains("acme: audit log intact"), "{}", said(&o));
    let old_subjects = subjects(&app.http, &app.url("acme", "/api/v1/tickets?page[size]=100"), &a.api_key).await;
    let server = Server::start(fresh.path(), &[]);
    let http = http_client(false);
    let restored = subjects(&http, &server.url("acme", "/api/v1/tickets?page[size]=100"), &a.api_key).await;
    assert_eq!(restored.len() as u64, backed_up);
    for s in old_subjects.iter().filter(|s| !s.starts_with("DURING-")) {
        assert!(restored.contains(s), "{s} was restored: {restored:?}");
    }
    let file = http
        .get(server.url("acme", &format!("/api/v1/attachments/{file_id}")))
        .bearer_auth(&a.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(String::from_utf8_lossy(&file.bytes().await.unwrap()).contains("BACKUP-ATTACH-3141"));
    let verify = get_json(&http, &server.url("acme", "/api/v1/audit-log/verify"), &a.api_key).await;
    assert!(verify["broken"].is_null(), "{verify}");
    assert!(verify["entries"].as_u64().unwrap() >= audited, "every audit entry came back: {verify} vs {audited}");
}

#[tokio::test]
async fn a_postgresql_region_is_backed_up_with_pg_dump_and_checked_by_parley() {
    let us = PgTestDb::create().await;
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().to_str().unwrap().to_string();
    let env = vec![
        ("PARLEY_REGION_US_DATABASE_URL".to_string(), us.url().to_string()),
        ("PARLEY_REGION_US_BACKUP_DIR".to_string(), dir.clone()),
    ];
    let app = spawn_with(Options { env: env.clone(), ..Default::default() }).await;
    let cli_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let a = app.account("yankee", "us").await;
    app.ticket(&a, "PG-BACKUP-SUBJ", "kept", "jane@customer.example").await;

    refused(app.data(), &["backup", "--region", "us"], &cli_env, "pg_dump");

    // As the README says: pg_dump, pg_restore into an empty database, the region pointed at it, `parley check`.
    let dump = backups.path().join("us.dump");
    let o = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file", dump.to_str().unwrap(), us.url()])
        .output()
        .expect("pg_dump runs");
    assert!(o.status.success(), "{}", said(&o));
    let copy = PgTestDb::create().await;
    let o = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", copy.url(), dump.to_str().unwrap()])
        .output()
        .expect("pg_restore runs");
    assert!(o.status.success(), "{}", said(&o));
    let o = parley(app.data(), &["check", "--region", "us"], &[("PARLEY_REGION_US_DATABASE_URL", copy.url())]);
    assert!(o.status.success(), "{}", said(&o));
    assert!(said(&o).contains("yankee: audit log intact") && said(&o).contains("1 tickets"), "{}", said(&o));
}
