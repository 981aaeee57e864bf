//! The "SLA due" column of a ticket list: a ticket under a policy shows its soonest due time in the agent's time
//! zone (once the SLA watch has recorded it), a breached or paused one a pill saying so, a ticket without SLA an
//! empty cell; the column's header orders by what is due soonest. On both engines.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::ui::{csrf_in, get, sign_in};
use parley_domain::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};

/// The list's row of the ticket numbered `number`.
fn row_of(html: &str, number: i64) -> &str {
    let start =
        html.find(&format!("data-number=\"{number}\"")).unwrap_or_else(|| panic!("#{number} not listed: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

/// The SLA cell of a row.
fn sla_cell(row: &str) -> &str {
    let start = row.find("data-f=\"sla_due\"").unwrap_or_else(|| panic!("no SLA cell: {row}"));
    let rest = &row[start..];
    &rest[..rest.find("</td>").unwrap()]
}

/// Reads the list until `ready` holds for it (the watch records a ticket's SLA twice a second).
async fn list_until(c: &reqwest::Client, url: &str, what: &str, ready: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (s, html) = get(c, url).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        if ready(&html) {
            return html;
        }
        assert!(Instant::now() < deadline, "{what}: {html}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn number(app: &TestApp, a: &TestAccount, subject: &str, priority: &str) -> (String, i64) {
    let (s, t) = app
        .api(
            a,
            Method::POST,
            "/tickets",
            Some(
                json!({"subject": subject, "message": {"body": "Help"}, "requester": {"email": "jane@customer.example"},
                "priority": priority}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    (t["id"].as_str().unwrap().to_string(), t["number"].as_i64().unwrap())
}

async fn sla_due_story(engine: Engine) {
    let app = spawn_app(engine).await;
    // Friday 9 January 2026, 15:30 UTC: 10:30 for an agent in New York. The clock stands still until moved.
    app.app.regions.clock().set(Timestamp::parse("2026-01-09T15:30:00Z").unwrap());
    let a = app.account("acme", "eu").await;
    let (c, s) = sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url("acme", "/profile")).await;
    let csrf = csrf_in(&html);
    let profile = [("_csrf", csrf.as_str()), ("name", "Owner"), ("language", "en"), ("time_zone", "America/New_York")];
    let r = c.post(app.url("acme", "/profile")).form(&profile).send().await.unwrap();
    assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/sla-policies",
            Some(json!({"name": "Urgent", "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}]},
                "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": false}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, due) = number(&app, &a, "Printer on fire", "urgent").await;
    let (_, calm) = number(&app, &a, "A question", "normal").await;
    let (waiting_id, waiting) = number(&app, &a, "Waiting on the customer", "urgent").await;
    let (s, _) =
        app.api(&a, Method::PATCH, &format!("/tickets/{waiting_id}"), Some(json!({"status": "pending"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .api(
            &a,
            Method::POST,
            "/views",
            Some(json!({"name": "Due", "columns": ["number", "subject", "sla_due"], "sort": "sla_due"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let view = app.url("acme", &format!("/tickets?view={}", v["id"].as_str().unwrap()));

    // Due at 16:30 UTC, shown as 11:30 in New York (the exact instant in `datetime` for the page's script).
    let html = list_until(&c, &view, "the urgent ticket's due time", |h| {
        h.contains(&format!("data-number=\"{due}\"")) && sla_cell(row_of(h, due)).contains("<time")
    })
    .await;
    assert!(html.contains("SLA due"), "the column's header: {html}");
    assert!(html.contains("class=\"col-sla_due\" aria-sort=\"ascending\""), "ordered by it, soonest first: {html}");
    let cell = sla_cell(row_of(&html, due));
    assert!(
        cell.contains("<time datetime=\"2026-01-09T16:30:00Z\" title=\"2026-01-09 11:30\">2026-01-09 11:30</time>"),
        "{cell}"
    );
    assert!(!cell.contains("pill"), "running: the time says it all: {cell}");
    assert!(!sla_cell(row_of(&html, calm)).contains("<time"), "no SLA, no time");
    let html =
        list_until(&c, &view, "the pending ticket paused", |h| sla_cell(row_of(h, waiting)).contains("sla-paused"))
            .await;
    let cell = sla_cell(row_of(&html, waiting));
    assert!(cell.contains("<span class=\"pill sla-paused\">paused</span>") && !cell.contains("<time"), "{cell}");
    // Soonest first: the ticket with a due time before those without one.
    assert!(html.find(&format!("data-number=\"{due}\"")) < html.find(&format!("data-number=\"{calm}\"")), "{html}");

    // Past its due time the ticket is breached, and says so.
    app.app.regions.clock().set(Timestamp::parse("2026-01-09T16:31:00Z").unwrap());
    let html = list_until(&c, &view, "the breach", |h| sla_cell(row_of(h, due)).contains("sla-breached")).await;
    assert!(sla_cell(row_of(&html, due)).contains("<span class=\"pill sla-breached\">breached</span>"), "{html}");

    // A view without the column shows no SLA cell.
    let (_, html) = get(&c, &app.url("acme", "/tickets?view=all_open")).await;
    assert!(!html.contains("data-f=\"sla_due\"") && !html.contains("col-sla_due"), "{html}");
}

#[tokio::test]
async fn the_sla_due_column_shows_due_times_and_breaches_on_sqlite() {
    sla_due_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_sla_due_column_shows_due_times_and_breaches_on_postgres() {
    sla_due_story(Engine::Postgres).await;
}
