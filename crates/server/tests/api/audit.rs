//! The audit log from outside: sign-ins and settings changes are recorded with who, when and from where; an
//! administrator lists, filters and exports them; an entry altered in the database file is found by the API and by
//! `parley audit verify`, which names it.

use crate::cli::parley;
use crate::helpers::spawn_app;
use crate::helpers::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn actions(page: &Value) -> Vec<String> {
    page["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_audit_log_records_lists_exports_and_catches_tampering() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;

    let (_, refused) = crate::ui::sign_in(&app, "acme", &a.email, "not the password").await;
    assert_eq!(refused, StatusCode::UNAUTHORIZED);
    let (owner, signed_in) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(signed_in, StatusCode::SEE_OTHER);
    let (s, _) = app.api(&a, Method::PUT, "/settings/mail", Some(json!({"acknowledge": false}))).await;
    assert_eq!(s, StatusCode::OK);

    let (s, page) = app.api(&a, Method::GET, "/audit-log", None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    // The key's first use is recorded (then at most once an hour), before what it did.
    assert_eq!(actions(&page)[..4], ["settings.changed", "api_key.used", "login.succeeded", "login.failed"], "{page}");
    let entries = page["entries"].as_array().unwrap();
    let failed = &entries[3];
    assert_eq!(failed["actor"], "anonymous");
    assert_eq!(failed["detail"]["email"], a.email.as_str(), "the address tried is kept");
    assert_eq!(failed["ip"], "127.0.0.1");
    assert!(entries[2]["actor"].as_str().unwrap().starts_with("agent:"), "{}", entries[2]);
    assert_eq!(
        (entries[1]["actor"].as_str(), entries[1]["ip"].as_str()),
        (entries[0]["actor"].as_str(), Some("127.0.0.1"))
    );
    assert_eq!(entries[0]["target"], "settings:mail");
    assert!(entries[0]["actor"].as_str().unwrap().starts_with("api_key:"));
    assert_eq!(entries[0]["prev_hash"], entries[1]["hash"], "each entry carries the hash of the one before");

    let (_, logins) = app.api(&a, Method::GET, "/audit-log?action=login.", None).await;
    assert_eq!(actions(&logins), ["login.succeeded", "login.failed"]);
    let (_, one) = app.api(&a, Method::GET, "/audit-log?page[size]=1", None).await;
    assert_eq!(one["meta"]["has_more"], true);
    let cursor = one["meta"]["before_cursor"].as_i64().unwrap();
    let (_, next) = app.api(&a, Method::GET, &format!("/audit-log?page[size]=1&page[before]={cursor}"), None).await;
    assert_eq!(actions(&next), ["api_key.used"]);
    let (_, uses) = app.api(&a, Method::GET, "/audit-log?action=api_key.used", None).await;
    assert_eq!(actions(&uses).len(), 1, "many requests, one use recorded this hour: {uses}");
    let (s, bad) = app.api(&a, Method::GET, "/audit-log?actor=somebody&since=yesterday", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["actor", "since"], "{bad}");

    // Another account's log holds nothing of this one.
    let (_, theirs) = app.api(&other, Method::GET, "/audit-log", None).await;
    assert!(!theirs.to_string().contains(&a.email), "{theirs}");
    assert!(!actions(&theirs).iter().any(|x| x.starts_with("login.")), "{theirs}");

    // The export: every entry, oldest first, one JSON object a line; and it is itself recorded.
    let res = app.http.get(app.url("acme", "/api/v1/audit-log/export")).bearer_auth(&a.api_key).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/jsonl");
    let lines: Vec<Value> = res.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines.iter().map(|l| l["seq"].as_i64().unwrap()).collect::<Vec<_>>(),
        (1..=lines.len() as i64).collect::<Vec<_>>()
    );
    let (_, page) = app.api(&a, Method::GET, "/audit-log?page[size]=1", None).await;
    assert_eq!(actions(&page), ["audit.exported"]);

    let (_, v) = app.api(&a, Method::GET, "/audit-log/verify", None).await;
    assert_eq!(v["broken"], Value::Null, "{v}");
    let total = v["entries"].as_i64().unwrap();
    assert_eq!(total, lines.len() as i64 + 1);
    let cli = parley(app.data_dir.path(), &["audit", "verify", "--account", "acme"], &[]);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    // The page shows the same, filtered as asked, its values escaped.
    let (s, page) = crate::ui::get(&owner, &app.url("acme", "/audit?action=login.failed")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("entries are intact") && page.contains("verify=1"), "checked only when asked: {page}");
    let (_, page) = crate::ui::get(&owner, &app.url("acme", "/audit?action=login.failed&verify=1")).await;
    assert!(page.contains("entries are intact"), "{page}");
    assert!(page.contains(&a.email.replace('@', "&#64;")) || page.contains(&a.email), "{page}");
    assert!(!page.contains("settings.changed</td>"), "filtered to failed sign-ins: {page}");
    assert!(String::from_utf8_lossy(&cli.stdout).contains(&format!("intact: {total} entries")));

    // Someone with the database file alters the failed sign-in. Parley's own trigger stops a plain UPDATE; they
    // drop it first.
    let db = app.data_dir.path().join("eu").join("parley.db");
    let tamper = |sql: &str| {
        std::process::Command::new("python3")
            .args([
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
            ])
            .arg(&db)
            .arg(sql)
            .output()
            .unwrap()
    };
    let forged = format!(
        "UPDATE audit_log SET detail = '{{\"email\":\"nobody@example.com\"}}' WHERE detail LIKE '%{}%';",
        a.email
    );
    let stopped = tamper(&forged);
    assert!(!stopped.status.success());
    assert!(String::from_utf8_lossy(&stopped.stderr).contains("append-only"), "{stopped:?}");
    let done = tamper(&format!("DROP TRIGGER audit_log_no_update; {forged}"));
    assert!(done.status.success(), "{done:?}");

    let failed_seq = failed["seq"].as_i64().unwrap();
    let (_, v) = app.api(&a, Method::GET, "/audit-log/verify", None).await;
    assert_eq!(v["broken"]["seq"], failed_seq, "{v}");
    assert_eq!(v["entries"], failed_seq - 1);
    let (_, page) = crate::ui::get(&owner, &app.url("acme", "/audit?verify=1")).await;
    assert!(
        page.contains("The log has been tampered with") && page.contains(&format!("Entry {failed_seq}:")),
        "{page}"
    );
    let cli = parley(app.data_dir.path(), &["audit", "verify", "--account", "acme"], &[]);
    assert!(!cli.status.success());
    let said = String::from_utf8_lossy(&cli.stderr);
    assert!(said.contains(&format!("broken at entry {failed_seq}")) && said.contains("altered"), "{said}");
    // The other account's chain is untouched.
    assert!(parley(app.data_dir.path(), &["audit", "verify", "--account", "other"], &[]).status.success());
    let unknown = parley(app.data_dir.path(), &["audit", "verify", "--account", "nope"], &[]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--account 'nope'"));

    // Removing the last entry is noticed too: the head kept beside the log still names it.
    let removed = tamper("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log WHERE action = 'audit.exported');");
    assert!(removed.status.success(), "{removed:?}");
    let cli = parley(app.data_dir.path(), &["audit", "verify", "--account", "acme"], &[]);
    assert!(!cli.status.success());
}

#[tokio::test]
async fn agents_added_and_their_roles_changed_are_recorded() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (s, agent) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "kim@acme.example", "name": "Kim", "role": "agent"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{agent}");
    let (s, changed) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/agents/{}", agent["agent"]["id"].as_str().unwrap()),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    let (_, page) = app.api(&a, Method::GET, "/audit-log?action=agent.", None).await;
    assert_eq!(actions(&page), ["agent.changed", "agent.created"]);
    assert_eq!(page["entries"][0]["detail"]["role"], json!({"from": "agent", "to": "admin"}));
    assert!(page["entries"][0]["actor"].as_str().unwrap().starts_with("api_key:"));

    // An agent who is not an administrator sees no link to the log and is refused the page.
    let lee = crate::ui::new_agent_signed_in(&app, "acme", "lee@acme.example", "agent").await;
    let (_, tickets) = crate::ui::get(&lee, &app.url("acme", "/tickets")).await;
    assert!(!tickets.contains("href=\"/audit\""), "{tickets}");
    let (s, _) = crate::ui::get(&lee, &app.url("acme", "/audit")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = crate::ui::get(&lee, &app.url("acme", "/audit/export")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The command line acts as the operator.
    let (_, page) = app.api(&a, Method::GET, "/audit-log?action=agent.created&page[size]=1", None).await;
    assert_eq!(page["entries"][0]["actor"], "operator", "{page}");
    assert_eq!(page["entries"][0]["detail"]["email"], "lee@acme.example");
}
