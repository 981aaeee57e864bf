//! Triggers on their settings page, driven as an admin would with the forms a browser sends: made with events,
//! condition rows and action rows, listed in their order with what they run on, match and do, moved, changed,
//! refused with every refusal beside its row and what was typed kept, tried on a ticket ("Test on ticket #N"), and
//! deleted after a question; the API reads what the page saved. What anyone types shows as text. Agents are
//! refused and another account's trigger is not found.

use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use crate::settings_pages::{audited, owner, post};
use crate::ui::{csrf_in, get};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The inputs of one action row, in the order the page has them.
const ACTION_INPUTS: [&str; 10] = [
    "act_kind",
    "act_field",
    "act_value",
    "act_department",
    "act_agent",
    "act_strategy",
    "act_to",
    "act_address",
    "act_subject",
    "act_body",
];

/// One action row as the browser posts it: every input, those not named empty (`act_to` is a select: requester).
pub(crate) fn act(kind: &str, more: &[(&str, &str)]) -> Vec<(String, String)> {
    ACTION_INPUTS
        .iter()
        .map(|name| {
            let given = more.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
            let v = match (*name, given) {
                ("act_kind", _) => kind,
                (_, Some(v)) => v,
                ("act_to", None) => "requester",
                (_, None) => "",
            };
            (name.to_string(), v.to_string())
        })
        .collect()
}

/// The condition rows and action rows of a rule's form, each list followed by the two spare empty rows the page
/// offers.
pub(crate) fn rows(
    conditions: &[(&str, &str, &str, &str)],
    actions: &[Vec<(String, String)>],
) -> Vec<(String, String)> {
    let mut f = Vec::new();
    let spare = [("all", "", "is", ""), ("all", "", "is", "")];
    for (group, field, op, value) in conditions.iter().chain(spare.iter()) {
        for (k, v) in [("cond_group", group), ("cond_field", field), ("cond_operator", op), ("cond_value", value)] {
            f.push((k.to_string(), v.to_string()));
        }
    }
    for a in actions.iter().cloned().chain([act("", &[]), act("", &[])]) {
        f.extend(a);
    }
    f
}

fn trigger_form(
    csrf: &str,
    name: &str,
    active: bool,
    events: &[&str],
    conditions: &[(&str, &str, &str, &str)],
    actions: &[Vec<(String, String)>],
) -> Vec<(String, String)> {
    let mut f = vec![("_csrf".to_string(), csrf.to_string()), ("name".into(), name.into())];
    if active {
        f.push(("active".into(), "on".into()));
    }
    f.extend(events.iter().map(|e| ("events".to_string(), e.to_string())));
    f.extend(rows(conditions, actions));
    f
}

pub(crate) async fn send(c: &reqwest::Client, url: &str, form: &[(String, String)]) -> (StatusCode, String, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(c, url, &pairs).await
}

/// The text of the refusal shown beside the field `id` (`f-name`, `f-cond-1`, `f-act-0`).
pub(crate) fn beside<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}-err\">")).unwrap_or_else(|| panic!("no refusal beside {id}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</p>").unwrap()]
}

/// The account's rules of a kind (`triggers`, `automations`), in order, as the API lists them.
pub(crate) async fn listed(app: &TestApp, a: &TestAccount, kind: &str) -> Vec<Value> {
    let (s, all) = app.api(a, Method::GET, &format!("/{kind}"), None).await;
    assert_eq!(s, StatusCode::OK, "{all}");
    all[kind].as_array().unwrap().clone()
}

async fn triggers(app: &TestApp, a: &TestAccount) -> Vec<Value> {
    listed(app, a, "triggers").await
}

pub(crate) fn names(all: &[Value]) -> Vec<&str> {
    all.iter().map(|p| p["name"].as_str().unwrap()).collect()
}

/// A ticket opened through the API; answers its id and number.
pub(crate) async fn ticket(app: &TestApp, a: &TestAccount, subject: &str, body: &str) -> (String, i64) {
    let (s, t) = app
        .api(
            a,
            Method::POST,
            "/tickets",
            Some(json!({"subject": subject, "message": {"body": body},
                "requester": {"email": "jane@example.com", "name": "Jane Doe"}})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let number = t["display_number"].as_str().unwrap().trim_start_matches('#').parse().unwrap();
    (t["id"].as_str().unwrap().to_string(), number)
}

#[tokio::test]
async fn triggers_are_made_reordered_changed_tried_and_deleted_on_their_page() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, a) = owner(&app, "acme").await;
    let (_, dept) = app.api(&a, Method::POST, "/departments", Some(json!({"name": "Billing"}))).await;
    let dept = dept["id"].as_str().unwrap().to_string();
    // Opened before any trigger exists: they only meet the triggers in the test box.
    let (refund_id, refund) = ticket(&app, &a, "Refund for order 1009", "I was charged twice, please refund me.").await;
    let (_, printer) = ticket(&app, &a, "Printer on fire", "It smokes.").await;
    let list = app.url("acme", "/settings/triggers");

    // Linked after SLA policies in the settings column, automations after it; empty at first.
    let (s, html) = get(&c, &list).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No triggers yet"), "{html}");
    let sla = html.find("href=\"/settings/sla-policies\"").unwrap();
    let next = sla + 1 + html[sla + 1..].find("href=\"").unwrap();
    assert!(html[next..].starts_with("href=\"/settings/triggers\" aria-current=\"page\""), "the next link: {html}");
    let after = next + 1 + html[next + 1..].find("href=\"").unwrap();
    assert!(html[after..].starts_with("href=\"/settings/automations\""), "{html}");
    assert!(html.contains("in this order; each sees what the triggers above it changed"), "{html}");
    let (s, html) = get(&c, &app.url("acme", "/settings/triggers/new")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"events\" value=\"ticket.created\" checked"), "runs on new tickets by default");
    assert!(html.contains("name=\"active\" value=\"on\" checked"), "on by default");
    assert!(html.contains("<option value=\"round_robin\">round robin</option>"), "{html}");
    assert!(html.contains(&format!("<option value=\"{dept}\">Billing</option>")), "departments offered");
    assert!(!html.contains("id=\"test\""), "a trigger not yet saved has nothing to try");

    // Refused: no name, no event, an operator text does not have, a priority that does not exist, a mail to
    // nowhere. Each refusal beside its field or row, what was typed kept, nothing saved.
    let bad = trigger_form(
        &csrf,
        "",
        true,
        &[],
        &[("all", "text", "is", "refund")],
        &[
            act("set", &[("act_field", "priority"), ("act_value", "critical")]),
            act("send_mail", &[("act_to", "address"), ("act_address", "not-an-address"), ("act_subject", "Hi")]),
        ],
    );
    let (s, _, html) = send(&c, &list, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(beside(&html, "f-name").contains("must not be empty"), "{html}");
    assert!(beside(&html, "f-events").contains("name at least one event"), "{html}");
    assert!(beside(&html, "f-cond-0").contains("Operator: must be contains or not_contains"), "{html}");
    assert!(beside(&html, "f-act-0").contains("Value: "), "{html}");
    assert!(beside(&html, "f-act-1").contains("To: must be requester, assignee or an email address"), "{html}");
    assert!(html.contains("role=\"alert\"") && html.contains("href=\"#f-act-1\""), "listed above too: {html}");
    assert!(html.contains("value=\"critical\"") && html.contains("value=\"not-an-address\""), "typed kept");
    assert!(html.contains("<option value=\"send_mail\" selected>"), "{html}");
    assert!(!html.contains("value=\"ticket.created\" checked"), "no event was ticked: none is shown ticked");
    assert!(triggers(&app, &a).await.is_empty(), "nothing saved");

    // Saved: the refund rule, and a second trigger, switched off.
    let refunds = trigger_form(
        &csrf,
        "Refunds",
        true,
        &["ticket.created", "customer.replied"],
        &[
            ("all", "text", "contains", "refund"),
            ("any", "department_id", "is", "billing"),
            ("any", "channel", "is", "email, api"),
        ],
        &[
            act("set", &[("act_field", "priority"), ("act_value", "high")]),
            act("add_tags", &[("act_value", "refund")]),
            act("assign", &[("act_department", &dept), ("act_strategy", "round_robin")]),
        ],
    );
    let (s, to, html) = send(&c, &list, &refunds).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/triggers"), "{html}");
    let vip = trigger_form(
        &csrf,
        "Note VIP",
        false,
        &["ticket.updated"],
        &[("all", "tags", "includes", "vip")],
        &[act("add_note", &[("act_body", "A VIP wrote.")])],
    );
    let (s, _, html) = send(&c, &list, &vip).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let all = triggers(&app, &a).await;
    assert_eq!(names(&all), ["Refunds", "Note VIP"]);
    let t = &all[0];
    assert_eq!((&t["active"], &t["events"]), (&json!(true), &json!(["ticket.created", "customer.replied"])));
    assert_eq!(
        t["conditions"],
        json!({"all": [{"field": "text", "operator": "contains", "value": "refund"}],
               "any": [{"field": "department_id", "operator": "is", "value": dept},
                       {"field": "channel", "operator": "is", "value": ["email", "api"]}]})
    );
    assert_eq!(
        t["actions"],
        json!([{"action": "set", "field": "priority", "value": "high"},
               {"action": "add_tags", "value": ["refund"]},
               {"action": "assign", "department_id": dept, "strategy": "round_robin"}])
    );
    assert_eq!(all[1]["active"], false);
    assert_eq!(all[1]["actions"], json!([{"action": "add_note", "value": "A VIP wrote."}]));
    let (refunds_id, vip_id) = (t["id"].as_str().unwrap().to_string(), all[1]["id"].as_str().unwrap().to_string());

    // Listed in order, with what each runs on, matches and does, and whether it is on.
    let (_, html) = get(&c, &list).await;
    assert!(html.find(">Refunds</a>").unwrap() < html.find(">Note VIP</a>").unwrap(), "{html}");
    assert!(html.contains("<td>Ticket created, Customer replied</td>"), "{html}");
    assert!(
        html.contains("All of: Text contains refund · Any of: Department is Billing; Channel is email, API"),
        "{html}"
    );
    assert!(html.contains("Set Priority to high; Add tags: refund; Assign: Billing, round robin"), "{html}");
    assert!(html.contains("<span class=\"pill rule-off\">off</span>"), "{html}");
    assert!(html.contains("aria-label=\"Move Note VIP up\"") && !html.contains("aria-label=\"Move Refunds up\""));
    assert!(html.contains(&format!("href=\"/settings/triggers/{vip_id}/delete\" aria-label=\"Delete Note VIP\"")));

    // Moved: the second goes first, for the API too; the first cannot go higher.
    let moved = app.url("acme", &format!("/settings/triggers/{vip_id}/move"));
    let (s, _, _) = post(&c, &moved, &[("_csrf", "forged"), ("direction", "up")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, to, _) = post(&c, &moved, &[("_csrf", &csrf), ("direction", "up")]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/triggers"));
    assert_eq!(names(&triggers(&app, &a).await), ["Note VIP", "Refunds"]);
    let (s, _, _) = post(&c, &moved, &[("_csrf", &csrf), ("direction", "up")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(names(&triggers(&app, &a).await), ["Note VIP", "Refunds"], "already first");
    let (_, html) = get(&c, &list).await;
    assert!(html.find(">Note VIP</a>").unwrap() < html.find(">Refunds</a>").unwrap(), "{html}");

    // The form shows the trigger as stored, and its test box.
    let edit = app.url("acme", &format!("/settings/triggers/{refunds_id}"));
    let (s, html) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("value=\"Refunds\"") && html.contains("name=\"active\" value=\"on\" checked"), "{html}");
    assert!(html.contains("value=\"customer.replied\" checked") && !html.contains("value=\"ticket.updated\" checked"));
    assert!(html.contains("name=\"cond_value\" value=\"Billing\""), "a department by its name: {html}");
    assert!(html.contains("name=\"act_value\" value=\"high\""), "{html}");
    assert!(html.contains(&format!("<option value=\"{dept}\" selected>Billing</option>")), "{html}");
    assert!(html.contains("<option value=\"round_robin\" selected>"), "{html}");
    assert!(html.contains("id=\"test\"") && html.contains("name=\"ticket\""), "{html}");

    // Tried on the refund ticket: it fires, and says what it would change; the ticket stays as it is.
    let (s, html) = get(&c, &format!("{edit}?ticket=%23{refund}&event=ticket.created")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("On ticket #{refund} &#34;Refund for order 1009&#34;, on Ticket created:")),
        "{html}"
    );
    let result = &html[html.find("class=\"test-result\"").expect("a result")..];
    let result = &result[..result.find("</section>").unwrap()];
    assert!(
        result.contains("<span class=\"fired-name\">Refunds</span> <span class=\"pill rule-on\">this trigger</span>"),
        "{result}"
    );
    assert!(
        result.contains("<li>Set Priority to high</li>") && result.contains("<li>Add tags: refund</li>"),
        "{result}"
    );
    assert!(result.contains("<li>Priority: normal → high</li>"), "{result}");
    assert!(result.contains("<li>Tags: +refund</li>") && result.contains("<li>Department: none → Billing</li>"));
    assert!(!result.contains("Note VIP"), "switched off: it does not fire");
    assert!(!result.contains("This trigger would not fire"), "{result}");
    assert!(html.contains("<option value=\"ticket.created\" selected>"), "{html}");
    let (_, after) = app.api(&a, Method::GET, &format!("/tickets/{refund_id}"), None).await;
    assert_eq!((&after["priority"], &after["tags"]), (&json!("normal"), &json!([])), "the dry run changes nothing");
    // A ticket it does not match, and a number that is no ticket.
    let (_, html) = get(&c, &format!("{edit}?ticket={printer}&event=ticket.created")).await;
    assert!(html.contains("<p>No trigger would fire.</p>"), "{html}");
    assert!(html.contains("<p>This trigger would not fire: its events or conditions do not match.</p>"), "{html}");
    assert!(html.contains("<p class=\"muted\">Nothing on the ticket would change.</p>"), "{html}");
    let (s, html) = get(&c, &format!("{edit}?ticket=999&event=ticket.created")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(beside(&html, "f-test-ticket").contains("There is no ticket #999 in this account."), "{html}");

    // Changed: saved whole, its place kept.
    let mut changed = refunds.clone();
    changed.iter_mut().find(|(k, _)| k == "name").unwrap().1 = "Refund requests".into();
    changed.retain(|(k, v)| !(k == "events" && v == "customer.replied"));
    let (s, to, _) = send(&c, &edit, &changed).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/triggers"));
    let all = triggers(&app, &a).await;
    assert_eq!(names(&all), ["Note VIP", "Refund requests"]);
    assert_eq!(all[1]["events"], json!(["ticket.created"]));

    // A refused change keeps what was typed and changes nothing.
    let mut wrong = changed.clone();
    wrong.iter_mut().find(|(k, v)| k == "act_value" && v == "high").unwrap().1 = "bogus".into();
    wrong.iter_mut().find(|(k, _)| k == "name").unwrap().1 = "Renamed".into();
    let (s, _, html) = send(&c, &edit, &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beside(&html, "f-act-0").contains("Value: "), "{html}");
    assert!(html.contains("value=\"bogus\"") && html.contains("value=\"Renamed\""), "{html}");
    assert!(html.contains("id=\"test\""), "the test box stays on a refused change: {html}");
    assert_eq!(names(&triggers(&app, &a).await), ["Note VIP", "Refund requests"]);

    // Deleted after a question, with the form's token only.
    let delete = format!("{edit}/delete");
    let (s, html) = get(&c, &delete).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Delete the trigger &#34;Refund requests&#34;?"), "the question names it: {html}");
    assert!(html.contains(&format!("action=\"/settings/triggers/{refunds_id}/delete\"")));
    assert!(html.contains(&format!("value=\"{}\"", csrf_in(&html))));
    let (s, _, _) = post(&c, &delete, &[("_csrf", "wrong")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(triggers(&app, &a).await.len(), 2);
    let (s, to, _) = post(&c, &delete, &[("_csrf", &csrf)]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/settings/triggers"));
    assert_eq!(names(&triggers(&app, &a).await), ["Note VIP"]);
    let (s, _) = get(&c, &edit).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Every change told in the audit log, newest first.
    let told: Vec<String> = audited(&app, &a, "settings.changed")
        .await
        .iter()
        .filter(|e| e["target"].as_str().is_some_and(|t| t.starts_with("trigger:")))
        .map(|e| e["detail"]["trigger"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(told, ["deleted", "changed", "moved up", "created", "created"]);
}

#[tokio::test]
async fn what_anyone_types_into_a_trigger_shows_as_text() {
    let app = spawn_app(Engine::Sqlite).await;
    let (c, csrf, _) = owner(&app, "acme").await;
    let list = app.url("acme", "/settings/triggers");
    let name = "<b>Bold</b> <script>alert(1)</script>";
    let form = trigger_form(
        &csrf,
        name,
        true,
        &["ticket.created"],
        &[("all", "text", "contains", "<i>refund</i>")],
        &[act("send_mail", &[("act_subject", "<img src=x onerror=alert(1)>"), ("act_body", "</textarea><b>x</b>")])],
    );
    let (s, _, html) = send(&c, &list, &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, html) = get(&c, &list).await;
    assert!(html.contains("&#60;b&#62;Bold&#60;/b&#62; &#60;script&#62;alert(1)&#60;/script&#62;"), "{html}");
    assert!(html.contains("&#34;&#60;img src=x onerror=alert(1)&#62;&#34;"), "{html}");
    assert!(!html.contains("<b>Bold</b>") && !html.contains("<script>alert") && !html.contains("<img src=x"));
    let id = &html[html.find("data-rule=\"").unwrap() + 11..];
    let id = &id[..id.find('"').unwrap()];
    let (_, html) = get(&c, &app.url("acme", &format!("/settings/triggers/{id}"))).await;
    assert!(html.contains("&#60;/textarea&#62;&#60;b&#62;x&#60;/b&#62;</textarea>"), "{html}");
    assert!(!html.contains("<b>Bold</b>") && !html.contains("<b>x</b>"), "{html}");
}

#[tokio::test]
async fn agents_cannot_use_the_trigger_pages_and_another_accounts_trigger_is_not_found() {
    let app = spawn_app(Engine::Sqlite).await;
    let (_, _, a) = owner(&app, "acme").await;
    let (s, t) = app
        .api(
            &a,
            Method::POST,
            "/triggers",
            Some(json!({"name": "Tag", "events": ["ticket.created"], "actions": [{"action": "add_tags", "value": ["x"]}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let agent = crate::ui::new_agent_signed_in(&app, "acme", "ag@acme.example", "agent").await;
    let (_, html) = get(&agent, &app.url("acme", "/tickets")).await;
    assert!(!html.contains("href=\"/settings/triggers\""), "no link for an agent");
    let csrf = csrf_in(&html);
    for page in [
        "/settings/triggers",
        "/settings/triggers/new",
        &format!("/settings/triggers/{id}"),
        &format!("/settings/triggers/{id}?ticket=1"),
        &format!("/settings/triggers/{id}/delete"),
    ] {
        let (s, _) = get(&agent, &app.url("acme", page)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "GET {page}");
    }
    let form = trigger_form(&csrf, "Mine", true, &["ticket.created"], &[], &[act("add_note", &[("act_body", "x")])]);
    for page in ["/settings/triggers".to_string(), format!("/settings/triggers/{id}")] {
        let (s, _, _) = send(&agent, &app.url("acme", &page), &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "POST {page}");
    }
    for (page, extra) in [("move", ("direction", "down")), ("delete", ("x", "y"))] {
        let url = app.url("acme", &format!("/settings/triggers/{id}/{page}"));
        let (s, _, _) = post(&agent, &url, &[("_csrf", &csrf), extra]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "POST {page}");
    }
    assert_eq!(names(&triggers(&app, &a).await), ["Tag"], "nothing changed");

    // Another account's owner finds no such trigger, to read, change, move or delete.
    let (beta, beta_csrf, b) = owner(&app, "beta").await;
    for page in [format!("/settings/triggers/{id}"), format!("/settings/triggers/{id}/delete")] {
        let (s, _) = get(&beta, &app.url("beta", &page)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "GET {page}");
    }
    let form =
        trigger_form(&beta_csrf, "Taken", true, &["ticket.created"], &[], &[act("add_note", &[("act_body", "x")])]);
    let (s, _, _) = send(&beta, &app.url("beta", &format!("/settings/triggers/{id}")), &form).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for (page, extra) in [("move", ("direction", "up")), ("delete", ("x", "y"))] {
        let url = app.url("beta", &format!("/settings/triggers/{id}/{page}"));
        let (s, _, _) = post(&beta, &url, &[("_csrf", &beta_csrf), extra]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "POST {page}");
    }
    assert!(triggers(&app, &b).await.is_empty());
    assert_eq!(names(&triggers(&app, &a).await), ["Tag"]);
}
