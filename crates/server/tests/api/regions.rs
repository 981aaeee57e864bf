//! Region cells seen from outside: a process serves some regions and sends the others' accounts where they live.

use crate::helpers::{spawn_with, Options};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn requests_for_other_regions_are_redirected() {
    let app = spawn_with(Options {
        env: vec![
            ("PARLEY_REGIONS".into(), "eu".into()),
            ("PARLEY_REGION_US_PUBLIC_URL".into(), "http://{slug}.us.parley.example:9000".into()),
        ],
        ..Default::default()
    })
    .await;
    let eu = app.account("euro", "eu").await;
    let us = app.account("yankee", "us").await;
    let uk = app.account("brit", "uk").await;

    let (s, _) = app.api(&eu, Method::GET, "/tickets", None).await;
    assert_eq!(s, StatusCode::OK);
    let r =
        app.http.get(app.url(&us.slug, "/api/v1/tickets?status=open")).bearer_auth(&us.api_key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(r.headers()["location"], "http://yankee.us.parley.example:9000/api/v1/tickets?status=open");
    // A region with no public URL cannot be reached through this process.
    let r = app.http.get(app.url(&uk.slug, "/api/v1/tickets")).bearer_auth(&uk.api_key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let r = app.http.get(app.url("nobody", "/api/v1/tickets")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_service_host_shows_what_parley_is() {
    let app = spawn_with(Options::default()).await;
    let r = app.http.get(app.root_url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("account create --slug"));
    for url in [app.root_url("/healthz"), app.url("anything", "/healthz")] {
        let r = app.http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
    }
    // Account pages need an account host.
    let r = app.http.get(app.root_url("/api/v1/tickets")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// A region nobody lives in is migrated at start but not kept open (no connections, threads or memory); the
/// workers take it up once an account arrives, even one created by another process (the command line).
#[tokio::test]
async fn regions_nobody_lives_in_stay_closed_until_an_account_arrives() {
    let app = spawn_with(Options::default()).await;
    // The server runs in this process: its open files are this process's.
    let open = |region: &str| {
        let db = app.data_dir.path().join(region).join("parley.db");
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == db))
    };
    for region in ["eu", "us", "uk", "apac"] {
        assert!(app.data_dir.path().join(region).join("parley.db").exists(), "{region} was migrated");
        assert!(!open(region), "{region} holds no account and is not kept open");
    }
    // The passes a start makes over every account (retention, register notices) find none; let them end, so that
    // only the workers can take the new region up.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let out = crate::cli::parley(
        app.data_dir.path(),
        &["account", "create", "--slug", "faraway", "--region", "us", "--owner-email", "o@example.com"],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let started = std::time::Instant::now();
    while !open("us") {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the workers never took up us");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for region in ["eu", "uk", "apac"] {
        assert!(!open(region), "{region} still holds no account");
    }
}
