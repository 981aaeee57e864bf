//! Ticket search from outside, on both engines: words anywhere in a ticket (the 3rd message too), by stem in
//! English, German and Hungarian, phrases, prefixes and numbers; highlighted snippets; filters; never another
//! account's ticket or one of a department the agent cannot see; searchable within a second of a change; gone at
//! once when erased, with no copy of the words left in the region's files.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

async fn search(app: &TestApp, a: &TestAccount, q: &str) -> Vec<i64> {
    let (s, r) = app.api(a, Method::GET, &format!("/search?q={}", urlencode(q)), None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["results"].as_array().unwrap().iter().map(|h| h["ticket"]["number"].as_i64().unwrap()).collect()
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Waits until the query finds what is expected (the indexer runs four times a second); returns how long it took.
async fn until_found(app: &TestApp, a: &TestAccount, q: &str, expected: &[i64]) -> Duration {
    let start = Instant::now();
    loop {
        let mut got = search(app, a, q).await;
        got.sort();
        if got == expected {
            return start.elapsed();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{q}: {got:?}, expected {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ticket(app: &TestApp, a: &TestAccount, subject: &str, messages: &[&str], requester: &str) -> (String, i64) {
    let t = app.ticket(a, subject, messages[0], requester).await;
    let id = t["id"].as_str().unwrap().to_string();
    for m in &messages[1..] {
        let (s, _) = app.api(a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": m}))).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    (id, t["number"].as_i64().unwrap())
}

#[tokio::test]
async fn search_finds_tickets_on_sqlite() {
    finds(Engine::Sqlite).await;
}

#[tokio::test]
async fn search_finds_tickets_on_postgres() {
    finds(Engine::Postgres).await;
}

async fn finds(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let (_, one) = ticket(
        &app,
        &a,
        "Printer trouble",
        &["Hello", "Any news?", "The quokkaflange is broken again"],
        "p@example.com",
    )
    .await;
    let (_, hu) = ticket(&app, &a, "Számla", &["Nem kaptam meg a számláimat a múlt hónapban"], "kati@example.hu").await;
    let (_, de) = ticket(&app, &a, "Frage", &["Die Rechnungen sind falsch berechnet"], "max@example.de").await;
    let (_, fire) = ticket(&app, &a, "Help", &["My printer is on fire, please hurry"], "f@example.com").await;
    let (_, near) = ticket(&app, &a, "Desk", &["Fire near the desk; the printer is fine"], "g@example.com").await;
    ticket(&app, &other, "Elsewhere", &["Their quokkaflange too"], "o@example.com").await;

    let lag = until_found(&app, &a, "quokkaflange", &[one]).await;
    assert!(lag <= Duration::from_secs(1), "searchable within a second: {lag:?}");
    // The last ticket written, found too: what follows reads every ticket (on a busy machine the others may be a
    // batch behind the first).
    let lag = until_found(&app, &a, "desk", &[near]).await;
    assert!(lag <= Duration::from_secs(1), "searchable within a second: {lag:?}");
    assert_eq!(search(&app, &a, "számla").await, [hu], "Hungarian by stem");
    assert_eq!(search(&app, &a, "Rechnung").await, [de], "German by stem");
    assert_eq!(search(&app, &a, "\"printer is on fire\"").await, [fire], "a phrase, not the words anywhere");
    let mut both = search(&app, &a, "printer fire").await;
    both.sort();
    assert_eq!(both, [fire, near], "words anywhere");
    // Ranked: the ticket all about a word comes before the newer one that mentions it in passing.
    let (_, dense) =
        ticket(&app, &a, "Toner smudges", &["Toner smudges again: toner everywhere"], "t@example.com").await;
    let passing = "Our office moved last week and the new desks arrived, the chairs too, and the coffee machine \
                   finally works; someone said toner might be low but everything else is fine and the lights are good";
    let (_, sparse) = ticket(&app, &a, "Office move", &[passing], "u@example.com").await;
    until_found(&app, &a, "office", &[sparse]).await;
    assert_eq!(search(&app, &a, "toner").await, [dense, sparse], "ranked by relevance, not age");
    assert_eq!(search(&app, &a, "quokka*").await, [one], "a prefix");
    let (_, typed) = app.api(&a, Method::GET, "/search?q=quokkafl&as_you_type=true", None).await;
    assert_eq!(typed["results"][0]["ticket"]["number"], one, "as you type: {typed}");
    assert_eq!(search(&app, &a, &format!("#{one}")).await, [one], "by number");
    assert_eq!(search(&app, &a, "kati").await, [hu], "by requester");
    assert_eq!(search(&app, &other, "quokkaflange").await.len(), 1, "each account its own");
    let (_, r) = app.api(&a, Method::GET, "/search?q=quokkaflange", None).await;
    let snippet = r["results"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>quokkaflange</mark>"), "{snippet}");
    let (_, r) = app.api(&a, Method::GET, "/search?q=printer&status=pending", None).await;
    assert_eq!(r["results"].as_array().unwrap().len(), 0, "filtered by status: {r}");
    for bad in ["/search?q=", "/search?q=%21%21", "/search?q=x&status=nope", "/search?q=x&from=yesterday", "/search"] {
        let (s, p) = app.api(&a, Method::GET, bad, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {p}");
    }

    // A change is searchable within a second.
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            &format!("/tickets/{}/messages", id_of(&app, &a, de).await),
            Some(json!({"body": "Zebrafink"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let lag = until_found(&app, &a, "zebrafink", &[de]).await;
    assert!(lag <= Duration::from_secs(1), "{lag:?}");
}

async fn id_of(app: &TestApp, a: &TestAccount, number: i64) -> String {
    let (_, t) = app.api(a, Method::GET, "/tickets?page[size]=100", None).await;
    t["tickets"].as_array().unwrap().iter().find(|t| t["number"] == number).unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn agents_find_only_what_they_may_see_and_erased_words_leave_no_trace() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (_, billing) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let (_, tech) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Tech"}))).await;
    for (subject, dept) in [("Billing wombatquery", &billing), ("Tech wombatquery", &tech)] {
        let body = json!({"subject": subject, "message": {"body": "x"}, "requester": {"email": "j@example.com"},
            "department_id": dept["id"]});
        let (s, _) = app.api(&a, Method::POST, "/tickets", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    until_found(&app, &a, "wombatquery", &[1, 2]).await;
    let (_, session) = crate::chat_routing::agent(&app, &a, "Bill", &[&billing]).await;
    let page = app
        .http
        .get(app.url("acme", "/search?q=wombatquery"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Billing <mark>wombatquery</mark>") || page.contains("Billing wombatquery"), "{page}");
    assert!(!page.contains("Tech wombatquery"), "another department's ticket is not found");

    // A customer asks to be forgotten: their ticket is gone from search at once, and their words from the files.
    let needle = "zyxquagmireword";
    let t = app.ticket(&a, "Forget me", &format!("My secret is {needle}"), "forget@example.com").await;
    until_found(&app, &a, needle, &[t["number"].as_i64().unwrap()]).await;
    let contact = t["requester_id"].as_str().unwrap();
    let (s, report) = app.api(&a, Method::POST, &format!("/contacts/{contact}/erase"), None).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(search(&app, &a, needle).await, Vec::<i64>::new(), "gone at once");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(crate::erasure::files_holding(app.data(), needle), Vec::<String>::new());

    // The index is rebuilt from the tickets by `parley reindex`, with a progress bar.
    let o = crate::cli::parley(app.data(), &["reindex", "--slug", "acme"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("eu: [##############################] 2/2") && out.contains("2 tickets indexed for acme"),
        "{out}"
    );
    assert_eq!(search(&app, &a, "wombatquery").await.len(), 2);
    let o = crate::cli::parley(app.data(), &["reindex", "--slug", "Not A Slug"], &[]);
    assert!(!o.status.success());
}

/// The health endpoint reports each region's search backlog as the indexer last counted it, and on SQLite the
/// write-ahead log's size beside it; a region that keeps up is not behind and refuses nothing.
#[tokio::test]
async fn health_reports_the_search_backlog_and_the_log() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let app = spawn_app(engine).await;
        let a = app.account("acme", "eu").await;
        let (_, n) = ticket(&app, &a, "Health check printer", &["first"], "h@example.com").await;
        until_found(&app, &a, "printer", &[n]).await;
        let start = Instant::now();
        let eu = loop {
            let h: serde_json::Value =
                app.http.get(app.root_url("/healthz")).send().await.unwrap().json().await.unwrap();
            let eu = h["regions"].as_array().and_then(|r| r.iter().find(|r| r["place"] == "eu").cloned());
            if let Some(eu) = eu.filter(|eu| eu["search_backlog"] == 0) {
                assert_eq!(h["status"], "ok", "{h}");
                break eu;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no backlog of eu reported: {h}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(eu["search_behind"], false, "{eu}");
        assert_eq!(eu["refusing_new_tickets"], false, "{eu}");
        match engine {
            Engine::Sqlite => assert!(eu["wal_bytes"].as_u64().is_some(), "{eu}"),
            Engine::Postgres => assert!(eu["wal_bytes"].is_null(), "{eu}"),
        }
    }
}
