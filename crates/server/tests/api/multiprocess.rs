//! Several `parley serve` processes share one region's PostgreSQL and see each other's writes at once.

use crate::cli::{parley, Server};
use parley_test_support::{http_client, PgTestDb};
use serde_json::{json, Value};

#[tokio::test]
async fn two_processes_on_one_postgres_see_each_others_writes() {
    let directory = PgTestDb::create().await;
    let region = PgTestDb::create().await;
    let env = [
        ("PARLEY_DIRECTORY_URL", directory.url()),
        ("PARLEY_REGION_EU_DATABASE_URL", region.url()),
        ("PARLEY_REGIONS", "eu"),
    ];
    let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let one = Server::start(dir1.path(), &env);
    let two = Server::start(dir2.path(), &env);
    let o = parley(
        dir1.path(),
        &["account", "create", "--slug", "acme", "--region", "eu", "--owner-email", "me@example.com", "--json"],
        &env,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let key = serde_json::from_slice::<Value>(&o.stdout).unwrap()["api_key"].as_str().unwrap().to_string();

    let http = http_client(false);
    let mut numbers = Vec::new();
    for i in 0..10 {
        let server = if i % 2 == 0 { &one } else { &two };
        let r = http
            .post(server.url("acme", "/api/v1/tickets"))
            .bearer_auth(&key)
            .json(&json!({"subject": format!("Via process {}", i % 2 + 1), "message": {"body": "x"}, "requester": {"email": "j@example.com"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let t: Value = r.json().await.unwrap();
        numbers.push(t["number"].as_i64().unwrap());
        // The other process lists it immediately.
        let other = if i % 2 == 0 { &two } else { &one };
        let listed: Value = http
            .get(other.url("acme", "/api/v1/tickets"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            listed["tickets"].as_array().unwrap().iter().any(|x| x["id"] == t["id"]),
            "ticket {i} seen by the other process"
        );
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 10, "ticket numbers are unique across processes");
    // Nothing of the account was written to either process's data directory.
    for d in [dir1.path(), dir2.path()] {
        assert!(!d.join("eu/parley.db").exists(), "{} holds no eu database", d.display());
    }
}
