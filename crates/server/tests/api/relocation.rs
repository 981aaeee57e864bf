//! Region moves from outside: `parley account move` copies an account from SQLite in eu to PostgreSQL in us (and
//! another to uk), is killed half way, is run again, and afterwards the account works from its new region with its
//! audit chain whole, while not one byte of its unique strings is left in the files of the region it left.

use crate::cli::parley;
use crate::erasure::files_holding;
use crate::helpers::{spawn_with, Options, TestAccount, TestApp};
use parley_test_support::PgTestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::process::Output;

fn said(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn ticket_with(app: &TestApp, a: &TestAccount, subject: &str, body: &str) -> String {
    let (s, t) = app
        .api(
            a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": subject, "requester": {"email": "mover@customer.example", "name": "Mo Ver"},
                        "message": {"body": body}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t["id"].as_str().unwrap().to_string()
}

/// Mail to the account's support address.
async fn send_to(app: &TestApp, slug: &str, from: &str, subject_and_rest: &str) {
    let data = format!("From: {from}\r\nTo: support@{slug}.localhost\r\nSubject: {subject_and_rest}");
    let addr = app.smtp;
    let (from, to) = (from.to_string(), format!("support@{slug}.localhost"));
    tokio::task::spawn_blocking(move || parley_test_support::smtp_client::send(addr, &from, &[to.as_str()], &data))
        .await
        .unwrap()
        .unwrap();
}

/// The id of the one ticket a search for `word` finds, once it is indexed.
async fn found_by(app: &TestApp, a: &TestAccount, word: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (s, found) = app.api(a, Method::GET, &format!("/search?q={word}"), None).await;
        if s == StatusCode::OK && found["results"].as_array().is_some_and(|r| r.len() == 1) {
            return found["results"][0]["ticket"]["id"].as_str().unwrap().to_string();
        }
        assert!(std::time::Instant::now() < deadline, "{word} was not found: {s} {found}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_move_cut_off_is_finished_and_leaves_nothing_behind() {
    let us = PgTestDb::create().await;
    let env = vec![("PARLEY_REGION_US_DATABASE_URL".to_string(), us.url().to_string())];
    let app = spawn_with(Options { env: env.clone(), ..Default::default() }).await;
    let cli_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let data = app.data_dir.path().to_path_buf();

    let a = app.account("movy", "eu").await;
    let stay = app.account("stay", "eu").await;
    let tid = ticket_with(&app, &a, "MOVE-SUBJ-5521", "MOVE-BODY-9932").await;
    let (s, _) =
        app.api(&a, Method::POST, &format!("/tickets/{tid}/messages"), Some(json!({"body": "MOVE-REPLY-1177"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    ticket_with(&app, &stay, "STAY-SUBJ-4040", "STAY-BODY-5050").await;
    // Mail with a file, and a word of its own (one search term: the index keeps words, not whole strings).
    send_to(&app, "movy", "mover@customer.example", "Files\r\nMessage-ID: <f1@customer.example>\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
        see movewordqx\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; \
        filename=\"m.bin\"\r\n\r\nMOVE-ATTACH-8181\r\n--b--\r\n").await;
    let mailed = found_by(&app, &a, "movewordqx").await;
    // Settings and the audit log travel too.
    let (s, _) = app
        .api(&a, Method::PUT, "/settings/retention", Some(json!({"closed_ticket_days": 365, "chat_days": null})))
        .await;
    assert_eq!(s, StatusCode::OK);
    let secrets =
        ["MOVE-SUBJ-5521", "MOVE-BODY-9932", "MOVE-REPLY-1177", "owner@movy.example", "MOVE-ATTACH-8181", "movewordqx"];
    for s in secrets {
        assert!(!files_holding(&data.join("eu"), s).is_empty(), "{s} should be in eu before the move");
    }

    // Without an agreement, to a region that does not exist, or for an account that does not exist: refused.
    let none = parley(&data, &["account", "move", "--slug", "movy", "--to-region", "us", "--agreement", " "], &cli_env);
    assert!(!none.status.success());
    assert!(said(&none).contains("--agreement"), "{}", said(&none));
    let nowhere =
        parley(&data, &["account", "move", "--slug", "movy", "--to-region", "mars", "--agreement", "X"], &cli_env);
    assert!(!nowhere.status.success() && said(&nowhere).contains("mars"), "{}", said(&nowhere));
    let nobody =
        parley(&data, &["account", "move", "--slug", "ghost", "--to-region", "us", "--agreement", "X"], &cli_env);
    assert!(!nobody.status.success() && said(&nobody).contains("ghost"), "{}", said(&nobody));

    // Killed right after copying: the account is served nowhere, and its data is still in eu.
    let mut crash = cli_env.clone();
    crash.push(("PARLEY_TEST_CRASH_AFTER", "copied"));
    let cut = parley(
        &data,
        &["account", "move", "--slug", "movy", "--to-region", "us", "--agreement", "DPA-2026-117"],
        &crash,
    );
    assert!(!cut.status.success(), "the move was to be cut off: {}", said(&cut));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (s, body) = app.api(&a, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "an account half moved is served nowhere: {body}");
    assert!(!files_holding(&data.join("eu"), "MOVE-BODY-9932").is_empty());
    // Moving it elsewhere meanwhile is refused.
    let other =
        parley(&data, &["account", "move", "--slug", "movy", "--to-region", "uk", "--agreement", "X"], &cli_env);
    assert!(!other.status.success() && said(&other).contains("us"), "{}", said(&other));

    // Run again: resumed, checked, switched, wiped.
    let done = parley(
        &data,
        &["account", "move", "--slug", "movy", "--to-region", "us", "--agreement", "DPA-2026-117"],
        &cli_env,
    );
    assert!(done.status.success(), "{}", said(&done));
    assert!(said(&done).contains("Resuming") && said(&done).contains("matches the source"), "{}", said(&done));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    let (s, t) = app.api(&a, Method::GET, &format!("/tickets/{tid}"), None).await;
    assert_eq!(s, StatusCode::OK, "the account is served from us: {t}");
    assert_eq!(t["subject"], "MOVE-SUBJ-5521");
    let (_, msgs) = app.api(&a, Method::GET, &format!("/tickets/{tid}/messages"), None).await;
    assert!(msgs.to_string().contains("MOVE-REPLY-1177"), "{msgs}");
    let (s, created) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "After", "requester": {"email": "x@y.example"}, "message": {"body": "b"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["number"], 3, "numbering goes on where it was (#1 by the API, #2 by mail)");
    let (_, verify) = app.api(&a, Method::GET, "/audit-log/verify", None).await;
    assert!(verify["broken"].is_null() && verify["entries"].as_u64() > Some(1), "the audit chain came whole: {verify}");
    let (_, kept) = app.api(&a, Method::GET, "/settings/retention", None).await;
    assert_eq!(kept["closed_ticket_days"], 365);
    // The mail's file and its words came along: the file reads back, the word is found in us.
    assert_eq!(found_by(&app, &a, "movewordqx").await, mailed);
    let (_, msgs) = app.api(&a, Method::GET, &format!("/tickets/{mailed}/messages"), None).await;
    let file = msgs.to_string();
    let file_id = file
        .split("\"attachments\":[{")
        .nth(1)
        .and_then(|s| s.split("\"id\":\"").nth(1))
        .and_then(|s| s.split('"').next());
    let file_id = file_id.unwrap_or_else(|| panic!("an attachment in {msgs}"));
    let bytes = app
        .http
        .get(app.url("movy", &format!("/api/v1/attachments/{file_id}")))
        .bearer_auth(&a.api_key)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("MOVE-ATTACH-8181"));
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=account.moved", None).await;
    let entry = &log["entries"][0];
    assert_eq!(entry["detail"]["agreement"], "DPA-2026-117", "{log}");
    assert_eq!((entry["detail"]["from"].as_str(), entry["detail"]["to"].as_str()), (Some("eu"), Some("us")));

    for s in secrets {
        assert_eq!(files_holding(&data.join("eu"), s), Vec::<String>::new(), "{s} is left in eu");
    }
    assert!(!files_holding(&data.join("eu"), "STAY-BODY-5050").is_empty(), "the other account stays");
    let (s, _) = app.api(&stay, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK);

    // Killed after the switch: served from uk already, and running again only wipes what eu still has.
    let b = app.account("later", "eu").await;
    ticket_with(&app, &b, "LATER-SUBJ-6161", "LATER-BODY-7272").await;
    let mut crash = cli_env.clone();
    crash.push(("PARLEY_TEST_CRASH_AFTER", "switched"));
    let cut =
        parley(&data, &["account", "move", "--slug", "later", "--to-region", "uk", "--agreement", "REF-9"], &crash);
    assert!(!cut.status.success(), "{}", said(&cut));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (s, _) = app.api(&b, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK, "switched: served from uk");
    assert!(!files_holding(&data.join("eu"), "LATER-BODY-7272").is_empty(), "not wiped yet");
    let done =
        parley(&data, &["account", "move", "--slug", "later", "--to-region", "uk", "--agreement", "REF-9"], &cli_env);
    assert!(done.status.success(), "{}", said(&done));
    assert_eq!(files_holding(&data.join("eu"), "LATER-BODY-7272"), Vec::<String>::new());
    assert!(!files_holding(&data.join("uk"), "LATER-BODY-7272").is_empty(), "the copy is in uk");
    let list = parley(&data, &["account", "list"], &cli_env);
    let list = said(&list);
    assert!(list.lines().any(|l| l.starts_with("later") && l.contains(" uk ") && l.contains("active")), "{list}");
    drop(us);
}

/// Every file under the region's folder that holds `needle`, split into its main database's and the others'.
fn in_main_and_others(region_dir: &std::path::Path, others: &str, needle: &str) -> (Vec<String>, Vec<String>) {
    let other_dir = region_dir.join(others).display().to_string();
    files_holding(region_dir, needle).into_iter().partition(|f| !f.starts_with(&other_dir))
}

#[tokio::test]
async fn a_move_between_databases_of_one_region_needs_no_agreement() {
    // Region eu has a second database, "b": a SQLite file of its own under eu/b/.
    let env = vec![("PARLEY_REGION_EU_DATABASES".to_string(), "b".to_string())];
    let app = spawn_with(Options { env: env.clone(), ..Default::default() }).await;
    let cli_env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let data = app.data_dir.path().to_path_buf();
    let eu = data.join("eu");

    let a = app.account("shardy", "eu").await;
    let tid = ticket_with(&app, &a, "SHARD-SUBJ-3131", "SHARD-BODY-4242").await;
    let (in_main, in_b) = in_main_and_others(&eu, "b", "SHARD-BODY-4242");
    assert!(!in_main.is_empty() && in_b.is_empty(), "created in eu's main database: {in_main:?} {in_b:?}");

    // Leaving the region still needs an agreement; a database the region does not have is named.
    let out = parley(&data, &["account", "move", "--slug", "shardy", "--to-region", "us"], &cli_env);
    assert!(!out.status.success() && said(&out).contains("agreement"), "{}", said(&out));
    let out = parley(&data, &["account", "move", "--slug", "shardy", "--to-database", "zz"], &cli_env);
    assert!(!out.status.success() && said(&out).contains("'zz'"), "{}", said(&out));
    let out = parley(&data, &["account", "move", "--slug", "shardy", "--to-database", "B!"], &cli_env);
    assert!(!out.status.success() && said(&out).contains("B!"), "{}", said(&out));
    let (s, _) = app.api(&a, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK, "refused moves leave the account served");

    // Within the region: no agreement.
    let done = parley(&data, &["account", "move", "--slug", "shardy", "--to-database", "b"], &cli_env);
    assert!(done.status.success(), "{}", said(&done));
    assert!(said(&done).contains("matches the source"), "{}", said(&done));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    let (s, t) = app.api(&a, Method::GET, &format!("/tickets/{tid}"), None).await;
    assert_eq!(s, StatusCode::OK, "served from eu/b: {t}");
    assert_eq!(t["subject"], "SHARD-SUBJ-3131");
    let (s, created) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(
                json!({"subject": "SHARD-AFTER-5353", "requester": {"email": "x@y.example"}, "message": {"body": "b"}}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["number"], 2, "numbering goes on where it was");
    let (in_main, in_b) = in_main_and_others(&eu, "b", "SHARD-AFTER-5353");
    assert!(in_main.is_empty() && !in_b.is_empty(), "new tickets are written to eu/b: {in_main:?} {in_b:?}");
    for s in ["SHARD-SUBJ-3131", "SHARD-BODY-4242", "owner@shardy.example"] {
        let (in_main, in_b) = in_main_and_others(&eu, "b", s);
        assert_eq!(in_main, Vec::<String>::new(), "{s} is left in eu's main database");
        assert!(!in_b.is_empty(), "{s} is in eu/b");
    }
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=account.moved", None).await;
    let entry = &log["entries"][0];
    assert_eq!((entry["detail"]["from"].as_str(), entry["detail"]["to"].as_str()), (Some("eu"), Some("eu")), "{log}");
    assert_eq!(entry["detail"]["to_database"], "b", "{log}");
    assert!(entry["detail"]["agreement"].is_null(), "{log}");
    let (_, verify) = app.api(&a, Method::GET, "/audit-log/verify", None).await;
    assert!(verify["broken"].is_null(), "{verify}");
    let list = said(&parley(&data, &["account", "list"], &cli_env));
    assert!(list.lines().any(|l| l.starts_with("shardy") && l.contains(" eu ") && l.contains(" b ")), "{list}");

    // And back to the main database.
    let back = parley(&data, &["account", "move", "--slug", "shardy", "--to-region", "eu"], &cli_env);
    assert!(back.status.success(), "{}", said(&back));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (s, _) = app.api(&a, Method::GET, &format!("/tickets/{tid}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (in_main, in_b) = in_main_and_others(&eu, "b", "SHARD-AFTER-5353");
    assert!(!in_main.is_empty() && in_b.is_empty(), "back in eu's main database: {in_main:?} {in_b:?}");
}
