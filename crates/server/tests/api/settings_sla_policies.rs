//! SLA policies on their settings page, driven as an admin would with the forms a browser sends: made, listed in
//! their order with what they match and promise, moved, changed, refused with every refusal beside its field and
//! what was typed kept, and deleted after a question; the API reads what the page saved. Agents are refused and
//! another account's policy is not found.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::settings_pages::{audited, owner, post};
use crate::ui::{csrf_in, get};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PRIORITIES: [&str; 4] = ["urgent", "high", "normal", "low"];
const METRICS: [&str; 4] = ["first_reply", "next_reply", "periodic_update", "resolution"];

/// A policy as the form posts it: every condition row (two spare ones left empty), the ticked pause statuses, and
/// every cell of the targets grid (`(priority_metric, minutes, count)`; cells not named are left empty).
fn policy_form(
    csrf: &str,
    name: &str,
    hours: &str,
    conditions: &[(&str, &str, &str, &str)],
    pause: &[&str],
    targets: &[(&str, &str, &str)],
) -> Vec<(String, String)> {
    let mut f =
        vec![("_csrf".into(), csrf.into()), ("name".into(), name.into()), ("business_hours_id".into(), hours.into())];
    let spare = [("all", "", "is", ""), ("all", "", "is", "")];
    for (group, field, op, value) in conditions.iter().chain(spare.iter()) {
        for (k, v) in [("cond_group", group), ("cond_field", field), ("cond_operator", op), ("cond_value", value)] {
            f.push((k.into(), (*v).into()));
        }
    }
    f.extend(pause.iter().map(|p| ("pause".to_string(), p.to_string())));
    for p in PRIORITIES {
        for m in METRICS {
            let key = format!("{p}_{m}");
            let (minutes, count) =
                targets.iter().find(|(k, _, _)| *k == key).map_or(("", "business"), |(_, mi, c)| (*mi, *c));
            f.push((format!("{key}_minutes"), minutes.into()));
            f.push((format!("{key}_count"), count.into()));
        }
    }
    f
}

async fn send(c: &reqwest::Client, url: &str, form: &[(String, String)]) -> (StatusCode, String, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(c, url, &pairs).await
}

async fn policies(app: &TestApp, a: &TestAccount) -> Vec<Value> {
    let (s, all) = app.api(a, Method::GET, "/sla-policies", None).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    all["sla_policies"].as_array().unwrap().clone()
}

fn names(all: &[Value]) -> Vec<&str> {
    all.iter().map(|p| p["name"].as_str().unwrap()).collect()
}

/// The text of the refusal shown beside the field `id` (`f-name`, `f-cond-1`, `f-urgent_first_reply`).
fn beside<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}-err\">")).unwrap_or_else(|| panic!("no refusal beside {id}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</p>").unwrap()]
}

#[tokio::test]
async fn sla_policies_are_made_reordered_changed_and_deleted_on_their_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let (_, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let dept = dept["id"].as_str().unwrap().to_string();
    let (s, hours) = app
        .api(
            &a,
            Method::POST,
            "/business-hours",
            Some(json!({"name": "Budapest", "time_zone": "Europe/Budapest",
                "periods": [{"day": "mon", "start": "08:00", "end": "17:00"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hours}");
    let hours = hours["id"].as_str().unwrap().to_string();
    let list = app.url("acme", "/settings/sla-policies");

    // Linked beside Business hours in the settings column; empty at first.
    let (s, html) = get(&c, &list).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No SLA policies yet"), "{html}");
    let bh = html.find("href=\"/settings/business-hours\"").unwrap();
    let next = bh + 1 + html[bh + 1..].find("href=\"").unwrap();
    assert!(html[next..].starts_with("href=\"/settings/sla-policies\""), "the next link: {html}");
    assert!(html.contains("first one that matches a ticket applies"), "the order's meaning is said: {html}");
    let (s, html) = get(&c, &app.url("acme", "/settings/sla-policies/new")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"pause\" value=\"pending\" checked"), "pending pauses by default: {html}");
    assert!(!html.contains("value=\"resolved\" checked"));
    assert!(html.contains(&format!("<option value=\"{hours}\">Budapest</option>")), "the account's hours offered");
    assert!(html.contains("name=\"low_resolution_minutes\""), "a cell per priority and metric");

    // Refused: no name, a field that does not exist, a priority that does not exist and a target of 0 minutes.
    // Each refusal beside its field, what was typed kept (resolved ticked to pause too), nothing saved.
    let bad = policy_form(
        &csrf,
        "",
        &hours,
        &[("all", "subject", "is", "refund"), ("any", "priority", "is", "urgent, critical")],
        &["pending", "resolved"],
        &[("urgent_first_reply", "0", "business"), ("high_resolution", "120", "calendar")],
    );
    let (s, _, html) = send(&c, &list, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(beside(&html, "f-name").contains("must not be empty"), "{html}");
    assert!(beside(&html, "f-cond-0").contains("Field: &#39;subject&#39; is not one of"), "{html}");
    assert!(beside(&html, "f-cond-1").contains("Value: &#39;critical&#39; is not one of"), "{html}");
    assert!(beside(&html, "f-urgent_first_reply").contains("must be from 1 to 525600"), "{html}");
    assert!(!html.contains("name=\"pause\" value=\"open\""), "new and open cannot pause: not offered");
    assert!(!html.contains("id=\"f-high_resolution-err\""), "a good cell is not refused");
    assert!(html.contains("role=\"alert\"") && html.contains("href=\"#f-urgent_first_reply\""), "listed above too");
    assert!(html.contains("value=\"urgent, critical\"") && html.contains("value=\"refund\""), "typed kept: {html}");
    assert!(html.contains("name=\"high_resolution_minutes\" value=\"120\""), "{html}");
    assert!(html.contains("<option value=\"calendar\" selected>"), "{html}");
    assert!(html.contains("value=\"resolved\" checked"), "{html}");
    assert!(policies(&app, &a).await.is_empty(), "nothing saved");

    // Saved: in business hours, urgent tickets or Billing's (a department typed by its name, kept by its id); a
    // second policy for every other ticket.
    let urgent = policy_form(
        &csrf,
        "Urgent",
        &hours,
        &[
            ("all", "priority", "is", "urgent"),
            ("any", "department_id", "is", "billing"),
            ("any", "tags", "includes", "vip, gold"),
        ],
        &["pending"],
        &[("urgent_first_reply", "60", "business"), ("urgent_resolution", "480", "calendar")],
    );
    let (s, to, html) = send(&c, &list, &urgent).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/sla-policies"), "{html}");
    let rest = policy_form(
        &csrf,
        "Everything else",
        "",
        &[],
        &["pending", "resolved"],
        &[("normal_first_reply", "240", "business")],
    );
    let (s, _, _) = send(&c, &list, &rest).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let all = policies(&app, &a).await;
    assert_eq!(names(&all), ["Urgent", "Everything else"]);
    let p = &all[0];
    assert_eq!(p["business_hours_id"], hours.as_str());
    assert_eq!(
        p["conditions"],
        json!({"all": [{"field": "priority", "operator": "is", "value": "urgent"}],
               "any": [{"field": "department_id", "operator": "is", "value": dept},
                       {"field": "tags", "operator": "includes", "value": ["vip", "gold"]}]})
    );
    assert_eq!(p["pause_statuses"], json!(["pending"]));
    assert_eq!(
        p["targets"],
        json!([{"priority": "urgent", "metric": "first_reply", "minutes": 60, "business_hours": true},
               {"priority": "urgent", "metric": "resolution", "minutes": 480, "business_hours": false}])
    );
    assert_eq!(all[1]["business_hours_id"], Value::Null);
    assert_eq!(all[1]["pause_statuses"], json!(["pending", "resolved"]));
    let (urgent_id, rest_id) = (p["id"].as_str().unwrap().to_string(), all[1]["id"].as_str().unwrap().to_string());

    // Listed in order, with what each matches and promises.
    let (_, html) = get(&c, &list).await;
    let first = html.find(">Urgent</a>").unwrap();
    let second = html.find(">Everything else</a>").unwrap();
    assert!(first < second, "{html}");
    assert!(
        html.contains("All of: Priority is urgent · Any of: Department is Billing; Tags includes vip, gold"),
        "{html}"
    );
    assert!(html.contains("Urgent: First reply 1 h, Resolution 8 h (calendar hours)"), "{html}");
    assert!(html.contains("Every ticket") && html.contains("Normal: First reply 4 h"), "{html}");
    assert!(html.contains("aria-label=\"Move Everything else up\""), "{html}");
    assert!(!html.contains("aria-label=\"Move Urgent up\""), "the first cannot go up");

    // Moved: the second goes first, for the API too; the first cannot go higher.
    let moved = app.url("acme", &format!("/settings/sla-policies/{rest_id}/move"));
    let (s, _, _) = post(&c, &moved, &[("_csrf", "forged"), ("direction", "up")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, to, _) = post(&c, &moved, &[("_csrf", &csrf), ("direction", "up")]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/sla-policies"));
    assert_eq!(names(&policies(&app, &a).await), ["Everything else", "Urgent"]);
    let (s, _, _) = post(&c, &moved, &[("_csrf", &csrf), ("direction", "up")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(names(&policies(&app, &a).await), ["Everything else", "Urgent"], "already first");
    let (_, html) = get(&c, &list).await;
    assert!(html.find(">Everything else</a>").unwrap() < html.find(">Urgent</a>").unwrap(), "{html}");
    let moves: Vec<Value> = audited(&app, &a, "settings.changed")
        .await
        .into_iter()
        .filter(|e| e["detail"]["sla_policy"] == "moved up")
        .collect();
    assert_eq!(moves.len(), 1, "one move, audited once");
    assert_eq!(moves[0]["target"], format!("sla_policy:{rest_id}"));

    // Changed: the form shows the policy as stored, and saves a new one whole; its place stays.
    let edit = app.url("acme", &format!("/settings/sla-policies/{urgent_id}"));
    let (s, html) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("value=\"Urgent\"") && html.contains(&format!("<option value=\"{hours}\" selected>")));
    assert!(html.contains("name=\"cond_value\" value=\"Billing\""), "a department by its name: {html}");
    assert!(html.contains("value=\"vip, gold\""), "{html}");
    assert!(html.contains("name=\"urgent_first_reply_minutes\" value=\"60\""), "{html}");
    assert!(html.contains("name=\"urgent_resolution_minutes\" value=\"480\""), "{html}");
    let changed = policy_form(
        &csrf,
        "Urgent tickets",
        "",
        &[("all", "priority", "is", "urgent")],
        &[],
        &[("urgent_first_reply", "30", "calendar")],
    );
    let (s, to, _) = send(&c, &edit, &changed).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/sla-policies"));
    let all = policies(&app, &a).await;
    assert_eq!(names(&all), ["Everything else", "Urgent tickets"]);
    let p = &all[1];
    assert_eq!((&p["business_hours_id"], &p["pause_statuses"]), (&Value::Null, &json!([])));
    assert_eq!(
        p["conditions"],
        json!({"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []})
    );
    assert_eq!(
        p["targets"],
        json!([{"priority": "urgent", "metric": "first_reply", "minutes": 30, "business_hours": false}])
    );

    // A refused change keeps what was typed and changes nothing.
    let mut wrong = changed.clone();
    wrong.iter_mut().find(|(k, _)| k == "urgent_first_reply_minutes").unwrap().1 = "soon".into();
    wrong.iter_mut().find(|(k, _)| k == "name").unwrap().1 = "Renamed".into();
    let (s, _, html) = send(&c, &edit, &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beside(&html, "f-urgent_first_reply").contains("must be from 1"), "{html}");
    assert!(html.contains("value=\"soon\"") && html.contains("value=\"Renamed\""), "{html}");
    assert_eq!(names(&policies(&app, &a).await), ["Everything else", "Urgent tickets"]);

    // Deleted after a question, with the form's token only.
    let delete = format!("{edit}/delete");
    let (s, html) = get(&c, &delete).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Delete the SLA policy &#34;Urgent tickets&#34;?"), "the question names it: {html}");
    assert!(html.contains(&format!("action=\"/settings/sla-policies/{urgent_id}/delete\"")));
    assert!(html.contains(&format!("value=\"{}\"", csrf_in(&html))));
    let (s, _, _) = post(&c, &delete, &[("_csrf", "wrong")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(policies(&app, &a).await.len(), 2);
    let (s, to, _) = post(&c, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/sla-policies"));
    assert_eq!(names(&policies(&app, &a).await), ["Everything else"]);
    let (s, _) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Every change told in the audit log, newest first.
    let told: Vec<String> = audited(&app, &a, "settings.changed")
        .await
        .iter()
        .filter(|e| e["target"].as_str().is_some_and(|t| t.starts_with("sla_policy:")))
        .map(|e| e["detail"]["sla_policy"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(told, ["deleted", "changed", "moved up", "created", "created"]);
}

#[tokio::test]
async fn agents_cannot_use_the_sla_policy_page_and_another_accounts_policy_is_not_found() {
    let app = spawn_app(Engine::Sqlite).await;
    let (_, _, a) = owner(&app, "acme").await;
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/sla-policies",
            Some(
                json!({"name": "Urgent", "targets": [{"priority": "urgent", "metric": "first_reply", "minutes": 60}]}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_str().unwrap().to_string();
    let agent = crate::ui::new_agent_signed_in(&app, "acme", "ag@acme.example", "agent").await;
    let (_, html) = get(&agent, &app.url("acme", "/tickets")).await;
    assert!(!html.contains("href=\"/settings/sla-policies\""), "no link for an agent");
    let csrf = csrf_in(&html);
    for page in [
        "/settings/sla-policies",
        "/settings/sla-policies/new",
        &format!("/settings/sla-policies/{id}"),
        &format!("/settings/sla-policies/{id}/delete"),
    ] {
        let (s, _) = get(&agent, &app.url("acme", page)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "GET {page}");
    }
    let form = policy_form(&csrf, "Mine", "", &[], &["pending"], &[("low_resolution", "60", "business")]);
    for page in ["/settings/sla-policies".to_string(), format!("/settings/sla-policies/{id}")] {
        let (s, _, _) = send(&agent, &app.url("acme", &page), &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "POST {page}");
    }
    let (s, _, _) = post(
        &agent,
        &app.url("acme", &format!("/settings/sla-policies/{id}/move")),
        &[("_csrf", &csrf), ("direction", "down")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) =
        post(&agent, &app.url("acme", &format!("/settings/sla-policies/{id}/delete")), &[("_csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let all = policies(&app, &a).await;
    assert_eq!((names(&all), &all[0]["targets"][0]["minutes"]), (vec!["Urgent"], &json!(60)), "nothing changed");

    // Another account's owner finds no such policy, to read, change, move or delete.
    let (beta, beta_csrf, b) = owner(&app, "beta").await;
    for page in [format!("/settings/sla-policies/{id}"), format!("/settings/sla-policies/{id}/delete")] {
        let (s, _) = get(&beta, &app.url("beta", &page)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "GET {page}");
    }
    let form = policy_form(&beta_csrf, "Taken", "", &[], &[], &[("low_resolution", "60", "business")]);
    let (s, _, _) = send(&beta, &app.url("beta", &format!("/settings/sla-policies/{id}")), &form).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for (page, extra) in [("move", ("direction", "up")), ("delete", ("x", "y"))] {
        let url = app.url("beta", &format!("/settings/sla-policies/{id}/{page}"));
        let (s, _, _) = post(&beta, &url, &[("_csrf", &beta_csrf), extra]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "POST {page}");
    }
    assert!(policies(&app, &b).await.is_empty());
    assert_eq!(names(&policies(&app, &a).await), ["Urgent"]);
}
