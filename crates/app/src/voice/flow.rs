//! A call as Twilio walks it through Parley: each webhook reads the call's row, moves it on and answers with the
//! TwiML of what the caller hears next. Every URL written into that TwiML is one of these hooks on the account's
//! host, so a caller follows the TwiML alone, and any process may take any of them (the call's state is in the
//! region's database, each write checked against the version it read).

use super::speech::Speech;
use super::twiml::{DialTarget, Twiml};
use super::{filing, recordings};
use crate::{AccountCtx, App, AppError};
use parley_domain::subprocessors::Feature;
use parley_domain::voice::ivr::MAX_TRIES;
use parley_domain::voice::{
    Action, Answering, Call, CallState, Choice, Ivr, Menu, Outcome, PhoneNumber, Recording, RecordingState,
};
use parley_domain::{Invalid, Timestamp};
use parley_store::StoreError;
use std::collections::BTreeMap;

/// Which webhook a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// The number was called (the number's voice URL).
    Incoming,
    /// The caller pressed a key in a menu, or pressed nothing.
    Gather,
    /// A queued caller asks what to hear next (`waitUrl`).
    Wait,
    /// A caller left the queue (`<Enqueue action>`).
    Queue,
    /// A `<Dial>` ended (`action`).
    Dial,
    /// A voicemail was recorded (`<Record action>`).
    Voicemail,
    /// A recording is ready at the provider (`recordingStatusCallback`).
    Recording,
    /// The call's status changed (the number's status callback).
    Status,
}

impl Hook {
    pub fn path(self) -> &'static str {
        match self {
            Hook::Incoming => "/voice/twilio/incoming",
            Hook::Gather => "/voice/twilio/gather",
            Hook::Wait => "/voice/twilio/wait",
            Hook::Queue => "/voice/twilio/queue",
            Hook::Dial => "/voice/twilio/dial",
            Hook::Voicemail => "/voice/twilio/voicemail",
            Hook::Recording => "/voice/twilio/recording",
            Hook::Status => "/voice/twilio/status",
        }
    }
}

/// A webhook's parameters (its signature checked): Twilio's POST parameters and the query Parley wrote into the
/// URL it gave Twilio.
pub struct CallRequest {
    pub params: BTreeMap<String, String>,
    pub query: BTreeMap<String, String>,
}

impl CallRequest {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// The call's id at the provider: `CA` and 32 hexadecimal digits.
    fn sid(&self) -> Result<&str, AppError> {
        match self.param("CallSid") {
            Some(s) if provider_sid(s, "CA") => Ok(s),
            _ => Err(Invalid::field("CallSid", "must be CA and 32 hexadecimal digits").into()),
        }
    }

    fn number(&self, name: &str) -> Result<String, AppError> {
        let raw = self.param(name).unwrap_or_default();
        // Callers without caller id arrive as "anonymous" or similar; they are kept as such, not as a number.
        match parley_domain::contact::parse_phone(raw) {
            Ok(n) => Ok(n),
            Err(_) if !raw.is_empty() && raw.len() <= 32 && raw.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                Ok(raw.to_ascii_lowercase())
            }
            Err(_) => Err(Invalid::field(name, "is not a phone number").into()),
        }
    }

    fn seconds(&self, name: &str) -> Option<i64> {
        self.param(name).and_then(|s| s.parse::<i64>().ok()).filter(|n| (0..=86_400).contains(n))
    }
}

/// A provider id: two letters then 32 hexadecimal digits.
pub(crate) fn provider_sid(s: &str, prefix: &str) -> bool {
    s.len() == 34 && s.starts_with(prefix) && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// How long an agent's phone rings before the call goes to the next one.
pub const RING_SECS: u32 = 20;
/// How often a waiting caller hears their place.
pub const ANNOUNCE_EVERY_MS: i64 = 30_000;
/// How long a caller waits in a queue before being offered voicemail.
pub const MAX_WAIT_MS: i64 = 10 * 60_000;
/// How long a voicemail may be.
pub const VOICEMAIL_MAX_S: u32 = 180;

/// Why a webhook's work stopped: the call moved meanwhile (another webhook of it wrote first: read it again and
/// redo), or an error.
pub(super) enum FlowError {
    Moved,
    App(AppError),
}

impl From<AppError> for FlowError {
    fn from(e: AppError) -> Self {
        FlowError::App(e)
    }
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale => FlowError::Moved,
            e => FlowError::App(e.into()),
        }
    }
}

impl From<Invalid> for FlowError {
    fn from(e: Invalid) -> Self {
        FlowError::App(e.into())
    }
}

pub(super) type Flow<T> = Result<T, FlowError>;

/// What the call hears next, for a webhook of `hook`; an empty `<Response/>` for the hooks that only report.
pub async fn answer(app: &App, ctx: &AccountCtx, hook: Hook, req: &CallRequest) -> Result<String, AppError> {
    let speech = Speech::of(ctx).await?;
    if !crate::privacy::features::enabled(ctx).await?.contains(&Feature::Voice) {
        // Voice is off: the account takes no calls, and nothing of the caller is kept.
        let mut t = Twiml::new();
        if hook == Hook::Incoming {
            t.say(&speech.text("voice-unavailable"), speech.lang()).hangup();
        }
        return Ok(t.finish());
    }
    let sid = req.sid()?.to_string();
    let hooks = Hooks { base: app.settings.account_url(ctx.slug.as_str()) };
    for _ in 0..5 {
        let outcome = match hook {
            Hook::Incoming => incoming(app, ctx, req, &sid, &speech, &hooks).await,
            _ => {
                let Some(call) = ctx.store.call_by_sid(ctx.account_id, &sid).await? else {
                    // A hook of a call this account never took (or one erased since): nothing to do.
                    return Ok(Twiml::new().hangup().finish());
                };
                let number = match call.number_id {
                    Some(n) => ctx.store.phone_number(ctx.account_id, n).await?,
                    None => None,
                };
                let step = Step { app, ctx, req, speech: &speech, hooks: &hooks, number: number.as_ref() };
                step.run(hook, call).await
            }
        };
        match outcome {
            // Another webhook of the call moved it meanwhile: read it again.
            Err(FlowError::Moved) => continue,
            Err(FlowError::App(e)) => return Err(e),
            Ok(twiml) => return Ok(twiml),
        }
    }
    Err(AppError::Unavailable("the call changed too often meanwhile; try again".into()))
}

/// The URLs of the hooks, absolute on the account's public host (the one Twilio signs).
struct Hooks {
    base: String,
}

impl Hooks {
    fn url(&self, hook: Hook) -> String {
        format!("{}{}", self.base, hook.path())
    }

    fn gather(&self, menu: &str, tries: u32) -> String {
        // Menu ids are lowercase letters, digits, `_` and `-`: nothing to escape in a query.
        format!("{}?menu={menu}&try={tries}", self.url(Hook::Gather))
    }
}

async fn incoming(
    app: &App,
    ctx: &AccountCtx,
    req: &CallRequest,
    sid: &str,
    speech: &Speech,
    hooks: &Hooks,
) -> Flow<String> {
    let to = req.number("To")?;
    let from = req.number("From")?;
    let Some(number) = ctx.store.phone_number_by_e164(ctx.account_id, &to).await? else {
        return Ok(Twiml::new().say(&speech.text("voice-not-in-service"), speech.lang()).hangup().finish());
    };
    let call = match ctx.store.call_by_sid(ctx.account_id, sid).await? {
        // Twilio asked again (a retry): the call goes on where it is.
        Some(c) => c,
        None => {
            let mut c = Call::inbound(ctx.account_id, number.id, sid, &from, &to, ctx.now());
            c.contact_id = ctx.store.contact_by_phone(ctx.account_id, &from).await?.map(|c| c.id);
            match ctx.store.insert_call(&c).await {
                Ok(()) => c,
                Err(StoreError::Conflict(_)) => return Err(FlowError::Moved),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let step = Step { app, ctx, req, speech, hooks, number: Some(&number) };
    // Asked again for a call it knows (a retry): the caller goes on where they are, hearing their menu again if
    // they are in one.
    if call.state != CallState::Menu {
        return step.run(Hook::Wait, call).await;
    }
    if call.menu.is_some() {
        return step.menu_again(call).await;
    }
    let mut t = Twiml::new();
    if number.recording == parley_domain::voice::RecordingConsent::Always {
        t.say(&speech.text("voice-recorded"), speech.lang());
    }
    match number.answering() {
        Answering::Queue(department) => step.enqueue(call, department, t).await,
        Answering::Ivr(ivr_id) => {
            let Some(ivr) = ctx.store.ivr(ctx.account_id, ivr_id).await? else {
                return step.enqueue(call, None, t).await;
            };
            let open = crate::business_hours::calendar_for(ctx, None).await?.is_open(ctx.now());
            let Some(menu) = ivr.entry(open) else { return step.enqueue(call, None, t).await };
            step.menu(call, &ivr, menu, 1, t).await
        }
    }
}

/// One webhook's work on a call read from the database.
struct Step<'a> {
    app: &'a App,
    ctx: &'a AccountCtx,
    req: &'a CallRequest,
    speech: &'a Speech,
    hooks: &'a Hooks,
    number: Option<&'a PhoneNumber>,
}

impl Step<'_> {
    async fn run(&self, hook: Hook, call: Call) -> Flow<String> {
        match hook {
            Hook::Incoming | Hook::Wait => self.wait(call).await,
            Hook::Gather => self.gathered(call).await,
            Hook::Queue => self.left_queue(call).await,
            Hook::Dial => self.dialled(call).await,
            Hook::Voicemail => self.voicemail_recorded(call).await,
            Hook::Recording => self.recording_ready(call).await,
            Hook::Status => self.status(call).await,
        }
    }

    async fn save(&self, call: &Call) -> Flow<()> {
        Ok(self.ctx.store.update_call(call).await?)
    }

    fn say_greeting(&self, t: &mut Twiml, menu: &Menu) {
        for (lang, text) in menu.greeting_in_order(self.speech.code()) {
            t.say(text, &super::speech::twilio_language(lang));
        }
    }

    /// The caller hears `menu` (the `tries`th time) and is asked for a key.
    async fn menu(&self, mut call: Call, ivr: &Ivr, menu: &Menu, tries: u32, mut t: Twiml) -> Flow<String> {
        call.state = CallState::Menu;
        call.menu = Some(menu.id.clone());
        call.tries = tries;
        self.save(&call).await?;
        if !menu.asks() {
            // A menu that only says something and goes on (a closed-hours message before voicemail, say).
            self.say_greeting(&mut t, menu);
            return Box::pin(self.route(call, ivr, menu, None, t)).await;
        }
        let action = self.hooks.gather(&menu.id, tries);
        t.gather(&action, 5, |t| self.say_greeting(t, menu));
        // No key within the timeout: Twilio goes on after the <Gather>, to the same hook without digits.
        t.redirect(&action);
        Ok(t.finish())
    }

    /// The menu the caller is in, again (or, when it is gone, what their state says).
    async fn menu_again(&self, call: Call) -> Flow<String> {
        let (ivr, menu) = self.current_menu(&call).await?;
        match (ivr, menu) {
            (Some(ivr), Some(id)) => match ivr.menu(&id).cloned() {
                Some(m) => {
                    let tries = call.tries.max(1);
                    self.menu(call, &ivr, &m, tries, Twiml::new()).await
                }
                None => self.wait(call).await,
            },
            _ => self.wait(call).await,
        }
    }

    async fn gathered(&self, call: Call) -> Flow<String> {
        let (ivr, menu) = self.current_menu(&call).await?;
        let (Some(ivr), Some(menu_id)) = (ivr, menu) else {
            // No longer in a menu (the IVR changed or the call moved on): what its state says.
            return self.wait(call).await;
        };
        let Some(menu) = ivr.menu(&menu_id).cloned() else { return self.wait(call).await };
        self.route(call, &ivr, &menu, self.req.param("Digits"), Twiml::new()).await
    }

    async fn current_menu(&self, call: &Call) -> Flow<(Option<Ivr>, Option<String>)> {
        let ivr_id = self.number.and_then(|n| n.ivr_id);
        let ivr = match ivr_id {
            Some(id) => self.ctx.store.ivr(self.ctx.account_id, id).await?,
            None => None,
        };
        let menu = if call.state == CallState::Menu { call.menu.clone() } else { None };
        Ok((ivr, menu))
    }

    /// Where the caller's keys (or none) in `menu` take them.
    async fn route(&self, mut call: Call, ivr: &Ivr, menu: &Menu, digits: Option<&str>, mut t: Twiml) -> Flow<String> {
        let route = match menu.choose(digits) {
            Choice::Route(r) => r.clone(),
            Choice::Again => {
                let tries = call.tries + 1;
                if tries > MAX_TRIES {
                    call.end(self.ctx.now(), None);
                    self.save(&call).await?;
                    return Ok(t.say(&self.speech.text("voice-goodbye"), self.speech.lang()).hangup().finish());
                }
                if digits.is_some() {
                    t.say(&self.speech.text("voice-invalid"), self.speech.lang());
                }
                return self.menu(call, ivr, menu, tries, t).await;
            }
        };
        call.add_tags(&route.tags);
        match route.action {
            Action::Queue { department_id } => self.enqueue(call, department_id, t).await,
            Action::Voicemail => self.voicemail(call, t).await,
            Action::Forward { number } => {
                call.state = CallState::Ringing;
                call.menu = None;
                self.save(&call).await?;
                t.say(&self.speech.text("voice-connecting"), self.speech.lang());
                t.dial(
                    DialTarget::Number(&number),
                    &self.dial_url("forward"),
                    30,
                    self.recording_callback().as_deref(),
                );
                Ok(t.finish())
            }
            Action::Menu { menu: next } => match ivr.menu(&next) {
                Some(m) => self.menu(call, ivr, m, 1, t).await,
                None => self.enqueue(call, None, t).await,
            },
            Action::Repeat => self.menu(call, ivr, menu, 1, t).await,
            Action::Hangup => {
                call.end(self.ctx.now(), None);
                self.save(&call).await?;
                Ok(t.say(&self.speech.text("voice-goodbye"), self.speech.lang()).hangup().finish())
            }
        }
    }

    fn dial_url(&self, kind: &str) -> String {
        format!("{}?kind={kind}", self.hooks.url(Hook::Dial))
    }

    /// Where an answered call's recording reports, when the number records every call (`always`, announced when
    /// the call came in).
    fn recording_callback(&self) -> Option<String> {
        let always = self.number.is_some_and(|n| n.recording == parley_domain::voice::RecordingConsent::Always);
        always.then(|| self.hooks.url(Hook::Recording))
    }

    fn queue_name(call: &Call) -> String {
        match call.department_id {
            Some(d) => format!("department-{d}"),
            None => "account".to_string(),
        }
    }

    async fn enqueue(
        &self,
        mut call: Call,
        department: Option<parley_domain::ids::DepartmentId>,
        mut t: Twiml,
    ) -> Flow<String> {
        call.enqueue(department, self.ctx.now());
        call.menu = None;
        self.save(&call).await?;
        t.enqueue(&Self::queue_name(&call), &self.hooks.url(Hook::Queue), &self.hooks.url(Hook::Wait));
        Ok(t.finish())
    }

    async fn voicemail(&self, mut call: Call, mut t: Twiml) -> Flow<String> {
        call.state = CallState::Voicemail;
        call.menu = None;
        self.save(&call).await?;
        t.say(&self.speech.text("voice-voicemail-prompt"), self.speech.lang());
        t.record(&self.hooks.url(Hook::Voicemail), &self.hooks.url(Hook::Recording), VOICEMAIL_MAX_S);
        // Twilio goes on here only when nothing was recorded.
        t.say(&self.speech.text("voice-voicemail-none"), self.speech.lang());
        t.hangup();
        Ok(t.finish())
    }

    /// A queued caller's next few seconds: ring the next available agent if it is their turn, else their place
    /// (every 30 s) and a short pause, after which Twilio asks again.
    async fn wait(&self, mut call: Call) -> Flow<String> {
        let mut t = Twiml::new();
        match call.state {
            CallState::Queued => {}
            // An agent was found for them (by this or another process): out of the queue to ring them.
            CallState::Ringing => return Ok(t.leave().finish()),
            CallState::Ended | CallState::Voicemail | CallState::Connected | CallState::Menu => {
                return Ok(t.leave().finish())
            }
        }
        let now = self.ctx.now();
        let waited = now.millis() - call.queued_at.unwrap_or(call.started_at).millis();
        if waited >= MAX_WAIT_MS {
            // Waited long enough: out of the queue, to leave a message (see `left_queue`).
            call.state = CallState::Voicemail;
            self.save(&call).await?;
            return Ok(t.leave().finish());
        }
        let position = self.ctx.store.call_position(self.ctx.account_id, &call).await?;
        if position == 1 {
            if let Some(agent) = self.available_agent(&call).await? {
                call.state = CallState::Ringing;
                call.agent_id = Some(agent);
                match self.ctx.store.update_call(&call).await {
                    Ok(()) => return Ok(t.leave().finish()),
                    // The agent was taken by another call at the same moment: wait on.
                    Err(StoreError::Conflict(_)) => {
                        call.state = CallState::Queued;
                        call.agent_id = None;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        let due = call.announced_at.is_none_or(|at| now.millis() - at.millis() >= ANNOUNCE_EVERY_MS);
        if due {
            t.say(&self.speech.with_position(position), self.speech.lang());
            call.announced_at = Some(now);
            self.save(&call).await?;
        }
        t.pause(5);
        Ok(t.finish())
    }

    /// The agent to ring for a call at the head of its queue: available with Parley open, in the call's
    /// department, not talking or ringing for another call, not one who let this call pass, with room under their
    /// limit (a call counts as a conversation); the least busy, then the one rung longest ago.
    async fn available_agent(&self, call: &Call) -> Flow<Option<parley_domain::ids::AgentId>> {
        let ctx = self.ctx;
        let since = crate::chat::routing::live_since(self.app, ctx.now());
        let candidates = ctx.store.chat_candidates(ctx.account_id, call.department_id, since).await?;
        let busy = ctx.store.agents_on_calls(ctx.account_id).await?;
        Ok(candidates
            .into_iter()
            .filter(|c| !busy.contains(&c.agent_id) && !call.passed.contains(&c.agent_id))
            .filter(|c| c.holding < c.max_chats)
            .min_by_key(|c| (c.holding, c.last_rung_at.millis(), c.agent_id))
            .map(|c| c.agent_id))
    }

    /// The caller left the queue: to ring the agent found, to leave a message, or because they hung up.
    async fn left_queue(&self, mut call: Call) -> Flow<String> {
        let mut t = Twiml::new();
        let result = self.req.param("QueueResult").unwrap_or_default();
        match (result, call.state) {
            ("leave", CallState::Ringing) => {
                let Some(agent) = call.agent_id else { return self.enqueue(call.clone(), call.department_id, t).await };
                t.say(&self.speech.text("voice-connecting"), self.speech.lang());
                t.dial(
                    DialTarget::Client(&agent_identity(agent)),
                    &self.dial_url("agent"),
                    RING_SECS,
                    self.recording_callback().as_deref(),
                );
                Ok(t.finish())
            }
            ("leave", CallState::Voicemail) => {
                t.say(&self.speech.text("voice-busy"), self.speech.lang());
                self.voicemail(call, t).await
            }
            ("leave", _) => self.enqueue(call.clone(), call.department_id, t).await,
            // Taken from the queue by a `<Dial><Queue>` elsewhere, and the conversation is over.
            ("bridged", _) => {
                call.outcome = Some(Outcome::Answered);
                call.end(self.ctx.now(), None);
                self.finish(call).await?;
                Ok(t.hangup().finish())
            }
            // Hung up while waiting (or the queue failed them): the call is over.
            _ => {
                call.end(self.ctx.now(), None);
                self.finish(call).await?;
                Ok(t.finish())
            }
        }
    }

    /// A `<Dial>` ended: the agent (or forward number) talked with the caller, or did not answer.
    async fn dialled(&self, mut call: Call) -> Flow<String> {
        let mut t = Twiml::new();
        let status = self.req.param("DialCallStatus").unwrap_or_default();
        let forward = self.req.query.get("kind").map(String::as_str) == Some("forward");
        if status == "completed" || status == "answered" {
            if let Some(r) = self.recording_of_request(&call)? {
                call.recording = Some(r);
            }
            let talked = self.req.seconds("DialCallDuration").unwrap_or(0);
            let now = self.ctx.now();
            call.state = CallState::Connected;
            call.answered_at = Some(Timestamp::from_millis(now.millis() - talked * 1000));
            call.outcome = Some(Outcome::Answered);
            call.end(now, None);
            self.finish(call).await?;
            return Ok(t.hangup().finish());
        }
        if forward {
            // The number forwarded to did not answer: the caller may leave a message.
            return self.voicemail(call, t).await;
        }
        // The agent did not answer: back to the queue, and the next agent.
        call.pass();
        call.state = CallState::Queued;
        self.save(&call).await?;
        t.enqueue(&Self::queue_name(&call), &self.hooks.url(Hook::Queue), &self.hooks.url(Hook::Wait));
        Ok(t.finish())
    }

    /// The caller left a message: the call is over and goes on a ticket; the recording is fetched when ready.
    async fn voicemail_recorded(&self, mut call: Call) -> Flow<String> {
        let mut t = Twiml::new();
        let recording = self.recording_of_request(&call)?;
        if let Some(r) = recording {
            call.recording = Some(r);
        }
        call.outcome = Some(Outcome::Voicemail);
        call.end(self.ctx.now(), None);
        self.finish(call).await?;
        t.say(&self.speech.text("voice-voicemail-thanks"), self.speech.lang());
        Ok(t.hangup().finish())
    }

    /// The recording a request announces, if it is one Parley may fetch: its id well formed and its URL on the
    /// provider's configured host. Parley never fetches the URL a request names (that would let a forged or
    /// replayed request make it fetch anything); it builds the URL from the configured API base and the id.
    fn recording_of_request(&self, call: &Call) -> Flow<Option<Recording>> {
        let Some(sid) = self.req.param("RecordingSid") else { return Ok(None) };
        if !provider_sid(sid, "RE") {
            return Err(Invalid::field("RecordingSid", "must be RE and 32 hexadecimal digits").into());
        }
        if call.recording.as_ref().is_some_and(|r| r.sid == sid) {
            return Ok(call.recording.clone());
        }
        Ok(Some(Recording {
            sid: sid.to_string(),
            state: RecordingState::Pending,
            duration_s: self.req.seconds("RecordingDuration").unwrap_or(0),
            attachment_id: None,
            tries: 0,
            next_try_at: self.ctx.now(),
        }))
    }

    /// A recording is ready at the provider: queued to be fetched into the region.
    async fn recording_ready(&self, mut call: Call) -> Flow<String> {
        let status = self.req.param("RecordingStatus").unwrap_or_default();
        let Some(mut rec) = self.recording_of_request(&call)? else { return Ok(Twiml::new().finish()) };
        let creds = self.ctx.store.voice_credentials(self.ctx.account_id).await?;
        let origin_ok = match (self.req.param("RecordingUrl"), creds.as_ref()) {
            (Some(url), Some(c)) => recordings::same_origin(url, &c.api_base),
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if matches!(rec.state, RecordingState::Pending) {
            rec.state = if status == "completed" && origin_ok { RecordingState::Ready } else { RecordingState::Failed };
            if !origin_ok {
                tracing::warn!(account = %self.ctx.slug, call = %call.id,
                    "a recording's URL is not on the provider's configured host; it is not fetched");
            }
            rec.next_try_at = self.ctx.now();
        }
        call.recording = Some(rec);
        self.save(&call).await?;
        self.app.voice.wake.notify_one();
        Ok(Twiml::new().finish())
    }

    /// The call's status changed; at its end, what it came to is kept and filed.
    async fn status(&self, mut call: Call) -> Flow<String> {
        let status = self.req.param("CallStatus").unwrap_or_default();
        let over = matches!(status, "completed" | "busy" | "failed" | "no-answer" | "canceled");
        if !over {
            return Ok(Twiml::new().finish());
        }
        let duration = self.req.seconds("CallDuration");
        if call.state == CallState::Ended {
            if let Some(d) = duration {
                if d != call.duration_s {
                    call.duration_s = d;
                    self.save(&call).await?;
                }
            }
            return Ok(Twiml::new().finish());
        }
        call.end(self.ctx.now(), duration);
        self.finish(call).await?;
        Ok(Twiml::new().finish())
    }

    /// Saves an ended call and, when it leaves a trace, files it on its ticket (once).
    async fn finish(&self, call: Call) -> Flow<()> {
        let files = self.number.is_none_or(|n| call.files_ticket(n.missed_call_tickets));
        if files && call.ticket_id.is_none() && call.files_ticket(true) {
            return filing::file(self.app, self.ctx, call).await;
        }
        self.save(&call).await
    }
}

/// The identity an agent's softphone registers with (and `<Client>` rings).
pub fn agent_identity(agent: parley_domain::ids::AgentId) -> String {
    format!("agent-{agent}")
}
