//! A local stand-in for Twilio's voice platform. `call` places a phone call at a web app the way Twilio does: signed
//! webhook posts, and the TwiML that comes back (read with a real XML parser) followed verb by verb. It knows only the
//! first URL; every later one is taken from the TwiML, resolved against the URL of the request that returned it. The
//! REST side serves and deletes the recordings those calls made and places outbound calls.
//!
//! Nothing sleeps: the time a call takes (pauses, speech, recordings, answered dials) is simulated, and reported as
//! the `CallDuration` of the status callback.
//!
//! Not simulated: `method="GET"` (every webhook is a POST), `loop` on `<Say>`/`<Play>`, speech input, bridging calls
//! to each other (`<Dial><Queue>` does not take a caller out of an `<Enqueue>`), `<Conference>`, `<Connect>` and the
//! other verbs outside the IVR set.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use hmac::{Hmac, Mac};
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;
use reqwest::Url;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// What one call does: where it goes, who calls whom, and how the caller (and anyone dialled) behaves.
#[derive(Clone, Debug)]
pub struct CallSpec {
    /// Where the app really listens: "http://127.0.0.1:PORT". Empty (only useful for the outbound script): the
    /// first URL's own scheme, host and port.
    pub connect: String,
    /// The URL Twilio "sees" and signs, e.g. "http://acme.localhost:8080/voice/twilio/incoming": its scheme, host
    /// and port are what gets signed and what the Host header says; the request itself goes to `connect`. Later
    /// URLs must have the same scheme, host and port (anything else ends the call with "foreign-url …").
    pub url: String,
    /// E.164, e.g. "+36301234567".
    pub from: String,
    /// The account's number.
    pub to: String,
    /// Answers to successive `<Gather>`s: `Some("12")` presses keys, `None` gives no input (timeout).
    pub digits: Vec<Option<String>>,
    /// Answers to successive `<Dial>`s. Missing entries: `NoAnswer`.
    pub dial: Vec<DialAnswer>,
    /// How long the caller speaks when a `<Record>` runs (the recording's duration). 0 makes an empty recording,
    /// which Twilio drops: no action request, the call goes on with the next verb.
    pub record_seconds: u32,
    /// The caller hangs up after this many requests of an `<Enqueue>`'s waitUrl (None: never by themselves).
    pub hang_up_after_waits: Option<u32>,
    /// Where the call's status callback goes at the end (like a number's StatusCallback URL), if anywhere.
    pub status_callback: Option<String>,
    pub signing: Signing,
    /// Safety stop: at most this many TwiML requests per call (callbacks aside); then "too-many-requests".
    pub max_requests: usize,
}

impl CallSpec {
    pub fn new(connect: &str, url: &str, from: &str, to: &str) -> CallSpec {
        CallSpec {
            connect: connect.to_string(),
            url: url.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            digits: Vec::new(),
            dial: Vec::new(),
            record_seconds: 5,
            hang_up_after_waits: None,
            status_callback: None,
            signing: Signing::Params,
            max_requests: 200,
        }
    }
}

/// How the far end of a `<Dial>` answers.
#[derive(Clone, Debug, PartialEq)]
pub enum DialAnswer {
    Answered { seconds: u32 },
    NoAnswer,
    Busy,
}

/// How webhooks are signed.
#[derive(Clone, Debug, PartialEq)]
pub enum Signing {
    /// `X-Twilio-Signature` over the URL and the sorted form parameters (what Twilio does for voice).
    Params,
    /// A JSON body, its SHA-256 in the URL's `bodySHA256` query parameter, the signature over the URL alone.
    BodySha256,
    /// No signature header.
    Unsigned,
    /// Signed with a token that is not the account's.
    WrongToken,
}

/// What happened on a call.
#[derive(Clone, Debug, Default)]
pub struct CallLog {
    pub call_sid: String,
    pub steps: Vec<Step>,
    /// Every webhook request made: (url as signed, HTTP status answered). Status 0: no answer (the connection
    /// failed) or, for a callback to another host, not sent.
    pub requests: Vec<(String, u16)>,
    /// How long each of `requests` took to answer, in the same order (what a benchmark of the webhooks reads).
    pub latencies: Vec<std::time::Duration>,
    /// Why the call ended: "hangup" (a `<Hangup/>` or the TwiML ran out), "rejected" (`<Reject/>`),
    /// "caller-hung-up", "http-error 403" (or "http-error: …" when nothing answered), "bad-twiml: …",
    /// "foreign-url …", "too-many-requests", "stuck-in-queue" (an `<Enqueue>` without waitUrl whose caller never
    /// hangs up).
    pub ended: String,
}

/// One thing the caller went through.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Said {
        text: String,
        language: Option<String>,
    },
    Played {
        url: String,
    },
    Paused {
        seconds: u32,
    },
    Gathered {
        digits: Option<String>,
    },
    Enqueued {
        queue: String,
    },
    /// One request of the waitUrl.
    Waited,
    /// `<Leave/>` in a wait.
    Left,
    /// `kind`: "number" | "client" | "queue" | "sip". Several nouns in one `<Dial>` (dialled at once): their targets
    /// joined with ", ", the kind of the first.
    Dialed {
        target: String,
        kind: String,
        answer: DialAnswer,
    },
    Recorded {
        recording_sid: String,
        seconds: u32,
    },
    Redirected {
        url: String,
    },
    Hangup,
    Rejected,
}

/// The stand-in: its REST API listens on 127.0.0.1 until the handle is dropped; calls are placed from it.
pub struct TwilioStandIn {
    shared: Arc<Shared>,
    _stop: watch::Sender<()>,
}

/// A call created through the REST API: its form parameters, its log once it ended.
type CreatedCall = (BTreeMap<String, String>, Option<CallLog>);

struct Shared {
    account_sid: String,
    auth_token: String,
    api_base: String,
    client: reqwest::Client,
    /// Changes (closes) when the handle is dropped: the server and outbound calls stop.
    stopped: watch::Receiver<()>,
    recordings: Mutex<HashMap<String, Vec<u8>>>,
    downloads: Mutex<Vec<String>>,
    deletions: Mutex<Vec<String>>,
    created: Mutex<Vec<CreatedCall>>,
    created_done: Notify,
    outbound: Mutex<Option<CallSpec>>,
    queues: Mutex<HashMap<String, String>>,
}

impl TwilioStandIn {
    /// Starts the REST API side on 127.0.0.1:<free port>.
    pub async fn start(account_sid: &str, auth_token: &str) -> TwilioStandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind Twilio stand-in");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = watch::channel(());
        let shared = Arc::new(Shared {
            account_sid: account_sid.to_string(),
            auth_token: auth_token.to_string(),
            api_base: format!("http://{addr}"),
            client: crate::http_client(false),
            stopped: stopped.clone(),
            recordings: Mutex::default(),
            downloads: Mutex::default(),
            deletions: Mutex::default(),
            created: Mutex::default(),
            created_done: Notify::new(),
            outbound: Mutex::default(),
            queues: Mutex::default(),
        });
        let app = rest_api(shared.clone());
        let mut until = stopped;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = until.changed().await;
                })
                .await;
        });
        TwilioStandIn { shared, _stop: stop }
    }

    /// "http://127.0.0.1:PORT": the provider's API base Parley is configured with.
    pub fn api_base(&self) -> String {
        self.shared.api_base.clone()
    }

    pub fn account_sid(&self) -> String {
        self.shared.account_sid.clone()
    }

    /// Places an inbound call and follows it to its end; returns what happened.
    pub async fn call(&self, spec: CallSpec) -> CallLog {
        let first = Url::parse(&spec.url).unwrap_or_else(|e| panic!("CallSpec.url {:?}: {e}", spec.url));
        let leg = Leg {
            sid: new_sid("CA"),
            from: spec.from.clone(),
            to: spec.to.clone(),
            direction: "inbound",
            status_callback: spec.status_callback.clone(),
        };
        Call::new(&self.shared, &spec, &first, leg).run().await
    }

    /// Recording sids whose media was downloaded (GET), in order.
    pub fn downloads(&self) -> Vec<String> {
        self.shared.downloads.lock().unwrap().clone()
    }

    /// Recording sids deleted (DELETE), in order.
    pub fn deletions(&self) -> Vec<String> {
        self.shared.deletions.lock().unwrap().clone()
    }

    /// Calls created through the REST API (POST …/Calls.json), with the form parameters they were created with,
    /// and the logs of those calls once the stand-in ran them.
    pub fn created_calls(&self) -> Vec<(BTreeMap<String, String>, Option<CallLog>)> {
        self.shared.created.lock().unwrap().clone()
    }

    /// Waits until at least `n` calls created through the REST API have ended (or `secs` pass); returns them all.
    pub async fn wait_for_created_calls(
        &self,
        n: usize,
        secs: u64,
    ) -> Vec<(BTreeMap<String, String>, Option<CallLog>)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let notified = self.shared.created_done.notified();
            let got = self.created_calls();
            if got.iter().filter(|(_, log)| log.is_some()).count() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.created_calls();
            }
        }
    }

    /// The script outbound calls created through the REST API follow (digits, dial answers …). Its `url`, `from`
    /// and `to` are not used (the REST request's `Url`, `From` and `To` are), nor its `status_callback` when the
    /// request has a `StatusCallback`. Default: answers, no digits, connects to the `Url`'s own host.
    pub fn set_outbound_script(&self, spec: CallSpec) {
        if !spec.connect.is_empty() {
            Url::parse(&spec.connect).unwrap_or_else(|e| panic!("outbound script's connect {:?}: {e}", spec.connect));
        }
        *self.shared.outbound.lock().unwrap() = Some(spec);
    }
}

/// `X-Twilio-Signature` for a request: base64 of HMAC-SHA1 keyed with the auth token over the full URL followed by
/// every POST parameter, sorted by name, as name then value.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

// ---------------------------------------------------------------------------------------------------------------
// REST API

fn rest_api(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/2010-04-01/Accounts/{account}/Recordings/{file}", get(fetch_recording).delete(delete_recording))
        .route("/2010-04-01/Accounts/{account}/Calls.json", post(create_call))
        .fallback(unknown)
        .with_state(shared)
}

fn api_error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// HTTP Basic with the account SID and auth token, or with an API key: any "SK…" sid and a non-empty secret is taken
/// (the stand-in keeps no keys). A valid login for another account's path is a 404, as at Twilio. Returns the
/// refusal, if any.
fn refusal(s: &Shared, headers: &HeaderMap, account: Option<&str>) -> Option<Response> {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let ok = credentials.as_deref().and_then(|c| c.split_once(':')).is_some_and(|(user, secret)| {
        (user == s.account_sid && secret == s.auth_token) || (user.starts_with("SK") && !secret.is_empty())
    });
    if !ok {
        let mut response = api_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Twilio API\""));
        return Some(response);
    }
    if account.is_some_and(|a| a != s.account_sid) {
        return Some(api_error(StatusCode::NOT_FOUND, 20404, "The requested resource was not found"));
    }
    None
}

async fn unknown(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(response) = refusal(&s, &headers, None) {
        return response;
    }
    api_error(StatusCode::NOT_FOUND, 20404, "The requested resource was not found")
}

/// Media of a recording: `RE….wav`, or the sid without extension (WAV too, as at Twilio). No MP3.
async fn fetch_recording(
    State(s): State<Arc<Shared>>,
    Path((account, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = refusal(&s, &headers, Some(&account)) {
        return response;
    }
    let sid = file.strip_suffix(".wav").unwrap_or(&file);
    let Some(wav) = s.recordings.lock().unwrap().get(sid).cloned() else {
        return api_error(StatusCode::NOT_FOUND, 20404, "The requested resource was not found");
    };
    s.downloads.lock().unwrap().push(sid.to_string());
    ([(header::CONTENT_TYPE, "audio/x-wav")], wav).into_response()
}

async fn delete_recording(
    State(s): State<Arc<Shared>>,
    Path((account, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = refusal(&s, &headers, Some(&account)) {
        return response;
    }
    let sid = file.strip_suffix(".json").unwrap_or(&file);
    if s.recordings.lock().unwrap().remove(sid).is_none() {
        return api_error(StatusCode::NOT_FOUND, 20404, "The requested resource was not found");
    }
    s.deletions.lock().unwrap().push(sid.to_string());
    StatusCode::NO_CONTENT.into_response()
}

/// Creates an outbound call (To, From, Url, optional StatusCallback; no Twiml or ApplicationSid) and runs it in the
/// background, following the outbound script.
async fn create_call(
    State(s): State<Arc<Shared>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if let Some(response) = refusal(&s, &headers, Some(&account)) {
        return response;
    }
    let Ok(Form(pairs)) = form else {
        return api_error(StatusCode::BAD_REQUEST, 20001, "The body must be application/x-www-form-urlencoded");
    };
    let params: BTreeMap<String, String> = pairs.into_iter().collect();
    let (Some(to), Some(from), Some(url)) = (params.get("To"), params.get("From"), params.get("Url")) else {
        return api_error(StatusCode::BAD_REQUEST, 21201, "To, From and Url are required");
    };
    let Ok(first) = Url::parse(url) else {
        return api_error(StatusCode::BAD_REQUEST, 21205, "Url is not a valid URL");
    };
    let sid = new_sid("CA");
    let body = serde_json::json!({
        "sid": sid,
        "account_sid": s.account_sid,
        "status": "queued",
        "direction": "outbound-api",
        "to": to,
        "from": from,
        "uri": format!("/2010-04-01/Accounts/{}/Calls/{sid}.json", s.account_sid),
    });
    let mut leg = Leg {
        sid,
        from: from.clone(),
        to: to.clone(),
        direction: "outbound-api",
        status_callback: params.get("StatusCallback").cloned(),
    };
    let index = {
        let mut created = s.created.lock().unwrap();
        created.push((params.clone(), None));
        created.len() - 1
    };
    let shared = s.clone();
    tokio::spawn(async move {
        let script = shared.outbound.lock().unwrap().clone();
        let script = script.unwrap_or_else(|| CallSpec::new("", first.as_str(), &leg.from, &leg.to));
        leg.status_callback = leg.status_callback.or(script.status_callback.clone());
        let mut stopped = shared.stopped.clone();
        tokio::select! {
            log = Call::new(&shared, &script, &first, leg).run() => {
                shared.created.lock().unwrap()[index].1 = Some(log);
                shared.created_done.notify_waiters();
            }
            _ = stopped.changed() => {}
        }
    });
    (StatusCode::CREATED, Json(body)).into_response()
}

// ---------------------------------------------------------------------------------------------------------------
// Calls

/// Who is on a call and where its status callback goes.
struct Leg {
    sid: String,
    from: String,
    to: String,
    direction: &'static str,
    status_callback: Option<String>,
}

/// Why a call stopped; carried up with `?` from wherever it happened.
struct Ended(String);

impl Ended {
    fn bad(why: impl std::fmt::Display) -> Ended {
        Ended(format!("bad-twiml: {why}"))
    }
}

type Flow<T> = Result<T, Ended>;
type Params = Vec<(String, String)>;

/// What the call does next, after a verb that leaves the current document.
enum Next {
    /// Request this URL and run the TwiML it answers.
    Fetch(Url, Params),
    /// Run TwiML already fetched from this URL.
    Run(Url, Vec<Node>),
}

/// How a waitUrl's TwiML ended.
enum Wait {
    RanOut,
    Leave,
    Hangup,
    /// A `<Redirect>`, or a `<Gather>` action: its TwiML replaces the wait music.
    Fetch(Url, Params),
}

/// How a caller got out of a queue.
#[derive(PartialEq)]
enum QueueExit {
    Left,
    /// By a `<Hangup/>` in the wait TwiML.
    HungUp,
    CallerHungUp,
}

/// Seconds a `<Play>` is taken to last (the stand-in does not fetch the audio).
const PLAY_SECONDS: u32 = 5;
/// Twilio's time limit on a webhook answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);

struct Call<'a> {
    shared: &'a Shared,
    spec: &'a CallSpec,
    /// The first URL: later URLs must have its scheme, host and port, and are sent to `connect`.
    origin: Url,
    connect: Url,
    leg: Leg,
    /// CallStatus sent with the next request.
    status: &'static str,
    /// CallStatus of the status callback at the end.
    final_status: &'static str,
    digits_used: usize,
    dials_used: usize,
    /// Simulated seconds since the call was answered.
    elapsed: u32,
    log: CallLog,
}

impl<'a> Call<'a> {
    fn new(shared: &'a Shared, spec: &'a CallSpec, first: &Url, leg: Leg) -> Call<'a> {
        let connect = if spec.connect.is_empty() {
            first.clone()
        } else {
            Url::parse(&spec.connect).unwrap_or_else(|e| panic!("CallSpec.connect {:?}: {e}", spec.connect))
        };
        // Twilio requests an outbound call's Url once the callee answered; an inbound call's first webhook rings.
        let status = if leg.direction == "inbound" { "ringing" } else { "in-progress" };
        let log = CallLog { call_sid: leg.sid.clone(), ..CallLog::default() };
        Call {
            shared,
            spec,
            origin: first.clone(),
            connect,
            leg,
            status,
            final_status: "completed",
            digits_used: 0,
            dials_used: 0,
            elapsed: 0,
            log,
        }
    }

    async fn run(mut self) -> CallLog {
        let first = self.origin.clone();
        self.log.ended = match self.follow(first.clone()).await {
            Ok(()) => "hangup".to_string(),
            Err(Ended(why)) => why,
        };
        self.status = self.final_status;
        if let Some(callback) = self.leg.status_callback.clone() {
            let mut params = self.params();
            params.push(("CallDuration".into(), self.elapsed.to_string()));
            self.callback(&first, &callback, params).await;
        }
        self.log
    }

    /// Follows the call from document to document; Ok when the TwiML ran out.
    async fn follow(&mut self, first: Url) -> Flow<()> {
        let mut next = Next::Fetch(first, Vec::new());
        loop {
            let (url, verbs) = match next {
                Next::Fetch(url, params) => {
                    let verbs = self.twiml(&url, params).await?;
                    (url, verbs)
                }
                Next::Run(url, verbs) => (url, verbs),
            };
            match self.run_document(&url, &verbs).await? {
                Some(then) => next = then,
                None => return Ok(()),
            }
        }
    }

    /// Runs a document's verbs in order; returns where the call goes next if a verb leaves the document.
    async fn run_document(&mut self, doc_url: &Url, verbs: &[Node]) -> Flow<Option<Next>> {
        for verb in verbs {
            match verb.name.as_str() {
                "Say" | "Play" | "Pause" => self.speak(verb)?,
                "Gather" => {
                    if let Some((url, params)) = self.gather(doc_url, verb)? {
                        return Ok(Some(Next::Fetch(url, params)));
                    }
                }
                "Enqueue" => {
                    if let Some(next) = self.enqueue(doc_url, verb).await? {
                        return Ok(Some(next));
                    }
                }
                "Dial" => {
                    if let Some((url, params)) = self.dial(doc_url, verb).await? {
                        return Ok(Some(Next::Fetch(url, params)));
                    }
                }
                "Record" => {
                    if let Some(next) = self.record(doc_url, verb).await? {
                        return Ok(Some(next));
                    }
                }
                "Redirect" => return Ok(Some(Next::Fetch(self.redirect(doc_url, verb)?, Vec::new()))),
                "Hangup" => {
                    self.log.steps.push(Step::Hangup);
                    return Err(Ended("hangup".into()));
                }
                "Reject" => {
                    // Only a first verb keeps Twilio from answering; later, it is a hang-up of an answered call.
                    let first = self.log.steps.is_empty() && self.log.requests.len() == 1;
                    if first && self.leg.direction == "inbound" {
                        self.final_status = if verb.attr("reason") == Some("busy") { "busy" } else { "no-answer" };
                    }
                    self.log.steps.push(Step::Rejected);
                    return Err(Ended("rejected".into()));
                }
                // Only means something in a queue's wait TwiML.
                "Leave" => {}
                other => return Err(not_here(other, "in <Response>")),
            }
        }
        Ok(None)
    }

    /// `<Say>`, `<Play>`, `<Pause>`: also what a `<Gather>` may hold.
    fn speak(&mut self, verb: &Node) -> Flow<()> {
        match verb.name.as_str() {
            "Say" => {
                let text = squash(&verb.text);
                self.elapsed += (text.split(' ').count() as u32).div_ceil(2).max(1);
                let language = verb.attr("language").map(str::to_string);
                self.log.steps.push(Step::Said { text, language });
            }
            "Play" => {
                self.elapsed += PLAY_SECONDS;
                self.log.steps.push(Step::Played { url: verb.text.trim().to_string() });
            }
            "Pause" => {
                let seconds = verb.number("length", 1)?;
                self.elapsed += seconds;
                self.log.steps.push(Step::Paused { seconds });
            }
            other => return Err(not_here(other, "in <Gather>")),
        }
        Ok(())
    }

    /// Runs a `<Gather>`; returns the action request when there is one to make.
    fn gather(&mut self, doc_url: &Url, verb: &Node) -> Flow<Option<(Url, Params)>> {
        for nested in &verb.children {
            self.speak(nested)?;
        }
        let pressed = self.spec.digits.get(self.digits_used).cloned().flatten();
        self.digits_used += 1;
        // The finish key ends the input and is not reported; numDigits cuts it short.
        let finish_keys = verb.attr("finishOnKey").unwrap_or("#");
        let limit = verb.attr("numDigits").map(|_| verb.number("numDigits", 0)).transpose()?;
        let digits = pressed
            .map(|keys| {
                let keys = keys.chars().take_while(|c| !finish_keys.contains(*c));
                match limit {
                    Some(n) => keys.take(n as usize).collect::<String>(),
                    None => keys.collect(),
                }
            })
            .filter(|d| !d.is_empty());
        self.elapsed += match &digits {
            Some(d) => d.len() as u32,
            None => verb.number("timeout", 5)?,
        };
        self.log.steps.push(Step::Gathered { digits: digits.clone() });
        if digits.is_none() && verb.attr("actionOnEmptyResult") != Some("true") {
            return Ok(None);
        }
        // Without an action Twilio posts the input to the document's own URL.
        let action = match verb.attr("action") {
            Some(action) => self.resolve(doc_url, action)?,
            None => doc_url.clone(),
        };
        let params = digits.map(|d| vec![("Digits".to_string(), d)]).unwrap_or_default();
        Ok(Some((action, params)))
    }

    fn redirect(&mut self, doc_url: &Url, verb: &Node) -> Flow<Url> {
        let target = verb.text.trim();
        if target.is_empty() {
            return Err(Ended::bad("<Redirect> without a URL"));
        }
        let url = self.resolve(doc_url, target)?;
        self.log.steps.push(Step::Redirected { url: url.to_string() });
        Ok(url)
    }

    /// Runs a `<Dial>`; returns the action request if it has an action.
    /// Runs a `<Dial>` with the next answer of the script. With `record="record-from-answer…"` an answered dial
    /// is recorded: the action gets the recording's parameters, and the `recordingStatusCallback` (if any) is sent
    /// first (Twilio sends it once the recording is processed, which may be either side of the action).
    async fn dial(&mut self, doc_url: &Url, verb: &Node) -> Flow<Option<(Url, Params)>> {
        let mut targets = Vec::new();
        for noun in &verb.children {
            let kind = match noun.name.as_str() {
                "Number" => "number",
                "Client" => "client",
                "Queue" => "queue",
                "Sip" => "sip",
                other => return Err(not_here(other, "in <Dial>")),
            };
            targets.push((kind, squash(&noun.text)));
        }
        if targets.is_empty() {
            let number = squash(&verb.text);
            if number.is_empty() {
                return Err(Ended::bad("<Dial> with nothing to dial"));
            }
            targets.push(("number", number));
        }
        let answer = self.spec.dial.get(self.dials_used).cloned().unwrap_or(DialAnswer::NoAnswer);
        self.dials_used += 1;
        let mut params = vec![("DialCallSid".to_string(), new_sid("CA"))];
        match answer {
            DialAnswer::Answered { seconds } => {
                self.elapsed += seconds;
                params.push(("DialCallStatus".into(), "completed".into()));
                params.push(("DialCallDuration".into(), seconds.to_string()));
                if verb.attr("record").is_some_and(|r| r.starts_with("record-from")) && seconds > 0 {
                    let sid = new_sid("RE");
                    self.shared.recordings.lock().unwrap().insert(sid.clone(), silent_wav(seconds));
                    self.log.steps.push(Step::Recorded { recording_sid: sid.clone(), seconds });
                    let media = format!(
                        "{}/2010-04-01/Accounts/{}/Recordings/{sid}",
                        self.shared.api_base, self.shared.account_sid
                    );
                    params.push(("RecordingUrl".into(), media.clone()));
                    params.push(("RecordingSid".into(), sid.clone()));
                    params.push(("RecordingDuration".into(), seconds.to_string()));
                    if let Some(callback) = verb.attr("recordingStatusCallback") {
                        let callback = callback.to_string();
                        let status = self.recording_status(sid, media, seconds, "DialVerb");
                        self.callback(doc_url, &callback, status).await;
                    }
                }
            }
            DialAnswer::NoAnswer => {
                self.elapsed += verb.number("timeout", 30)?;
                params.push(("DialCallStatus".into(), "no-answer".into()));
            }
            DialAnswer::Busy => params.push(("DialCallStatus".into(), "busy".into())),
        }
        let target = targets.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(", ");
        self.log.steps.push(Step::Dialed { target, kind: targets[0].0.to_string(), answer });
        match verb.attr("action") {
            Some(action) => Ok(Some((self.resolve(doc_url, action)?, params))),
            None => Ok(None),
        }
    }

    /// The parameters of a `recordingStatusCallback` for a completed recording made by `source` (`RecordVerb`,
    /// `DialVerb`).
    fn recording_status(&self, sid: String, media: String, seconds: u32, source: &str) -> Params {
        [
            ("AccountSid", self.shared.account_sid.clone()),
            ("CallSid", self.leg.sid.clone()),
            ("RecordingSid", sid),
            ("RecordingUrl", media),
            ("RecordingStatus", "completed".into()),
            ("RecordingDuration", seconds.to_string()),
            ("RecordingChannels", "1".into()),
            ("RecordingSource", source.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Runs a `<Record>`: makes the recording, requests the action (by default the document's own URL, as Twilio
    /// does), then the recordingStatusCallback, and returns the action's TwiML to run.
    async fn record(&mut self, doc_url: &Url, verb: &Node) -> Flow<Option<Next>> {
        let max = match verb.number("maxLength", 3600)? {
            0 => 3600,
            n => n,
        };
        let seconds = self.spec.record_seconds.min(max);
        if seconds == 0 {
            return Ok(None);
        }
        let action = match verb.attr("action") {
            Some(action) => self.resolve(doc_url, action)?,
            None => doc_url.clone(),
        };
        let sid = new_sid("RE");
        self.shared.recordings.lock().unwrap().insert(sid.clone(), silent_wav(seconds));
        self.elapsed += seconds;
        self.log.steps.push(Step::Recorded { recording_sid: sid.clone(), seconds });
        let media =
            format!("{}/2010-04-01/Accounts/{}/Recordings/{sid}", self.shared.api_base, self.shared.account_sid);
        let params = vec![
            ("RecordingUrl".to_string(), media.clone()),
            ("RecordingSid".to_string(), sid.clone()),
            ("RecordingDuration".to_string(), seconds.to_string()),
        ];
        let answered = self.twiml(&action, params).await;
        if let Some(callback) = verb.attr("recordingStatusCallback") {
            let params = self.recording_status(sid, media, seconds, "RecordVerb");
            self.callback(doc_url, callback, params).await;
        }
        Ok(Some(Next::Run(action, answered?)))
    }

    /// Runs an `<Enqueue>`: the waitUrl's TwiML over and over until the caller leaves or hangs up. Returns the
    /// action request after a `<Leave/>`, or None to go on with the next verb.
    async fn enqueue(&mut self, doc_url: &Url, verb: &Node) -> Flow<Option<Next>> {
        let queue = squash(&verb.text);
        self.log.steps.push(Step::Enqueued { queue: queue.clone() });
        let queue_sid = self.shared.queues.lock().unwrap().entry(queue).or_insert_with(|| new_sid("QU")).clone();
        let action = verb.attr("action").map(|a| self.resolve(doc_url, a)).transpose()?;
        let wait_url = verb.attr("waitUrl").map(|w| self.resolve(doc_url, w)).transpose()?;
        let entered = self.elapsed;
        let mut waits = 0;
        let out = loop {
            if self.spec.hang_up_after_waits.is_some_and(|n| waits >= n) {
                break QueueExit::CallerHungUp;
            }
            let Some(wait_url) = &wait_url else {
                // Twilio's default hold music is not ours to fetch; without a waitUrl the caller just waits.
                match self.spec.hang_up_after_waits {
                    Some(_) => break QueueExit::CallerHungUp,
                    None => return Err(Ended("stuck-in-queue".into())),
                }
            };
            waits += 1;
            self.log.steps.push(Step::Waited);
            let queue_time = (self.elapsed - entered).to_string();
            let params = [
                ("QueueSid", queue_sid.clone()),
                ("QueuePosition", "1".into()),
                ("QueueTime", queue_time.clone()),
                ("AvgQueueTime", queue_time),
                ("CurrentQueueSize", "1".into()),
            ];
            let mut request = Some((wait_url.clone(), params.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
            let mut outcome = Wait::RanOut;
            while let Some((url, params)) = request.take() {
                let verbs = self.twiml(&url, params).await?;
                match self.run_wait(&url, &verbs)? {
                    Wait::Fetch(url, params) => request = Some((url, params)),
                    other => outcome = other,
                }
            }
            match outcome {
                // Ran out: the waitUrl is requested again.
                Wait::RanOut | Wait::Fetch(..) => {}
                Wait::Leave => break QueueExit::Left,
                Wait::Hangup => break QueueExit::HungUp,
            }
        };
        let result = if out == QueueExit::Left { "leave" } else { "hangup" };
        let params = vec![
            ("QueueResult".to_string(), result.to_string()),
            ("QueueSid".to_string(), queue_sid),
            ("QueueTime".to_string(), (self.elapsed - entered).to_string()),
        ];
        if out != QueueExit::Left {
            // The call is over: the action hears about it, and nothing it answers can run.
            self.status = "completed";
            if let Some(action) = action {
                let mut all = self.params();
                all.extend(params);
                self.callback(&action, action.as_str(), all).await;
            }
            return Err(Ended(if out == QueueExit::HungUp { "hangup" } else { "caller-hung-up" }.into()));
        }
        Ok(action.map(|action| Next::Fetch(action, params)))
    }

    /// Runs a waitUrl's TwiML (Say, Play, Pause, Gather, Redirect, Leave, Hangup).
    fn run_wait(&mut self, doc_url: &Url, verbs: &[Node]) -> Flow<Wait> {
        for verb in verbs {
            match verb.name.as_str() {
                "Say" | "Play" | "Pause" => self.speak(verb)?,
                "Gather" => {
                    if let Some((url, params)) = self.gather(doc_url, verb)? {
                        return Ok(Wait::Fetch(url, params));
                    }
                }
                "Redirect" => return Ok(Wait::Fetch(self.redirect(doc_url, verb)?, Vec::new())),
                "Leave" => {
                    self.log.steps.push(Step::Left);
                    return Ok(Wait::Leave);
                }
                "Hangup" => {
                    self.log.steps.push(Step::Hangup);
                    return Ok(Wait::Hangup);
                }
                other => return Err(not_here(other, "in a waitUrl's TwiML")),
            }
        }
        Ok(Wait::RanOut)
    }

    /// A TwiML URL from a document, resolved against the URL of the request that returned it.
    fn resolve(&self, base: &Url, reference: &str) -> Flow<Url> {
        let mut url = base.join(reference.trim()).map_err(|e| Ended::bad(format!("URL {reference:?}: {e}")))?;
        url.set_fragment(None);
        let same_site = url.scheme() == self.origin.scheme()
            && url.host_str() == self.origin.host_str()
            && url.port_or_known_default() == self.origin.port_or_known_default();
        if !same_site {
            return Err(Ended(format!("foreign-url {url}")));
        }
        Ok(url)
    }

    /// The parameters of every call webhook.
    fn params(&self) -> Params {
        let s = self.shared;
        [
            ("CallSid", self.leg.sid.as_str()),
            ("AccountSid", s.account_sid.as_str()),
            ("From", self.leg.from.as_str()),
            ("To", self.leg.to.as_str()),
            ("Caller", self.leg.from.as_str()),
            ("Called", self.leg.to.as_str()),
            ("CallStatus", self.status),
            ("Direction", self.leg.direction),
            ("ApiVersion", "2010-04-01"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Requests TwiML (the call parameters plus `extra`) and returns the verbs of its `<Response>`.
    async fn twiml(&mut self, url: &Url, extra: Params) -> Flow<Vec<Node>> {
        if self.log.requests.len() >= self.spec.max_requests {
            return Err(Ended("too-many-requests".into()));
        }
        let mut params = self.params();
        params.extend(extra);
        let answer = self.send(url, params).await;
        if self.status == "ringing" {
            self.status = "in-progress";
        }
        let (status, content_type, body) = answer.map_err(|e| Ended(format!("http-error: {e}")))?;
        if status != 200 {
            return Err(Ended(format!("http-error {status}")));
        }
        // Twilio reads TwiML from these; anything else (audio, plain text) means something else to it.
        let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !matches!(media_type.as_str(), "text/xml" | "application/xml" | "text/html") {
            return Err(Ended::bad(format!("Content-Type {content_type:?}, not text/xml")));
        }
        let root = parse_twiml(&body).map_err(Ended::bad)?;
        if root.name != "Response" {
            return Err(Ended::bad(format!("the root element is <{}>, not <Response>", root.name)));
        }
        Ok(root.children)
    }

    /// A request whose answer does not matter (a status or recording callback, an action after a hang-up). One to
    /// another host is not sent: it is logged with status 0.
    async fn callback(&mut self, base: &Url, reference: &str, params: Params) {
        match self.resolve(base, reference) {
            Ok(url) => {
                let _ = self.send(&url, params).await;
            }
            Err(_) => {
                self.log.requests.push((reference.to_string(), 0));
                self.log.latencies.push(std::time::Duration::ZERO);
            }
        }
    }

    /// Posts `params` to `url` the way Twilio does (signed as `spec.signing` says, the Host header of `url`, the
    /// connection to `connect`), logs it, and returns (status, Content-Type, body).
    async fn send(&mut self, url: &Url, params: Params) -> Result<(u16, String, String), String> {
        let json = (self.spec.signing == Signing::BodySha256).then(|| {
            let object: serde_json::Map<String, serde_json::Value> =
                params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
            serde_json::Value::Object(object).to_string()
        });
        let mut signed = url.clone();
        if let Some(body) = &json {
            signed.query_pairs_mut().append_pair("bodySHA256", &hex(&Sha256::digest(body.as_bytes())));
        }
        // A JSON body is covered by its hash in the URL; the signature is then over the URL alone.
        let signed_params: &[(String, String)] = if json.is_some() { &[] } else { &params };
        let token = self.shared.auth_token.as_str();
        let signature = match self.spec.signing {
            Signing::Unsigned => None,
            Signing::WrongToken => Some(signature(&format!("not-{token}"), signed.as_str(), signed_params)),
            Signing::Params | Signing::BodySha256 => Some(signature(token, signed.as_str(), signed_params)),
        };
        let mut wire = self.connect.clone();
        wire.set_path(signed.path());
        wire.set_query(signed.query());
        let host = match signed.port() {
            Some(port) => format!("{}:{port}", signed.host_str().unwrap_or_default()),
            None => signed.host_str().unwrap_or_default().to_string(),
        };
        let mut request = self
            .shared
            .client
            .post(wire)
            .timeout(WEBHOOK_TIMEOUT)
            .header(header::HOST, host)
            .header(header::USER_AGENT, "TwilioProxy/1.1");
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        request = match json {
            Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(body),
            None => request.form(&params),
        };
        let started = std::time::Instant::now();
        let answer = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            Ok::<_, reqwest::Error>((status, content_type, response.text().await?))
        }
        .await;
        let status = answer.as_ref().map(|(status, ..)| *status).unwrap_or(0);
        self.log.requests.push((signed.to_string(), status));
        self.log.latencies.push(started.elapsed());
        answer.map_err(|e| e.to_string())
    }
}

fn not_here(verb: &str, place: &str) -> Ended {
    const TWILIO_VERBS: &[&str] = &[
        "Say",
        "Play",
        "Pause",
        "Gather",
        "Enqueue",
        "Dial",
        "Record",
        "Redirect",
        "Hangup",
        "Reject",
        "Leave",
        "Connect",
        "Pay",
        "Prompt",
        "Refer",
        "Start",
        "Stop",
        "Sms",
        "Message",
        "Conference",
        "Stream",
        "Siprec",
        "Application",
        "Number",
        "Client",
        "Queue",
        "Sip",
    ];
    if TWILIO_VERBS.contains(&verb) {
        Ended::bad(format!("<{verb}> is not allowed {place} (or not simulated by the stand-in)"))
    } else {
        Ended::bad(format!("unknown element <{verb}> {place}"))
    }
}

/// Collapses runs of whitespace, as speech does.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A Twilio-style sid: the prefix and 32 hex digits.
fn new_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::now_v7().simple())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A WAV file of silence: 8 kHz, mono, 16-bit PCM, at most one second long whatever the recording's duration, to
/// keep tests light.
fn silent_wav(seconds: u32) -> Vec<u8> {
    const RATE: u32 = 8000;
    let data_len = seconds.saturating_mul(RATE).min(RATE) * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // size of the fmt chunk
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // channels
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    wav
}

// ---------------------------------------------------------------------------------------------------------------
// TwiML

/// An element of a TwiML document.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    /// All the text inside, nested elements' included, in document order, entities resolved.
    text: String,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str, default: u32) -> Flow<u32> {
        match self.attr(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| Ended::bad(format!("<{} {name}={v:?}>", self.name))),
        }
    }
}

/// Parses a document into its root element.
fn parse_twiml(xml: &str) -> Result<Node, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut open: Vec<Node> = Vec::new();
    let mut root = None;
    let mut close = |node: Node, open: &mut Vec<Node>| -> Result<(), String> {
        match open.last_mut() {
            Some(parent) => {
                parent.text.push_str(&node.text);
                parent.children.push(node);
            }
            None if root.is_none() => root = Some(node),
            None => return Err(format!("a second root element <{}>", node.name)),
        }
        Ok(())
    };
    loop {
        let event = reader.read_event().map_err(|e| format!("{e} (at byte {})", reader.error_position()))?;
        match event {
            Event::Start(e) => open.push(element(&e)?),
            Event::Empty(e) => close(element(&e)?, &mut open)?,
            Event::End(_) => {
                let node = open.pop().ok_or("a closing tag with nothing open")?;
                close(node, &mut open)?;
            }
            Event::Text(t) => text(&mut open, &t.xml10_content())?,
            Event::CData(t) => text(&mut open, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| format!("unknown entity &{};", &*r))?
                        .to_string(),
                };
                text(&mut open, &resolved)?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(node) = open.last() {
        return Err(format!("<{}> is not closed", node.name));
    }
    root.ok_or_else(|| "an empty document".to_string())
}

fn element(e: &BytesStart) -> Result<Node, String> {
    let mut node = Node { name: e.name().as_ref().to_string(), ..Node::default() };
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| e.to_string())?;
        node.attrs.push((attr.key.as_ref().to_string(), value.into_owned()));
    }
    Ok(node)
}

fn text(open: &mut [Node], text: &str) -> Result<(), String> {
    match open.last_mut() {
        Some(node) => node.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(format!("text {:?} outside the root element", text.trim())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use axum::http::Uri;
    use std::sync::atomic::{AtomicU32, Ordering};

    const AC: &str = "AC0123456789abcdef0123456789abcdef";
    const TOKEN: &str = "test-auth-token";
    const SITE: &str = "http://acme.localhost:8080";
    const CALLER: &str = "+36301234567";
    const NUMBER: &str = "+3612345678";

    /// A request the app got: the URL rebuilt from its Host header, its parameters, whether its signature held.
    #[derive(Clone, Debug)]
    struct Hit {
        url: String,
        params: BTreeMap<String, String>,
        signed: bool,
    }

    /// A small app in Parley's place: fixed TwiML per path; refuses (403) what is not signed right.
    #[derive(Default)]
    struct App {
        hits: Mutex<Vec<Hit>>,
        waits: AtomicU32,
    }

    impl App {
        fn hits(&self) -> Vec<Hit> {
            self.hits.lock().unwrap().clone()
        }

        fn paths(&self) -> Vec<String> {
            self.hits().iter().map(|h| h.url.strip_prefix(SITE).unwrap_or(&h.url).to_string()).collect()
        }

        fn hit(&self, path: &str) -> Hit {
            let url = format!("{SITE}{path}");
            self.hits().into_iter().find(|h| h.url == url).unwrap_or_else(|| panic!("no request of {url}"))
        }
    }

    async fn parley() -> (String, Arc<App>) {
        let app = Arc::new(App::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new().fallback(answer).with_state(app.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (format!("http://{addr}"), app)
    }

    /// Twilio's signature computed here, apart from the code under test.
    fn expected_signature(url: &str, params: &BTreeMap<String, String>) -> String {
        let mut data = url.to_string();
        for (name, value) in params {
            data.push_str(name);
            data.push_str(value);
        }
        let mut mac = Hmac::<Sha1>::new_from_slice(TOKEN.as_bytes()).unwrap();
        mac.update(data.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    async fn answer(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
        let host = headers.get(header::HOST).unwrap().to_str().unwrap();
        let url = format!("http://{host}{}", uri.path_and_query().unwrap());
        let given = headers.get("X-Twilio-Signature").map(|v| v.to_str().unwrap().to_string());
        let (params, signed) = if headers.get(header::CONTENT_TYPE).is_some_and(|v| v == "application/json") {
            let params: BTreeMap<String, String> = serde_json::from_slice(&body).unwrap();
            let digest: String = Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect();
            let hashed = Url::parse(&url).unwrap().query_pairs().any(|(k, v)| k == "bodySHA256" && v == digest);
            (params, hashed && given == Some(expected_signature(&url, &BTreeMap::new())))
        } else {
            let mut form = Url::parse("http://form.invalid/").unwrap();
            form.set_query(Some(std::str::from_utf8(&body).unwrap()));
            let params: BTreeMap<String, String> = form.query_pairs().into_owned().collect();
            let signed = given == Some(expected_signature(&url, &params));
            (params, signed)
        };
        app.hits.lock().unwrap().push(Hit { url, params, signed });
        if !signed {
            return StatusCode::FORBIDDEN.into_response();
        }
        let wait = || app.waits.fetch_add(1, Ordering::SeqCst) + 1;
        let twiml = match uri.path() {
            "/voice/incoming" => {
                r#"<?xml version="1.0" encoding="UTF-8"?>
                <Response>
                  <Say language="en-US">Welcome to Acme</Say>
                  <Gather action="menu" numDigits="1"><Say>Press 1 for support</Say></Gather>
                  <Say>We did not hear you</Say>
                </Response>"#
            }
            "/voice/menu" => {
                r#"<Response>
                  <Enqueue action="/voice/queue-done" waitUrl="http://acme.localhost:8080/voice/wait">support</Enqueue>
                </Response>"#
            }
            "/voice/wait" if wait() == 1 => r#"<Response><Say>Please hold</Say><Pause length="10"/></Response>"#,
            "/voice/wait" => "<Response><Leave/></Response>",
            "/voice/queue-done" => {
                r#"<Response><Dial action="dialed?leg=2"><Number>+3611234567</Number></Dial></Response>"#
            }
            "/voice/dialed" => "<Response><Say>Goodbye</Say><Hangup/><Say>never said</Say></Response>",
            "/q/start" => r#"<Response><Enqueue action="/q/done" waitUrl="/q/wait">sales</Enqueue></Response>"#,
            "/q/wait" => {
                r#"<Response><Gather action="key" numDigits="1"><Say>Press 1 to leave</Say></Gather></Response>"#
            }
            "/q/key" => "<Response><Leave/></Response>",
            "/q/done" => "<Response><Say>Bye</Say></Response>",
            "/rec/start" => {
                r#"<Response>
                  <Say>Leave a message</Say>
                  <Record action="/rec/done" recordingStatusCallback="status" maxLength="120"/>
                  <Say>never said</Say>
                </Response>"#
            }
            "/rec/done" => "<Response><Say>Thanks</Say></Response>",
            "/plain" => "<Response><Say>Hello</Say></Response>",
            "/escapes" => {
                r#"<?xml version="1.0" encoding="UTF-8"?>
                <!-- entities, character references, CDATA -->
                <Response>
                  <Say language="en&#45;GB">Tom &amp; Jerry &lt;3 caf&#233; &#x263A;</Say>
                  <Play>http://acme.localhost:8080/hold.mp3?a=1&amp;b=2</Play>
                  <Say><![CDATA[Fish & <chips>]]></Say>
                  <Redirect>next?x=1&amp;y=2</Redirect>
                </Response>"#
            }
            "/next" => r#"<Response><Pause length="2"/></Response>"#,
            "/out/answer" => r#"<Response><Gather action="/out/pressed"><Say>Press a key</Say></Gather></Response>"#,
            "/out/pressed" => "<Response><Say>Thank you</Say></Response>",
            "/error" => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            "/html" => return ([(header::CONTENT_TYPE, "text/html")], "<html><body>Hi</body></html>").into_response(),
            "/broken" => "<Response><Say>unclosed</Response>",
            "/foreign" => "<Response><Redirect>http://evil.localhost:8080/x</Redirect></Response>",
            "/voice/status" | "/rec/status" | "/out/status" => "",
            _ => return StatusCode::NOT_FOUND.into_response(),
        };
        ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response()
    }

    fn said(text: &str) -> Step {
        Step::Said { text: text.into(), language: None }
    }

    #[tokio::test]
    async fn a_call_goes_through_menu_queue_and_dial_to_hangup() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, app) = parley().await;
        let mut spec = CallSpec::new(&connect, &format!("{SITE}/voice/incoming"), CALLER, NUMBER);
        spec.digits = vec![Some("1".into())];
        spec.dial = vec![DialAnswer::Answered { seconds: 42 }];
        spec.status_callback = Some(format!("{SITE}/voice/status"));

        let log = twilio.call(spec).await;

        assert_eq!(log.ended, "hangup");
        assert_eq!(
            log.steps,
            vec![
                Step::Said { text: "Welcome to Acme".into(), language: Some("en-US".into()) },
                said("Press 1 for support"),
                Step::Gathered { digits: Some("1".into()) },
                Step::Enqueued { queue: "support".into() },
                Step::Waited,
                said("Please hold"),
                Step::Paused { seconds: 10 },
                Step::Waited,
                Step::Left,
                Step::Dialed {
                    target: "+3611234567".into(),
                    kind: "number".into(),
                    answer: DialAnswer::Answered { seconds: 42 }
                },
                said("Goodbye"),
                Step::Hangup,
            ]
        );
        let paths = [
            "/voice/incoming",
            "/voice/menu",
            "/voice/wait",
            "/voice/wait",
            "/voice/queue-done",
            "/voice/dialed?leg=2",
            "/voice/status",
        ];
        assert_eq!(app.paths(), paths);
        let hits = app.hits();
        assert!(hits.iter().all(|h| h.signed), "{hits:#?}");
        assert!(log.requests.iter().all(|(_, status)| *status == 200));
        assert_eq!(
            log.requests.iter().map(|(url, _)| url.clone()).collect::<Vec<_>>(),
            paths.map(|p| format!("{SITE}{p}"))
        );

        assert!(log.call_sid.starts_with("CA") && log.call_sid.len() == 34);
        for hit in &hits {
            assert_eq!(hit.params["CallSid"], log.call_sid);
            assert_eq!(hit.params["AccountSid"], AC);
            assert_eq!((hit.params["From"].as_str(), hit.params["Caller"].as_str()), (CALLER, CALLER));
            assert_eq!((hit.params["To"].as_str(), hit.params["Called"].as_str()), (NUMBER, NUMBER));
            assert_eq!(hit.params["Direction"], "inbound");
            assert_eq!(hit.params["ApiVersion"], "2010-04-01");
        }
        let statuses: Vec<&str> = hits.iter().map(|h| h.params["CallStatus"].as_str()).collect();
        assert_eq!(
            statuses,
            ["ringing", "in-progress", "in-progress", "in-progress", "in-progress", "in-progress", "completed"]
        );

        assert_eq!(app.hit("/voice/menu").params["Digits"], "1");
        assert!(!app.hit("/voice/incoming").params.contains_key("Digits"));
        let waits: Vec<Hit> = hits.iter().filter(|h| h.url.ends_with("/voice/wait")).cloned().collect();
        assert!(waits[0].params["QueueSid"].starts_with("QU"));
        assert_eq!((waits[0].params["QueuePosition"].as_str(), waits[0].params["QueueTime"].as_str()), ("1", "0"));
        assert_eq!(waits[1].params["QueueTime"], "11", "a second of speech and a ten-second pause");
        assert!(waits
            .iter()
            .all(|w| w.params.contains_key("AvgQueueTime") && w.params.contains_key("CurrentQueueSize")));
        let left = app.hit("/voice/queue-done");
        assert_eq!(left.params["QueueResult"], "leave");
        assert_eq!(left.params["QueueSid"], waits[0].params["QueueSid"]);
        assert_eq!(left.params["QueueTime"], "11");
        let dialed = app.hit("/voice/dialed?leg=2");
        assert_eq!(
            (dialed.params["DialCallStatus"].as_str(), dialed.params["DialCallDuration"].as_str()),
            ("completed", "42")
        );
        assert!(dialed.params["DialCallSid"].starts_with("CA"));
        let duration: u32 = app.hit("/voice/status").params["CallDuration"].parse().unwrap();
        assert!(duration >= 52, "the pause and the dialled call at least: {duration}");
    }

    #[tokio::test]
    async fn a_queue_gather_leads_out_and_a_caller_can_hang_up_in_the_queue() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, app) = parley().await;
        let mut spec = CallSpec::new(&connect, &format!("{SITE}/q/start"), CALLER, NUMBER);
        spec.digits = vec![None, Some("1".into())];
        let log = twilio.call(spec.clone()).await;
        assert_eq!(log.ended, "hangup");
        let gathered = |digits: Option<&str>| Step::Gathered { digits: digits.map(str::to_string) };
        assert_eq!(
            log.steps,
            vec![
                Step::Enqueued { queue: "sales".into() },
                Step::Waited,
                said("Press 1 to leave"),
                gathered(None),
                Step::Waited,
                said("Press 1 to leave"),
                gathered(Some("1")),
                Step::Left,
                said("Bye"),
            ]
        );
        assert_eq!(app.paths(), ["/q/start", "/q/wait", "/q/wait", "/q/key", "/q/done"]);
        assert_eq!(app.hit("/q/done").params["QueueResult"], "leave");

        let (connect, app) = parley().await;
        spec.connect = connect;
        spec.digits = Vec::new();
        spec.hang_up_after_waits = Some(1);
        let log = twilio.call(spec).await;
        assert_eq!(log.ended, "caller-hung-up");
        assert_eq!(app.paths(), ["/q/start", "/q/wait", "/q/done"]);
        let done = app.hit("/q/done");
        assert_eq!((done.params["QueueResult"].as_str(), done.params["CallStatus"].as_str()), ("hangup", "completed"));
        assert!(!log.steps.contains(&said("Bye")));
    }

    #[tokio::test]
    async fn a_recording_is_announced_downloaded_and_deleted() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, app) = parley().await;
        let log = twilio.call(CallSpec::new(&connect, &format!("{SITE}/rec/start"), CALLER, NUMBER)).await;

        assert_eq!(log.ended, "hangup");
        let [_, Step::Recorded { recording_sid: sid, seconds: 5 }, _] = &log.steps[..] else {
            panic!("{:?}", log.steps)
        };
        assert_eq!(log.steps[0], said("Leave a message"));
        assert_eq!(log.steps[2], said("Thanks"));
        assert!(sid.starts_with("RE") && sid.len() == 34);
        assert_eq!(app.paths(), ["/rec/start", "/rec/done", "/rec/status"]);
        let media = format!("{}/2010-04-01/Accounts/{AC}/Recordings/{sid}", twilio.api_base());
        let done = app.hit("/rec/done").params;
        assert_eq!(
            (&done["RecordingUrl"], &done["RecordingSid"], done["RecordingDuration"].as_str()),
            (&media, sid, "5")
        );
        let status = app.hit("/rec/status").params;
        assert_eq!(status["RecordingStatus"], "completed");
        assert_eq!(status["RecordingSource"], "RecordVerb");
        assert_eq!((status["RecordingChannels"].as_str(), status["RecordingDuration"].as_str()), ("1", "5"));
        assert_eq!((&status["RecordingUrl"], &status["CallSid"]), (&media, &log.call_sid));

        let http = reqwest::Client::new();
        let wav = format!("{media}.wav");
        assert_eq!(http.get(&wav).send().await.unwrap().status(), 401);
        assert_eq!(http.get(&wav).basic_auth(AC, Some("nope")).send().await.unwrap().status(), 401);
        let elsewhere = wav.replace(AC, "AC99999999999999999999999999999999");
        assert_eq!(http.get(&elsewhere).basic_auth(AC, Some(TOKEN)).send().await.unwrap().status(), 404);
        assert!(twilio.downloads().is_empty());

        let got = http.get(&wav).basic_auth("SK0123", Some("key-secret")).send().await.unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(got.headers()[header::CONTENT_TYPE], "audio/x-wav");
        let bytes = got.bytes().await.unwrap();
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        assert_eq!((&bytes[0..4], &bytes[8..16], &bytes[36..40]), (&b"RIFF"[..], &b"WAVEfmt "[..], &b"data"[..]));
        assert_eq!((u16_at(20), u16_at(22), u32_at(24), u16_at(34)), (1, 1, 8000, 16), "PCM, mono, 8 kHz, 16-bit");
        assert_eq!(u32_at(4) as usize, bytes.len() - 8);
        assert_eq!(u32_at(40) as usize, bytes.len() - 44);
        assert!(bytes.len() <= 44 + 16000);
        assert_eq!(twilio.downloads(), [sid.as_str()]);

        let delete = http.delete(format!("{media}.json")).basic_auth(AC, Some(TOKEN)).send().await.unwrap();
        assert_eq!(delete.status(), 204);
        assert_eq!(http.get(&wav).basic_auth(AC, Some(TOKEN)).send().await.unwrap().status(), 404);
        assert_eq!(http.delete(&media).basic_auth(AC, Some(TOKEN)).send().await.unwrap().status(), 404);
        assert_eq!(twilio.deletions(), [sid.as_str()]);
        assert_eq!(twilio.downloads(), [sid.as_str()]);
    }

    #[tokio::test]
    async fn json_bodies_are_signed_through_their_hash() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, app) = parley().await;
        let mut spec = CallSpec::new(&connect, &format!("{SITE}/plain?lang=hu"), CALLER, NUMBER);
        spec.signing = Signing::BodySha256;
        let log = twilio.call(spec).await;
        assert_eq!((log.ended.as_str(), &log.steps[..]), ("hangup", &[said("Hello")][..]));
        let hit = &app.hits()[0];
        assert!(hit.signed, "{hit:?}");
        assert!(hit.url.starts_with(&format!("{SITE}/plain?lang=hu&bodySHA256=")));
        assert_eq!(log.requests, [(hit.url.clone(), 200)]);
        assert_eq!(hit.params["CallStatus"], "ringing");
    }

    #[tokio::test]
    async fn unsigned_and_wrongly_signed_calls_end_at_the_refusal() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, app) = parley().await;
        for signing in [Signing::Unsigned, Signing::WrongToken] {
            let mut spec = CallSpec::new(&connect, &format!("{SITE}/plain"), CALLER, NUMBER);
            spec.signing = signing;
            let log = twilio.call(spec).await;
            assert_eq!(log.ended, "http-error 403");
            assert_eq!(log.requests, [(format!("{SITE}/plain"), 403)]);
            assert!(log.steps.is_empty());
        }
        assert!(app.hits().iter().all(|h| !h.signed));
    }

    #[tokio::test]
    async fn twiml_text_and_attributes_are_unescaped() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, _app) = parley().await;
        let log = twilio.call(CallSpec::new(&connect, &format!("{SITE}/escapes"), CALLER, NUMBER)).await;
        assert_eq!(log.ended, "hangup");
        assert_eq!(
            log.steps,
            vec![
                Step::Said { text: "Tom & Jerry <3 café ☺".into(), language: Some("en-GB".into()) },
                Step::Played { url: format!("{SITE}/hold.mp3?a=1&b=2") },
                said("Fish & <chips>"),
                Step::Redirected { url: format!("{SITE}/next?x=1&y=2") },
                Step::Paused { seconds: 2 },
            ]
        );
    }

    #[tokio::test]
    async fn errors_bad_twiml_and_foreign_urls_end_the_call() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, _app) = parley().await;
        let call = |path: &str| twilio.call(CallSpec::new(&connect, &format!("{SITE}{path}"), CALLER, NUMBER));
        let error = call("/error").await;
        assert_eq!(error.ended, "http-error 500");
        assert_eq!(error.requests, [(format!("{SITE}/error"), 500)]);
        assert_eq!(call("/missing").await.ended, "http-error 404");
        let html = call("/html").await.ended;
        assert!(html.starts_with("bad-twiml: the root element is <html>"), "{html}");
        let broken = call("/broken").await.ended;
        assert!(broken.starts_with("bad-twiml: "), "{broken}");
        assert_eq!(call("/foreign").await.ended, "foreign-url http://evil.localhost:8080/x");
    }

    #[tokio::test]
    async fn calls_created_through_the_rest_api_run_the_outbound_script() {
        let twilio = TwilioStandIn::start(AC, TOKEN).await;
        let (connect, app) = parley().await;
        let mut script = CallSpec::new(&connect, "", "", "");
        script.digits = vec![Some("9#".into())];
        twilio.set_outbound_script(script);
        let http = reqwest::Client::new();
        let calls = format!("{}/2010-04-01/Accounts/{}/Calls.json", twilio.api_base(), twilio.account_sid());
        let form = [
            ("To", "+36201112222"),
            ("From", NUMBER),
            ("Url", &format!("{SITE}/out/answer")),
            ("StatusCallback", &format!("{SITE}/out/status")),
        ];
        let post =
            |user: &str, secret: &str, url: &str| http.post(url).basic_auth(user, Some(secret)).form(&form).send();
        assert_eq!(post(AC, "nope", &calls).await.unwrap().status(), 401);
        let elsewhere = calls.replace(AC, "AC99999999999999999999999999999999");
        assert_eq!(post(AC, TOKEN, &elsewhere).await.unwrap().status(), 404);
        let no_url =
            http.post(&calls).basic_auth(AC, Some(TOKEN)).form(&[("To", "+36201112222")]).send().await.unwrap();
        assert_eq!(no_url.status(), 400);

        let created = post(AC, TOKEN, &calls).await.unwrap();
        assert_eq!(created.status(), 201);
        let created: serde_json::Value = created.json().await.unwrap();
        assert_eq!((created["status"].as_str(), created["to"].as_str()), (Some("queued"), Some("+36201112222")));
        let sid = created["sid"].as_str().unwrap().to_string();

        let calls = twilio.wait_for_created_calls(1, 10).await;
        let (params, log) = &calls[0];
        assert_eq!(params["Url"], format!("{SITE}/out/answer"));
        let log = log.as_ref().unwrap();
        assert_eq!((log.call_sid.as_str(), log.ended.as_str()), (sid.as_str(), "hangup"));
        assert_eq!(log.steps.last(), Some(&said("Thank you")));
        assert_eq!(app.paths(), ["/out/answer", "/out/pressed", "/out/status"]);
        let answer = app.hit("/out/answer");
        assert!(answer.signed);
        assert_eq!(
            (answer.params["Direction"].as_str(), answer.params["CallStatus"].as_str()),
            ("outbound-api", "in-progress")
        );
        assert_eq!((answer.params["From"].as_str(), answer.params["To"].as_str()), (NUMBER, "+36201112222"));
        assert_eq!(app.hit("/out/pressed").params["Digits"], "9");
        assert_eq!(app.hit("/out/status").params["CallStatus"], "completed");
    }

    #[test]
    fn the_signature_matches_twilios_published_example() {
        let params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(signature("12345", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        let mut shuffled = params.to_vec();
        shuffled.reverse();
        assert_eq!(signature("12345", url, &shuffled), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }
}
