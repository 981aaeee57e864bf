//! Automations (time rules) on their settings page, driven as an admin would: the rule every account starts with
//! shown and changed, a new rule made with its time ("48 hours after the status last changed, in business
//! hours"), conditions and actions, refused with every refusal beside its field and what was typed kept, moved,
//! switched off and deleted after a question; the API reads what the page saved. What anyone types shows as text,
//! and agents are refused.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::settings_pages::{audited, owner, post};
use crate::settings_triggers::{act, beside, listed, names, rows, send};
use crate::ui::{csrf_in, get};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn automation_form(
    csrf: &str,
    name: &str,
    active: bool,
    (hours, since, count): (&str, &str, &str),
    conditions: &[(&str, &str, &str, &str)],
    actions: &[Vec<(String, String)>],
) -> Vec<(String, String)> {
    let mut f = vec![("_csrf".to_string(), csrf.to_string()), ("name".into(), name.into())];
    if active {
        f.push(("active".into(), "on".into()));
    }
    for (k, v) in [("after_hours", hours), ("after_since", since), ("after_count", count)] {
        f.push((k.into(), v.into()));
    }
    f.extend(rows(conditions, actions));
    f
}

async fn automations(app: &TestApp, a: &TestAccount) -> Vec<Value> {
    listed(app, a, "automations").await
}

#[tokio::test]
async fn automations_are_shown_made_reordered_changed_and_deleted_on_their_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let list = app.url("acme", "/settings/automations");

    // The rule every account starts with, listed with its time, condition and action; linked after triggers.
    let (s, html) = get(&c, &list).await;
    assert_eq!(s, StatusCode::OK);
    let triggers = html.find("href=\"/settings/triggers\"").unwrap();
    let next = triggers + 1 + html[triggers + 1..].find("href=\"").unwrap();
    assert!(html[next..].starts_with("href=\"/settings/automations\" aria-current=\"page\""), "{html}");
    assert!(html.contains(">Close solved tickets after 4 days</a>"), "{html}");
    assert!(html.contains("<td>96 h after the ticket was solved (calendar hours)</td>"), "{html}");
    assert!(html.contains("<td>All of: Status is resolved</td>"), "{html}");
    assert!(html.contains("<td>Set Status to closed</td>"), "{html}");
    assert!(html.contains("<span class=\"pill rule-on\">on</span>"), "{html}");
    let default = automations(&app, &a).await[0]["id"].as_str().unwrap().to_string();

    // Its form shows it as stored; the form has no events and no "changed" conditions.
    let edit_default = app.url("acme", &format!("/settings/automations/{default}"));
    let (s, html) = get(&c, &edit_default).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"after_hours\" value=\"96\""), "{html}");
    assert!(html.contains("<option value=\"solved\" selected>the ticket was solved</option>"), "{html}");
    assert!(html.contains("<option value=\"calendar\" selected>"), "{html}");
    assert!(
        html.contains("name=\"cond_value\" value=\"resolved\"") && html.contains("name=\"act_value\" value=\"closed\"")
    );
    assert!(!html.contains("name=\"events\"") && !html.contains("value=\"changed_to\""), "{html}");
    assert!(!html.contains("id=\"test\""), "the test box is the triggers'");

    // Refused: no hours, a condition on a change, no action. Each beside its field, what was typed kept.
    let bad = automation_form(
        &csrf,
        "Nudge",
        true,
        ("0", "status_changed", "business"),
        &[("all", "status", "changed_to", "pending")],
        &[],
    );
    let (s, _, html) = send(&c, &list, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(beside(&html, "f-after-hours").contains("must be from 1 to 87600"), "{html}");
    assert!(beside(&html, "f-cond-0").contains("Operator: a time rule looks at the ticket"), "{html}");
    assert!(beside(&html, "f-actions").contains("name at least one action"), "{html}");
    assert!(html.contains("name=\"after_hours\" value=\"0\"") && html.contains("value=\"Nudge\""), "typed kept");
    assert!(
        html.contains("<option value=\"status_changed\" selected>")
            && html.contains("<option value=\"business\" selected>")
    );
    assert_eq!(automations(&app, &a).await.len(), 1, "nothing saved");

    // Saved: pending tickets nudged by mail and tagged 48 business hours after their status last changed.
    let nudge = automation_form(
        &csrf,
        "Nudge",
        true,
        ("48", "status_changed", "business"),
        &[("all", "status", "is", "pending")],
        &[
            act("send_mail", &[("act_subject", "Still need help?"), ("act_body", "Reply and we carry on.")]),
            act("add_tags", &[("act_value", "nudged")]),
        ],
    );
    let (s, to, html) = send(&c, &list, &nudge).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/automations"), "{html}");
    let all = automations(&app, &a).await;
    assert_eq!(names(&all), ["Close solved tickets after 4 days", "Nudge"]);
    let n = &all[1];
    assert_eq!(n["after"], json!({"hours": 48, "since": "status_changed", "business_hours": true}));
    assert_eq!(n["conditions"], json!({"all": [{"field": "status", "operator": "is", "value": "pending"}], "any": []}));
    assert_eq!(
        n["actions"],
        json!([{"action": "send_mail", "to": "requester", "subject": "Still need help?", "value": "Reply and we carry on."},
               {"action": "add_tags", "value": ["nudged"]}])
    );
    let nudge_id = n["id"].as_str().unwrap().to_string();
    let (_, html) = get(&c, &list).await;
    assert!(html.contains("<td>48 h after the ticket last changed status (business hours)</td>"), "{html}");
    assert!(html.contains("Mail the requester: &#34;Still need help?&#34;; Add tags: nudged"), "{html}");

    // Moved up, for the API too.
    let moved = app.url("acme", &format!("/settings/automations/{nudge_id}/move"));
    let (s, to, _) = post(&c, &moved, &[("_csrf", &csrf), ("direction", "up")]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/automations"));
    assert_eq!(names(&automations(&app, &a).await), ["Nudge", "Close solved tickets after 4 days"]);
    let (_, html) = get(&c, &list).await;
    assert!(html.find(">Nudge</a>").unwrap() < html.find(">Close solved tickets").unwrap(), "{html}");

    // The default changed: five days, and switched off; its place stays.
    let changed = automation_form(
        &csrf,
        "Close solved tickets after 5 days",
        false,
        ("120", "solved", "calendar"),
        &[("all", "status", "is", "resolved")],
        &[act("set", &[("act_field", "status"), ("act_value", "closed")])],
    );
    let (s, to, html) = send(&c, &edit_default, &changed).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/automations"), "{html}");
    let all = automations(&app, &a).await;
    assert_eq!(names(&all), ["Nudge", "Close solved tickets after 5 days"]);
    assert_eq!((&all[1]["after"]["hours"], &all[1]["active"]), (&json!(120), &json!(false)));
    let (_, html) = get(&c, &list).await;
    assert!(html.contains("<span class=\"pill rule-off\">off</span>"), "{html}");

    // A refused change keeps what was typed and changes nothing.
    let mut wrong = changed.clone();
    wrong.iter_mut().find(|(k, _)| k == "after_hours").unwrap().1 = "soon".into();
    let (s, _, html) = send(&c, &edit_default, &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beside(&html, "f-after-hours").contains("must be from 1"), "{html}");
    assert!(html.contains("name=\"after_hours\" value=\"soon\""), "{html}");
    assert_eq!(automations(&app, &a).await[1]["after"]["hours"], 120);

    // Deleted after a question.
    let delete = app.url("acme", &format!("/settings/automations/{nudge_id}/delete"));
    let (s, html) = get(&c, &delete).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Delete the automation &#34;Nudge&#34;?"), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", csrf_in(&html))));
    let (s, _, _) = post(&c, &delete, &[("_csrf", "wrong")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, to, _) = post(&c, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/automations"));
    assert_eq!(names(&automations(&app, &a).await), ["Close solved tickets after 5 days"]);

    let told: Vec<String> = audited(&app, &a, "settings.changed")
        .await
        .iter()
        .filter(|e| e["target"].as_str().is_some_and(|t| t.starts_with("automation:")))
        .map(|e| e["detail"]["automation"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(told, ["deleted", "changed", "moved up", "created", "created with the account"]);

    // What anyone types shows as text.
    let html_name = automation_form(
        &csrf,
        "<b>Loud</b><script>alert(1)</script>",
        true,
        ("1", "created", "calendar"),
        &[],
        &[act("add_note", &[("act_body", "</textarea><b>x</b>")])],
    );
    let (s, _, html) = send(&c, &list, &html_name).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, html) = get(&c, &list).await;
    assert!(html.contains("&#60;b&#62;Loud&#60;/b&#62;&#60;script&#62;alert(1)&#60;/script&#62;"), "{html}");
    assert!(!html.contains("<b>Loud</b>") && !html.contains("<script>alert"), "{html}");

    // Agents are refused.
    let agent = crate::ui::new_agent_signed_in(&app, "acme", "ag@acme.example", "agent").await;
    for page in ["/settings/automations".to_string(), format!("/settings/automations/{default}")] {
        let (s, _) = get(&agent, &app.url("acme", &page)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "GET {page}");
    }
}
