//! The subprocessor register from outside: the shipped example is published at the first start; an operator
//! publishes a new version with the command line; each account's public list and page show the hosting of its
//! region and the history of what changed for it, in the visitor's language.

use crate::cli::parley;
use crate::helpers::{spawn_app, Engine};
use reqwest::StatusCode;
use serde_json::Value;

const EXAMPLE: &str = include_str!("../../../../examples/subprocessors.toml");

async fn public_json(app: &crate::helpers::TestApp, slug: &str) -> (StatusCode, Value) {
    let res = app.http.get(app.url(slug, "/api/v1/subprocessors")).send().await.unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect()
}

async fn page(app: &crate::helpers::TestApp, path: &str, accept_language: Option<&str>) -> String {
    let mut req = app.http.get(app.url("acme", path));
    if let Some(l) = accept_language {
        req = req.header("accept-language", l);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

#[tokio::test]
async fn each_account_sees_its_regions_subprocessors_and_what_changed() {
    let relay = parley_test_support::CaptureRelay::start().await;
    let app = crate::helpers::spawn_with(crate::helpers::Options {
        env: vec![("PARLEY_SMTP_RELAY".into(), relay.url())],
        ..Default::default()
    })
    .await;
    let acme = app.account("acme", "eu").await;
    let yankee = app.account("yankee", "us").await;

    // No key needed; only the hosting of the account's own region, as no feature is switched on.
    let (s, eu) = public_json(&app, "acme").await;
    assert_eq!(s, StatusCode::OK, "{eu}");
    assert_eq!((eu["version"].as_u64(), eu["date"].as_str()), (Some(1), Some("2026-11-01")));
    assert_eq!(names(&eu["subprocessors"]), ["Nordlicht Rechenzentren GmbH"]);
    assert_eq!(eu["history"], serde_json::json!([]));
    let (_, us) = public_json(&app, "yankee").await;
    assert_eq!(names(&us["subprocessors"]), ["Prairie Cloud Inc."]);
    let (s, _) = public_json(&app, "nobody").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Version 2: a second eu host, the AI provider gone, the mail relay's purpose reworded.
    let v2 = EXAMPLE
        .replace("version = 1", "version = 2")
        .replace("date = \"2026-11-01\"", "date = \"2026-12-01\"")
        .replace("Delivering the account's outgoing email", "Delivering outgoing email and bounces")
        .replace("name = \"Lumen Language Models SAS\"", "name = \"Lumen Language Models SAS\"\n# gone")
        + "\n[[subprocessor]]\nname = \"Fjord Backup AS\"\nlegal_entity = \"Fjord Backup AS, Bryggen 1, 5003 Bergen, Norway\"\n\
           purpose = \"Off-site copies of the eu region's backups\"\ndata_categories = [\"all data of the account\"]\n\
           country = \"NO\"\nregions = [\"eu\"]\nfeature = \"hosting\"\n";
    let cut = v2.find("[[subprocessor]]\nname = \"Lumen").unwrap();
    let end = cut + v2[cut..].find("feature = \"ai\"\n").unwrap() + "feature = \"ai\"\n".len();
    let v2 = format!("{}{}", &v2[..cut], &v2[end..]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("register.toml");
    std::fs::write(&file, &v2).unwrap();
    let out = parley(app.data_dir.path(), &["subprocessors", "publish", file.to_str().unwrap()], &[]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("Published version 2"), "{said}");
    assert!(said.contains("+ Fjord Backup AS") && said.contains("- Lumen Language Models SAS"), "{said}");
    assert!(said.contains("~ Postwerk Mail Relay GmbH: purpose"), "{said}");
    // Publishing it again changes nothing; another file under the same number is refused.
    let again = parley(app.data_dir.path(), &["subprocessors", "publish", file.to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("published already"));
    std::fs::write(&file, v2.replace("Bergen", "Oslo")).unwrap();
    let clash = parley(app.data_dir.path(), &["subprocessors", "publish", file.to_str().unwrap()], &[]);
    assert!(!clash.status.success());
    assert!(String::from_utf8_lossy(&clash.stderr).contains("version: version 2 is published with other contents"));

    // The eu account sees the new host; the AI and mail changes do not concern it, as it uses neither.
    let (_, eu) = public_json(&app, "acme").await;
    assert_eq!(eu["version"], 2);
    assert_eq!(names(&eu["subprocessors"]), ["Nordlicht Rechenzentren GmbH", "Fjord Backup AS"]);
    let history = eu["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{eu}");
    assert_eq!((history[0]["version"].as_u64(), history[0]["date"].as_str()), (Some(2), Some("2026-12-01")));
    assert_eq!(names(&history[0]["changes"]["added"]), ["Fjord Backup AS"]);
    assert_eq!(history[0]["changes"]["removed"], serde_json::json!([]));
    assert_eq!(history[0]["changes"]["changed"], serde_json::json!([]));
    let (_, us) = public_json(&app, "yankee").await;
    assert_eq!(us["history"], serde_json::json!([]), "nothing changed for the us region: {us}");

    // The eu account's owner is told, by mail and on the privacy page; the us account's is not.
    let mail = relay.wait_for(1, 20).await;
    assert_eq!(mail.len(), 1, "one owner concerned");
    assert_eq!(mail[0].rcpt_to, std::slice::from_ref(&acme.email));
    assert_eq!(mail[0].header("Subject").as_deref(), Some("Changes to the subprocessors of acme (version 2)"));
    assert!(mail[0].text().contains("Added: Fjord Backup AS (NO)"), "{}", mail[0].text());
    assert_eq!(mail[0].header("Auto-Submitted").as_deref(), Some("auto-replied"), "automatic mail says so");
    let (owner, _) = crate::ui::sign_in(&app, "acme", &acme.email, &acme.password).await;
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    assert!(
        html.contains("Version 2") && html.contains("Added: Fjord Backup AS") && html.contains("Object to this change"),
        "{html}"
    );
    let (yankee_owner, _) = crate::ui::sign_in(&app, "yankee", &yankee.email, &yankee.password).await;
    let (_, html) = crate::ui::get(&yankee_owner, &app.url("yankee", "/settings/privacy")).await;
    assert!(!html.contains("Changes to the list"), "{html}");

    // The owner objects; the operator sees it; a second objection is refused.
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    let csrf = crate::ui::csrf_in(&html);
    let objected = owner
        .post(app.url("acme", "/settings/privacy/notices/2/object"))
        .form(&[("_csrf", csrf.as_str()), ("reason", "Our contract says no data in Norway.")])
        .send()
        .await
        .unwrap();
    assert_eq!(objected.status(), StatusCode::SEE_OTHER);
    let again = owner
        .post(app.url("acme", "/settings/privacy/notices/2/object"))
        .form(&[("_csrf", csrf.as_str()), ("reason", "Twice.")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let listed = parley(app.data_dir.path(), &["subprocessors", "objections"], &[]);
    let said = String::from_utf8_lossy(&listed.stdout);
    assert!(
        said.contains("acme: version 2 objected") && said.contains("Our contract says no data in Norway."),
        "{said}"
    );
    assert!(!said.contains("yankee"));
    let (_, log) = app.api(&acme, reqwest::Method::GET, "/audit-log?action=register.", None).await;
    let acts: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(acts, ["register.objected", "register.changed"]);

    // Every start publishes the file again, which tells accounts a run before could not reach; those told are not
    // told twice, and an account made after the change has nothing to be told.
    let newbie = app.account("newbie", "eu").await;
    std::fs::write(&file, &v2).unwrap();
    let again = parley(app.data_dir.path(), &["subprocessors", "publish", file.to_str().unwrap()], &[]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let (_, log) = app.api(&acme, reqwest::Method::GET, "/audit-log?action=register.", None).await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 2, "told once: {log}");
    let (_, log) = app.api(&newbie, reqwest::Method::GET, "/audit-log?action=register.", None).await;
    assert_eq!(log["entries"], serde_json::json!([]), "nothing changed for a new account: {log}");

    // The page, in the language asked for, then the browser's.
    let hu = page(&app, "/subprocessors?lang=hu", Some("de")).await;
    assert!(hu.contains("<html lang=\"hu\">") && hu.contains("Alvállalkozó adatfeldolgozók"), "{hu}");
    assert!(hu.contains("Fjord Backup AS") && hu.contains("2026-12-01"), "{hu}");
    let de = page(&app, "/subprocessors", Some("fr-CH, de-DE;q=0.8, en;q=0.5")).await;
    assert!(de.contains("Unterauftragsverarbeiter") && de.contains("Hinzugefügt"), "{de}");
    let tl = page(&app, "/subprocessors?lang=tl", None).await;
    assert!(tl.contains("Mga subprocessor") && tl.contains("Idinagdag"));
    let en = page(&app, "/subprocessors?lang=xx", Some("fr")).await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Subprocessors") && en.contains("Added:"));
    assert!(!en.contains("Lumen"), "not the account's");
}

#[test]
fn bad_registers_are_refused_with_the_place_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("register.toml");
    std::fs::write(&file, EXAMPLE.replace("country = \"DE\"", "country = \"Germany\"")).unwrap();
    let out = parley(dir.path(), &["subprocessors", "publish", file.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("subprocessor[0].country: 'Germany' is not a two-letter country code"), "{said}");
    std::fs::write(&file, "version = 1\ndate = \"2026-11-01\"\n[[subprocessor]]\nname = \n").unwrap();
    let out = parley(dir.path(), &["subprocessors", "publish", file.to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 4"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = parley(dir.path(), &["subprocessors", "publish", "/nonexistent.toml"], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read '/nonexistent.toml'"));
}

#[tokio::test]
async fn switching_on_a_feature_takes_an_owners_consent_and_changes_the_list() {
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;

    let (s, list) = app.api(&a, Method::GET, "/settings/features", None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let ai = list["features"].as_array().unwrap().iter().find(|f| f["feature"] == "ai").unwrap().clone();
    assert_eq!((ai["enabled"].as_bool(), ai["consented"].as_bool()), (Some(false), Some(false)));
    assert_eq!(names(&ai["providers"]), ["Lumen Language Models SAS"]);

    // A key cannot consent: the answer names who would get the data.
    let (s, p) = app.api(&a, Method::PUT, "/settings/features/ai", Some(json!({"enabled": true}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("Lumen Language Models SAS (FR)"), "{p}");
    let (s, _) = app.api(&a, Method::PUT, "/settings/features/teleport", Some(json!({"enabled": true}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.api(&a, Method::PUT, "/settings/features/hosting", Some(json!({"enabled": false}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, eu) = public_json(&app, "acme").await;
    assert_eq!(names(&eu["subprocessors"]), ["Nordlicht Rechenzentren GmbH"], "nothing switched on");

    // An administrator who is not an owner may not consent either.
    let ada = crate::ui::new_agent_signed_in(&app, "acme", "ada@acme.example", "admin").await;
    let (_, html) = crate::ui::get(&ada, &app.url("acme", "/settings/privacy")).await;
    assert!(html.contains("An owner must consent"), "{html}");
    let form = [("_csrf", crate::ui::csrf_in(&html)), ("enabled", "1".into()), ("consent", "1".into())];
    let res = ada.post(app.url("acme", "/settings/privacy/features/ai")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The owner, on the privacy page: without the box ticked it is refused; ticked, it is recorded.
    let (owner, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    assert!(html.contains("I consent to these providers") && html.contains("Lumen Language Models SAS (FR)"), "{html}");
    let csrf = crate::ui::csrf_in(&html);
    let res = owner
        .post(app.url("acme", "/settings/privacy/features/ai"))
        .form(&[("_csrf", csrf.as_str()), ("enabled", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = owner
        .post(app.url("acme", "/settings/privacy/features/ai"))
        .form(&[("_csrf", csrf.as_str()), ("enabled", "1"), ("consent", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (_, eu) = public_json(&app, "acme").await;
    assert_eq!(names(&eu["subprocessors"]), ["Nordlicht Rechenzentren GmbH", "Lumen Language Models SAS"]);
    let (_, log) = app.api(&a, Method::GET, "/audit-log?page[size]=2", None).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(
        (entries[0]["action"].as_str(), entries[1]["action"].as_str()),
        (Some("feature.enabled"), Some("consent.given"))
    );
    assert_eq!(entries[1]["detail"], json!({"register_version": 1, "providers": ["Lumen Language Models SAS"]}));
    assert!(entries[1]["actor"].as_str().unwrap().starts_with("agent:"));

    // Off and on again by key: consent was given once for these providers.
    let (s, off) = app.api(&a, Method::PUT, "/settings/features/ai", Some(json!({"enabled": false}))).await;
    assert_eq!((s, off["enabled"].as_bool()), (StatusCode::OK, Some(false)));
    let (_, eu) = public_json(&app, "acme").await;
    assert_eq!(names(&eu["subprocessors"]), ["Nordlicht Rechenzentren GmbH"]);
    let (s, on) = app.api(&a, Method::PUT, "/settings/features/ai", Some(json!({"enabled": true}))).await;
    assert_eq!((s, on["consented"].as_bool()), (StatusCode::OK, Some(true)), "{on}");
    // Voice has its own provider, not consented to.
    let (s, _) = app.api(&a, Method::PUT, "/settings/features/voice", Some(json!({"enabled": true}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

const DPA: &str = include_str!("../../../../examples/dpa.md");

#[tokio::test]
async fn an_owner_accepts_the_agreement_and_a_new_version_asks_again() {
    use reqwest::Method;
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (s, st) = app.api(&a, Method::GET, "/settings/dpa", None).await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!((st["current"]["version"].as_u64(), st["accepted"].as_bool()), (Some(1), Some(false)), "{st}");

    // An administrator who is not an owner cannot accept.
    let ada = crate::ui::new_agent_signed_in(&app, "acme", "ada@acme.example", "admin").await;
    let (_, html) = crate::ui::get(&ada, &app.url("acme", "/settings/privacy")).await;
    assert!(html.contains("An owner of the account accepts it."), "{html}");
    let res = ada
        .post(app.url("acme", "/settings/privacy/dpa/1/accept"))
        .form(&[("_csrf", crate::ui::csrf_in(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let (owner, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    assert!(
        html.contains("awaits an owner&#39;s acceptance") || html.contains("awaits an owner's acceptance"),
        "{html}"
    );
    let csrf = crate::ui::csrf_in(&html);
    let res = owner
        .post(app.url("acme", "/settings/privacy/dpa/1/accept"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let again = owner
        .post(app.url("acme", "/settings/privacy/dpa/1/accept"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let (_, st) = app.api(&a, Method::GET, "/settings/dpa", None).await;
    assert_eq!(st["accepted"], true);
    let acc = &st["acceptances"][0];
    assert_eq!(
        (acc["version"].as_u64(), acc["agent_email"].as_str(), acc["ip"].as_str()),
        (Some(1), Some(a.email.as_str()), Some("127.0.0.1"))
    );
    let record = owner.get(app.url("acme", "/settings/privacy/dpa/1/record")).send().await.unwrap();
    assert!(record.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let record: Value = record.json().await.unwrap();
    assert_eq!(record["acceptance"]["text_sha256"], record["agreement"]["text_sha256"]);
    assert!(record["agreement"]["text"].as_str().unwrap().starts_with("# Data Processing Agreement"), "{record}");
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=dpa.", None).await;
    assert_eq!(log["entries"][0]["detail"]["version"], 1);
    assert_eq!(log["entries"][0]["ip"], "127.0.0.1");

    // Version 2 asks again; version 1 can no longer be accepted.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dpa.md");
    std::fs::write(
        &file,
        DPA.replace("version = 1", "version = 2").replace("2026-11-01", "2027-01-01") + "\n8. **New.** A new clause.\n",
    )
    .unwrap();
    let out = parley(app.data_dir.path(), &["dpa", "publish", file.to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Published version 2"), "{out:?}");
    let (_, st) = app.api(&a, Method::GET, "/settings/dpa", None).await;
    assert_eq!((st["current"]["version"].as_u64(), st["accepted"].as_bool()), (Some(2), Some(false)));
    let (_, html) = crate::ui::get(&owner, &app.url("acme", "/settings/privacy")).await;
    assert!(html.contains("Accept version 2"), "{html}");
    let stale = owner
        .post(app.url("acme", "/settings/privacy/dpa/1/accept"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);

    std::fs::write(&file, "# no front matter\n").unwrap();
    let out = parley(app.data_dir.path(), &["dpa", "publish", file.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dpa: must start with a +++ line"), "{out:?}");
}
