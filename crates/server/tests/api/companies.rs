//! Companies: changed over the API (a name, mail domains each of which belongs to one company of the account), and
//! their pages in the workspace: the list with search and a form to add one, and each company's page with its
//! customers, their tickets and chats, and its details to edit. Another account's companies are not found.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::ui::{csrf_in, get, sign_in};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn company(app: &TestApp, a: &TestAccount, body: Value) -> String {
    let (s, c) = app.api(a, Method::POST, "/companies", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn companies_api_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;
    let globex = company(&app, &a, json!({"name": "Globex", "domains": ["globex.example"]})).await;
    let initech = company(&app, &a, json!({"name": "Initech"})).await;
    let path = format!("/companies/{initech}");

    // A change keeps what it leaves out; domains are stored lower-case, each once.
    let (s, c) = app
        .api(
            &a,
            Method::PATCH,
            &path,
            Some(json!({"domains": ["Initrode.Example", "initrode.example ", "initech.example"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!((c["name"].as_str(), &c["domains"]), (Some("Initech"), &json!(["initrode.example", "initech.example"])));
    let (s, c) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "  Initrode  "}))).await;
    assert_eq!((s, c["name"].as_str()), (StatusCode::OK, Some("Initrode")), "{c}");
    let (_, shown) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(shown, c, "what was answered is what is stored");
    // A new customer writing from one of its domains joins it.
    let t = app.ticket(&a, "Hello", "From Initrode", "peter@initrode.example").await;
    let (_, peter) =
        app.api(&a, Method::GET, &format!("/contacts/{}", t["requester_id"].as_str().unwrap()), None).await;
    assert_eq!(peter["company_id"].as_str(), Some(initech.as_str()));

    // Bad values are named (422), and nothing of the request is kept.
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": "Fine", "domains": ["not a domain"]}), "domains"),
        (json!({"domains": ["localhost"]}), "domains"),
        (json!({"notes": "none here"}), "body"),
    ] {
        let (s, p) = app.api(&a, Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {p}");
        if field != "body" {
            assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
        }
    }
    let (s, _) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "x".repeat(200)}))).await;
    assert_eq!(s, StatusCode::OK, "200 characters are enough");
    let (s, _) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "Initrode"}))).await;
    assert_eq!(s, StatusCode::OK);

    // A domain another company of the account has is a conflict, on a change and on a new company alike.
    let (s, p) = app.api(&a, Method::PATCH, &path, Some(json!({"name": "Taken", "domains": ["GLOBEX.example"]}))).await;
    assert_eq!((s, p["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("globex.example"), "{p}");
    let (_, after) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(
        (after["name"].as_str(), &after["domains"]),
        (Some("Initrode"), &json!(["initrode.example", "initech.example"]))
    );
    let (s, p) =
        app.api(&a, Method::POST, "/companies", Some(json!({"name": "Globex 2", "domains": ["globex.example"]}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    // Its own domains again are no conflict with itself.
    let (s, p) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/companies/{globex}"),
            Some(json!({"domains": ["globex.example", "globex.test"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");

    // Another account's company is not found, nor changed; that account may have the same domain.
    let (s, p) = app.api(&other, Method::PATCH, &format!("/companies/{globex}"), Some(json!({"name": "Stolen"}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    let (s, p) = app.api(&other, Method::PATCH, &format!("/companies/{globex}"), Some(json!({"name": ""}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not found comes before a bad value: {p}");
    let (_, g) = app.api(&a, Method::GET, &format!("/companies/{globex}"), None).await;
    assert_eq!(g["name"], "Globex");
    company(&app, &other, json!({"name": "Their Globex", "domains": ["globex.example"]})).await;
    for id in ["nope", "00000000-0000-7000-8000-000000000000"] {
        let (s, _) = app.api(&a, Method::PATCH, &format!("/companies/{id}"), Some(json!({"name": "X"}))).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn companies_are_changed_over_the_api_on_sqlite() {
    companies_api_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn companies_are_changed_over_the_api_on_postgres() {
    companies_api_story(Engine::Postgres).await;
}

async fn owner_session(app: &TestApp, slug: &str) -> (reqwest::Client, String, TestAccount) {
    let a = app.account(slug, "eu").await;
    let (c, s) = sign_in(app, slug, &a.email, &a.password).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &app.url(slug, "/tickets")).await;
    (c, csrf_in(&html), a)
}

/// The list finds a company by part of its name or domain; its page lists its customers and every ticket and chat
/// of theirs, newest first, and nobody else's; the edit form names what it refuses and keeps what was typed; the
/// form on the list adds one; another account's company is not found.
async fn companies_pages_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let (c, csrf, acct) = owner_session(&app, "acme").await;
    let globex = company(&app, &acct, json!({"name": "Globex <i>Corp</i>", "domains": ["globex.example"]})).await;
    company(&app, &acct, json!({"name": "Initech", "domains": ["initech.example"]})).await;
    let first = app.ticket(&acct, "Broken <b>printer</b>", "Paper stuck", "hank@globex.example").await;
    let chat = json!({"subject": "Chat about toner", "channel": "chat", "message": {"body": "Hi"},
        "requester": {"email": "lena@globex.example", "name": "Lena"}});
    let (s, chat) = app.api(&acct, Method::POST, "/tickets", Some(chat)).await;
    assert_eq!(s, StatusCode::CREATED, "{chat}");
    app.ticket(&acct, "Not theirs", "Hello", "jane@example.com").await;
    let hank = first["requester_id"].as_str().unwrap().to_string();
    let lena = chat["requester_id"].as_str().unwrap().to_string();

    // The list: found by name or domain, any case; the name shows as text.
    for q in ["globex", "GLOBEX.EX", "corp"] {
        let (s, html) = get(&c, &app.url("acme", &format!("/companies?q={q}"))).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains(&format!("href=\"/companies/{globex}\"")), "{q} finds it");
        assert!(html.contains("Globex &#60;i&#62;Corp&#60;/i&#62;") && !html.contains("Initech"), "{q}: {html}");
    }
    let (_, html) = get(&c, &app.url("acme", "/companies?q=umbrella")).await;
    assert!(html.contains("No companies found."));
    let (_, html) = get(&c, &app.url("acme", "/companies")).await;
    assert!(html.contains("Globex &#60;i&#62;Corp&#60;/i&#62;") && html.contains("Initech"), "all of them");
    assert!(html.contains("<a href=\"/companies\" aria-current=\"page\">Companies</a>"), "in the navigation");

    // Its page: its customers, their tickets and chats newest first with their status, nobody else's.
    let url = app.url("acme", &format!("/companies/{globex}"));
    let (s, html) = get(&c, &url).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("href=\"/contacts/{hank}\"")) && html.contains(&format!("href=\"/contacts/{lena}\""))
    );
    let chat_at = html.find(&format!("href=\"/tickets/{}\"", chat["number"])).expect("the chat");
    let first_at = html.find(&format!("href=\"/tickets/{}\"", first["number"])).expect("the ticket");
    assert!(chat_at < first_at, "newest first");
    assert!(html.contains("Broken &#60;b&#62;printer&#60;/b&#62;") && !html.contains("Not theirs"), "{html}");
    assert!(html.contains("<span class=\"pill channel\">chat</span>") && html.contains("pill status-new"));
    assert!(html.contains("globex.example"));
    // The customer's page links to it.
    let (_, html) = get(&c, &app.url("acme", &format!("/contacts/{hank}"))).await;
    assert!(
        html.contains(&format!("<a href=\"/companies/{globex}\">Globex &#60;i&#62;Corp&#60;/i&#62;</a>")),
        "{html}"
    );

    // Refused: a missing name and a bad domain are named, what was typed stays; so is a domain another has.
    let form = [("_csrf", csrf.as_str()), ("name", ""), ("domains", "globex.example, not_a_domain")];
    let r = c.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\"") && html.contains("name: must not be empty"), "{html}");
    assert!(html.contains("not_a_domain") && html.contains("value=\"globex.example, not_a_domain\""), "{html}");
    let form = [
        ("_csrf", csrf.as_str()),
        ("name", "Globex <b>Corporation</b>"),
        ("domains", "globex.example initech.example"),
    ];
    let html = c.post(&url).form(&form).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("the domain initech.example belongs to the company Initech"), "{html}");
    assert!(html.contains("value=\"Globex &#60;b&#62;Corporation&#60;/b&#62;\""), "kept, as text: {html}");
    let r = c.post(&url).form(&[("_csrf", "wrong"), ("name", "X"), ("domains", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Saved.
    let form = [("_csrf", csrf.as_str()), ("name", "Globex Corporation"), ("domains", "globex.example, globex.test")];
    let r = c.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&c, &format!("{url}?saved=1")).await;
    assert!(html.contains("<h1>Globex Corporation</h1>") && html.contains("globex.example, globex.test"), "{html}");
    assert!(html.contains("role=\"status\""));

    // Added from the list: a refused one comes back as typed, a good one opens its page.
    let list = app.url("acme", "/companies");
    let html = c
        .post(&list)
        .form(&[("_csrf", csrf.as_str()), ("name", " "), ("domains", "umbrella.example")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("name: must not be empty") && html.contains("value=\"umbrella.example\""), "{html}");
    let r = c
        .post(&list)
        .form(&[("_csrf", csrf.as_str()), ("name", "Umbrella"), ("domains", "umbrella.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/companies/"), "{to}");
    let (_, html) = get(&c, &app.url("acme", &to)).await;
    assert!(html.contains("<h1>Umbrella</h1>") && html.contains("No customers in this company yet."), "{html}");

    // Another account's company is not found, nor changed.
    let other = app.account("other", "eu").await;
    let theirs = company(&app, &other, json!({"name": "Theirs", "domains": ["theirs.example"]})).await;
    let their_url = app.url("acme", &format!("/companies/{theirs}"));
    let (s, _) = get(&c, &their_url).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = c
        .post(&their_url)
        .form(&[("_csrf", csrf.as_str()), ("name", "Mine now"), ("domains", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, t) = app.api(&other, Method::GET, &format!("/companies/{theirs}"), None).await;
    assert_eq!((t["name"].as_str(), &t["domains"]), (Some("Theirs"), &json!(["theirs.example"])));
    let (s, _) = get(&c, &app.url("acme", "/companies/nope")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_companies_pages_on_sqlite() {
    companies_pages_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn the_companies_pages_on_postgres() {
    companies_pages_story(Engine::Postgres).await;
}

/// The link of `html` whose address contains `marker`, unescaped as a browser would follow it.
fn link_with(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&#38;", "&"))
}

/// Every `href="{prefix}…"` in `html`, in order (the part after the prefix, up to the quote).
fn links(html: &str, prefix: &str) -> Vec<String> {
    let needle = format!("href=\"{prefix}");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
        .collect()
}

/// A company with more than a page of customers and tickets, a customer with more than a page of tickets, and a
/// list of more than a page of companies: every one is reached by following "Next page", once, and the later pages
/// lead back to the first.
#[tokio::test]
async fn companies_and_customers_pages_go_past_their_first_hundred() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, _, acct) = owner_session(&app, "acme").await;
    let paged = company(&app, &acct, json!({"name": "Paged", "domains": ["paged.example"]})).await;
    let mut contacts = Vec::new();
    for i in 0..101 {
        let body =
            json!({"email": format!("u{i:03}@paged.example"), "name": format!("User {i:03}"), "company_id": paged});
        let (s, ct) = app.api(&acct, Method::POST, "/contacts", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{ct}");
        contacts.push(ct["id"].as_str().unwrap().to_string());
    }
    let mut numbers = Vec::new();
    for i in 0..101 {
        let t = app.ticket(&acct, &format!("Question {i}"), "Hello", "u000@paged.example").await;
        numbers.push(t["number"].as_i64().unwrap());
    }
    for i in 0..101 {
        company(&app, &acct, json!({"name": format!("Firm {i:03}"), "domains": []})).await;
    }

    // The company's customers and its tickets, each list a page at a time.
    let (s, html) = get(&c, &app.url("acme", &format!("/companies/{paged}"))).await;
    assert_eq!(s, StatusCode::OK);
    let mut seen_contacts = links(&html, "/contacts/");
    let mut seen_tickets = links(&html, "/tickets/");
    assert_eq!((seen_contacts.len(), seen_tickets.len()), (100, 100), "a hundred of each on the first page");
    assert!(!html.contains(&format!("href=\"/companies/{paged}#")), "the first page has no way back to itself");
    let next = link_with(&html, "customers_after=").expect("a next page of customers");
    let (s, later) = get(&c, &app.url("acme", &next)).await;
    assert_eq!(s, StatusCode::OK, "{next}");
    seen_contacts.extend(links(&later, "/contacts/"));
    assert!(later.contains(&format!("href=\"/companies/{paged}#its-customers\"")), "back to the first: {later}");
    assert!(link_with(&later, "customers_after=").is_none(), "the last page of customers");
    let next = link_with(&html, "tickets_after=").expect("a next page of tickets");
    let (s, later) = get(&c, &app.url("acme", &next)).await;
    assert_eq!(s, StatusCode::OK, "{next}");
    seen_tickets.extend(links(&later, "/tickets/"));
    assert!(link_with(&later, "tickets_after=").is_none(), "the last page of tickets");
    seen_contacts.sort();
    seen_contacts.dedup();
    let mut want: Vec<String> = contacts.clone();
    want.sort();
    assert_eq!(seen_contacts, want, "every customer once");
    let mut got: Vec<i64> = seen_tickets.iter().map(|n| n.parse().unwrap()).collect();
    got.sort();
    got.dedup();
    assert_eq!(got, numbers, "every ticket once");

    // The customer's own page, the same way.
    let (_, html) = get(&c, &app.url("acme", &format!("/contacts/{}", contacts[0]))).await;
    let mut theirs = links(&html, "/tickets/");
    let next = link_with(&html, "tickets_after=").expect("a next page of their tickets");
    let (s, later) = get(&c, &app.url("acme", &next)).await;
    assert_eq!(s, StatusCode::OK);
    theirs.extend(links(&later, "/tickets/"));
    assert!(later.contains(&format!("href=\"/contacts/{}#their-tickets\"", contacts[0])), "{later}");
    let mut theirs: Vec<i64> = theirs.iter().map(|n| n.parse().unwrap()).collect();
    theirs.sort();
    assert_eq!(theirs, numbers, "every ticket of theirs once");

    // The list of companies: 102 of them, a hundred a page, in name order.
    let (_, html) = get(&c, &app.url("acme", "/companies")).await;
    let mut listed = links(&html, "/companies/");
    assert_eq!(listed.len(), 100);
    let next = link_with(&html, "after=").expect("a next page of companies");
    let (_, later) = get(&c, &app.url("acme", &next)).await;
    listed.extend(links(&later, "/companies/"));
    assert_eq!(listed.len(), 102, "Firm 000–100 and Paged");
    assert!(later.contains("Paged") && !html.contains(">Paged<"), "Paged sorts after the firms");
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), 102, "none twice");

    // A page that is no page is refused by name, not shown as the first.
    for bad in [
        format!("/companies/{paged}?tickets_after=garbage"),
        format!("/companies/{paged}?customers_after=nobody"),
        format!("/contacts/{}?tickets_after=bm90LWEtY3Vyc29y", contacts[0]),
        "/companies?after=nothing".to_string(),
        format!("/companies?q=firm&after={paged}"),
    ] {
        let (s, _) = get(&c, &app.url("acme", &bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}
