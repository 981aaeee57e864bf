//! The phone channel from outside: calls placed by a local stand-in for Twilio that posts signed webhooks and
//! follows the TwiML it gets back, through an IVR to an agent, into voicemail, out of a queue that waited too
//! long; unsigned or forged requests refused; recordings fetched only from the configured host, kept in the
//! region and deleted at the provider; signatures checked against Twilio's own library.

use crate::chat_routing::{agent, online};
use crate::helpers::{spawn_app, Engine, TestAccount, TestApp};
use parley_test_support::twilio::signature;
use parley_test_support::{CallSpec, DialAnswer, Signing, Step, TwilioStandIn};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "a-very-secret-auth-token";
const NUMBER: &str = "+3612345678";
const CALLER: &str = "+36301234567";

/// An account with voice switched on (its owner consenting), connected to a Twilio stand-in.
async fn voice_account(app: &TestApp) -> (TestAccount, TwilioStandIn) {
    let a = app.account("acme", "eu").await;
    app.switch_on_feature(&a, "voice").await;
    let tw = TwilioStandIn::start(SID, TOKEN).await;
    let (s, v) = app
        .api(
            &a,
            Method::PUT,
            "/settings/voice",
            Some(json!({"twilio": {"account_sid": SID, "auth_token": TOKEN, "api_base": tw.api_base()}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["configured"], true);
    assert!(!v.to_string().contains(TOKEN), "the token is never shown back: {v}");
    (a, tw)
}

fn spec(app: &TestApp, from: &str) -> CallSpec {
    let mut s = CallSpec::new(
        &format!("http://127.0.0.1:{}", app.port),
        &app.url("acme", "/voice/twilio/incoming"),
        from,
        NUMBER,
    );
    s.status_callback = Some(app.url("acme", "/voice/twilio/status"));
    s
}

async fn department(app: &TestApp, a: &TestAccount, name: &str) -> Value {
    let (s, d) = app.api(a, Method::POST, "/departments", Some(json!({"name": name}))).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

/// The IVR of the issue: 1 for orders, 2 for billing, 0 for an operator, nothing for voicemail; in English and
/// Hungarian.
async fn shop_ivr(app: &TestApp, a: &TestAccount, orders: &Value, billing: &Value) -> Value {
    let ivr = json!({
        "name": "Main line",
        "menus": [
            {"id": "main",
             "greeting": {"en": "Press 1 for orders, 2 for billing, 0 for an operator.",
                          "hu": "Rendelésekért nyomja meg az 1-est, számlázásért a 2-est."},
             "routes": [
                {"keys": "1", "action": "queue", "department_id": orders["id"], "tags": ["orders"]},
                {"keys": "2", "action": "menu", "menu": "billing"},
                {"keys": "0", "action": "forward", "number": "+3619999999"},
                {"keys": "default", "action": "voicemail"}]},
            {"id": "billing", "greeting": {"en": "Billing & invoices <press 1>."},
             "routes": [{"keys": "1", "action": "queue", "department_id": billing["id"], "tags": ["billing"]},
                        {"keys": "*", "action": "menu", "menu": "main"}]}
        ]
    });
    let (s, made) = app.api(a, Method::POST, "/ivrs", Some(ivr)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, n) = app
        .api(
            a,
            Method::POST,
            "/phone-numbers",
            Some(json!({"number": "+36 1 234 5678", "ivr_id": made["id"], "recording": "never"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!(n["number"], NUMBER);
    made
}

async fn phone_tickets(app: &TestApp, a: &TestAccount) -> Vec<Value> {
    let (s, list) = app.api(a, Method::GET, "/tickets?channel=phone", None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list["tickets"].as_array().unwrap().clone()
}

async fn ticket(app: &TestApp, a: &TestAccount, id: &Value) -> Value {
    let (s, t) = app.api(a, Method::GET, &format!("/tickets/{}", id.as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t
}

fn said(steps: &[Step]) -> Vec<(String, Option<String>)> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Said { text, language } => Some((text.clone(), language.clone())),
            _ => None,
        })
        .collect()
}

async fn ivr_path_reaches_an_agent(engine: Engine) {
    let app = spawn_app(engine).await;
    let (a, tw) = voice_account(&app).await;
    let orders = department(&app, &a, "Orders").await;
    let billing = department(&app, &a, "Billing").await;
    shop_ivr(&app, &a, &orders, &billing).await;
    let (ann, session) = agent(&app, &a, "Ann", &[&orders]).await;
    let _ws = online(&app, &session).await;

    let mut call = spec(&app, CALLER);
    call.digits = vec![Some("1".into())];
    call.dial = vec![DialAnswer::Answered { seconds: 95 }];
    let log = tw.call(call).await;
    assert_eq!(log.ended, "hangup", "{log:#?}");
    assert!(log.requests.iter().all(|(_, s)| *s == 200), "{:?}", log.requests);
    let spoken = said(&log.steps);
    assert_eq!(spoken[0].1.as_deref(), Some("en-US"), "the account's language first: {spoken:?}");
    assert!(spoken[0].0.starts_with("Press 1 for orders"));
    assert!(spoken.iter().any(|(t, l)| l.as_deref() == Some("hu-HU") && t.starts_with("Rendelésekért")), "{spoken:?}");
    assert!(log.steps.contains(&Step::Gathered { digits: Some("1".into()) }));
    assert!(log
        .steps
        .iter()
        .any(|s| matches!(s, Step::Enqueued { queue } if queue.contains(orders["id"].as_str().unwrap()))));
    assert!(log.steps.contains(&Step::Left), "{:#?}", log.steps);
    let dialed = log.steps.iter().find_map(|s| match s {
        Step::Dialed { target, kind, answer } => Some((target.clone(), kind.clone(), answer.clone())),
        _ => None,
    });
    assert_eq!(dialed, Some((format!("agent-{ann}"), "client".into(), DialAnswer::Answered { seconds: 95 })));

    let list = phone_tickets(&app, &a).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let t = ticket(&app, &a, &list[0]["id"]).await;
    assert_eq!(t["subject"], format!("Call from {CALLER}"));
    assert_eq!((t["channel"].as_str(), t["assignee_id"].as_str()), (Some("phone"), Some(ann.as_str())));
    assert_eq!(t["department_id"], orders["id"]);
    assert_eq!(t["tags"], json!(["orders"]));
    assert_eq!(t["requester"]["phones"], json!([CALLER]));
    let calls = t["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{t}");
    let c = &calls[0];
    assert_eq!(
        (c["direction"].as_str(), c["from"].as_str(), c["to"].as_str()),
        (Some("inbound"), Some(CALLER), Some(NUMBER))
    );
    assert_eq!((c["outcome"].as_str(), c["agent_id"].as_str()), (Some("answered"), Some(ann.as_str())));
    assert!(c["duration_s"].as_i64().unwrap() >= 95, "the call's whole length, from the status callback: {c}");
    assert!(c["recording"].is_null(), "this number never records");
    let first = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "message").unwrap().clone();
    assert!(first["body"].as_str().unwrap().contains("answered by Ann (1 min 35 s)"), "{first}");

    // The same caller again, through billing's submenu, with nobody there to answer: they hang up while waiting.
    // The call joins their open ticket.
    let mut again = spec(&app, CALLER);
    again.digits = vec![Some("2".into()), Some("1".into())];
    again.hang_up_after_waits = Some(2);
    let log = tw.call(again).await;
    assert!(
        spoken_has(&log.steps, "Billing & invoices <press 1>."),
        "said as typed, escaped on the way: {:#?}",
        log.steps
    );
    assert_eq!(log.ended, "caller-hung-up", "{log:#?}");
    assert!(said(&log.steps).iter().any(|(t, _)| t.contains("number 1 in the queue")), "{:#?}", log.steps);
    let list = phone_tickets(&app, &a).await;
    assert_eq!(list.len(), 1, "the caller's open ticket took the call: {list:?}");
    let t = ticket(&app, &a, &list[0]["id"]).await;
    let calls = t["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["outcome"], "abandoned");
    assert_eq!(t["tags"], json!(["orders", "billing"]), "{t}");
    app.stop().await;
}

fn spoken_has(steps: &[Step], text: &str) -> bool {
    said(steps).iter().any(|(t, _)| t == text)
}

#[tokio::test]
async fn an_ivr_path_reaches_an_agent_and_lands_on_the_callers_ticket() {
    ivr_path_reaches_an_agent(Engine::Sqlite).await;
}

#[tokio::test]
async fn an_ivr_path_reaches_an_agent_and_lands_on_the_callers_ticket_on_postgres() {
    ivr_path_reaches_an_agent(Engine::Postgres).await;
}

/// Waits until `f` holds, up to `secs`.
async fn until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

#[tokio::test]
async fn a_voicemail_becomes_a_ticket_with_its_recording_kept_in_the_region_and_deleted_at_the_provider() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, tw) = voice_account(&app).await;
    let orders = department(&app, &a, "Orders").await;
    let billing = department(&app, &a, "Billing").await;
    shop_ivr(&app, &a, &orders, &billing).await;
    let rx = parley_test_support::WebhookReceiver::start().await;
    let (s, hook) =
        app.api(&a, Method::POST, "/webhooks", Some(json!({"url": rx.url(), "events": ["call.ended"]}))).await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let (s, trigger) = app
        .api(
            &a,
            Method::POST,
            "/triggers",
            Some(json!({"name": "Calls", "events": ["call.ended"],
            "conditions": {"all": [{"field": "channel", "operator": "is", "value": "phone"}]},
            "actions": [{"action": "add_tags", "value": ["phoned"]}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{trigger}");

    // No key at all: the default route, voicemail.
    let mut call = spec(&app, "+4930123456");
    call.digits = vec![None];
    call.record_seconds = 42;
    let log = tw.call(call).await;
    let rec = log.steps.iter().find_map(|s| match s {
        Step::Recorded { recording_sid, seconds } => Some((recording_sid.clone(), *seconds)),
        _ => None,
    });
    let (sid, secs) = rec.unwrap_or_else(|| panic!("a recording was made: {log:#?}"));
    assert_eq!(secs, 42);
    assert!(
        spoken_has(&log.steps, "Thank you for your message. We will get back to you. Goodbye."),
        "{:#?}",
        log.steps
    );
    assert!(until(15, || tw.deletions().contains(&sid)).await, "deleted at the provider once kept");
    assert_eq!(tw.downloads(), vec![sid.clone()], "fetched once, from the configured host");

    let list = phone_tickets(&app, &a).await;
    assert_eq!(list.len(), 1);
    let t = ticket(&app, &a, &list[0]["id"]).await;
    assert_eq!(t["subject"], "Voicemail from +4930123456");
    let c = &t["calls"][0];
    assert_eq!(c["outcome"], "voicemail");
    assert_eq!(c["recording"]["duration_s"], 42);
    let url = c["recording"]["url"].as_str().unwrap();
    let res = app.http.get(app.url("acme", url)).bearer_auth(&a.api_key).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let wav = res.bytes().await.unwrap();
    assert_eq!(&wav[..4], b"RIFF", "the recording itself, read from the region");
    let message = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "message").unwrap().clone();
    assert!(message["body"].as_str().unwrap().starts_with("Voicemail from +4930123456"), "{message}");
    assert_eq!(message["attachments"][0]["content_type"], "audio/wav");
    let event = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "event" && e["type"] == "call").cloned();
    let event = event.unwrap_or_else(|| panic!("the call is in the timeline: {}", t["timeline"]));
    assert_eq!((event["outcome"].as_str(), event["number"].as_str()), (Some("voicemail"), Some("+4930123456")));
    // The trigger on `call.ended` ran.
    let mut tagged = false;
    for _ in 0..100 {
        let t = ticket(&app, &a, &list[0]["id"]).await;
        if t["tags"].as_array().unwrap().iter().any(|x| x == "phoned") {
            tagged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(tagged, "the call.ended trigger tagged the ticket");
    // Webhooks hear of the call with its ticket.
    let got = rx.wait_for(1, 20).await;
    assert_eq!(got.len(), 1, "one call.ended");
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["type"], "call.ended");
    assert_eq!(
        (body["data"]["ticket"]["id"].as_str(), body["data"]["call"]["outcome"].as_str()),
        (t["id"].as_str(), Some("voicemail"))
    );
    assert_eq!(body["data"]["call"]["from"], "+4930123456");
    app.stop().await;
}

#[tokio::test]
async fn a_number_that_records_every_call_says_so_and_keeps_the_answered_calls_recording() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, tw) = voice_account(&app).await;
    let support = department(&app, &a, "Support").await;
    let (s, n) = app
        .api(
            &a,
            Method::POST,
            "/phone-numbers",
            Some(json!({"number": NUMBER, "department_id": support["id"], "recording": "always"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let (_, session) = agent(&app, &a, "Ann", &[&support]).await;
    let _ws = online(&app, &session).await;
    let mut call = spec(&app, CALLER);
    call.dial = vec![DialAnswer::Answered { seconds: 61 }];
    let log = tw.call(call).await;
    assert_eq!(said(&log.steps)[0].0, "This call may be recorded.", "said before anything else: {:#?}", log.steps);
    let sid = log.steps.iter().find_map(|s| match s {
        Step::Recorded { recording_sid, .. } => Some(recording_sid.clone()),
        _ => None,
    });
    let sid = sid.unwrap_or_else(|| panic!("the answered call was recorded: {log:#?}"));
    assert!(until(15, || tw.deletions().contains(&sid)).await, "kept in the region, then deleted at the provider");
    let list = phone_tickets(&app, &a).await;
    let t = ticket(&app, &a, &list[0]["id"]).await;
    let c = &t["calls"][0];
    assert_eq!((c["outcome"].as_str(), c["recording"]["duration_s"].as_i64()), (Some("answered"), Some(61)), "{t}");
    let res = app
        .http
        .get(app.url("acme", c["recording"]["url"].as_str().unwrap()))
        .bearer_auth(&a.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(&res.bytes().await.unwrap()[..4], b"RIFF");
    app.stop().await;
}

#[tokio::test]
async fn a_caller_who_waits_too_long_is_offered_voicemail() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, tw) = voice_account(&app).await;
    let support = department(&app, &a, "Support").await;
    let (s, n) = app
        .api(&a, Method::POST, "/phone-numbers", Some(json!({"number": NUMBER, "department_id": support["id"]})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    app.app.regions.clock().set(parley_domain::Timestamp::now());
    // Nobody is available. While the caller waits, eleven minutes pass.
    let clock = app.app.regions.clock().clone();
    let mover = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        clock.advance(11 * 60_000);
    });
    let mut call = spec(&app, CALLER);
    call.max_requests = 100_000;
    let log = tw.call(call).await;
    mover.await.unwrap();
    assert!(log.steps.iter().filter(|s| **s == Step::Waited).count() >= 2, "{:?}", &log.steps[..4]);
    assert!(spoken_has(&log.steps, "All our agents are busy."), "{:?}", said(&log.steps));
    assert!(log.steps.iter().any(|s| matches!(s, Step::Recorded { .. })), "{:?}", said(&log.steps));
    let list = phone_tickets(&app, &a).await;
    assert_eq!(list.len(), 1);
    let t = ticket(&app, &a, &list[0]["id"]).await;
    assert_eq!(
        (t["calls"][0]["outcome"].as_str(), t["department_id"].as_str()),
        (Some("voicemail"), support["id"].as_str())
    );
    app.stop().await;
}

#[tokio::test]
async fn unsigned_or_forged_webhooks_are_refused_and_nothing_is_stored() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, tw) = voice_account(&app).await;
    let (s, _) = app.api(&a, Method::POST, "/phone-numbers", Some(json!({"number": NUMBER}))).await;
    assert_eq!(s, StatusCode::CREATED);
    for signing in [Signing::Unsigned, Signing::WrongToken] {
        let mut call = spec(&app, CALLER);
        call.signing = signing.clone();
        let log = tw.call(call).await;
        assert!(log.requests[0].0.ends_with("/voice/twilio/incoming"), "{signing:?}: {log:#?}");
        assert!(log.requests.iter().all(|(_, s)| *s == 403), "{signing:?}: every request refused: {log:#?}");
        assert!(log.steps.is_empty(), "the caller heard nothing: {log:#?}");
    }
    // By hand, a request signed for another URL (a replay at another host's path) is refused too.
    let url = app.url("acme", "/voice/twilio/incoming");
    let params = vec![
        ("CallSid".to_string(), "CA0123456789abcdef0123456789abcdef".to_string()),
        ("From".to_string(), CALLER.to_string()),
        ("To".to_string(), NUMBER.to_string()),
    ];
    let elsewhere = signature(TOKEN, "https://elsewhere.example/voice/twilio/incoming", &params);
    let res = app.http.post(&url).header("X-Twilio-Signature", elsewhere).form(&params).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let ctx = match app.app.regions.resolve(&parley_domain::account::AccountSlug::parse("acme").unwrap()).await.unwrap()
    {
        parley_app::regions::Resolution::Here(ctx) => ctx,
        _ => panic!("acme is served here"),
    };
    assert!(ctx.store.call_by_sid(ctx.account_id, "CA0123456789abcdef0123456789abcdef").await.unwrap().is_none());
    assert!(phone_tickets(&app, &a).await.is_empty());

    // The body-hash variant, and then the right signature, are taken.
    let mut call = spec(&app, CALLER);
    call.signing = Signing::BodySha256;
    call.hang_up_after_waits = Some(1);
    let log = tw.call(call).await;
    assert!(log.requests.iter().all(|(_, s)| *s == 200), "{:?}", log.requests);
    assert!(log.steps.iter().any(|s| matches!(s, Step::Enqueued { .. })), "{log:#?}");
    app.stop().await;
}

#[tokio::test]
async fn a_recording_on_another_host_is_never_fetched() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, tw) = voice_account(&app).await;
    let (s, _) = app.api(&a, Method::POST, "/phone-numbers", Some(json!({"number": NUMBER}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let call_sid = "CAfedcba9876543210fedcba9876543210";
    let rec_sid = "RE0123456789abcdef0123456789abcdef";
    let post = |path: &str, extra: Vec<(&str, String)>| {
        let mut params: Vec<(String, String)> = vec![
            ("CallSid".into(), call_sid.into()),
            ("AccountSid".into(), SID.into()),
            ("From".into(), CALLER.into()),
            ("To".into(), NUMBER.into()),
        ];
        params.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        let url = app.url("acme", path);
        let sig = signature(TOKEN, &url, &params);
        app.http.post(url).header("X-Twilio-Signature", sig).form(&params).send()
    };
    assert_eq!(post("/voice/twilio/incoming", vec![]).await.unwrap().status(), StatusCode::OK);
    // The caller leaves a message; the provider's callbacks name a recording on another host (a metadata
    // endpoint, say): Parley keeps the voicemail's ticket but never fetches from there, nor the id from its own
    // provider on such a word.
    let foreign = format!("http://169.254.169.254/2010-04-01/Accounts/{SID}/Recordings/{rec_sid}");
    let r = post(
        "/voice/twilio/voicemail",
        vec![("RecordingSid", rec_sid.into()), ("RecordingUrl", foreign.clone()), ("RecordingDuration", "7".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = post(
        "/voice/twilio/recording",
        vec![("RecordingSid", rec_sid.into()), ("RecordingUrl", foreign), ("RecordingStatus", "completed".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = post("/voice/twilio/recording", vec![("RecordingSid", "RE../../etc".into())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a malformed id never reaches a URL");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(tw.downloads().is_empty(), "nothing fetched, from there or from the provider");
    let ctx = match app.app.regions.resolve(&parley_domain::account::AccountSlug::parse("acme").unwrap()).await.unwrap()
    {
        parley_app::regions::Resolution::Here(ctx) => ctx,
        _ => panic!("acme is served here"),
    };
    let call = ctx.store.call_by_sid(ctx.account_id, call_sid).await.unwrap().unwrap();
    let rec = call.recording.unwrap();
    assert_eq!((rec.sid.as_str(), rec.state), (rec_sid, parley_domain::voice::RecordingState::Failed));
    let list = phone_tickets(&app, &a).await;
    assert_eq!(list.len(), 1, "the voicemail is on a ticket all the same");
    let t = ticket(&app, &a, &list[0]["id"]).await;
    assert!(t["calls"][0]["recording"].is_null(), "{t}");
    app.stop().await;
}

#[tokio::test]
async fn voice_settings_numbers_and_ivrs_check_what_they_are_given() {
    let app = spawn_app(Engine::Sqlite).await;
    let a = app.account("acme", "eu").await;
    let (s, p) = app
        .api(
            &a,
            Method::PUT,
            "/settings/voice",
            Some(json!({"twilio": {"account_sid": "AC1", "auth_token": "x", "api_base": "ftp://x"}})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["twilio.account_sid", "twilio.auth_token", "twilio.api_base"], "{p}");
    let (s, p) =
        app.api(&a, Method::POST, "/phone-numbers", Some(json!({"number": "call me", "recording": "sometimes"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, p) = app
        .api(
            &a,
            Method::POST,
            "/ivrs",
            Some(json!({"name": "x", "menus": [{"id": "main", "greeting": {"en": "hi"},
            "routes": [{"keys": "1", "action": "queue", "department_id": "0190b0b0-0000-7000-8000-000000000000"}]}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p.to_string().contains("menus[0].routes[0].department_id"), "{p}");
    let (s, ivr) = app
        .api(
            &a,
            Method::POST,
            "/ivrs",
            Some(json!({"name": "x", "menus": [{"id": "main", "greeting": {"en": "hi"}, "routes": []}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ivr}");
    let (s, _) =
        app.api(&a, Method::POST, "/phone-numbers", Some(json!({"number": NUMBER, "ivr_id": ivr["id"]}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app.api(&a, Method::POST, "/phone-numbers", Some(json!({"number": NUMBER}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "a number once");
    let path = format!("/ivrs/{}", ivr["id"].as_str().unwrap());
    let (s, p) = app.api(&a, Method::DELETE, &path, None).await;
    assert_eq!(s, StatusCode::CONFLICT, "still answering: {p}");
    let (s, list) = app.api(&a, Method::GET, "/ivrs", None).await;
    assert_eq!((s, list["ivrs"].as_array().unwrap().len()), (StatusCode::OK, 1));
    // Another account sees none of it.
    let b = app.account("bravo", "eu").await;
    let (s, _) = app.api(&b, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, theirs) = app.api(&b, Method::GET, "/phone-numbers", None).await;
    assert_eq!(theirs["phone_numbers"], json!([]));
    app.stop().await;
}

/// Parley's signatures are Twilio's: compared with the `twilio` package's own `RequestValidator` (PyPI), for URLs
/// and parameters with the characters that trip implementations up.
#[test]
fn signatures_match_twilios_own_library() {
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "https://acme.example.com/voice/twilio/incoming",
            vec![("CallSid", "CA1"), ("From", "+3612345678"), ("To", "+1800")],
        ),
        (
            "https://acme.example.com:8443/voice/twilio/gather?menu=main&try=2",
            vec![("Digits", "#"), ("Caller", "anonymous")],
        ),
        (
            "http://acme.localhost:8080/voice/twilio/wait",
            vec![("QueuePosition", "3"), ("Note", "ünïcödé & spaces = fun")],
        ),
        ("https://a.example/x", vec![]),
    ];
    for (url, params) in cases {
        let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let ours = parley_domain::voice::signature::sign(TOKEN, url, &owned);
        let script = r#"
import json, sys
from twilio.request_validator import RequestValidator
token, url, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
print(RequestValidator(token).compute_signature(url, params))
"#;
        let map: serde_json::Map<String, Value> =
            owned.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let out = std::process::Command::new("python3")
            .args(["-c", script, TOKEN, url, &Value::Object(map).to_string()])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "the twilio package is installed (scripts/test installs it): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), ours, "{url} {params:?}");
    }
}

/// The softphone's token decodes as Twilio's SDK expects, and its signature verifies with PyJWT (the `twilio`
/// package's own dependency) under the API key's secret: none of Parley's code takes part in the check.
#[tokio::test]
async fn an_agent_gets_a_softphone_token_signed_with_the_api_key() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, tw) = voice_account(&app).await;
    let (c, _) = crate::ui::sign_in(&app, "acme", &a.email, &a.password).await;
    let (_, html) = crate::ui::get(&c, &app.url("acme", "/tickets")).await;
    let csrf = crate::ui::csrf_in(&html);
    let token = || c.post(app.url("acme", "/api/v1/voice/token")).header("X-CSRF-Token", &csrf).send();
    let r = token().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "no API key yet");
    let (key, secret) = ("SK0123456789abcdef0123456789abcdef", "the-api-key-secret");
    let (s, v) = app
        .api(
            &a,
            Method::PUT,
            "/settings/voice",
            Some(json!({"twilio": {"account_sid": SID, "auth_token": TOKEN,
            "api_key_sid": key, "api_key_secret": secret, "api_base": tw.api_base()}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(!v.to_string().contains(secret));
    let r = token().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = r.json().await.unwrap();
    let (_, me) = app.api(&a, Method::GET, "/agents", None).await;
    let owner = me["agents"].as_array().unwrap().iter().find(|x| x["email"] == a.email.as_str()).unwrap()["id"].clone();
    assert_eq!(got["identity"], format!("agent-{}", owner.as_str().unwrap()));
    let script = r#"
import json, sys, jwt
token, secret = sys.argv[1], sys.argv[2]
header = jwt.get_unverified_header(token)
claims = jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
print(json.dumps({"header": header, "claims": claims}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, got["token"].as_str().unwrap(), secret])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "PyJWT verifies it: {}", String::from_utf8_lossy(&out.stderr));
    let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["header"]["cty"], "twilio-fpa;v=1");
    let claims = &decoded["claims"];
    assert_eq!((claims["iss"].as_str(), claims["sub"].as_str()), (Some(key), Some(SID)));
    assert_eq!(claims["grants"]["identity"], got["identity"]);
    assert_eq!(claims["grants"]["voice"]["incoming"]["allow"], true);
    let wrong = std::process::Command::new("python3")
        .args(["-c", script, got["token"].as_str().unwrap(), "not-it"])
        .output()
        .unwrap();
    assert!(!wrong.status.success(), "another secret does not verify it");
    // An API key is not an agent: it has no softphone.
    let (s, _) = app.api(&a, Method::POST, "/voice/token", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.stop().await;
}

/// Twilio asking again for a call it already placed (a retry) hears the caller's menu again, not a new call.
#[tokio::test]
async fn an_incoming_request_asked_again_replays_the_callers_menu() {
    let app = spawn_app(Engine::Sqlite).await;
    let (a, _tw) = voice_account(&app).await;
    let orders = department(&app, &a, "Orders").await;
    let billing = department(&app, &a, "Billing").await;
    shop_ivr(&app, &a, &orders, &billing).await;
    let params = vec![
        ("CallSid".to_string(), "CA00000000000000000000000000000042".to_string()),
        ("From".to_string(), CALLER.to_string()),
        ("To".to_string(), NUMBER.to_string()),
    ];
    let url = app.url("acme", "/voice/twilio/incoming");
    let mut answers = Vec::new();
    for _ in 0..2 {
        let sig = signature(TOKEN, &url, &params);
        let res = app.http.post(&url).header("X-Twilio-Signature", sig).form(&params).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
        answers.push(res.text().await.unwrap());
    }
    for xml in &answers {
        assert!(xml.contains("<Gather") && xml.contains("Press 1 for orders"), "{xml}");
    }
    assert!(!answers[1].contains("<Leave"), "{}", answers[1]);
    app.stop().await;
}
