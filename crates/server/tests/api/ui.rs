//! The agent pages: sign-in with CSRF protection and rate limits, sessions that end, replies through the form,
//! password reset, and departments limiting what an agent sees.

use crate::helpers::{spawn_app, Engine, TestApp};
use parley_test_support::http_client;
use reqwest::{Method, StatusCode};
use serde_json::json;

pub(crate) fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

pub(crate) async fn get(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

pub(crate) async fn sign_in(app: &TestApp, slug: &str, email: &str, password: &str) -> (reqwest::Client, StatusCode) {
    let c = http_client(true);
    let (_, html) = get(&c, &app.url(slug, "/login")).await;
    let csrf = csrf_in(&html);
    let r = c
        .post(app.url(slug, "/login"))
        .form(&[("email", email), ("password", password), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    (c, r.status())
}

/// Adds an agent with the `parley agent add` command (as an operator would) and signs them in.
pub(crate) async fn new_agent_signed_in(app: &TestApp, slug: &str, email: &str, role: &str) -> reqwest::Client {
    let added = crate::cli::parley(
        app.data_dir.path(),
        &["agent", "add", "--account", slug, "--email", email, "--name", "Added", "--role", role, "--json"],
        &[],
    );
    assert!(added.status.success(), "{added:?}");
    let added: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let (client, status) = sign_in(app, slug, email, added["password"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    client
}

#[tokio::test]
async fn sign_in_reply_and_sign_out() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    app.ticket(&a, "Wifi <script>alert(1)</script> down", "It does not work <b>at all</b>", "jane@example.com").await;

    // Without a session, pages send you to sign in.
    let c = http_client(true);
    let r = c.get(app.url("acme", "/tickets")).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));

    // The sign-in form needs its CSRF token.
    let (_, html) = get(&c, &app.url("acme", "/login")).await;
    assert!(html.contains("Sign in to acme"));
    let r = c
        .post(app.url("acme", "/login"))
        .form(&[("email", a.email.as_str()), ("password", a.password.as_str()), ("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Wrong password and unknown address get the same answer.
    let (_, s1) = sign_in(&app, "acme", &a.email, "wrong password!").await;
    let (_, s2) = sign_in(&app, "acme", "nobody@acme.example", "wrong password!").await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));

    let (c, s) = sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let r = c.get(app.url("acme", "/tickets")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let html = r.text().await.unwrap();
    assert!(html.contains("Wifi &#60;script&#62;alert(1)&#60;/script&#62; down"), "subjects are escaped");
    assert!(!html.contains("<script>alert(1)"));

    let (s, html) = get(&c, &app.url("acme", "/tickets/1")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("It does not work &#60;b&#62;at all&#60;/b&#62;"), "bodies are escaped");

    let csrf = csrf_in(&html);
    let r = c
        .post(app.url("acme", "/tickets/1/messages"))
        .form(&[("body", "Try turning it off and on"), ("_csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a reply without the session's token is refused");
    let r = c
        .post(app.url("acme", "/tickets/1/messages"))
        .form(&[("body", "Try turning it off and on"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c
        .post(app.url("acme", "/tickets/1/messages"))
        .form(&[("body", "Customer is grumpy"), ("internal", "1"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c
        .post(app.url("acme", "/tickets/1"))
        .form(&[("status", "pending"), ("priority", "urgent"), ("assignee", ""), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, t) = app.api(&a, Method::GET, "/tickets?status=pending", None).await;
    assert_eq!(t["tickets"][0]["priority"], "urgent");
    let (_, html) = get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(html.contains("Try turning it off and on") && html.contains("internal note"));

    // Signing out ends the session on the server, not only in this browser.
    let cookie_jar_client = c.clone();
    let r = c.post(app.url("acme", "/logout")).form(&[("_csrf", &csrf)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = cookie_jar_client.get(app.url("acme", "/tickets")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn session_cookies_are_locked_down_and_scoped_to_their_account() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    app.account("other", "eu").await;
    let c = http_client(false);
    let csrf_cookie_page = c.get(app.url("acme", "/login")).send().await.unwrap();
    let csrf_cookie = csrf_cookie_page.headers()["set-cookie"].to_str().unwrap().to_string();
    let token = csrf_in(&csrf_cookie_page.text().await.unwrap());
    let r = c
        .post(app.url("acme", "/login"))
        .header("cookie", csrf_cookie.split(';').next().unwrap())
        .form(&[("email", a.email.as_str()), ("password", a.password.as_str()), ("_csrf", &token)])
        .send()
        .await
        .unwrap();
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.starts_with("parley_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "{set} has {attr}");
    }
    assert!(!set.contains("Secure"), "plain http here; Secure comes with https");
    let session = set.split(';').next().unwrap().to_string();
    let r = c.get(app.url("acme", "/tickets")).header("cookie", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.get(app.url("other", "/tickets")).header("cookie", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a session of acme opens nothing in another account");
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let mut limited = false;
    for _ in 0..12 {
        let (_, s) = sign_in(&app, "acme", &a.email, "not the password").await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    assert!(limited, "repeated failures are stopped");
    let (_, s) = sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "even the right password waits out the limit");
}

#[tokio::test]
async fn password_reset_by_mailed_link() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let c = http_client(true);
    let (_, html) = get(&c, &app.url("acme", "/password/forgot")).await;
    let csrf = csrf_in(&html);
    for email in [a.email.as_str(), "nobody@acme.example"] {
        let r = c
            .post(app.url("acme", "/password/forgot"))
            .form(&[("email", email), ("_csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("If that address belongs"), "the same answer for any address");
    }
    let ctx = app.app.regions.context(&parley_domain::account::AccountSlug::parse("acme").unwrap()).await.unwrap();
    // The reset is prepared after the answer, in the background.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mail = loop {
        let mail = ctx.store.queued_mail(ctx.account_id, 10).await.unwrap();
        if !mail.is_empty() || std::time::Instant::now() > deadline {
            break mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(mail.len(), 1, "one mail, to the agent who exists");
    assert_eq!(mail[0].to, a.email);
    let link = mail[0].text.lines().find(|l| l.contains("/password/reset?token=")).unwrap().trim().to_string();
    let token = link.split("token=").nth(1).unwrap();

    let (_, html) = get(&c, &link).await;
    let csrf = csrf_in(&html);
    let r = c
        .post(app.url("acme", "/password/reset"))
        .form(&[("token", token), ("password", "short"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post(app.url("acme", "/password/reset"))
        .form(&[("token", token), ("password", "a brand new password"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .post(app.url("acme", "/password/reset"))
        .form(&[("token", token), ("password", "yet another password"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a link works once");
    let (_, s) = sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (_, s) = sign_in(&app, "acme", &a.email, "a brand new password").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn agents_see_only_their_departments() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (_, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let (_, tech) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Tech"}))).await;
    for (subject, dept) in [("Billing question", &billing), ("Tech question", &tech)] {
        app.api(&a, Method::POST, "/tickets", Some(json!({"subject": subject, "message": {"body": "x"}, "requester": {"email": "j@example.com"}, "department_id": dept["id"]}))).await;
    }
    app.ticket(&a, "General question", "x", "j@example.com").await;
    let (_, agent) = app.api(&a, Method::POST, "/agents", Some(json!({"email": "bill@acme.example", "name": "Bill", "role": "agent", "department_ids": [billing["id"]]}))).await;
    // Set the new agent's password through the setup link.
    let setup = agent["setup_url"].as_str().unwrap().to_string();
    let c = http_client(true);
    let (_, html) = get(&c, &setup).await;
    let token = setup.split("token=").nth(1).unwrap();
    let r = c
        .post(app.url("acme", "/password/reset"))
        .form(&[("token", token), ("password", "bills password!"), ("_csrf", &csrf_in(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (c, s) = sign_in(&app, "acme", "bill@acme.example", "bills password!").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url("acme", "/tickets?view=all")).await;
    assert!(html.contains("Billing question") && html.contains("General question"));
    assert!(!html.contains("Tech question"), "another department's ticket is not listed");
    let (s, _) = get(&c, &app.url("acme", "/tickets/2")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nor shown");
}
