//! The settings pages of the workspace, driven as an admin would: inviting an agent (the set-password mail reaches
//! the relay and the agent signs in), changing and deactivating them, testing an IMAP mailbox against a real
//! Dovecot, redelivering a failed webhook delivery, API keys made and revoked on the page, and what anyone types
//! shown as text. Agents who are not admins are refused on every page, as the API refuses them.

use crate::helpers::{spawn_app, spawn_with, Engine, Options, TestAccount, TestApp};
use crate::ui::{csrf_in, get, sign_in};
use parley_test_support::{CaptureRelay, Dovecot, WebhookReceiver};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The owner of a new account, signed in, with the form token of their session.
pub(crate) async fn owner(app: &TestApp, slug: &str) -> (reqwest::Client, String, TestAccount) {
    let a = app.account(slug, "eu").await;
    let (c, s) = sign_in(app, slug, &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url(slug, "/settings/agents")).await;
    (c, csrf_in(&html), a)
}

pub(crate) async fn post(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let r = c.post(url).form(form).send().await.unwrap();
    let status = r.status();
    let to = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, to, r.text().await.unwrap())
}

/// The audit entries of an action, newest first.
pub(crate) async fn audited(app: &TestApp, a: &TestAccount, action: &str) -> Vec<Value> {
    let (s, page) = app.api(a, Method::GET, &format!("/audit-log?action={action}"), None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_invited_agent_sets_a_password_signs_in_and_is_changed_and_deactivated_on_the_page() {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options { env: vec![("PARLEY_SMTP_RELAY".into(), relay.url())], ..Default::default() }).await;
    let (c, csrf, a) = owner(&app, "acme").await;

    // The settings column lists every settings page, this one marked as the current one.
    let (s, html) = get(&c, &app.url("acme", "/settings/agents")).await;
    assert_eq!(s, StatusCode::OK);
    for href in [
        "/settings/departments",
        "/settings/mailboxes",
        "/settings/mail",
        "/settings/webhooks",
        "/settings/fields",
        "/settings/api-keys",
        "/settings/business-hours",
        "/settings/chat",
        "/settings/privacy",
        "/audit",
    ] {
        assert!(html.contains(&format!("href=\"{href}\"")), "the settings column links {href}");
    }
    assert!(html.contains("<a href=\"/settings/agents\" aria-current=\"page\"><span>Agents</span>"), "{html}");
    assert!(!html.contains("class=\"workspace wide\""), "settings pages have their column");

    // A department, made on its page; a name that is empty is refused and shown.
    let (s, _, body) = post(&c, &app.url("acme", "/settings/departments"), &[("_csrf", &csrf), ("name", " ")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("role=\"alert\""), "{body}");
    let (s, to, _) =
        post(&c, &app.url("acme", "/settings/departments"), &[("_csrf", &csrf), ("name", "Billing")]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/departments"));
    let (_, deps) = app.api(&a, Method::GET, "/departments", None).await;
    let billing = deps["departments"][0]["id"].as_str().unwrap().to_string();

    // A bad address is refused with what was typed kept.
    let (s, _, body) = post(
        &c,
        &app.url("acme", "/settings/agents"),
        &[("_csrf", &csrf), ("email", "not-an-address"), ("name", "Kept Name"), ("role", "agent")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"Kept Name\"") && body.contains("value=\"not-an-address\""), "{body}");

    // The invitation: the agent is added, the mail with the set-password link goes out through the relay.
    let (s, to, _) = post(
        &c,
        &app.url("acme", "/settings/agents"),
        &[
            ("_csrf", &csrf),
            ("email", "nora@acme.example"),
            ("name", "Nora <New>"),
            ("role", "agent"),
            ("department", &billing),
        ],
    )
    .await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/agents?invited=1"));
    let (_, html) = get(&c, &app.url("acme", &to)).await;
    assert!(html.contains("Invitation sent."), "{html}");
    assert!(html.contains("Nora &#60;New&#62;") && !html.contains("Nora <New>"), "names show as text");
    let mail = relay.wait_for(1, 15).await;
    let invite = mail.iter().find(|m| m.rcpt_to.iter().any(|r| r.contains("nora@acme.example"))).expect("the mail");
    // Quoted-printable, as mail clients read it: soft line breaks joined, `=3D` back to `=`.
    let text = invite.text().replace("=\r\n", "").replace("=3D", "=");
    assert!(text.contains("You are invited to the help desk"), "{text}");
    let link = text.lines().find(|l| l.contains("/password/reset?token=")).expect("a link").trim().to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    assert!(token.len() > 20 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{token}");
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    let nora = agents["agents"].as_array().unwrap().iter().find(|x| x["email"] == "nora@acme.example").unwrap().clone();
    assert_eq!(nora["department_ids"], json!([billing]));
    let created = audited(&app, &a, "agent.created").await;
    assert!(created.iter().any(|e| e["target"] == format!("agent:{}", nora["id"].as_str().unwrap())), "{created:?}");

    // The agent sets a password by the mailed link and signs in.
    let nc = parley_test_support::http_client(true);
    let (s, html) = get(&nc, &app.url("acme", &format!("/password/reset?token={token}"))).await;
    assert_eq!(s, StatusCode::OK);
    let ncsrf = csrf_in(&html);
    let r = nc
        .post(app.url("acme", "/password/reset"))
        .form(&[("token", token.as_str()), ("password", "nora's own password"), ("_csrf", &ncsrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (nc, s) = sign_in(&app, "acme", "nora@acme.example", "nora's own password").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = get(&nc, &app.url("acme", "/tickets")).await;
    assert_eq!(s, StatusCode::OK);

    // The owner makes her an admin and takes her out of Billing; the change is audited as through the API.
    let page = format!("/settings/agents/{}", nora["id"].as_str().unwrap());
    let (s, html) = get(&c, &app.url("acme", &page)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"department\"") && html.contains("checked"), "{html}");
    let (s, to, _) = post(&c, &app.url("acme", &page), &[("_csrf", &csrf), ("role", "admin"), ("active", "1")]).await;
    assert_eq!((s, to), (StatusCode::SEE_OTHER, format!("{page}?saved=1")));
    let (_, n) = app.api(&a, Method::GET, &format!("/agents/{}", nora["id"].as_str().unwrap()), None).await;
    assert_eq!(
        (n["role"].clone(), n["department_ids"].clone(), n["active"].clone()),
        (json!("admin"), json!([]), json!(true))
    );
    let changed = audited(&app, &a, "agent.changed").await;
    assert_eq!(changed[0]["detail"]["role"], json!({"from": "agent", "to": "admin"}), "{changed:?}");
    let (_, html) = get(&nc, &app.url("acme", "/tickets")).await;
    assert!(html.contains("href=\"/settings/agents\""), "an admin now sees Settings");

    // A role that does not exist is refused on the page.
    let (s, _, body) =
        post(&c, &app.url("acme", &page), &[("_csrf", &csrf), ("role", "emperor"), ("active", "1")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("role"), "{body}");

    // Deactivated: her session ends at once.
    let (s, _, _) = post(&c, &app.url("acme", &page), &[("_csrf", &csrf), ("role", "admin")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let r = nc.get(app.url("acme", "/tickets")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login", "the deactivated agent's session ended");
    let changed = audited(&app, &a, "agent.changed").await;
    assert_eq!(changed[0]["detail"]["active"], json!({"from": true, "to": false}));
    let (_, s) = sign_in(&app, "acme", "nora@acme.example", "nora's own password").await;
    assert_ne!(s, StatusCode::SEE_OTHER, "and she cannot sign in again");
}

#[tokio::test]
async fn agents_are_refused_on_every_settings_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (_, _, a) = owner(&app, "acme").await;
    let agent = crate::ui::new_agent_signed_in(&app, "acme", "ag@acme.example", "agent").await;
    let (_, html) = get(&agent, &app.url("acme", "/tickets")).await;
    assert!(!html.contains("href=\"/settings/agents\""), "no Settings link for an agent");
    let csrf = csrf_in(&html);
    let keys_before = audited(&app, &a, "api_key.created").await.len();
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    let owner_of = |agents: &Value| {
        agents["agents"].as_array().unwrap().iter().find(|x| x["email"] == a.email.as_str()).unwrap().clone()
    };
    let owner_id = owner_of(&agents)["id"].as_str().unwrap().to_string();
    let pages = [
        "/settings/agents",
        "/settings/departments",
        "/settings/mailboxes",
        "/settings/mail",
        "/settings/webhooks",
        "/settings/fields",
        "/settings/api-keys",
        "/settings/chat",
        "/settings/business-hours",
        "/settings/business-hours/new",
        "/settings/sla-policies",
        "/settings/sla-policies/new",
    ];
    for p in pages {
        let (s, _) = get(&agent, &app.url("acme", p)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "GET {p}");
        let (s, _, _) =
            post(&agent, &app.url("acme", p), &[("_csrf", &csrf), ("name", "x"), ("email", "x@y.example")]).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::METHOD_NOT_ALLOWED, "POST {p}: {s}");
    }
    let (s, _) = get(&agent, &app.url("acme", &format!("/settings/agents/{owner_id}"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) =
        post(&agent, &app.url("acme", &format!("/settings/agents/{owner_id}")), &[("_csrf", &csrf), ("role", "agent")])
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    assert_eq!(owner_of(&agents)["role"], "owner", "nothing changed");
    assert_eq!(audited(&app, &a, "api_key.created").await.len(), keys_before, "no key was made by the agent");
    // Another account's owner finds no agent of this one.
    let (beta, _, _) = owner(&app, "beta").await;
    let (s, _) = get(&beta, &app.url("beta", &format!("/settings/agents/{owner_id}"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another account's agent");
    let (s, _) = get(&beta, &app.url("beta", "/settings/webhooks/01a24efb-10a4-7435-9d42-cb9235a32b24")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // And a form without the session's token is refused even for the owner.
    let (oc, s) = sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = post(&oc, &app.url("acme", "/settings/api-keys"), &[("_csrf", "forged"), ("name", "k")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn redelivery_story(engine: Engine) {
    let app = spawn_with(Options { engine, retry_delays: "1", ..Default::default() }).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let rx = WebhookReceiver::start().await;
    rx.answer_with(500);
    let (s, _, html) = post(
        &c,
        &app.url("acme", "/settings/webhooks"),
        &[("_csrf", &csrf), ("url", &rx.url()), ("events", "ticket.created"), ("description", "<i>CRM</i>")],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("whsec_"), "the secret is shown once");
    assert!(html.contains("&#60;i&#62;CRM&#60;/i&#62;"), "{html}");
    let (_, hooks) = app.api(&a, Method::GET, "/webhooks", None).await;
    let hook = hooks["webhooks"][0]["id"].as_str().unwrap().to_string();
    let (_, html) = get(&c, &app.url("acme", "/settings/webhooks")).await;
    assert!(!html.contains("whsec_"), "and not again");

    app.ticket(&a, "Hooked", "hello", "jane@example.com").await;
    // The receiver fails twice; with one retry the delivery is given up.
    let deadline = Instant::now() + Duration::from_secs(20);
    let event = loop {
        let (_, d) = app.api(&a, Method::GET, &format!("/webhooks/{hook}"), None).await;
        let first = d["deliveries"][0].clone();
        if first["attempts"] == 2 && first["next_attempt_at"].is_null() {
            break first["event_id"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "the delivery is given up: {d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let log = format!("/settings/webhooks/{hook}");
    let (_, html) = get(&c, &app.url("acme", &log)).await;
    assert!(html.contains(&format!("data-delivery=\"{event}\" data-state=\"failed\"")), "{html}");
    assert!(html.contains("the receiver answered 500"), "{html}");

    // Redelivered from the page once the receiver is back: the same event, with the same id.
    rx.answer_with(200);
    let (s, to, _) =
        post(&c, &app.url("acme", &format!("{log}/deliveries/{event}/redeliver")), &[("_csrf", &csrf)]).await;
    assert_eq!((s, to), (StatusCode::SEE_OTHER, format!("{log}?queued=1")));
    let got = rx.wait_for(1, 15).await;
    assert_eq!(got.len(), 1, "redelivered");
    assert_eq!(got[0].headers["webhook-id"], event.as_str());
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["type"], "ticket.created");
    let entries = audited(&app, &a, "webhook.redelivered").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["target"], format!("webhook:{hook}"));
    assert_eq!(entries[0]["detail"]["event_id"], event.as_str());
    assert!(entries[0]["actor"].as_str().unwrap().starts_with("agent:"), "{:?}", entries[0]);

    // Recorded as delivered; the API sends it again too.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, d) = app.api(&a, Method::GET, &format!("/webhooks/{hook}"), None).await;
        if d["deliveries"][0]["last_status"] == 200 && d["deliveries"][0]["next_attempt_at"].is_null() {
            break;
        }
        assert!(Instant::now() < deadline, "recorded: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let path = format!("/webhooks/{hook}/deliveries/{event}/redeliver");
    let (s, _) = app.api(&a, Method::POST, &path, None).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(rx.wait_for(2, 15).await.len(), 2);
    assert_eq!(audited(&app, &a, "webhook.redelivered").await.len(), 2);

    // Unknown deliveries, and other accounts' webhooks, are not found.
    let (s, p) = app.api(&a, Method::POST, &format!("/webhooks/{hook}/deliveries/msg_nope/redeliver"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    let b = app.account("beta", "eu").await;
    let (s, _) = app.api(&b, Method::POST, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = app.api(&b, Method::POST, "/webhooks/not-an-id/deliveries/x/redeliver", None).await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::UNPROCESSABLE_ENTITY, "{s} {p}");

    // Deleted on the page.
    let (s, _, _) = post(&c, &app.url("acme", &format!("{log}/delete")), &[("_csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, hooks) = app.api(&a, Method::GET, "/webhooks", None).await;
    assert_eq!(hooks["webhooks"], json!([]));
}

#[tokio::test]
async fn a_failed_webhook_delivery_is_redelivered_and_audited_sqlite() {
    redelivery_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_failed_webhook_delivery_is_redelivered_and_audited_postgres() {
    redelivery_story(Engine::Postgres).await;
}

async fn imap_story(engine: Engine, dovecot: &Dovecot) {
    let app = spawn_app(engine).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let port = dovecot.port.to_string();
    let add = |address: &'static str, pw: &'static str| {
        let (c, csrf, app, port) = (&c, &csrf, &app, &port);
        async move {
            post(
                c,
                &app.url("acme", "/settings/mailboxes"),
                &[
                    ("_csrf", csrf),
                    ("address", address),
                    ("name", "Help"),
                    ("imap", "1"),
                    ("host", "127.0.0.1"),
                    ("port", port),
                    ("security", "plain"),
                    ("user", "help@corp.example"),
                    ("password", pw),
                    ("folder", "INBOX"),
                ],
            )
            .await
        }
    };
    let (s, _, html) = add("help@corp.example", "imap-secret").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("whsec_") && html.contains("/inbound"), "the inbound URL and secret, once");
    let (s, _, _) = add("wrong@corp.example", "not-the-password").await;
    assert_eq!(s, StatusCode::OK);
    // A mailbox kept for forwarding, without IMAP.
    let (s, _, _) =
        post(&c, &app.url("acme", "/settings/mailboxes"), &[("_csrf", &csrf), ("address", "fwd@corp.example")]).await;
    assert_eq!(s, StatusCode::OK);
    // Plain IMAP elsewhere than this machine is refused, with what was typed kept.
    let (s, _, html) = post(
        &c,
        &app.url("acme", "/settings/mailboxes"),
        &[
            ("_csrf", &csrf),
            ("address", "far@corp.example"),
            ("imap", "1"),
            ("host", "imap.corp.example"),
            ("port", "143"),
            ("security", "plain"),
            ("user", "u"),
            ("password", "p"),
            ("folder", "INBOX"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("imap.security") && html.contains("value=\"imap.corp.example\""), "{html}");

    let (_, list) = app.api(&a, Method::GET, "/mailboxes", None).await;
    let id_of = |addr: &str| {
        list["mailboxes"].as_array().unwrap().iter().find(|m| m["address"] == addr).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (good, bad, fwd) = (id_of("help@corp.example"), id_of("wrong@corp.example"), id_of("fwd@corp.example"));

    // The page's button really signs in to Dovecot.
    let (s, _, html) =
        post(&c, &app.url("acme", &format!("/settings/mailboxes/{good}/test")), &[("_csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Connection works:") && html.contains("signed in to 127.0.0.1"), "{html}");
    let (s, _, html) =
        post(&c, &app.url("acme", &format!("/settings/mailboxes/{bad}/test")), &[("_csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Connection failed:") && html.contains("the server refused the sign-in"), "{html}");

    // The same through the API.
    let (s, r) = app.api(&a, Method::POST, &format!("/mailboxes/{good}/test"), None).await;
    assert_eq!((s, r["ok"].clone()), (StatusCode::OK, json!(true)), "{r}");
    let (s, r) = app.api(&a, Method::POST, &format!("/mailboxes/{bad}/test"), None).await;
    assert_eq!((s, r["ok"].clone()), (StatusCode::OK, json!(false)), "{r}");
    let detail = r["detail"].as_str().unwrap();
    assert!(
        detail.contains("refused the sign-in") && detail.to_lowercase().contains("auth"),
        "the server's words: {detail}"
    );
    let (s, p) = app.api(&a, Method::POST, &format!("/mailboxes/{fwd}/test"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "imap");
    let b = app.account("beta", "eu").await;
    let (s, _) = app.api(&b, Method::POST, &format!("/mailboxes/{good}/test"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another account's mailbox");
    let (s, _) = app.api(&a, Method::POST, "/mailboxes/nonsense/test", None).await;
    assert!(s == StatusCode::NOT_FOUND || s == StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn imap_test_connection_signs_in_to_dovecot_and_reports_a_wrong_password() {
    let (user, password) = ("help@corp.example", "imap-secret");
    let dovecot = tokio::task::spawn_blocking(move || Dovecot::start(user, password)).await.unwrap();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        imap_story(engine, &dovecot).await;
    }
}

#[tokio::test]
async fn an_api_key_made_on_the_page_works_until_it_is_revoked() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let (s, _, html) =
        post(&c, &app.url("acme", "/settings/api-keys"), &[("_csrf", &csrf), ("name", "Page <key>")]).await;
    assert_eq!(s, StatusCode::OK);
    let at = html.find("data-api-key>").expect("the key, shown once") + "data-api-key>".len();
    let secret = html[at..].split('<').next().unwrap().to_string();
    assert!(secret.starts_with("parley_"), "{secret}");
    assert!(html.contains("Page &#60;key&#62;"));
    let (s, _) = app.api_with_key("acme", &secret, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK, "the key works");
    let made = audited(&app, &a, "api_key.created").await;
    assert!(made[0]["actor"].as_str().unwrap().starts_with("agent:"), "{made:?}");

    let (_, html) = get(&c, &app.url("acme", "/settings/api-keys")).await;
    assert!(!html.contains(&secret), "not shown again");
    let row = &html[html.find("Page &#60;key&#62;").unwrap()..];
    assert!(!row.split("</tr>").next().unwrap().contains("never"), "its use shows: {row}");
    let at = row.find("/settings/api-keys/").unwrap() + "/settings/api-keys/".len();
    let id = row[at..].split('/').next().unwrap().to_string();
    let (s, to, _) = post(&c, &app.url("acme", &format!("/settings/api-keys/{id}/revoke")), &[("_csrf", &csrf)]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/api-keys"));
    let (s, _) = app.api_with_key("acme", &secret, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "revoked");
    let revoked = audited(&app, &a, "api_key.revoked").await;
    assert_eq!(revoked[0]["target"], format!("api_key:{id}"));
    let (s, _, body) = post(&c, &app.url("acme", "/settings/api-keys"), &[("_csrf", &csrf), ("name", "")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn fields_and_mail_settings_show_what_was_typed_as_text() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let url = app.url("acme", "/settings/fields");
    // A key that is not one is refused, and the label typed is kept (as text).
    let (s, _, html) = post(
        &c,
        &url,
        &[("_csrf", &csrf), ("label", "<script>alert(1)</script>"), ("key", "Bad Key"), ("kind", "text")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;\""), "{html}");
    let (s, to, _) = post(
        &c,
        &url,
        &[
            ("_csrf", &csrf),
            ("label", "<script>alert(1)</script>"),
            ("key", "plan"),
            ("kind", "dropdown"),
            ("options", "<b>Gold</b>\nSilver\n"),
        ],
    )
    .await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/fields"));
    let (_, html) = get(&c, &url).await;
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;") && !html.contains("<script>alert"), "{html}");
    assert!(html.contains("&#60;b&#62;Gold&#60;/b&#62;, Silver"), "{html}");
    let (_, fields) = app.api(&a, Method::GET, "/ticket-fields", None).await;
    assert_eq!(fields["ticket_fields"][0]["options"], json!(["<b>Gold</b>", "Silver"]), "{fields}");

    // Mail settings: the acknowledgement switched off and an English text of the account's own.
    let murl = app.url("acme", "/settings/mail");
    let (s, html) = get(&c, &murl).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"subject_en\""), "{html}");
    let (s, _, html) = post(
        &c,
        &murl,
        &[("_csrf", &csrf), ("language", "en"), ("subject_en", "Got it {{nope}}"), ("body_en", "<b>Thanks</b>")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("&#60;b&#62;Thanks&#60;/b&#62;") && html.contains("nope"), "{html}");
    let (s, to, _) = post(
        &c,
        &murl,
        &[
            ("_csrf", &csrf),
            ("language", "en"),
            ("subject_en", "Got it [#{{ticket.number}}]"),
            ("body_en", "Thanks, {{requester.name}}."),
            ("language", "de"),
            ("subject_de", ""),
            ("body_de", ""),
        ],
    )
    .await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/mail?saved=1"));
    let (_, m) = app.api(&a, Method::GET, "/settings/mail", None).await;
    assert_eq!(m["acknowledge"], false);
    assert_eq!(m["acknowledgement"]["en"]["body"], "Thanks, {{requester.name}}.");
    assert!(m["acknowledgement"].get("de").is_none(), "{m}");
    let changed = audited(&app, &a, "settings.changed").await;
    assert_eq!(changed[0]["target"], "settings:mail");
}

/// Business hours on their page: made from the form (a weekday's periods on one line, holidays in rows), listed
/// with the default marked, refused with the weekday named and what was typed kept, changed, and deleted; the API
/// reads what the page saved, and the page what the API saved.
#[tokio::test]
async fn business_hours_are_made_changed_and_deleted_on_their_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let (_, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let dept = dept["id"].as_str().unwrap().to_string();
    let list = app.url("acme", "/settings/business-hours");
    let (s, html) = get(&c, &list).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No business hours yet"), "{html}");
    let (s, html) = get(&c, &app.url("acme", "/settings/business-hours/new")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"day_mon\" value=\"09:00-17:00\""), "a new calendar starts from office hours");

    // Refused: an overlap on Tuesday and an unknown zone, named as the form names them, what was typed kept.
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Budapest"),
        ("time_zone", "Europe/Nowhere"),
        ("day_mon", "08:00-12:00, 13:00-17:00"),
        ("day_tue", "08:00-12:00, 11:00-13:00"),
        ("holiday_date", "2026-12-25"),
        ("holiday_end", "2026-12-26"),
        ("holiday_name", "Christmas"),
        ("holiday_yearly", "0"),
        ("holiday_date", ""),
        ("holiday_end", ""),
        ("holiday_name", ""),
        ("department", dept.as_str()),
    ];
    let (s, _, html) = post(&c, &list, &form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("time_zone:") && html.contains("tue 11:00-13:00"), "{html}");
    assert!(html.contains("value=\"08:00-12:00, 11:00-13:00\"") && html.contains("value=\"Europe/Nowhere\""));
    assert!(html.contains("value=\"Christmas\"") && html.contains("value=\"0\" checked"), "holidays kept: {html}");
    let (_, all) = app.api(&a, Method::GET, "/business-hours", None).await;
    assert_eq!(all["business_hours"], json!([]), "nothing saved");

    // Saved: listed, the first one the default; the API reads it as the page meant it.
    let mut good = form.to_vec();
    good[2] = ("time_zone", "Europe/Budapest");
    good[4] = ("day_tue", "08:00-12:00; 13:00 – 17:00");
    let (s, to, _) = post(&c, &list, &good).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/business-hours"));
    let (_, all) = app.api(&a, Method::GET, "/business-hours", None).await;
    let h = &all["business_hours"][0];
    assert_eq!(h["default"], true);
    assert_eq!(h["department_ids"], json!([dept]));
    assert_eq!(h["periods"].as_array().unwrap().len(), 4, "{h}");
    assert_eq!(h["periods"][3], json!({"day": "tue", "start": "13:00", "end": "17:00"}));
    assert_eq!(
        h["holidays"],
        json!([{"date": "2026-12-25", "end_date": "2026-12-26", "name": "Christmas", "yearly": true}])
    );
    let id = h["id"].as_str().unwrap().to_string();
    let (_, html) = get(&c, &list).await;
    assert!(
        html.contains(&format!(
            "href=\"/settings/business-hours/{id}\">Budapest</a> <span class=\"pill\">Default</span>"
        )),
        "{html}"
    );
    assert!(html.contains("Monday 08:00-12:00, 13:00-17:00") && html.contains("Billing"), "{html}");

    // Changed on the API, shown on the page; changed on the page (Tuesday closed, not the default).
    let (s, _) =
        app.api(&a, Method::PATCH, &format!("/business-hours/{id}"), Some(json!({"name": "Budapest team"}))).await;
    assert_eq!(s, StatusCode::OK);
    let edit = app.url("acme", &format!("/settings/business-hours/{id}"));
    let (s, html) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("value=\"Budapest team\"") && html.contains("value=\"0\" checked"), "{html}");
    let changed = [
        ("_csrf", csrf.as_str()),
        ("name", "Budapest team"),
        ("time_zone", "Europe/Budapest"),
        ("day_mon", "08:00-12:00"),
        ("holiday_date", "2026-12-24"),
        ("holiday_end", ""),
        ("holiday_name", ""),
    ];
    let (s, to, _) = post(&c, &edit, &changed).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/business-hours"));
    let (_, h) = app.api(&a, Method::GET, &format!("/business-hours/{id}"), None).await;
    assert_eq!(h["periods"], json!([{"day": "mon", "start": "08:00", "end": "12:00"}]));
    assert_eq!(h["holidays"], json!([{"date": "2026-12-24", "yearly": false}]));
    assert_eq!((h["default"].as_bool(), &h["department_ids"]), (Some(false), &json!([])));

    // Deleted, with the form's token only.
    let (s, _, _) = post(&c, &format!("{edit}/delete"), &[("_csrf", "wrong")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, to, _) = post(&c, &format!("{edit}/delete"), &[("_csrf", csrf.as_str())]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/business-hours"));
    let (s, _) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
