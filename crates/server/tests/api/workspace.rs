//! The agent workspace's foundations: the API answered for a signed-in agent (session cookie, CSRF token for
//! writes), each agent's profile (language, time zone, signature), and pages in the agent's language and zone.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::ui::{csrf_in, get, sign_in};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn owner_session(app: &TestApp, slug: &str) -> (reqwest::Client, String, TestAccount) {
    let a = app.account(slug, "eu").await;
    let (c, s) = sign_in(app, slug, &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url(slug, "/tickets")).await;
    (c, csrf_in(&html), a)
}

async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn session_api_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let (c, csrf, _) = owner_session(&app, "acme").await;

    // Reading needs only the session.
    let (s, me) = json_of(c.get(app.url("acme", "/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["role"], "owner");
    assert_eq!(me["profile"]["language"], "en");

    // Writing without the page's token is refused, whatever the body: a cookie rides along with any site's form.
    let body = json!({"subject": "From the page", "message": {"body": "hi"}, "requester": {"email": "jo@example.com"}});
    let r = c.post(app.url("acme", "/api/v1/tickets")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    let r = c
        .post(app.url("acme", "/api/v1/tickets"))
        .header("X-CSRF-Token", "not-the-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (list_status, list) = json_of(c.get(app.url("acme", "/api/v1/tickets")).send().await.unwrap()).await;
    assert_eq!((list_status, list["tickets"].as_array().unwrap().len()), (StatusCode::OK, 0), "nothing was written");

    // With it, the agent acts as themselves: the ticket's events name them.
    let r = c.post(app.url("acme", "/api/v1/tickets")).header("X-CSRF-Token", &csrf).json(&body).send().await.unwrap();
    let (s, t) = json_of(r).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");

    // A session of one account opens nothing in another.
    app.account("other", "eu").await;
    let r = c.get(app.url("other", "/api/v1/tickets")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(app.url("other", "/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // After signing out, the cookie opens nothing.
    let r = c.post(app.url("acme", "/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.get(app.url("acme", "/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_api_answers_a_signed_in_agent_on_sqlite() {
    session_api_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_api_answers_a_signed_in_agent_on_postgres() {
    session_api_story(Engine::Postgres).await;
}

async fn profile_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let (c, csrf, acct) = owner_session(&app, "acme").await;
    let patch = |b: Value| c.patch(app.url("acme", "/api/v1/me")).header("X-CSRF-Token", &csrf).json(&b).send();

    // Bad values are named, and nothing of the request is kept.
    let (s, p) = json_of(
        patch(json!({"language": "xx", "time_zone": "Mars/Olympus", "signature": "ok", "notify_sound": true}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["language", "time_zone"]);
    let (_, me) = json_of(c.get(app.url("acme", "/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((me["profile"]["signature"].as_str(), me["profile"]["notify_sound"].as_bool()), (Some(""), Some(false)));
    let (s, _) = json_of(patch(json!({"colour": "blue"})).await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");

    let (s, me) = json_of(
        patch(json!({"language": "hu", "time_zone": "America/New_York", "signature": "Anna\nAcme support"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["profile"]["language"], "hu");
    assert_eq!(me["profile"]["time_zone"], "America/New_York");
    assert_eq!(me["profile"]["signature"], "Anna\nAcme support");

    // The workspace now speaks Hungarian and shows times in New York's zone.
    let (_, html) = get(&c, &app.url("acme", "/tickets")).await;
    assert!(html.contains("<html lang=\"hu\">"), "the page says its language");
    assert!(html.contains("Saját nyitott jegyeim"), "views in Hungarian");

    // An API key acts as the agent who made it (the owner here), and changes nobody's profile.
    let (s, key_me) = app.api(&acct, reqwest::Method::GET, "/me", None).await;
    assert_eq!((s, key_me["id"].clone()), (StatusCode::OK, me["id"].clone()));
    let (s, _) = app.api(&acct, reqwest::Method::PATCH, "/me", Some(json!({"language": "de"}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Another agent's profile is theirs alone: the owner's change did not touch it.
    let body = json!({"email": "bob@acme.test", "name": "Bob", "role": "agent"});
    let (s, bob) = app.api(&acct, reqwest::Method::POST, "/agents", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{bob}");
    let (_, bob) =
        app.api(&acct, reqwest::Method::GET, &format!("/agents/{}", bob["agent"]["id"].as_str().unwrap()), None).await;
    assert_eq!((bob["email"].as_str(), bob["profile"]["language"].as_str()), (Some("bob@acme.test"), Some("en")));
}

#[tokio::test]
async fn each_agent_keeps_a_profile_on_sqlite() {
    profile_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn each_agent_keeps_a_profile_on_postgres() {
    profile_story(Engine::Postgres).await;
}

/// The profile page keeps what was typed when a value is refused, and names the value.
#[tokio::test]
async fn the_profile_page_names_a_bad_time_zone_and_keeps_the_form() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, _) = owner_session(&app, "acme").await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Anna Owner"),
        ("language", "de"),
        ("time_zone", "Europe/Atlantis"),
        ("signature", "Grüße, Anna"),
    ];
    let r = c.post(app.url("acme", "/profile")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Europe/Atlantis") && html.contains("is not a known time zone"), "{html}");
    assert!(html.contains("Grüße, Anna"), "what was typed is kept");
    let mut good = form;
    good[3] = ("time_zone", "Europe/Berlin");
    let r = c.post(app.url("acme", "/profile")).form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url("acme", "/profile?saved=1")).await;
    assert!(html.contains("<html lang=\"de\">") && html.contains("Grüße, Anna"));
}

/// The customers' pages: the directory finds a customer by part of their name, the profile lists every ticket of
/// theirs, a bad address is named and what was typed kept, and a duplicate merged from the page brings its
/// tickets over; another account's customer is not found.
async fn customers_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let (c, csrf, acct) = owner_session(&app, "acme").await;
    let first = app.ticket(&acct, "Printer <b>jam</b>", "Paper stuck", "jane@example.com").await;
    app.ticket(&acct, "Invoice question", "Why so high?", "jane@example.com").await;
    let dup = app.ticket(&acct, "Second address", "From my other mail", "jane.doe@home.example").await;
    let jane = first["requester_id"].as_str().unwrap().to_string();

    let (s, html) = get(&c, &app.url("acme", "/contacts?q=jane")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/contacts/{jane}\"")), "the search finds her");
    let (_, html) = get(&c, &app.url("acme", &format!("/contacts/{jane}"))).await;
    assert!(html.contains("Printer &#60;b&#62;jam&#60;/b&#62;") && html.contains("Invoice question"), "{html}");
    assert!(!html.contains("Second address"), "another customer's ticket is not hers (yet)");

    // A bad address is named; what was typed stays.
    let url = app.url("acme", &format!("/contacts/{jane}"));
    let form = [("_csrf", csrf.as_str()), ("name", "Jane Q. Doe"), ("email", "not-an-address"), ("phones", "")];
    let r = c.post(&url).form(&form).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("not-an-address") && html.contains("Jane Q. Doe") && html.contains("role=\"alert\""));

    // The duplicate merged from the page: its ticket comes over, it is gone.
    let merge = [("_csrf", csrf.as_str()), ("from_email", "jane.doe@home.example")];
    let r = c.post(format!("{url}/merge")).form(&merge).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &format!("{url}?merged=1")).await;
    assert!(html.contains("Second address") && html.contains("Merged: 1 ticket moved here."), "{html}");
    let (s, _) = app
        .api(&acct, reqwest::Method::GET, &format!("/contacts/{}", dup["requester_id"].as_str().unwrap()), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the duplicate is gone");
    let r = c.post(format!("{url}/merge")).form(&merge).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("No other customer has that address."));

    // Another account's customer is not found, nor merged.
    let other = app.account("other", "eu").await;
    let theirs = app.ticket(&other, "Theirs", "Hello", "olga@example.com").await;
    let (s, _) = get(&c, &app.url("acme", &format!("/contacts/{}", theirs["requester_id"].as_str().unwrap()))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let steal = [("_csrf", csrf.as_str()), ("from_email", "olga@example.com")];
    let r = c.post(format!("{url}/merge")).form(&steal).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("No other customer has that address."));
    let (s, _) = app
        .api(&other, reqwest::Method::GET, &format!("/contacts/{}", theirs["requester_id"].as_str().unwrap()), None)
        .await;
    assert_eq!(s, StatusCode::OK, "their customer is untouched");
}

#[tokio::test]
async fn the_customers_pages_on_sqlite() {
    customers_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_customers_pages_on_postgres() {
    customers_story(Engine::Postgres).await;
}

/// Saved responses kept from the page: an unknown placeholder is refused by name with the text kept, a good one is
/// listed and inserted filled in, and its owner deletes it.
#[tokio::test]
async fn saved_responses_are_kept_on_their_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, acct) = owner_session(&app, "acme").await;
    let t = app.ticket(&acct, "Parcel", "Where is it?", "jane@example.com").await;
    let url = app.url("acme", "/canned-responses");
    let form = |body: &'static str| {
        [("_csrf", csrf.clone()), ("title", "Tracking".into()), ("shortcut", "#track".into()), ("body", body.into())]
    };
    let r = c.post(&url).form(&form("Hi {{requester.nickname}}, here it is.")).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("unknown placeholder {{requester.nickname}}"), "{html}");
    assert!(html.contains("Hi {{requester.nickname}}, here it is."), "what was typed is kept");
    let r = c.post(&url).form(&form("Hi {{requester.first_name}}, <b>here</b> it is.")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &url).await;
    assert!(html.contains("#track") && html.contains("&#60;b&#62;here&#60;/b&#62;"), "listed, as text");

    let (_, list) = json_of(c.get(app.url("acme", "/api/v1/canned-responses?q=%23track")).send().await.unwrap()).await;
    let id = list["canned_responses"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(list["canned_responses"][0]["shared"], false, "an agent's own unless shared");
    let path = format!("/api/v1/tickets/{}/canned-responses/{id}/render", t["id"].as_str().unwrap());
    let (_, filled) = json_of(c.get(app.url("acme", &path)).send().await.unwrap()).await;
    assert_eq!(filled["body"], "Hi Requester, <b>here</b> it is.");

    let r = c.post(format!("{url}/{id}/delete")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &url).await;
    assert!(!html.contains("#track"), "deleted");
}

/// Merging from the ticket page: the ticket's messages go into the one named, the agent follows them there; a
/// number that is no ticket is named or not found, and nothing moves.
#[tokio::test]
async fn a_ticket_is_merged_into_another_from_its_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, acct) = owner_session(&app, "acme").await;
    let first = app.ticket(&acct, "Printer broken", "It jams", "jane@example.com").await;
    let second = app.ticket(&acct, "Printer still broken", "Again: it jams", "jane@example.com").await;
    let merge = |into: &'static str| {
        c.post(app.url("acme", "/tickets/2/merge")).form(&[("_csrf", csrf.as_str()), ("into", into)]).send()
    };
    let r = merge("forty-two").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("&#39;forty-two&#39; is not a ticket number"));
    assert_eq!(merge("#99").await.unwrap().status(), StatusCode::NOT_FOUND);
    let (_, t) =
        app.api(&acct, reqwest::Method::GET, &format!("/tickets/{}", first["id"].as_str().unwrap()), None).await;
    assert_eq!(t["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "message").count(), 1, "nothing moved");

    let r = merge("#1").await.unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/tickets/1"));
    let (_, t) =
        app.api(&acct, reqwest::Method::GET, &format!("/tickets/{}", first["id"].as_str().unwrap()), None).await;
    let bodies: Vec<&str> = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "message")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert!(bodies.contains(&"Again: it jams"), "{bodies:?}");
    let (_, t) =
        app.api(&acct, reqwest::Method::GET, &format!("/tickets/{}", second["id"].as_str().unwrap()), None).await;
    assert_eq!(t["status"], "closed", "the merged ticket is closed");
}
