//! The email channel from outside: mail sent with Python's smtplib becomes tickets, replies leave through a relay
//! and thread the way mail clients thread, and hostile or automatic mail is handled without harm.

use crate::helpers::{spawn_with, Options, TestAccount, TestApp};
use parley_test_support::smtp_client::{self, Outgoing, Sent};
use parley_test_support::{CaptureRelay, Captured};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) async fn mail_app() -> (TestApp, TestAccount, CaptureRelay) {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options {
        env: vec![("PARLEY_SMTP_RELAY".into(), relay.url()), ("PARLEY_MAIL_RETRY_DELAYS".into(), "1,1".into())],
        ..Default::default()
    })
    .await;
    let a = app.account("acme", "eu").await;
    app.switch_on_email(&a).await;
    (app, a, relay)
}

fn new_id() -> String {
    format!("{}@client.example", uuid_like())
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("m{}.{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// A plain mail with the headers given (one per line, without the final CRLF).
pub(crate) fn mail(from: &str, to: &str, subject: &str, headers: &[String], body: &str) -> (String, String) {
    let id = new_id();
    let mut m = format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n");
    for h in headers {
        m.push_str(h);
        m.push_str("\r\n");
    }
    m.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    m.push_str(body);
    m.push_str("\r\n");
    (m, id)
}

pub(crate) async fn send(app: &TestApp, from: &str, to: &[&str], data: &str) -> Sent {
    let (addr, from, to, data) =
        (app.smtp, from.to_string(), to.iter().map(|s| s.to_string()).collect::<Vec<_>>(), data.to_string());
    tokio::task::spawn_blocking(move || {
        let to: Vec<&str> = to.iter().map(String::as_str).collect();
        smtp_client::send(addr, &from, &to, &data)
    })
    .await
    .unwrap()
}

async fn tickets(app: &TestApp, a: &TestAccount) -> Vec<Value> {
    let (_, page) = app
        .api(
            a,
            Method::GET,
            "/tickets?status=new,open,pending,resolved,closed,spam&sort=created_at&page[size]=100",
            None,
        )
        .await;
    page["tickets"].as_array().unwrap().clone()
}

/// Wait until the account has `n` tickets.
async fn wait_tickets(app: &TestApp, a: &TestAccount, n: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let t = tickets(app, a).await;
        if t.len() >= n || std::time::Instant::now() > deadline {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn messages(app: &TestApp, a: &TestAccount, ticket: &str) -> Vec<Value> {
    let (_, m) = app.api(a, Method::GET, &format!("/tickets/{ticket}/messages"), None).await;
    m["messages"].as_array().unwrap().clone()
}

/// Wait until a ticket has `n` messages.
async fn wait_messages(app: &TestApp, a: &TestAccount, ticket: &str, n: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let m = messages(app, a, ticket).await;
        if m.len() >= n || std::time::Instant::now() > deadline {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn id_of(h: Option<String>) -> String {
    h.unwrap_or_default().trim().trim_start_matches('<').trim_end_matches('>').to_string()
}

fn mail_to<'a>(got: &'a [Captured], to: &str, kind: &str) -> Vec<&'a Captured> {
    got.iter().filter(|m| m.rcpt_to.iter().any(|r| r == to) && m.text().contains(kind)).collect()
}

#[tokio::test]
async fn mail_opens_a_ticket_and_is_acknowledged() {
    let (app, a, relay) = mail_app().await;
    let (m, original) = mail(
        "Jane Doe <jane@customer.example>",
        "support@acme.localhost",
        "Printer on fire",
        &[],
        "It smells of smoke.",
    );
    send(&app, "jane@customer.example", &["support@acme.localhost"], &m).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await;
    assert_eq!(t.len(), 1);
    assert_eq!((t[0]["subject"].as_str(), t[0]["channel"].as_str()), (Some("Printer on fire"), Some("email")));
    let (_, detail) = app.api(&a, Method::GET, &format!("/tickets/{}", t[0]["id"].as_str().unwrap()), None).await;
    assert_eq!(detail["requester"]["email"], "jane@customer.example");
    assert_eq!(detail["requester"]["name"], "Jane Doe");

    // The mail as received can be downloaded byte for byte, only by its own account.
    let first = &messages(&app, &a, t[0]["id"].as_str().unwrap()).await[0];
    let path = format!("/api/v1/messages/{}/original", first["id"].as_str().unwrap());
    let res = app.http.get(app.url("acme", &path)).bearer_auth(&a.api_key).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "message/rfc822");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), m.as_bytes());
    let other = app.account("globex", "eu").await;
    let res = app.http.get(app.url("globex", &path)).bearer_auth(&other.api_key).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let got = relay.wait_for(1, 15).await;
    let ack = got.first().expect("an acknowledgement");
    assert_eq!(ack.rcpt_to, vec!["jane@customer.example".to_string()]);
    assert_eq!(ack.header("Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(ack.header("X-Auto-Response-Suppress").as_deref(), Some("All"));
    assert!(ack.header("Subject").unwrap().contains("[#1]"));
    assert_eq!(id_of(ack.header("In-Reply-To")), original);
    assert!(id_of(ack.header("Message-ID")).ends_with("@acme.localhost"));
    assert!(ack.header("From").unwrap().contains("support@acme.localhost"));

    // Recipients that are not ours are refused at RCPT.
    for to in ["someone@other.example", "support@ghost.localhost"] {
        let (m, _) = mail("jane@customer.example", to, "Hello", &[], "x");
        let e = send(&app, "jane@customer.example", &[to], &m).await.unwrap_err();
        assert!(e.contains("550"), "{to}: {e}");
    }
}

#[tokio::test]
async fn acknowledgements_speak_the_language_the_mail_declared() {
    let (app, _a, relay) = mail_app().await;
    let cases = [("hu-HU", "Megkaptuk"), ("de", "Wir haben Ihre Anfrage"), ("fr", "We received your request")];
    for (i, (lang, _)) in cases.iter().enumerate() {
        let from = format!("c{i}@customer.example");
        let (m, _) = mail(&from, "support@acme.localhost", "Hilfe", &[format!("Content-Language: {lang}")], "x");
        send(&app, &from, &["support@acme.localhost"], &m).await.unwrap();
    }
    let got = relay.wait_for(cases.len(), 15).await;
    for (i, (lang, expected)) in cases.iter().enumerate() {
        let to = format!("c{i}@customer.example");
        let ack = got.iter().find(|m| m.rcpt_to.contains(&to)).unwrap_or_else(|| panic!("no acknowledgement to {to}"));
        let subject = ack.header("Subject").unwrap_or_default();
        assert!(subject.contains(expected), "{lang}: {subject}");
    }
}

#[tokio::test]
async fn replies_thread_the_way_mail_clients_thread() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, first) = mail(jane, "support@acme.localhost", "Invoice wrong", &[], "I was charged twice.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let t1 = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    let ack = relay.wait_for(1, 15).await[0].clone();

    // The agent answers through the API: the customer gets mail that threads under hers.
    let (s, _) =
        app.api(&a, Method::POST, &format!("/tickets/{t1}/messages"), Some(json!({"body": "Refunded."}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let got = relay.wait_for(2, 15).await;
    let reply = got.iter().find(|m| m.text().contains("Refunded.")).expect("the reply went out");
    assert_eq!(reply.rcpt_to, vec![jane.to_string()]);
    assert_eq!(id_of(reply.header("In-Reply-To")), first);
    assert!(reply.header("References").unwrap().contains(&first));
    assert_eq!(reply.header("Subject").as_deref(), Some("Re: Invoice wrong [#1]"));
    assert!(reply.header("Content-Type").unwrap().contains("multipart/"));
    assert!(reply.header("Auto-Submitted").is_none(), "a person's reply is not automatic");
    let reply_id = id_of(reply.header("Message-ID"));
    // The relay has it; the outcome is recorded right after.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let m = wait_messages(&app, &a, &t1, 2).await;
        if m[1]["email"]["delivery"]["status"] == "sent" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the reply is marked sent: {:?}", m[1]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // In-Reply-To only, References only, the subject token only: all find ticket 1.
    let (m, _) = mail(jane, "support@acme.localhost", "thanks", &[format!("In-Reply-To: <{reply_id}>")], "Thanks!");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let ack_id = id_of(ack.header("Message-ID"));
    let (m, _) = mail(
        jane,
        "support@acme.localhost",
        "one more",
        &[format!("References: <zz@elsewhere> <{ack_id}>")],
        "And another thing.",
    );
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let (m, _) = mail(jane, "support@acme.localhost", "Re: Invoice wrong [#1]", &[], "By subject.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let msgs = wait_messages(&app, &a, &t1, 5).await;
    let bodies: Vec<&str> = msgs.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 5, "{bodies:?}");
    assert!(bodies.contains(&"Thanks!") && bodies.contains(&"And another thing.") && bodies.contains(&"By subject."));

    // Nothing to go by: a new ticket. A stranger quoting the token: a new ticket too, not a reply in #1.
    let (m, _) = mail(jane, "support@acme.localhost", "Another topic", &[], "New question.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let (m, _) = mail("mallory@evil.example", "support@acme.localhost", "Re: Invoice wrong [#1]", &[], "Let me in.");
    send(&app, "mallory@evil.example", &["support@acme.localhost"], &m).await.unwrap();
    let all = wait_tickets(&app, &a, 3).await;
    assert_eq!(all.len(), 3);
    assert!(
        !messages(&app, &a, &t1).await.iter().any(|m| m["body"] == "Let me in."),
        "no silent reply in a stranger's ticket"
    );

    // A person copied on the first mail may answer in the ticket.
    let (m, _) = mail(
        "bob@customer.example",
        "support@acme.localhost",
        "Team issue",
        &["Cc: carol@customer.example".into()],
        "Our team cannot log in.",
    );
    send(&app, "bob@customer.example", &["support@acme.localhost"], &m).await.unwrap();
    let all = wait_tickets(&app, &a, 4).await;
    let team = all.iter().find(|t| t["subject"] == "Team issue").unwrap();
    let (tid, n) = (team["id"].as_str().unwrap().to_string(), team["number"].as_i64().unwrap());
    let (m, _) = mail(
        "carol@customer.example",
        "support@acme.localhost",
        &format!("Re: Team issue [#{n}]"),
        &[],
        "Same for me.",
    );
    send(&app, "carol@customer.example", &["support@acme.localhost"], &m).await.unwrap();
    let team_msgs = wait_messages(&app, &a, &tid, 2).await;
    assert_eq!(team_msgs.len(), 2);
    assert_eq!(wait_tickets(&app, &a, 4).await.len(), 4, "carol's answer opened nothing new");
}

#[tokio::test]
async fn agents_answer_by_mail_only_through_the_signed_address() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, _) = mail(jane, "support@acme.localhost", "Broken login", &[], "I cannot log in.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await[0].clone();
    let tid = t["id"].as_str().unwrap().to_string();
    let (_, agents) = app.api(&a, Method::GET, "/agents", None).await;
    let owner = agents["agents"][0].clone();
    app.api(&a, Method::PATCH, &format!("/tickets/{tid}"), Some(json!({"assignee_id": owner["id"]}))).await;

    // The customer writes again: the assignee is told, with a signed reply address.
    let (m, _) = mail(jane, "support@acme.localhost", "Re: Broken login [#1]", &[], "Still broken.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    relay.wait_for(2, 15).await;
    let got = relay.mail();
    let notice = mail_to(&got, &a.email, "Still broken.").first().copied().cloned().expect("the assignee is notified");
    let reply_to = notice.header("Reply-To").unwrap();
    assert!(reply_to.starts_with("reply+") && reply_to.ends_with("@acme.localhost"), "{reply_to}");
    assert_eq!(notice.header("Auto-Submitted").as_deref(), Some("auto-replied"));

    // Someone using the agent's address without the signed mark: not an agent reply.
    let (m, _) = mail(&a.email, "support@acme.localhost", "Re: Broken login [#1]", &[], "I am the agent, honest.");
    send(&app, &a.email, &["support@acme.localhost"], &m).await.unwrap();
    // The agent answers the notification: an agent's reply, sent on to the customer.
    let (m, _) = mail(&a.email, &reply_to, "Re: notice", &[], "Reset your password from the login page.");
    send(&app, &a.email, &[reply_to.as_str()], &m).await.unwrap();
    let msgs = wait_messages(&app, &a, &tid, 4).await;
    let answer = msgs
        .iter()
        .find(|m| m["body"] == "Reset your password from the login page.")
        .expect("the agent's answer is in the ticket");
    assert_eq!(answer["author"]["type"], "agent");
    assert!(!msgs.iter().any(|m| m["body"] == "I am the agent, honest."), "the forged mail is not in the ticket");
    let all = wait_tickets(&app, &a, 2).await;
    let forged = all.iter().find(|t| t["id"] != tid.as_str()).expect("the forged mail opened its own ticket");
    let fm = messages(&app, &a, forged["id"].as_str().unwrap()).await;
    assert_eq!(fm[0]["author"]["type"], "contact");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while mail_to(&relay.mail(), "jane@customer.example", "Reset your password").is_empty()
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        mail_to(&relay.mail(), "jane@customer.example", "Reset your password").len(),
        1,
        "the answer reached the customer"
    );
}

#[tokio::test]
async fn automatic_mail_is_never_answered_and_floods_are_contained() {
    let (app, a, relay) = mail_app().await;
    for (i, h) in ["Auto-Submitted: auto-replied", "Precedence: bulk", "List-Id: <news.example.com>"].iter().enumerate()
    {
        let from = format!("robot{i}@customer.example");
        let (m, _) = mail(&from, "support@acme.localhost", "Out of office", &[h.to_string()], "I am away.");
        send(&app, &from, &["support@acme.localhost"], &m).await.unwrap();
    }
    // The null sender: an automatic message too.
    let (m, _) = mail("mailer-daemon@customer.example", "support@acme.localhost", "Note", &[], "Automatic.");
    send(&app, "", &["support@acme.localhost"], &m).await.unwrap();
    assert_eq!(wait_tickets(&app, &a, 4).await.len(), 4, "they are kept as tickets");
    // A runaway sender: 30 mails in a row open at most 20 tickets and get at most 3 acknowledgements.
    let flood: Vec<(String, String)> = (0..30)
        .map(|i| mail("loop@flood.example", "support@acme.localhost", &format!("Loop {i}"), &[], "again"))
        .collect();
    let msgs: Vec<Outgoing> = flood
        .iter()
        .map(|(m, _)| Outgoing { from: "loop@flood.example", to: vec!["support@acme.localhost"], data: m.clone() })
        .collect();
    let addr = app.smtp;
    let owned: Vec<(String, String)> = msgs.iter().map(|m| (m.from.to_string(), m.data.clone())).collect();
    let results = tokio::task::spawn_blocking(move || {
        let batch: Vec<Outgoing> = owned
            .iter()
            .map(|(f, d)| Outgoing { from: f, to: vec!["support@acme.localhost"], data: d.clone() })
            .collect();
        smtp_client::send_all(addr, &batch)
    })
    .await
    .unwrap();
    assert!(results.iter().all(|r| r.is_ok()), "every mail is taken (and kept)");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let t = tickets(&app, &a).await;
        let flooded = t.iter().filter(|t| t["subject"].as_str().unwrap().starts_with("Loop")).count();
        if flooded >= 20 || std::time::Instant::now() > deadline {
            assert_eq!(flooded, 20, "the flood stops at 20 tickets");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = relay.mail();
    assert_eq!(
        got.iter().filter(|m| m.rcpt_to.iter().any(|r| r == "loop@flood.example")).count(),
        3,
        "three acknowledgements at most"
    );
    assert!(
        !got.iter().any(|m| m.rcpt_to.iter().any(|r| r.starts_with("robot") || r.starts_with("mailer-daemon"))),
        "machines get no answer"
    );
}

#[tokio::test]
async fn bounces_mark_the_failed_message() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, _) = mail(jane, "support@acme.localhost", "Hello", &[], "Hi.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let tid = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    app.api(&a, Method::POST, &format!("/tickets/{tid}/messages"), Some(json!({"body": "Our answer."}))).await;
    let got = relay.wait_for(2, 15).await;
    let reply = got.iter().find(|m| m.text().contains("Our answer.")).unwrap();
    let reply_id = id_of(reply.header("Message-ID"));
    let dsn = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\nTo: support@acme.localhost\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <{}>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
         --b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.example\r\n\r\n\
         Final-Recipient: rfc822; jane@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n\
         --b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{reply_id}>\r\nSubject: Re: Hello [#1]\r\n\r\n--b1--\r\n",
        new_id()
    );
    send(&app, "", &["support@acme.localhost"], &dsn).await.unwrap();
    let msgs = wait_messages(&app, &a, &tid, 3).await;
    let note = msgs.iter().find(|m| m["internal"] == true).expect("the bounce is noted on the ticket");
    assert!(note["body"].as_str().unwrap().contains("jane@customer.example"), "{note}");
    let answer = msgs.iter().find(|m| m["body"] == "Our answer.").unwrap();
    assert_eq!(answer["email"]["delivery"]["status"], "failed", "{answer}");
    assert_eq!(tickets(&app, &a).await.len(), 1, "a bounce opens no ticket");
    assert_eq!(relay.mail().len(), 2, "and is not answered");
}

#[tokio::test]
async fn hostile_mail_is_taken_apart_safely() {
    let (app, a, _relay) = mail_app().await;
    let from = "eve@attacker.example";
    let html = "<p>Hi <b>there</b></p><script>alert(1)</script><img src=x onerror=alert(2)>\
                <a href=\"javascript:alert(3)\">click</a><img src=\"https://tracker.example/p.gif\">";
    let names = ["../../x", "\u{200B}.htaccess", "x.phtml", "..\\..\\win.ini"];
    let mut parts = String::new();
    for n in names {
        parts.push_str(&format!("--outer\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{n}\"\r\n\r\npayload\r\n"));
    }
    let raw = format!(
        "From: {from}\r\nTo: support@acme.localhost\r\nSubject: =?utf-8?B?w6FydsOtenTFsXLFkQ==?=\r\nMessage-ID: <{}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n{parts}--outer--\r\n",
        new_id()
    );
    send(&app, from, &["support@acme.localhost"], &raw).await.unwrap();
    // Broken MIME: an unterminated boundary and a charset nobody knows.
    let broken = format!(
        "From: {from}\r\nTo: support@acme.localhost\r\nSubject: broken\r\nMessage-ID: <{}>\r\nContent-Type: multipart/mixed; boundary=\"never\"\r\n\r\n\
         --never\r\nContent-Type: text/plain; charset=x-unknown-9\r\n\r\nstill readable\r\n",
        new_id()
    );
    send(&app, from, &["support@acme.localhost"], &broken).await.unwrap();
    // 10,000 parts.
    let mut many = format!("From: {from}\r\nTo: support@acme.localhost\r\nSubject: many parts\r\nMessage-ID: <{}>\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n\r\n", new_id());
    for i in 0..10_000 {
        many.push_str(&format!("--p\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n"));
    }
    many.push_str("--p--\r\n");
    send(&app, from, &["support@acme.localhost"], &many).await.unwrap();
    let all = wait_tickets(&app, &a, 3).await;
    assert_eq!(all.len(), 3, "every hostile mail was taken and processed");

    let t = all.iter().find(|t| t["subject"] == "árvíztűrő").expect("the encoded subject is decoded");
    let msgs = messages(&app, &a, t["id"].as_str().unwrap()).await;
    let html = msgs[0]["html"].as_str().unwrap_or("");
    for bad in ["<script", "onerror", "javascript:", " src=\"https://tracker"] {
        assert!(!html.to_ascii_lowercase().contains(bad), "sanitized HTML holds {bad}: {html}");
    }
    assert!(
        html.contains("data-remote-src=\"https://tracker.example/p.gif\""),
        "remote images wait to be asked for: {html}"
    );
    // In the agent's page too, until the agent asks for that message's images.
    let (agent, status) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page_url = app.url("acme", &format!("/tickets/{}", t["number"]));
    let strict = agent.get(&page_url).send().await.unwrap();
    assert!(strict.headers()["content-security-policy"].to_str().unwrap().contains("img-src 'self' data:;"));
    let page = strict.text().await.unwrap();
    assert!(page.contains("data-remote-src=\"https://tracker.example/p.gif\""), "{page}");
    assert!(!page.contains(" src=\"https://tracker.example"), "{page}");
    let message_id = msgs[0]["id"].as_str().unwrap();
    let ask = format!("?images={message_id}#m-{message_id}");
    assert!(page.contains(&ask), "a way to ask for the images: {page}");
    let asked = agent.get(format!("{page_url}?images={message_id}")).send().await.unwrap();
    let policy = asked.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("img-src 'self' data: https: http:;") && policy.contains("script-src 'self'"), "{policy}");
    let shown = asked.text().await.unwrap();
    assert!(
        shown.contains("<img src=\"https://tracker.example/p.gif\" referrerpolicy=\"no-referrer\">"),
        "asked for, the image loads without telling where from: {shown}"
    );
    assert!(!shown.contains("onerror") && !shown.contains("javascript:alert"), "{shown}");
    assert!(html.contains("<b>there</b>"));
    let files: Vec<&str> =
        msgs[0]["attachments"].as_array().unwrap().iter().map(|a| a["filename"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 4, "{files:?}");
    for f in &files {
        assert!(
            !f.contains('/') && !f.contains('\\') && !f.starts_with('.') && !f.contains('\u{200B}'),
            "unsafe name {f:?}"
        );
    }
    // Downloads are downloads, never pages.
    let att = &msgs[0]["attachments"][0];
    let res = app
        .http
        .get(app.url("acme", &format!("/api/v1/attachments/{}", att["id"].as_str().unwrap())))
        .bearer_auth(&a.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"payload");
}

#[tokio::test]
async fn a_huge_attachment_is_dropped_with_a_note_and_the_mail_kept() {
    let (app, a, _relay) = mail_app().await;
    let from = "big@customer.example";
    let chunk = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n";
    let body: String = chunk.repeat(26 * 1024 * 1024 / 60);
    let raw = format!(
        "From: {from}\r\nTo: support@acme.localhost\r\nSubject: Big file\r\nMessage-ID: <{}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"huge.pdf\"\r\n\r\n{body}--b--\r\n",
        new_id()
    );
    send(&app, from, &["support@acme.localhost"], &raw).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await;
    let msgs = messages(&app, &a, t[0]["id"].as_str().unwrap()).await;
    assert_eq!(msgs[0]["body"], "See attached.");
    assert!(msgs[0]["attachments"].as_array().unwrap().is_empty());
    let notes = msgs[0]["email"]["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n.as_str().unwrap().contains("huge.pdf")), "{notes:?}");

    // A 50 MB attachment makes a mail over the receiver's limit: refused cleanly at SMTP, and the session lives on.
    let body: String = chunk.repeat(50 * 1024 * 1024 / 60);
    let raw = format!(
        "From: {from}\r\nTo: support@acme.localhost\r\nSubject: Bigger file\r\nMessage-ID: <{}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}--b--\r\n",
        new_id()
    );
    let e = send(&app, from, &["support@acme.localhost"], &raw).await.unwrap_err();
    assert!(e.contains("552"), "{e}");
    assert_eq!(tickets(&app, &a).await.len(), 1);
}

#[tokio::test]
async fn providers_post_signed_mail() {
    let (app, a, _relay) = mail_app().await;
    let (s, mb) = app
        .api(&a, Method::POST, "/mailboxes", Some(json!({"address": "help@acme-corp.example", "name": "Help"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mb}");
    let url = mb["inbound_url"].as_str().unwrap().replace(":8080", &format!(":{}", app.port));
    let secret = parley_domain::webhook::WebhookSecret::parse(mb["inbound_secret"].as_str().unwrap()).unwrap();
    let (raw, _) = mail("kim@customer.example", "help@acme-corp.example", "Posted by a provider", &[], "Via webhook.");
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let post = |sig: String, ts: i64| {
        app.http
            .post(&url)
            .header("content-type", "message/rfc822")
            .header("webhook-id", "msg_1")
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(raw.clone())
            .send()
    };
    assert_eq!(post("v1,AAAA".into(), ts).await.unwrap().status(), 401, "a bad signature is refused");
    assert_eq!(
        post(secret.sign("msg_1", ts - 3600, raw.as_bytes()), ts - 3600).await.unwrap().status(),
        401,
        "an old one too"
    );
    let res = post(secret.sign("msg_1", ts, raw.as_bytes()), ts).await.unwrap();
    assert_eq!(res.status(), 202);
    let t = wait_tickets(&app, &a, 1).await;
    assert_eq!(t[0]["subject"], "Posted by a provider");
    // The mailbox address now reaches the account by SMTP as well.
    let (m, _) = mail("kim@customer.example", "help@acme-corp.example", "By SMTP", &[], "x");
    send(&app, "kim@customer.example", &["help@acme-corp.example"], &m).await.unwrap();
    assert_eq!(wait_tickets(&app, &a, 2).await.len(), 2);
    // Another account cannot claim the address.
    let b = app.account("other", "us").await;
    let (s, _) = app.api(&b, Method::POST, "/mailboxes", Some(json!({"address": "help@acme-corp.example"}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn configured_limits_bound_mail_by_smtp_and_by_webhook() {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options {
        env: vec![
            ("PARLEY_SMTP_RELAY".into(), relay.url()),
            ("PARLEY_MAIL_MAX_MESSAGE_MB".into(), "2".into()),
            ("PARLEY_MAIL_MAX_ATTACHMENT_MB".into(), "1".into()),
        ],
        ..Default::default()
    })
    .await;
    let a = app.account("acme", "eu").await;
    let big = format!("{}\r\n", "x".repeat(70)).repeat(3 * 1024 * 1024 / 72);
    let (m, _) = mail("jane@customer.example", "support@acme.localhost", "Too big", &[], &big);
    let e = send(&app, "jane@customer.example", &["support@acme.localhost"], &m).await.unwrap_err();
    assert!(e.contains("552"), "{e}");

    let (_, mb) = app.api(&a, Method::POST, "/mailboxes", Some(json!({"address": "help@acme-corp.example"}))).await;
    let url = mb["inbound_url"].as_str().unwrap().replace(":8080", &format!(":{}", app.port));
    let res = app
        .http
        .post(&url)
        .header("content-type", "message/rfc822")
        .header("webhook-id", "msg_1")
        .header("webhook-timestamp", "0")
        .header("webhook-signature", "v1,AAAA")
        .body(m)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(tickets(&app, &a).await.is_empty());
}

#[tokio::test]
async fn a_local_mta_hands_mail_on_over_lmtp() {
    let app =
        spawn_with(Options { env: vec![("PARLEY_LMTP_LISTEN".into(), "127.0.0.1:0".into())], ..Default::default() })
            .await;
    let a = app.account("acme", "eu").await;
    let lmtp = app.lmtp.expect("LMTP is received");
    let (good, _) = mail("jane@customer.example", "support@acme.localhost", "Via Postfix", &[], "Handed on.");
    let (stray, _) = mail("jane@customer.example", "nobody@other.example", "Stray", &[], "x");
    let results = tokio::task::spawn_blocking(move || {
        smtp_client::deliver_lmtp(
            lmtp,
            &[
                Outgoing { from: "jane@customer.example", to: vec!["support@acme.localhost"], data: good },
                Outgoing { from: "jane@customer.example", to: vec!["nobody@other.example"], data: stray },
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(results[0], Ok(()));
    assert!(results[1].as_ref().unwrap_err().contains("550"), "{:?}", results[1]);
    let t = wait_tickets(&app, &a, 1).await;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["subject"], "Via Postfix");
    assert_eq!(t[0]["channel"], "email");
}

#[tokio::test]
async fn accounts_word_their_acknowledgements_or_send_none() {
    let (app, a, relay) = mail_app().await;
    let (s, got) = app.api(&a, Method::GET, "/settings/mail", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["acknowledge"], true);
    assert!(got["defaults"]["de"]["subject"].as_str().unwrap().contains("{{ticket.subject}}"), "{got}");

    // A typo in a placeholder and an unusable language are named; nothing is saved.
    let bad = json!({"acknowledge": true, "acknowledgement": {
        "fr": {"subject": "Bien reçu {{ticket.numero}}", "body": "Bonjour"},
        "not a language": {"subject": "x", "body": "y"}}});
    let (s, p) = app.api(&a, Method::PUT, "/settings/mail", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"acknowledgement.fr.subject") && fields.contains(&"acknowledgement.not a language"),
        "{p}"
    );
    assert_eq!(app.api(&a, Method::GET, "/settings/mail", None).await.1["acknowledgement"], json!({}));

    let good = json!({"acknowledge": true, "acknowledgement": {"fr": {
        "subject": "Bien reçu : {{ticket.subject}}",
        "body": "Bonjour {{requester.name}},\nvotre demande n° {{ticket.number}} est enregistrée.\n{{account.name}}"}}});
    let (s, saved) = app.api(&a, Method::PUT, "/settings/mail", Some(good)).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    let (m, _) = mail(
        "Marie <marie@client.example>",
        "support@acme.localhost",
        "Imprimante",
        &["Content-Language: fr-FR".into()],
        "Elle fume.",
    );
    send(&app, "marie@client.example", &["support@acme.localhost"], &m).await.unwrap();
    let got = relay.wait_for(1, 15).await;
    let ack = parley_mime::parse(&got[0].raw, false, &Default::default()).unwrap();
    assert_eq!(ack.subject, "Bien reçu : Imprimante [#1]", "the token is kept");
    assert!(ack.text.contains("Bonjour Marie,\nvotre demande n° 1 est enregistrée."), "{}", ack.text);

    // Acknowledgements off: a new ticket, no mail.
    let (s, _) = app.api(&a, Method::PUT, "/settings/mail", Some(json!({"acknowledge": false}))).await;
    assert_eq!(s, StatusCode::OK);
    let (m, _) = mail("kim@client.example", "support@acme.localhost", "Quiet", &[], "x");
    send(&app, "kim@client.example", &["support@acme.localhost"], &m).await.unwrap();
    assert_eq!(wait_tickets(&app, &a, 2).await.len(), 2);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(relay.mail().iter().all(|m| !m.rcpt_to.contains(&"kim@client.example".to_string())));
}

/// The relay is a third party: an account's conversations reach it only once an owner switched email on.
#[tokio::test]
async fn replies_reach_the_relay_only_once_email_is_switched_on() {
    let relay = CaptureRelay::start().await;
    let app = spawn_with(Options { env: vec![("PARLEY_SMTP_RELAY".into(), relay.url())], ..Default::default() }).await;
    let a = app.account("acme", "eu").await;
    let (m, _) = mail("jane@customer.example", "support@acme.localhost", "Hi", &[], "Anyone there?");
    send(&app, "jane@customer.example", &["support@acme.localhost"], &m).await.unwrap();
    let tid = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    let delivery_of = |body: &'static str| {
        let (app, a, tid) = (&app, &a, tid.clone());
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            loop {
                let all = messages(app, a, &tid).await;
                let d = all.iter().find(|m| m["body"] == body).map(|m| m["email"]["delivery"].clone());
                if let Some(d) = d.filter(|d| d["status"] != "queued") {
                    return d;
                }
                assert!(std::time::Instant::now() < deadline, "still queued: {all:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let (s, _) = app.api(&a, Method::POST, &format!("/tickets/{tid}/messages"), Some(json!({"body": "Off"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let d = delivery_of("Off").await;
    assert_eq!(d["status"], "failed", "{d}");
    assert!(d["reason"].as_str().unwrap().contains("email feature"), "the agent sees why: {d}");
    assert!(relay.mail().is_empty(), "nothing reached the relay");

    app.switch_on_email(&a).await;
    let (s, _) = app.api(&a, Method::POST, &format!("/tickets/{tid}/messages"), Some(json!({"body": "On"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(delivery_of("On").await["status"], "sent");
    let got = relay.wait_for(1, 15).await;
    assert_eq!(got.len(), 1, "only the reply sent after email was switched on");
    assert_eq!(got[0].rcpt_to, vec!["jane@customer.example".to_string()]);
}

/// A reply copies whom the agent names in CC (each checked, each once, never the customer twice); a bad address,
/// a note with CC, or CC on a ticket that is not an email is refused by name and nothing is sent. From the page,
/// a refused reply comes back in the composer as typed.
#[tokio::test]
async fn a_reply_copies_the_people_named_in_cc() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, _) = mail(jane, "support@acme.localhost", "Contract", &[], "Please send the contract.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    relay.wait_for(1, 15).await; // the acknowledgement
    let path = format!("/tickets/{t}/messages");

    let (s, p) = app
        .api(&a, Method::POST, &path, Some(json!({"body": "Here.", "cc": ["boss@customer.example", "not an address"]})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "cc");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("'not an address' is not an email address"), "{p}");
    let (s, p) = app
        .api(&a, Method::POST, &path, Some(json!({"body": "FYI", "internal": true, "cc": ["boss@customer.example"]})))
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cc")));
    let too_many: Vec<String> = (0..21).map(|i| format!("p{i}@customer.example")).collect();
    let (s, _) = app.api(&a, Method::POST, &path, Some(json!({"body": "All", "cc": too_many}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(messages(&app, &a, &t).await.len(), 1, "nothing was stored");

    let cc = json!(["Boss@Customer.example", "boss@customer.example", jane]);
    let (s, msg) = app.api(&a, Method::POST, &path, Some(json!({"body": "Contract attached.", "cc": cc}))).await;
    assert_eq!(s, StatusCode::CREATED, "{msg}");
    let got = relay.wait_for(2, 15).await;
    let reply = got.iter().find(|m| m.text().contains("Contract attached.")).expect("the reply went out");
    let mut rcpt = reply.rcpt_to.clone();
    rcpt.sort();
    assert_eq!(rcpt, vec!["boss@customer.example".to_string(), jane.to_string()], "each once");
    assert_eq!(reply.header("Cc").as_deref().map(str::trim), Some("boss@customer.example"));
    let shown = wait_messages(&app, &a, &t, 2).await;
    assert_eq!(shown[1]["email"]["cc"], json!(["boss@customer.example"]));

    // A ticket that came by the API is answered where it came from: nobody is copied.
    let web = app.ticket(&a, "From the form", "Hello", "joe@example.com").await;
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            &format!("/tickets/{}/messages", web["id"].as_str().unwrap()),
            Some(json!({"body": "Hi", "cc": ["x@example.com"]})),
        )
        .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cc")), "{p}");

    // From the page: the composer offers CC on an email ticket, and keeps a refused reply as typed.
    let (c, s) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = crate::ui::get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(html.contains("name=\"cc\""), "the composer has a CC field");
    let csrf = crate::ui::csrf_in(&html);
    let form = [("_csrf", csrf.as_str()), ("body", "Second copy, <b>signed</b>."), ("cc", "lawyer@@x")];
    let r = c.post(app.url("acme", "/tickets/1/messages")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("cc: &#39;lawyer@@x&#39; is not an email address"), "{html}");
    assert!(html.contains("Second copy, &#60;b&#62;signed&#60;/b&#62;.") && html.contains("value=\"lawyer@@x\""));
    let form = [("_csrf", csrf.as_str()), ("body", "Second copy."), ("cc", "lawyer@customer.example")];
    let r = c.post(app.url("acme", "/tickets/1/messages")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let got = relay.wait_for(3, 15).await;
    let second = got.iter().find(|m| m.text().contains("Second copy.")).expect("sent");
    assert!(second.rcpt_to.contains(&"lawyer@customer.example".to_string()), "{:?}", second.rcpt_to);
    assert!(!second.rcpt_to.contains(&"boss@customer.example".to_string()), "a copy is for one reply only");
}

/// A `multipart/form-data` body, written out by hand as a client would send it: (name, filename, type, bytes).
fn form_data(boundary: &str, parts: &[(&str, Option<&str>, &str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, ctype, data) in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let file = filename.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
        out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n").as_bytes());
        out.extend_from_slice(format!("Content-Type: {ctype}\r\n\r\n").as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// Files attached to a reply: kept with the message in the region, sent with the mail as attachments, served
/// back to agents; too many, empty or unknown parts are refused by name and nothing is stored; the page's form
/// takes them too.
#[tokio::test]
async fn a_reply_carries_files_to_the_customer() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, _) = mail(jane, "support@acme.localhost", "Contract", &[], "Please send the contract.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    relay.wait_for(1, 15).await;
    let url = app.url("acme", &format!("/api/v1/tickets/{t}/messages"));
    let http = parley_test_support::http_client(false);
    let post = |body: Vec<u8>| {
        http.post(&url)
            .bearer_auth(&a.api_key)
            .header("Content-Type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
    };
    let message = br#"{"body": "The contract is attached."}"#;
    let pdf: &[u8] = b"%PDF-1.4 \x00\xff\xfe a tiny binary contract";

    // Refused, named, nothing stored.
    let eleven: Vec<(&str, Option<&str>, &str, &[u8])> =
        std::iter::once(("message", None, "application/json", &message[..]))
            .chain((0..11).map(|_| ("attachments", Some("a.txt"), "text/plain", &b"x"[..])))
            .collect();
    let r = post(form_data("XyZ", &eleven)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(form_data(
        "XyZ",
        &[("message", None, "application/json", message), ("attachments", Some("empty.txt"), "text/plain", b"")],
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = r.json().await.unwrap();
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("'empty.txt' is empty"), "{p}");
    let r = post(form_data("XyZ", &[("attachments", Some("c.pdf"), "application/pdf", pdf)])).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no message part");
    let r =
        post(form_data("XyZ", &[("message", None, "application/json", message), ("evil", None, "text/plain", b"x")]))
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown part");
    assert_eq!(messages(&app, &a, &t).await.len(), 1, "nothing was stored");

    // Sent: the file rides along, named harmlessly, and is kept with the message.
    let parts = [
        ("message", None, "application/json", &message[..]),
        ("attachments", Some("../../etc/contract.pdf"), "application/pdf; x=\"y\"", pdf),
    ];
    let r = post(form_data("XyZ", &parts)).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let msg: Value = r.json().await.unwrap();
    let file = &msg["attachments"][0];
    assert_eq!(
        (file["content_type"].as_str(), file["size"].as_i64()),
        (Some("application/pdf"), Some(pdf.len() as i64))
    );
    let name = file["filename"].as_str().unwrap().to_string();
    assert!(!name.contains('/') && name.ends_with("contract.pdf"), "{name}");
    let got = relay.wait_for(2, 15).await;
    let reply = got.iter().find(|m| m.text().contains("The contract is attached.")).expect("sent");
    let raw = reply.text();
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(pdf);
    assert!(raw.contains(&encoded), "the file's bytes are in the mail: {raw}");
    assert!(raw.contains(&format!("filename=\"{name}\"")), "as an attachment with its name");

    // The file is served back to agents, from the account's region.
    let (c, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let r = c.get(app.url("acme", &format!("/attachments/{}", file["id"].as_str().unwrap()))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);

    // The page's form takes files too (multipart), and a plain form still works.
    let (_, html) = crate::ui::get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("name=\"files\""));
    let csrf = crate::ui::csrf_in(&html);
    let parts = [
        ("_csrf", None, "text/plain", csrf.as_bytes()),
        ("body", None, "text/plain", &b"And the annex."[..]),
        ("files", Some("annex.txt"), "text/plain", &b"annex text"[..]),
        ("files", Some(""), "application/octet-stream", &b""[..]),
    ];
    let r = c
        .post(app.url("acme", "/tickets/1/messages"))
        .header("Content-Type", "multipart/form-data; boundary=XyZ")
        .body(form_data("XyZ", &parts))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let shown = wait_messages(&app, &a, &t, 3).await;
    let files: Vec<&str> =
        shown[2]["attachments"].as_array().unwrap().iter().map(|f| f["filename"].as_str().unwrap()).collect();
    assert_eq!(files, ["annex.txt"], "an empty file field attaches nothing");
}

/// Replies are written in Markdown: the mail's text part is what the agent wrote, its HTML part the rendering,
/// typed HTML shown as text; the preview renders exactly what will be stored and sent.
#[tokio::test]
async fn a_reply_in_markdown_is_mailed_rendered() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, _) = mail(jane, "support@acme.localhost", "Steps", &[], "How do I reset it?");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    relay.wait_for(1, 15).await;
    let written = "Hi **Jane**,\n\n1. Hold the button\n2. Wait for <blink>the light</blink>";

    let (s, p) = app.api(&a, Method::POST, "/messages/preview", Some(json!({"body": written}))).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let html = p["html"].as_str().unwrap().to_string();
    assert!(html.contains("<strong>Jane</strong>") && html.contains("<li>Hold the button</li>"), "{html}");
    assert!(html.contains("&lt;blink&gt;the light&lt;/blink&gt;") && !html.contains("<blink>"), "{html}");
    let (s, _) = app.api(&a, Method::POST, "/messages/preview", Some(json!({"body": ""}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.api(&a, Method::POST, "/messages/preview", Some(json!({"body": "x", "html": "<i>"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");

    let (s, msg) = app.api(&a, Method::POST, &format!("/tickets/{t}/messages"), Some(json!({"body": written}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(msg["html"].as_str(), Some(html.as_str()), "stored as previewed");
    let got = relay.wait_for(2, 15).await;
    let reply = got.iter().find(|m| m.text().contains("Hold the button")).expect("sent");
    let raw = reply.text();
    assert!(raw.contains("Hi **Jane**,"), "the text part is what the agent wrote: {raw}");
    assert!(
        raw.contains("<strong>Jane</strong>") && raw.contains("&lt;blink&gt;"),
        "the HTML part is the rendering: {raw}"
    );
}

/// Wait until `n` mails to `to` whose text contains `what` have reached the relay.
async fn wait_mail_to(relay: &CaptureRelay, to: &str, what: &str, n: usize) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let k = mail_to(&relay.mail(), to, what).len();
        if k >= n || std::time::Instant::now() > deadline {
            return k;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Followers hear of each new public message by mail (the customer's and other agents'), never of their own nor
/// of notes; they follow and stop from the API and the ticket's page; another account sees nothing of them.
#[tokio::test]
async fn followers_hear_of_new_messages() {
    let (app, a, relay) = mail_app().await;
    let jane = "jane@customer.example";
    let (m, _) = mail(jane, "support@acme.localhost", "Contract", &[], "Please send the contract.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    let t = wait_tickets(&app, &a, 1).await[0]["id"].as_str().unwrap().to_string();
    let body = json!({"email": "bill@acme.example", "name": "Bill", "role": "agent"});
    let (s, bill) = app.api(&a, Method::POST, "/agents", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{bill}");
    let bill_id = bill["agent"]["id"].as_str().unwrap().to_string();
    let path = format!("/tickets/{t}/followers");

    let (s, p) = app.api(&a, Method::POST, &path, Some(json!({"agent_id": "nobody"}))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agent_id")));
    let (s, f) = app.api(&a, Method::POST, &path, Some(json!({"agent_id": bill_id}))).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["followers"][0]["name"], "Bill");
    let (_, again) = app.api(&a, Method::POST, &path, Some(json!({"agent_id": bill_id}))).await;
    assert_eq!(again["followers"].as_array().unwrap().len(), 1, "following twice is following once");

    // The owner follows from the page.
    let (c, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = crate::ui::get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(html.contains("Follow this ticket") && html.contains("Bill"), "{html}");
    let csrf = crate::ui::csrf_in(&html);
    let r =
        c.post(app.url("acme", "/tickets/1/follow")).form(&[("_csrf", csrf.as_str()), ("follow", "1")]).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    let (_, html) = crate::ui::get(&c, &app.url("acme", "/tickets/1")).await;
    assert!(html.contains("Stop following"), "the page says so");

    // The customer writes: both followers hear of it.
    let (m, _) = mail(jane, "support@acme.localhost", "Re: Contract [#1]", &[], "Any news on the contract?");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    assert_eq!(wait_mail_to(&relay, "bill@acme.example", "Any news on the contract?", 1).await, 1);
    assert_eq!(wait_mail_to(&relay, &a.email, "Any news on the contract?", 1).await, 1);

    // The owner answers from the page: Bill hears of it, the owner does not hear of their own reply.
    let form = [("_csrf", csrf.as_str()), ("body", "Sending it today.")];
    let r = c.post(app.url("acme", "/tickets/1/messages")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(wait_mail_to(&relay, "bill@acme.example", "Sending it today.", 1).await, 1);
    // A note is not mailed to followers.
    let note = [("_csrf", csrf.as_str()), ("body", "Legal has it."), ("internal", "1")];
    let r = c.post(app.url("acme", "/tickets/1/messages")).form(&note).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Bill stops following; the next message reaches the owner only.
    let (s, f) = app.api(&a, Method::DELETE, &format!("{path}/{bill_id}"), None).await;
    assert_eq!((s, f["followers"].as_array().unwrap().len()), (StatusCode::OK, 1));
    let (m, _) = mail(jane, "support@acme.localhost", "Re: Contract [#1]", &[], "Got it, thanks.");
    send(&app, jane, &["support@acme.localhost"], &m).await.unwrap();
    assert_eq!(wait_mail_to(&relay, &a.email, "Got it, thanks.", 1).await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = relay.mail();
    assert!(mail_to(&got, "bill@acme.example", "Got it, thanks.").is_empty(), "Bill no longer follows");
    assert!(mail_to(&got, &a.email, "Sending it today.").is_empty(), "nobody hears of their own reply");
    assert!(got.iter().all(|m| !m.text().contains("Legal has it.")), "notes are not mailed");

    // Another account sees nothing of them.
    let other = app.account("other", "eu").await;
    let (s, _) = app.api(&other, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
