//! Business hours from outside: the Budapest calendar made over the API, its due times exact (Friday 16:30
//! plus one business hour is Monday 08:30, Tuesday when Monday is a holiday), bad calendars refused with every
//! field named, one default per account, departments moved between calendars, agents may read but not change,
//! every change audited, and another account's calendars unknown. On both engines.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use parley_domain::account::AccountSlug;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map_or(Vec::new(), |a| a.iter().map(|e| e["field"].as_str().unwrap().to_string()).collect())
}

fn budapest() -> Value {
    let mut periods = Vec::new();
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        periods.push(json!({"day": day, "start": "08:00", "end": "12:00"}));
        periods.push(json!({"day": day, "start": "13:00", "end": "17:00"}));
    }
    json!({"name": "Budapest team", "time_zone": "Europe/Budapest", "periods": periods,
        "holidays": [{"date": "2026-12-25", "name": "Christmas", "end_date": "2026-12-26", "yearly": true}]})
}

async fn due(app: &TestApp, a: &TestAccount, id: &str, from: &str, minutes: i64) -> (StatusCode, Value) {
    let from = from.replace('+', "%2B");
    app.api(a, Method::GET, &format!("/business-hours/{id}/due?from={from}&minutes={minutes}"), None).await
}

async fn business_hours_story(engine: Engine) {
    let app = spawn_app(engine).await;
    let a = app.account("acme", "eu").await;

    // The first calendar becomes the default; it reads back as sent.
    let (s, bud) = app.api(&a, Method::POST, "/business-hours", Some(budapest())).await;
    assert_eq!(s, StatusCode::CREATED, "{bud}");
    let id = bud["id"].as_str().unwrap().to_string();
    assert_eq!(bud["default"], true, "an account's first calendar is its default");
    assert_eq!(bud["time_zone"], "Europe/Budapest");
    assert_eq!(bud["periods"].as_array().unwrap().len(), 10);
    assert_eq!(bud["holidays"][0]["end_date"], "2026-12-26");
    let (_, got) = app.api(&a, Method::GET, &format!("/business-hours/{id}"), None).await;
    assert_eq!(got, bud);

    // Friday 4 December 2026, 16:30 in Budapest (15:30 UTC): one business hour later is Monday 08:30.
    let (s, d) = due(&app, &a, &id, "2026-12-04T16:30:00+01:00", 60).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["due_at"], "2026-12-07T07:30:00Z", "Monday 08:30 in Budapest: {d}");
    assert_eq!(d["open"], true);
    // From inside the lunch break, 30 minutes: 13:30. From Christmas Eve 16:30, 60 minutes skip the two holidays
    // and the weekend: Monday 28 December, 08:30.
    let (_, d) = due(&app, &a, &id, "2026-12-08T12:15:00+01:00", 30).await;
    assert_eq!((d["due_at"].as_str(), d["open"].as_bool()), (Some("2026-12-08T12:30:00Z"), Some(false)));
    let (_, d) = due(&app, &a, &id, "2026-12-24T16:30:00+01:00", 60).await;
    assert_eq!(d["due_at"], "2026-12-28T07:30:00Z", "{d}");
    // A Monday made a holiday moves it to Tuesday.
    let mut holidays = bud["holidays"].as_array().unwrap().clone();
    holidays.push(json!({"date": "2026-12-07", "name": "Team day"}));
    let (s, changed) =
        app.api(&a, Method::PATCH, &format!("/business-hours/{id}"), Some(json!({"holidays": holidays}))).await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Budapest team", "what was left out stays");
    let (_, d) = due(&app, &a, &id, "2026-12-04T16:30:00+01:00", 60).await;
    assert_eq!(d["due_at"], "2026-12-08T07:30:00Z", "Tuesday 08:30: {d}");

    // Bad calendars: every bad field named at once, nothing saved.
    let bad = json!({"name": "", "time_zone": "Mars/Olympus", "periods": [
        {"day": "mon", "start": "08:00", "end": "12:00"}, {"day": "mon", "start": "11:00", "end": "13:00"},
        {"day": "funday", "start": "09:00", "end": "10:00"}, {"day": "tue", "start": "17:00", "end": "09:00"}],
        "holidays": [{"date": "2026-02-30"}], "department_ids": ["nope"]});
    let (s, p) = app.api(&a, Method::POST, "/business-hours", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let named = fields(&p);
    for f in ["name", "time_zone", "periods[2].day", "holidays[0].date", "department_ids[0]"] {
        assert!(named.iter().any(|n| n == f), "{f} is named: {named:?}");
    }
    assert!(named.iter().any(|n| n.starts_with("periods[1]")), "the overlap is named: {named:?}");
    assert!(named.iter().any(|n| n.starts_with("periods[3]")), "an end before its start is named: {named:?}");
    let (s, p) =
        app.api(&a, Method::POST, "/business-hours", Some(json!({"name": "x", "time_zone": "UTC", "colour": 1}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field: {p}");
    let (s, p) =
        app.api(&a, Method::PATCH, &format!("/business-hours/{id}"), Some(json!({"time_zone": "Nowhere"}))).await;
    assert_eq!((s, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["time_zone".to_string()]));
    let (_, all) = app.api(&a, Method::GET, "/business-hours", None).await;
    assert_eq!(all["business_hours"].as_array().unwrap().len(), 1, "nothing half-saved: {all}");
    for q in [
        "from=yesterday&minutes=60",
        "from=2026-12-04T16:30:00Z&minutes=-1",
        "from=2026-12-04T16:30:00Z",
        "minutes=5",
        "from=2026-12-04T16:30:00Z&minutes=600000",
        "from=2026-12-04T16:30:00Z&minutes=1&x=1",
    ] {
        let (s, p) = app.api(&a, Method::GET, &format!("/business-hours/{id}/due?{q}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {p}");
    }

    // A second calendar for a department; made the default, it takes over from the first.
    let (_, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Night shift"}))).await;
    let dept = dept["id"].as_str().unwrap().to_string();
    let ny = json!({"name": "New York", "time_zone": "America/New_York", "department_ids": [dept],
        "periods": [{"day": "mon", "start": "09:00", "end": "17:00"}]});
    let (s, ny) = app.api(&a, Method::POST, "/business-hours", Some(ny)).await;
    assert_eq!(s, StatusCode::CREATED, "{ny}");
    let ny_id = ny["id"].as_str().unwrap().to_string();
    assert_eq!((ny["default"].as_bool(), &ny["department_ids"]), (Some(false), &json!([dept])));
    let ctx = app.app.regions.context(&AccountSlug::parse("acme").unwrap()).await.unwrap();
    let for_dept = parley_app::business_hours::calendar_for(&ctx, Some(dept.parse().unwrap())).await.unwrap();
    assert_eq!(for_dept.time_zone(), "America/New_York", "the department's own hours");
    let for_none = parley_app::business_hours::calendar_for(&ctx, None).await.unwrap();
    assert_eq!(for_none.time_zone(), "Europe/Budapest", "the default");
    let (s, _) = app.api(&a, Method::PATCH, &format!("/business-hours/{ny_id}"), Some(json!({"default": true}))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, all) = app.api(&a, Method::GET, "/business-hours", None).await;
    let defaults: Vec<&str> = all["business_hours"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["default"] == true)
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["New York"], "one default: {all}");
    assert_eq!(all["business_hours"][0]["name"], "New York", "the default listed first");
    // The department moves to the first calendar: it leaves the second.
    let (s, _) =
        app.api(&a, Method::PATCH, &format!("/business-hours/{id}"), Some(json!({"department_ids": [dept]}))).await;
    assert_eq!(s, StatusCode::OK);
    let (_, ny) = app.api(&a, Method::GET, &format!("/business-hours/{ny_id}"), None).await;
    assert_eq!(ny["department_ids"], json!([]), "{ny}");
    // Deleted: its departments fall back to the default; gone is gone.
    let (s, _) = app.api(&a, Method::DELETE, &format!("/business-hours/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let for_dept = parley_app::business_hours::calendar_for(&ctx, Some(dept.parse().unwrap())).await.unwrap();
    assert_eq!(for_dept.time_zone(), "America/New_York", "back to the default");
    let (s, _) = app.api(&a, Method::GET, &format!("/business-hours/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // An agent reads them but does not change them (API keys act as administrators: an agent's own session here).
    let (_, kim) = app
        .api(&a, Method::POST, "/agents", Some(json!({"email": "kim@acme.example", "name": "Kim", "role": "agent"})))
        .await;
    let kim_id = kim["agent"]["id"].as_str().unwrap().parse().unwrap();
    let kim = parley_app::Caller::Agent(ctx.store.get_agent(ctx.account_id, kim_id).await.unwrap().unwrap());
    use parley_app::business_hours as bh;
    assert_eq!(bh::list_business_hours(&ctx).await.unwrap().len(), 1);
    let patch = bh::HoursPatch { name: Some("Mine".into()), ..Default::default() };
    let refused = bh::update_business_hours(&ctx, &kim, ny_id.parse().unwrap(), patch).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))), "{refused:?}");
    let refused = bh::delete_business_hours(&ctx, &kim, ny_id.parse().unwrap()).await;
    assert!(matches!(refused, Err(parley_app::AppError::Forbidden(_))));

    // Audited: made, changed, deleted.
    let (_, log) = app.api(&a, Method::GET, "/audit-log?action=settings.changed", None).await;
    let first: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == format!("business_hours:{id}"))
        .map(|e| e["detail"]["business_hours"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["deleted", "changed", "changed", "created"], "{log}");

    // Another account sees none of it and changes none of it.
    let g = app.account("globex", "eu").await;
    let (_, theirs) = app.api(&g, Method::GET, "/business-hours", None).await;
    assert_eq!(theirs["business_hours"], json!([]));
    for (m, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"name": "Stolen"}))), (Method::DELETE, None)] {
        let (s, _) = app.api(&g, m, &format!("/business-hours/{ny_id}"), body).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, _) = due(&app, &g, &ny_id, "2026-12-04T16:30:00Z", 60).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, p) = app
        .api(
            &g,
            Method::POST,
            "/business-hours",
            Some(json!({"name": "G", "time_zone": "UTC", "department_ids": [dept]})),
        )
        .await;
    assert_eq!((s, fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["department_ids[0]".to_string()]));
}

#[tokio::test]
async fn business_hours_on_sqlite() {
    business_hours_story(Engine::Sqlite).await;
}

#[tokio::test]
async fn business_hours_on_postgres() {
    business_hours_story(Engine::Postgres).await;
}
