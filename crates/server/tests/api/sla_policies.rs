//! SLA policies from outside: the policy made over the API and read back as sent, placed in order, bad
//! policies refused with every field named, business hours of the account only (and hours a policy counts in not
//! deleted under it), changes audited, agents kept to reading, another account's policies unknown. On both engines.

use crate::helpers::{spawn_app, Engine, TestApp};
use parley_domain::account::AccountSlug;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map_or(Vec::new(), |a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

fn urgent() -> Value {
    json!({"name": "Urgent tickets", "conditions": {"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []},
        "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": true},
                    {"priority": "urgent", "metric": "resolution", "minutes": 480, "business_hours": true}]})
}

async fn names(app: &TestApp, a: &crate::helpers::TestAccount) -> Vec<String> {
    let (_, all) = app.api(a, Method::GET, "/sla-policies", None).await;
    all["sla_policies"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

async fn sla_policies_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let (_, hours) = app
        .api(
            &a,
            Method::POST,
            "/business-hours",
            Some(json!({"name": "Budapest", "time_zone": "Europe/Budapest",
            "periods": [{"day": "mon", "start": "08:00", "end": "17:00"}]})),
        )
        .await;
    let hours = hours["id"].as_str().unwrap().to_string();

    // The policy, read back as sent; pending pauses it unless told otherwise.
    let mut body = urgent();
    body["business_hours_id"] = json!(hours);
    let (s, p) = app.api(&a, Method::POST, "/sla-policies", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["position"], 1);
    assert_eq!(p["pause_statuses"], json!(["pending"]));
    assert_eq!(p["targets"], urgent()["targets"]);
    assert_eq!(p["conditions"], urgent()["conditions"]);
    assert_eq!(p["business_hours_id"], hours);
    let (_, got) = app.api(&a, Method::GET, &format!("/sla-policies/{id}"), None).await;
    assert_eq!(got, p);

    // Placed last unless told; moved by position.
    let (_, vip) = app
        .api(&a, Method::POST, "/sla-policies", Some(json!({"name": "VIP", "conditions": {"all": [{"field": "tags", "operator": "includes", "value": "vip"}]},
            "targets": [{"priority": "high", "metric": "first_reply", "minutes": 30, "business_hours": false}]})))
        .await;
    assert_eq!(vip["position"], 2, "{vip}");
    assert_eq!(names(&app, &a).await, ["Urgent tickets", "VIP"]);
    let vip_id = vip["id"].as_str().unwrap().to_string();
    let (s, _) = app.api(&a, Method::PATCH, &format!("/sla-policies/{vip_id}"), Some(json!({"position": 0}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(names(&app, &a).await, ["VIP", "Urgent tickets"], "the first that matches applies: order matters");

    // Bad policies: every bad field named at once; nothing saved.
    let bad = json!({"name": "", "business_hours_id": "00000000-0000-7000-8000-000000000000",
        "conditions": {"all": [{"field": "colour", "operator": "is", "value": "red"}], "any": [{"field": "priority", "operator": "is", "value": "extreme"}]},
        "pause_statuses": ["open"],
        "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 0, "business_hours": true},
                    {"priority": "urgent", "metric": "eventually", "minutes": 60, "business_hours": true}]});
    let (s, e) = app.api(&a, Method::POST, "/sla-policies", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let named = fields(&e);
    for f in [
        "name",
        "business_hours_id",
        "conditions.all[0].field",
        "pause_statuses[0]",
        "targets[0].minutes",
        "targets[1].metric",
    ] {
        assert!(named.iter().any(|n| n == f), "{f} is named: {named:?}");
    }
    assert!(named.iter().any(|n| n.starts_with("conditions.any[0]")), "{named:?}");
    let (s, _) =
        app.api(&a, Method::POST, "/sla-policies", Some(json!({"name": "x", "targets": [], "colour": 1}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field is refused");
    assert_eq!(names(&app, &a).await.len(), 2, "nothing half-saved");

    // Hours a policy counts in are not deleted under it; back to the default hours (null), they may go.
    let (s, e) = app.api(&a, Method::DELETE, &format!("/business-hours/{hours}"), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, p) =
        app.api(&a, Method::PATCH, &format!("/sla-policies/{id}"), Some(json!({"business_hours_id": null}))).await;
    assert_eq!((s, &p["business_hours_id"]), (StatusCode::OK, &Value::Null), "{p}");
    assert_eq!(p["name"], "Urgent tickets", "what was left out stays");
    let (s, _) = app.api(&a, Method::DELETE, &format!("/business-hours/{hours}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // Agents read, administrators change (API keys act as administrators: an agent's session through the use case).
    let ctx = app.app.regions.context(&AccountSlug::parse("acme").unwrap()).await.unwrap();
    let (_, kim) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "kim@acme.example", "name": "Kim", "role": "agent"})))
        .await;
    let kim_id = kim["agent"]["id"].as_str().unwrap().parse().unwrap();
    let kim = parley_app::Caller::Agent(ctx.store.get_agent(ctx.account_id, kim_id).await.unwrap().unwrap());
    assert_eq!(parley_app::sla::list_sla_policies(&ctx).await.unwrap().len(), 2);
    let refused = parley_app::sla::delete_sla_policy(&ctx, &kim, id.parse().unwrap()).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))), "{refused:?}");
    let refused = parley_app::sla::create_sla_policy(&ctx, &kim, serde_json::from_value(urgent()).unwrap()).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))));

    // Deleted; audited: made, changed twice, deleted.
    let (s, _) = app.api(&a, Method::DELETE, &format!("/sla-policies/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.api(&a, Method::GET, &format!("/sla-policies/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed", None).await;
    let seen: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("sla_policy:{id}"))
        .map(|e| e["detail"]["sla_policy"].as_str().unwrap())
        .collect();
    assert_eq!(seen, ["deleted", "changed", "created"], "{log}");

    // Another account sees none of it, changes none of it, and cannot point at this account's hours.
    let g = app.account("globex", "eu").await;
    assert!(names(&app, &g).await.is_empty());
    for (m, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"name": "Stolen"}))), (Method::DELETE, None)] {
        let (s, _) = app.api(&g, m, &format!("/sla-policies/{vip_id}"), body).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (_, theirs) =
        app.api(&a, Method::POST, "/business-hours", Some(json!({"name": "Acme", "time_zone": "UTC"}))).await;
    let mut body = urgent();
    body["business_hours_id"] = theirs["id"].clone();
    let (s, e) = app.api(&g, Method::POST, "/sla-policies", Some(body)).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["business_hours_id".to_string()]));
}

#[tokio::test]
async fn sla_policies_on_sqlite() {
    sla_policies_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn sla_policies_on_postgres() {
    sla_policies_story(Engine::Postgres).await;
}

/// `GET /tickets/{id}` shows the policy a ticket is under and its targets, from its timeline: first reply and
/// resolution running from creation (calendar hours: due exactly an hour and eight hours later), the first reply
/// met by the agent's answer, resolution paused in pending; a ticket no policy matches shows `null`; the first
/// matching policy in order wins.
async fn a_ticket_shows_its_sla(engine: Engine) {
    use parley_domain::Timestamp;
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;
    let at = |v: &Value| Timestamp::parse(v.as_str().unwrap()).unwrap().millis();
    let mut calendar_hours = urgent();
    for t in calendar_hours["targets"].as_array_mut().unwrap() {
        t["business_hours"] = json!(false);
    }
    let (s, p) = app.api(&a, Method::POST, "/sla-policies", Some(calendar_hours)).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (_, later) = app
        .api(
            &a,
            Method::POST,
            "/sla-policies",
            Some(json!({"name": "Everything else",
            "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 5, "business_hours": false}]})),
        )
        .await;

    let (s, t) = app
        .api(
            &a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": "Down", "priority": "urgent", "message": {"body": "Help"},
            "requester": {"email": "jane@example.com"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let created = at(&t["created_at"]);
    let (_, got) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(got["sla"]["policy"]["name"], "Urgent tickets", "the first policy in order: {got}");
    let targets = got["sla"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2, "{got}");
    assert_eq!((targets[0]["metric"].as_str(), targets[0]["state"].as_str()), (Some("first_reply"), Some("active")));
    assert_eq!(at(&targets[0]["due_at"]), created + 60 * 60_000);
    assert_eq!(
        (targets[1]["metric"].as_str(), at(&targets[1]["due_at"])),
        (Some("resolution"), created + 480 * 60_000)
    );
    // The ticket page says it beside the details, in the agent's language and zone.
    let (c, signed) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    assert_eq!(signed, StatusCode::SEE_OTHER);
    let (_, html) = crate::ui::get(&c, &app.url("acme", &format!("/tickets/{}", t["number"]))).await;
    let due = Timestamp::from_millis(created + 60 * 60_000).to_rfc3339();
    assert!(html.contains("<h2 id=\"sla-h\">SLA <span class=\"muted\">Urgent tickets</span></h2>"), "{html}");
    assert!(html.contains("<strong>First reply</strong> <span class=\"pill sla-active\">running</span>"), "{html}");
    assert!(html.contains(&format!("<time datetime=\"{due}\">due ")), "{html}");

    // The agent answers: the first reply is met then; pending stops the resolution clock.
    let (s, m) = app.api(&a, Method::POST, &format!("/tickets/{id}/messages"), Some(json!({"body": "On it"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let (s, _) = app.api(&a, Method::PATCH, &format!("/tickets/{id}"), Some(json!({"status": "pending"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, got) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
    let targets = got["sla"]["targets"].as_array().unwrap();
    assert_eq!(targets[0]["state"], "fulfilled", "{got}");
    assert_eq!(at(&targets[0]["fulfilled_at"]), at(&m["created_at"]));
    assert_eq!(targets[0]["breached_at"], Value::Null);
    assert_eq!((targets[1]["state"].as_str(), &targets[1]["due_at"]), (Some("paused"), &Value::Null), "{got}");
    let (_, html) = crate::ui::get(&c, &app.url("acme", &format!("/tickets/{}", t["number"]))).await;
    assert!(html.contains("<span class=\"pill sla-fulfilled\">met</span>"), "{html}");
    assert!(html.contains("<span class=\"pill sla-paused\">paused</span>"), "{html}");

    // Moved first in order, the other policy applies; a ticket neither matches shows null.
    let later_id = later["id"].as_str().unwrap();
    app.api(&a, Method::PATCH, &format!("/sla-policies/{later_id}"), Some(json!({"position": 0}))).await;
    let (_, got) = app.api(&a, Method::GET, &format!("/tickets/{id}"), None).await;
    assert_eq!(got["sla"]["policy"]["id"], later_id, "{got}");
    let low = app.ticket(&a, "Question", "When?", "bob@example.com").await;
    let (_, got) = app.api(&a, Method::GET, &format!("/tickets/{}", low["id"].as_str().unwrap()), None).await;
    assert_eq!(got["sla"]["policy"]["name"], "Everything else", "a policy without conditions matches all: {got}");
    assert_eq!(got["sla"]["targets"], json!([]), "but has no target for a normal ticket: {got}");
    // With no policy at all, `null`.
    for p in [id_of(&later), id_of(&first_policy(&app, &a).await)] {
        app.api(&a, Method::DELETE, &format!("/sla-policies/{p}"), None).await;
    }
    let (_, got) = app.api(&a, Method::GET, &format!("/tickets/{}", low["id"].as_str().unwrap()), None).await;
    assert!(got.get("sla").is_some_and(Value::is_null), "{got}");
    // Lists do not carry it.
    let (_, list) = app.api(&a, Method::GET, "/tickets", None).await;
    assert!(list["tickets"][0].get("sla").is_none(), "{list}");
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn first_policy(app: &TestApp, a: &crate::helpers::TestAccount) -> Value {
    let (_, all) = app.api(a, Method::GET, "/sla-policies", None).await;
    all["sla_policies"].as_array().unwrap().iter().find(|p| p["name"] == "Urgent tickets").unwrap().clone()
}

#[tokio::test]
async fn a_ticket_shows_its_sla_on_sqlite() {
    a_ticket_shows_its_sla(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_ticket_shows_its_sla_on_postgres() {
    a_ticket_shows_its_sla(Engine::Postgres).await;
}
