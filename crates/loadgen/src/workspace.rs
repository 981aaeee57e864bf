//! The agent workspace's own figures, measured on the views benchmark's account: the ticket page as the server
//! renders it for a signed-in agent, and a bulk change of 100 tickets.

use crate::stats::{ms, Latencies};
use anyhow::Context;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Signs the owner in as a browser would (the form's CSRF token, the session cookie) and returns that client.
pub(crate) async fn signed_in(site: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let http = parley_test_support::http_client(true);
    let form = http.get(format!("{site}/login")).send().await?.text().await?;
    let at = form.find("name=\"_csrf\" value=\"").context("a CSRF field on the sign-in page")? + 20;
    let csrf = form[at..].split('"').next().unwrap_or_default().to_string();
    let r = http
        .post(format!("{site}/login"))
        .form(&[("email", email), ("password", password), ("_csrf", csrf.as_str())])
        .send()
        .await?;
    anyhow::ensure!(r.status().is_redirection(), "signing in answered {}", r.status());
    Ok(http)
}

/// `GET /tickets/{number}` for tickets spread over the account, one request at a time (the server's time for one
/// page, not its throughput), for `seconds`.
pub async fn ticket_page(site: &str, email: &str, password: &str, numbers: u64, seconds: u64) -> anyhow::Result<()> {
    let http = signed_in(site, email, password).await?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut lat, mut i) = (Vec::new(), 0u64);
    while Instant::now() < deadline {
        // A stride through the numbers: every part of the account, no two pages the same in a row.
        let number = 1 + (i * 7_919) % numbers;
        i += 1;
        let t = Instant::now();
        let r = http.get(format!("{site}/tickets/{number}")).send().await?;
        let ok = r.status().is_success();
        r.bytes().await?;
        anyhow::ensure!(ok, "ticket page #{number} failed");
        lat.push(t.elapsed());
    }
    let lat = Latencies::new(lat);
    println!(
        "ticket page (signed in)    {:>8} pages  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        lat.count(),
        ms(lat.pct(50.0)),
        ms(lat.pct(99.0)),
        ms(lat.pct(100.0))
    );
    Ok(())
}

/// `POST /tickets/bulk` on 100 open tickets, ten times, alternating their priority.
pub async fn bulk(api: &str, key: &str) -> anyhow::Result<()> {
    let http = parley_test_support::http_client(false);
    let list: Value =
        http.get(format!("{api}/tickets?status=open&page[size]=100")).bearer_auth(key).send().await?.json().await?;
    let ids: Vec<Value> = list["tickets"].as_array().context("tickets")?.iter().map(|t| t["id"].clone()).collect();
    anyhow::ensure!(ids.len() == 100, "found {} open tickets, not 100", ids.len());
    let mut lat = Vec::new();
    for round in 0..10 {
        let priority = if round % 2 == 0 { "high" } else { "low" };
        let t = Instant::now();
        let r = http
            .post(format!("{api}/tickets/bulk"))
            .bearer_auth(key)
            .json(&json!({"ids": ids, "changes": {"priority": priority}}))
            .send()
            .await?;
        let status = r.status();
        let body: Value = r.json().await?;
        lat.push(t.elapsed());
        let updated = body["updated"].as_array().map(Vec::len).unwrap_or(0);
        anyhow::ensure!(
            status.is_success() && updated == 100,
            "bulk round {round}: {status}, {updated} updated: {body}"
        );
    }
    let lat = Latencies::new(lat);
    println!(
        "bulk change of 100 tickets {:>8} rounds p50 {:>7.2} ms  max {:>7.2} ms",
        lat.count(),
        ms(lat.pct(50.0)),
        ms(lat.pct(100.0))
    );
    Ok(())
}
