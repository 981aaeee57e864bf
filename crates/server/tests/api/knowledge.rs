//! Knowledge bases from outside, on both engines: the API (bad input, categories nested one level, versions per
//! language, images), the portal in the reader's language with hreflang, canonical links, Open Graph tags and a
//! sitemap, sanitized Markdown, article search as JSON for the widget, "was this helpful?", audiences, the request
//! form, and another account never seeing any of it.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::ui::{get, sign_in};
use parley_test_support::http_client;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const BODY_EN: &str = "# Paying invoices\n\nYou can pay every **invoice** by card or bank transfer.\n\n\
    <script>alert('x')</script><img src=x onerror=alert(1)> \
    <a href=\"https://example.com/fees\" onclick=\"steal()\">fees</a>\n\n[help](javascript:alert(2)) \
    [more](JaVaScRiPt:alert(3))\n\n![chart](/kb/customers/images/none)";
const BODY_HU: &str = "A számlákat kártyával vagy átutalással fizetheti.";

async fn create(app: &TestApp, a: &TestAccount, path: &str, body: Value) -> Value {
    let (s, r) = app.api(a, Method::POST, path, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{path}: {r}");
    r
}

async fn page(c: &reqwest::Client, url: &str, lang: &str) -> reqwest::Response {
    c.get(url).header("accept-language", lang).send().await.unwrap()
}

async fn found(app: &TestApp, slug: &str, q: &str, extra: &str) -> Vec<(String, String)> {
    let url = app.url(slug, &format!("/kb/customers/search?q={}{extra}", crate::search::urlencode(q)));
    let r = http_client(false).get(url).header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["access-control-allow-origin"], "*", "public articles may be shown on any site");
    let v: Value = r.json().await.unwrap();
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["title"].as_str().unwrap().to_string(), h["language"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn knowledge_bases_on_sqlite() {
    knowledge_bases(Engine::Sqlite).await;
}

#[tokio::test]
async fn knowledge_bases_on_postgres() {
    knowledge_bases(Engine::Postgres).await;
}

async fn knowledge_bases(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let other = app.account("other", "eu").await;

    // Bad input is named; a slug is unique per account only.
    for (body, field) in [
        (json!({"slug": "Bad Slug", "name": "X", "languages": ["en"]}), "slug"),
        (json!({"slug": "x1", "name": "X"}), "languages"),
        (json!({"slug": "x2", "name": "X", "languages": ["en"], "default_language": "de"}), "default_language"),
        (json!({"slug": "x3", "name": "X", "languages": ["english"]}), "languages[0]"),
        (json!({"slug": "x4", "name": "X", "languages": ["en"], "visibility": "secret"}), "visibility"),
        (
            json!({"slug": "x5", "name": "X", "languages": ["en"], "look": {"accent_color": "red;}"}}),
            "look.accent_color",
        ),
    ] {
        let (s, r) = app.api(&a, Method::POST, "/knowledge-bases", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert!(r["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{field}: {r}");
    }
    let kb = create(
        &app,
        &a,
        "/knowledge-bases",
        json!({"slug": "customers", "name": "Customers",
        "visibility": "public", "languages": ["en", "hu", "de"], "look": {"accent_color": "#0a7d42"}}),
    )
    .await;
    assert_eq!(kb["default_language"], "en");
    assert!(kb["url"].as_str().unwrap().ends_with("/kb/customers/"));
    let (s, _) = app
        .api(
            &a,
            Method::POST,
            "/knowledge-bases",
            Some(json!({"slug": "customers", "name": "Again",
        "languages": ["en"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    create(&app, &other, "/knowledge-bases", json!({"slug": "customers", "name": "Theirs", "languages": ["en"]})).await;
    create(
        &app,
        &a,
        "/knowledge-bases",
        json!({"slug": "partners", "name": "Partners", "visibility": "agents",
        "languages": ["en"]}),
    )
    .await;

    // Categories nest one level.
    let billing = create(&app, &a, "/knowledge-bases/customers/categories", json!({"name": "Billing"})).await;
    let billing_id = billing["id"].as_str().unwrap();
    let (s, _) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/knowledge-bases/customers/categories/{billing_id}"),
            Some(json!({"language": "hu", "name": "Számlázás"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let invoices = create(
        &app,
        &a,
        &format!("/knowledge-bases/{}/categories", kb["id"].as_str().unwrap()),
        json!({"name": "Invoices", "parent": billing_id}),
    )
    .await;
    let invoices_id = invoices["id"].as_str().unwrap();
    let (s, r) = app
        .api(
            &a,
            Method::POST,
            "/knowledge-bases/customers/categories",
            Some(json!({"name": "Too deep", "parent": invoices_id})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");

    // An article in English, published; Hungarian published; German a draft.
    let art = create(
        &app,
        &a,
        "/knowledge-bases/customers/articles",
        json!({"title": "Paying invoices",
        "body": BODY_EN, "language": "en", "status": "published", "category": invoices_id, "tags": ["billing"]}),
    )
    .await;
    let id = art["id"].as_str().unwrap().to_string();
    let html = art["translations"][0]["html"].as_str().unwrap();
    for bad in ["<script", "onerror", "href=\"javascript", "href=\"JaVaScRiPt", "onclick", "steal("] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("<strong>invoice</strong>") && html.contains("href=\"https://example.com/fees\""), "{html}");
    assert!(
        html.contains("<a rel=\"noopener noreferrer nofollow\">help</a>"),
        "the link stays, without its href: {html}"
    );
    let (s, r) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/knowledge-bases/customers/articles/{id}"),
            Some(json!({"language": "hu", "title": "Számlák fizetése", "body": BODY_HU, "status": "published"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/knowledge-bases/customers/articles/{id}"),
            Some(json!({"language": "de", "title": "Rechnungen bezahlen", "body": "Zahlen Sie Rechnungen per Karte."})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["translations"].as_array().unwrap().len(), 3);
    let (s, r) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/knowledge-bases/customers/articles/{id}"),
            Some(json!({"language": "fr", "title": "Payer", "body": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not a language of the knowledge base: {r}");
    let (s, r) = app
        .api(
            &a,
            Method::PATCH,
            &format!("/knowledge-bases/customers/articles/{id}"),
            Some(json!({"language": "hu", "body": "x".repeat(200_001)})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");

    // The portal: to the reader's language, with alternates, canonical, Open Graph and the look.
    let c = http_client(false);
    let r = page(&c, &app.url("acme", "/kb/customers/"), "hu-HU,hu;q=0.9,en;q=0.5").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/kb/customers/hu/");
    let r = page(&c, &app.url("acme", "/kb/customers/hu/"), "hu").await;
    assert_eq!(r.status(), StatusCode::OK);
    let home = r.text().await.unwrap();
    assert!(
        home.contains("<html lang=\"hu\">") && home.contains("Számlázás") && home.contains("Számlák fizetése"),
        "{home}"
    );
    assert!(home.contains("Keresés"), "Parley's own texts in Hungarian: {home}");
    for l in ["en", "hu", "de"] {
        let link = format!(
            "<link rel=\"alternate\" hreflang=\"{l}\" href=\"{}\">",
            app.url("acme", &format!("/kb/customers/{l}/"))
        );
        assert!(home.contains(&link), "{link} in {home}");
    }
    let article_url = format!("/kb/customers/hu/articles/{id}-számlák-fizetése");
    let r = page(&c, &app.url("acme", &article_url), "hu").await;
    assert_eq!(r.status(), StatusCode::OK);
    let hu = r.text().await.unwrap();
    assert!(hu.contains("<h1>Számlák fizetése</h1>") && hu.contains("Hasznos volt ez a cikk?"), "{hu}");
    assert!(hu.contains("<meta property=\"og:title\" content=\"Számlák fizetése\">"), "{hu}");
    assert!(hu.contains("<link rel=\"canonical\" href=\"") && hu.contains("og:locale\" content=\"hu\""), "{hu}");
    assert!(!hu.contains("hreflang=\"de\""), "the German draft has no address yet: {hu}");
    let r = page(&c, &app.url("acme", &format!("/kb/customers/en/articles/{id}")), "en").await;
    let en = r.text().await.unwrap();
    assert!(
        en.contains("<strong>invoice</strong>") && !en.contains("<script>alert") && !en.contains("javascript:"),
        "{en}"
    );
    let de = page(&c, &app.url("acme", &format!("/kb/customers/de/articles/{id}")), "de").await.text().await.unwrap();
    assert!(
        de.contains("Paying invoices") && de.contains("noch nicht in Ihrer Sprache"),
        "a draft shows the default: {de}"
    );
    let look = page(&c, &app.url("acme", "/kb/customers/look.css"), "en").await.text().await.unwrap();
    assert!(look.contains("--kb-accent: #0a7d42"), "{look}");

    // Search, as the widget and the request form call it: stems, phrases, prefixes; drafts are not public.
    assert_eq!(found(&app, "acme", "számlák", "&lang=hu").await, vec![("Számlák fizetése".into(), "hu".into())]);
    assert_eq!(found(&app, "acme", "paid invoice", "&lang=en").await.len(), 0, "all words must match");
    assert_eq!(found(&app, "acme", "invoices card", "&lang=en").await, vec![("Paying invoices".into(), "en".into())]);
    assert_eq!(found(&app, "acme", "\"bank transfer\"", "").await.len(), 1);
    assert_eq!(found(&app, "acme", "transf", "&as_you_type=true").await.len(), 1, "prefix as you type");
    assert_eq!(
        found(&app, "acme", "how do I pay by transf", "&as_you_type=true&lang=en").await,
        vec![("Paying invoices".into(), "en".into())],
        "suggestions for a question as written: any word, best first"
    );
    assert!(found(&app, "acme", "Rechnungen", "").await.is_empty(), "the German draft is not found");
    assert!(found(&app, "other", "invoices", "").await.is_empty(), "another account's portal has none of it");
    let r = c.get(app.url("acme", "/kb/customers/search?q=card")).header("accept-language", "hu").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/kb/customers/hu/search?q=card");
    let results = page(&c, &app.url("acme", "/kb/customers/en/search?q=invoices"), "en").await.text().await.unwrap();
    assert!(results.contains("<mark>invoices</mark>") || results.contains("<mark>invoice</mark>"), "{results}");

    // Was this helpful? Counted once per browser.
    let voter = http_client(true);
    for _ in 0..2 {
        let r = voter
            .post(app.url("acme", &format!("/kb/customers/en/articles/{id}/feedback")))
            .form(&[("helpful", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let r = voter
        .post(app.url("acme", &format!("/kb/customers/en/articles/{id}/feedback")))
        .form(&[("helpful", "maybe")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, got) = app.api(&a, Method::GET, &format!("/knowledge-bases/customers/articles/{id}"), None).await;
    assert_eq!((got["helpful"].as_i64(), got["not_helpful"].as_i64()), (Some(1), Some(0)));

    // The sitemap lists every published version with its alternates; only public knowledge bases have one.
    let sitemap = page(&c, &app.url("acme", "/kb/customers/sitemap.xml"), "en").await.text().await.unwrap();
    assert!(sitemap.contains(&format!("/kb/customers/hu/articles/{id}-")), "{sitemap}");
    assert!(sitemap.contains("hreflang=\"en\"") && !sitemap.contains("/de/articles/"), "{sitemap}");
    assert_eq!(page(&c, &app.url("acme", "/kb/partners/sitemap.xml"), "en").await.status(), StatusCode::NOT_FOUND);

    // An agents-only knowledge base sends others to sign in and shows itself to agents.
    let r = page(&c, &app.url("acme", "/kb/partners/en/"), "en").await;
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    let (agent, signed) = sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(signed, StatusCode::SEE_OTHER);
    let (s, body) = get(&agent, &app.url("acme", "/kb/partners/en/")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("noindex"));

    // Images: real images only, served from the portal.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let r = http_client(false)
        .post(app.url("acme", "/api/v1/knowledge-bases/customers/images"))
        .bearer_auth(&a.api_key)
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let img: Value = r.json().await.unwrap();
    let r = http_client(false)
        .post(app.url("acme", "/api/v1/knowledge-bases/customers/images"))
        .bearer_auth(&a.api_key)
        .body("<svg onload=alert(1)></svg>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = page(&c, &app.url("acme", img["url"].as_str().unwrap()), "en").await;
    assert_eq!((r.status(), r.headers()["content-type"].to_str().unwrap()), (StatusCode::OK, "image/png"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    assert_eq!(page(&c, &app.url("other", img["url"].as_str().unwrap()), "en").await.status(), StatusCode::NOT_FOUND);

    // Another account reaches none of it through the API.
    let (s, _) = app.api(&other, Method::GET, &format!("/knowledge-bases/{}", kb["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&other, Method::GET, &format!("/knowledge-bases/customers/articles/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "their own 'customers' does not hold acme's article");
    let (s, _) = app
        .api(
            &other,
            Method::PATCH,
            &format!("/knowledge-bases/customers/articles/{id}"),
            Some(json!({"title": "Mine"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The request form becomes a ticket from the web.
    let r = c
        .post(app.url("acme", "/kb/customers/en/request"))
        .form(&[
            ("name", "Rita"),
            ("email", "rita@example.com"),
            ("subject", "Card declined"),
            ("message", "It fails."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.text().await.unwrap().contains("Your request is number #"));
    let (_, list) = app.api(&a, Method::GET, "/tickets?channel=web", None).await;
    assert!(list["tickets"].as_array().unwrap().iter().any(|t| t["subject"] == "Card declined"), "{list}");
    let r = c
        .post(app.url("acme", "/kb/customers/en/request"))
        .form(&[("email", "nope"), ("subject", "x"), ("message", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Deleted: gone from the portal and from search at once.
    let (s, _) = app.api(&a, Method::DELETE, &format!("/knowledge-bases/customers/articles/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(page(&c, &app.url("acme", &article_url), "hu").await.status(), StatusCode::NOT_FOUND);
    assert!(found(&app, "acme", "számlák", "").await.is_empty());
    let (s, _) = app.api(&a, Method::DELETE, "/knowledge-bases/customers", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(page(&c, &app.url("acme", "/kb/customers/en/"), "en").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_sign_in_by_a_mailed_link_on_sqlite() {
    customers_sign_in(Engine::Sqlite).await;
}

#[tokio::test]
async fn customers_sign_in_by_a_mailed_link_on_postgres() {
    customers_sign_in(Engine::Postgres).await;
}

/// A knowledge base for signed-in customers: others are sent to sign in; a contact's address gets a one-time link
/// in their language (unknown addresses get the same answer and no mail); the link starts a session; erasing the
/// contact ends it.
async fn customers_sign_in(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    create(
        &app,
        &a,
        "/knowledge-bases",
        json!({"slug": "members", "name": "Members", "visibility": "customers",
        "languages": ["en", "de"]}),
    )
    .await;
    create(
        &app,
        &a,
        "/knowledge-bases/members/articles",
        json!({"title": "Member prices", "body": "Ten percent off.",
        "status": "published"}),
    )
    .await;
    let contact = create(&app, &a, "/contacts", json!({"email": "mia@example.com", "name": "Mia"})).await;

    let c = http_client(true);
    let r = page(&c, &app.url("acme", "/kb/members/en/"), "de").await;
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/kb/members/signin"));
    let r = page(&c, &app.url("acme", "/kb/members/search?q=prices"), "en").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "not even search answers before signing in");
    let form = page(&c, &app.url("acme", "/kb/members/signin"), "de").await.text().await.unwrap();
    assert!(form.contains("angemeldete Kunden"), "{form}");
    for email in ["nobody@example.com", "mia@example.com"] {
        let r = c
            .post(app.url("acme", "/kb/members/signin"))
            .form(&[("email", email), ("lang", "de")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("Wenn wir diese Adresse kennen"), "the same answer for any address");
    }
    let ctx = app.app.regions.context(&parley_domain::account::AccountSlug::parse("acme").unwrap()).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mail = loop {
        let mail = ctx.store.queued_mail(ctx.account_id, 10).await.unwrap();
        let mail: Vec<_> = mail.into_iter().filter(|m| m.kind == "portal_sign_in").collect();
        if !mail.is_empty() || std::time::Instant::now() > deadline {
            break mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(mail.len(), 1, "one mail, to the contact who exists");
    assert_eq!(mail[0].to, "mia@example.com");
    assert!(mail[0].subject.contains("Ihr Anmeldelink für Members"), "{}", mail[0].subject);
    let link = mail[0].text.split_whitespace().find(|w| w.contains("/kb/members/signin/")).unwrap().to_string();
    let path = &link[link.find("/kb/").unwrap()..];

    let r = c.get(app.url("acme", path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "opening the link only shows a button (mail scanners open links too)");
    assert!(r.text().await.unwrap().contains("Members öffnen"));
    let r = c.post(app.url("acme", path)).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/kb/members/de/"));
    let (s, home) = get(&c, &app.url("acme", "/kb/members/en/")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("Member prices") && home.contains("noindex"), "{home}");
    let again = http_client(true);
    let r = again.post(app.url("acme", path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a link works once");
    let r = again.post(app.url("acme", "/kb/members/signin/not-a-token")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A session is for the knowledge base it was given for.
    let company = create(&app, &a, "/companies", json!({"name": "Partner Ltd"})).await;
    create(
        &app,
        &a,
        "/knowledge-bases",
        json!({"slug": "partners", "name": "Partners", "visibility": "customers",
        "languages": ["en"], "companies": [company["id"]]}),
    )
    .await;
    let r = c.get(app.url("acme", "/kb/partners/en/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in to Members is not signed in to Partners");
    // Only contacts of its companies get a link there: Mia is of none.
    let r = c.post(app.url("acme", "/kb/partners/signin")).form(&[("email", "mia@example.com")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let links = ctx.store.queued_mail(ctx.account_id, 10).await.unwrap();
    assert_eq!(links.iter().filter(|m| m.kind == "portal_sign_in").count(), 1, "no second link: {links:?}");
    let (s, r) = app.api(&a, Method::PATCH, "/knowledge-bases/partners", Some(json!({"companies": ["nope"]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");

    // Erasing the person ends their session.
    let (s, _) = app.api(&a, Method::POST, &format!("/contacts/{}/erase", contact["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::OK);
    let r = c.get(app.url("acme", "/kb/members/en/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out by the erasure");

    // Only knowledge bases for customers have a sign-in.
    create(&app, &a, "/knowledge-bases", json!({"slug": "open", "name": "Open", "languages": ["en"]})).await;
    assert_eq!(page(&c, &app.url("acme", "/kb/open/signin"), "en").await.status(), StatusCode::NOT_FOUND);
}

/// The agents' knowledge pages: forms need the session's CSRF token, and only administrators create knowledge
/// bases; any agent writes articles.
#[tokio::test]
async fn the_knowledge_pages_check_forms_and_roles() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (owner, _) = sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = get(&owner, &app.url("acme", "/knowledge")).await;
    let csrf = crate::ui::csrf_in(&html);
    let kb = [("name", "Help"), ("slug", "help"), ("visibility", "public"), ("languages", "en, de")];
    let r = owner
        .post(app.url("acme", "/knowledge"))
        .form(&[&kb[..], &[("_csrf", "forged")]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = owner
        .post(app.url("acme", "/knowledge"))
        .form(&[&kb[..], &[("_csrf", csrf.as_str())]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/knowledge/help"));

    let agent = crate::ui::new_agent_signed_in(&app, "acme", "writer@acme.example", "agent").await;
    let (_, html) = get(&agent, &app.url("acme", "/knowledge/help/articles/new")).await;
    assert!(!html.contains("New knowledge base"));
    let csrf = crate::ui::csrf_in(&html);
    let other =
        [("name", "Mine"), ("slug", "mine"), ("visibility", "public"), ("languages", "en"), ("_csrf", csrf.as_str())];
    let r = agent.post(app.url("acme", "/knowledge")).form(&other).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "only administrators create knowledge bases");
    let article = [
        ("lang", "de"),
        ("title", "Versand"),
        ("body", "Wir liefern **schnell**."),
        ("published", "1"),
        ("category", ""),
        ("tags", "versand"),
        ("_csrf", csrf.as_str()),
    ];
    let r = agent.post(app.url("acme", "/knowledge/help/articles")).form(&article).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.api(&a, Method::GET, "/knowledge-bases/help/articles", None).await;
    assert_eq!(list[0]["translations"][0]["language"], "de");
    assert_eq!(list[0]["translations"][0]["status"], "published");
    assert!(list[0]["translations"][0]["author_id"].is_string(), "the writing agent is its author");
}
