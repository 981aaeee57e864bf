//! Vendor support access from outside: staff have no way in until the account grants it; under a grant they see
//! and do only what it allows, every request of theirs is in the account's audit log, and a revoked or expired
//! grant stops them at their next request.

use crate::cli::parley;
use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn as_staff(
    app: &TestApp,
    slug: &str,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.http.request(method, app.url(slug, &format!("/api/v1{path}"))).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

fn open(app: &TestApp, slug: &str, staff: &str) -> std::process::Output {
    parley(app.data_dir.path(), &["support", "open", "--account", slug, "--staff", staff, "--json"], &[])
}

fn token(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["token"].as_str().unwrap().to_string()
}

async fn ticket(app: &TestApp, a: &TestAccount, subject: &str, department: Option<&Value>) -> Value {
    let mut body =
        json!({"subject": subject, "message": {"body": "Help"}, "requester": {"email": "jo@customer.example"}});
    if let Some(d) = department {
        body["department_id"] = d.clone();
    }
    let (s, t) = app.api(a, Method::POST, "/tickets", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

#[tokio::test]
async fn staff_see_only_what_a_live_grant_allows_and_everything_they_do_is_audited() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let first = ticket(&app, &a, "Printer on fire", None).await;

    // No grant, no way in.
    let refused = open(&app, "acme", "Sam");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("acme has not granted support access"));

    // Grants are checked.
    let far = (time::OffsetDateTime::now_utc() + time::Duration::days(31))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/support-grants",
            Some(json!({"reason": "", "expires_at": far, "department_ids": ["nope"]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, grant) =
        app.api(&a, Method::POST, "/support-grants", Some(json!({"reason": "Ticket #1 shows no replies"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{grant}");
    assert_eq!(grant["scope"], "read_only");
    let hours = (time::OffsetDateTime::parse(
        grant["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
        - time::OffsetDateTime::now_utc())
    .whole_hours();
    assert!((47..=48).contains(&hours), "48 hours unless told: {hours}");

    let sam = token(&open(&app, "acme", "Sam"));
    let (s, list) = as_staff(&app, "acme", &sam, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["tickets"][0]["subject"], "Printer on fire");
    let tid = first["id"].as_str().unwrap();
    let (s, p) =
        as_staff(&app, "acme", &sam, Method::POST, &format!("/tickets/{tid}/messages"), Some(json!({"body": "Hi"})))
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "read-only: {p}");
    let (s, found) = as_staff(&app, "acme", &sam, Method::GET, "/search?q=fire&status=new", None).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let (s, _) = as_staff(&app, "acme", &sam, Method::GET, "/audit-log", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "staff are never administrators");
    let (s, _) = as_staff(&app, "other", &sam, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a token opens only its own account");

    // Everything Sam did is in the log, refused or not, with who and under which grant.
    let gid = grant["id"].as_str().unwrap();
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=support.access", None).await;
    let seen: Vec<(String, String, bool)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["actor"], format!("staff:{gid}"));
            assert_eq!(e["detail"]["staff"], "Sam");
            (
                e["detail"]["method"].as_str().unwrap().into(),
                e["detail"]["path"].as_str().unwrap().into(),
                e["detail"]["refused"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("GET".into(), "/api/v1/audit-log".into(), false),
            // What staff searched for stays out of the log: it could be a customer's words, and the log outlives
            // the customer's erasure.
            ("GET".into(), "/api/v1/search?q&status".into(), false),
            ("POST".into(), format!("/api/v1/tickets/{tid}/messages"), true),
            ("GET".into(), "/api/v1/tickets".into(), false),
        ]
    );
    let (_, opened) = app.api(&a, Method::GET, "/audit-log?action=support.opened", None).await;
    assert_eq!(
        (opened["entries"][0]["actor"].as_str(), opened["entries"][0]["detail"]["staff"].as_str()),
        (Some("operator"), Some("Sam"))
    );
    let (_, theirs) = app.api(&other, Method::GET, "/audit-log?action=support.", None).await;
    assert_eq!(theirs["entries"], json!([]));

    // Revoked: the next request fails.
    let (s, _) = app.api(&a, Method::DELETE, &format!("/support-grants/{gid}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = as_staff(&app, "acme", &sam, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app.api(&other, Method::DELETE, &format!("/support-grants/{gid}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another account cannot touch it");
}

#[tokio::test]
async fn a_read_write_grant_for_one_department_and_a_grant_that_runs_out() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (_, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let paid = ticket(&app, &a, "Invoice twice", Some(&billing["id"])).await;
    let other = ticket(&app, &a, "Password", None).await;
    let (s, grant) = app
        .api(
            &a,
            Method::POST,
            "/support-grants",
            Some(json!({"scope": "read_write", "reason": "Invoices", "department_ids": [billing["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{grant}");
    let kim = token(&open(&app, "acme", "Kim"));

    let (_, list) = as_staff(&app, "acme", &kim, Method::GET, "/tickets", None).await;
    let subjects: Vec<&str> =
        list["tickets"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Invoice twice"]);
    let (s, _) =
        as_staff(&app, "acme", &kim, Method::GET, &format!("/tickets/{}", other["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let pid = paid["id"].as_str().unwrap();
    let (s, m) = as_staff(
        &app,
        "acme",
        &kim,
        Method::POST,
        &format!("/tickets/{pid}/messages"),
        Some(json!({"body": "Refunded.", "internal": true})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["author"], json!({"type": "staff", "id": grant["id"]}));
    let (s, _) = as_staff(&app, "acme", &kim, Method::POST, "/support-grants", Some(json!({"reason": "more"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "staff never grant themselves access");
    // Contacts and companies belong to no department: a grant limited to some does not reach the directory.
    for path in ["/contacts", "/companies"] {
        let (s, p) = as_staff(&app, "acme", &kim, Method::GET, path, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {p}");
    }

    // A grant that ends while the session is open.
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (s, _) = app.api(&a, Method::DELETE, &format!("/support-grants/{}", grant["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, short) =
        app.api(&a, Method::POST, "/support-grants", Some(json!({"reason": "Quick look", "expires_at": soon}))).await;
    assert_eq!(s, StatusCode::CREATED, "{short}");
    let lee = token(&open(&app, "acme", "Lee"));
    let (s, _) = as_staff(&app, "acme", &lee, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (s, _) = as_staff(&app, "acme", &lee, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "expired mid-session");
    assert!(!open(&app, "acme", "Lee").status.success(), "no grant in force any more");
}

#[tokio::test]
async fn an_owner_grants_and_revokes_support_access_on_the_privacy_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (owner, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    let csrf = crate::ui::csrf_in(&html);
    let bad = owner
        .post(app.url("acme", "/settings/privacy/grants"))
        .form(&[("_csrf", csrf.as_str()), ("scope", "read_only"), ("hours", "9999"), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let made = owner
        .post(app.url("acme", "/settings/privacy/grants"))
        .form(&[("_csrf", csrf.as_str()), ("scope", "read_only"), ("hours", "48"), ("reason", "Mail stopped arriving")])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    let body = html.split("<main>").nth(1).expect("a page body");
    assert!(
        body.contains("Mail stopped arriving") && body.contains("in force") && body.contains("Revoke now"),
        "{html}"
    );
    assert!(html.contains("<title>Privacy · Parley</title>"), "{html}");
    let sam = token(&open(&app, "acme", "Sam"));
    let (_, grants) = app.api(&a, Method::GET, "/support-grants", None).await;
    let gid = grants["grants"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        grants["grants"][0]["created_by"],
        format!("agent:{}", {
            let (_, log) = app.api(&a, Method::GET, "/audit-log?action=login.succeeded", None).await;
            log["entries"][0]["actor"].as_str().unwrap().trim_start_matches("agent:").to_string()
        })
    );
    let revoked = owner
        .post(app.url("acme", &format!("/settings/privacy/grants/{gid}/revoke")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let (s, _) = as_staff(&app, "acme", &sam, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    assert!(html.contains("revoked "), "{html}");
}

#[tokio::test]
async fn a_grant_for_some_tickets_shows_those_alone() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let only = ticket(&app, &a, "This one printer", None).await;
    let not = ticket(&app, &a, "This other printer", None).await;
    let theirs = ticket(&app, &other, "Their printer", None).await;

    // Tickets are checked: another account's, or none at all, are named.
    for bad in [json!([theirs["id"]]), json!(["not-an-id"])] {
        let (s, p) = app
            .api(&a, Method::POST, "/support-grants", Some(json!({"reason": "One ticket", "ticket_ids": bad})))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {p}");
    }
    // The privacy page takes ticket numbers.
    let (owner, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    let csrf = crate::ui::csrf_in(&html);
    let form = |tickets: String| {
        let (owner, url, csrf) = (owner.clone(), app.url("acme", "/settings/privacy/grants"), csrf.clone());
        async move {
            owner
                .post(url)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("scope", "read_only"),
                    ("hours", "48"),
                    ("reason", "Ticket looks odd"),
                    ("tickets", tickets.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(form("#99".into()).await, StatusCode::UNPROCESSABLE_ENTITY, "no such ticket");
    assert_eq!(form("one".into()).await, StatusCode::UNPROCESSABLE_ENTITY, "not a number");
    assert_eq!(form(format!("#{}", only["number"])).await, StatusCode::SEE_OTHER);
    let (_, grants) = app.api(&a, Method::GET, "/support-grants", None).await;
    assert_eq!(grants["grants"][0]["ticket_ids"], json!([only["id"]]), "{grants}");

    let kim = token(&open(&app, "acme", "Kim"));
    let (s, list) = as_staff(&app, "acme", &kim, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let subjects: Vec<&str> =
        list["tickets"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["This one printer"]);
    let (s, _) =
        as_staff(&app, "acme", &kim, Method::GET, &format!("/tickets/{}", not["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, t) =
        as_staff(&app, "acme", &kim, Method::GET, &format!("/tickets/{}", only["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        // Both match; the grant shows one (once the index has both).
        let (_, all) = app.api(&a, Method::GET, "/search?q=printer", None).await;
        if all["results"].as_array().is_some_and(|r| r.len() == 2) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not indexed: {all}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (s, found) = as_staff(&app, "acme", &kim, Method::GET, "/search?q=printer", None).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let ids: Vec<&Value> = found["results"].as_array().unwrap().iter().map(|r| &r["ticket"]["id"]).collect();
    assert_eq!(ids, [&only["id"]], "{found}");
    let (s, _) = as_staff(&app, "acme", &kim, Method::GET, "/contacts", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the directory is outside a grant for some tickets");
}
