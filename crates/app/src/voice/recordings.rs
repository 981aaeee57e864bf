//! Recordings move from the provider into the account's region: fetched from the configured API host only (never
//! from a URL a request names), kept as an attachment of the call's message (so erasure, export and retention treat
//! them like any file), then deleted at the provider. Failed tries are retried with growing pauses.

use crate::{AccountCtx, App, AppError};
use parley_domain::ids::AttachmentId;
use parley_domain::message::AttachmentInfo;
use parley_domain::voice::{Call, Recording, RecordingState, VoiceCredentials};
use parley_domain::Timestamp;
use parley_store::RegionStore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The largest recording kept (about an hour of 8 kHz WAV).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Tries before a recording is given up (the pauses between them grow to an hour).
pub const MAX_TRIES: i64 = 10;
const BATCH: u32 = 20;
const EVERY: Duration = Duration::from_secs(5);

/// Whether `url` is on the same scheme, host and port as `api_base`.
pub(crate) fn same_origin(url: &str, api_base: &str) -> bool {
    match (url::Url::parse(url), url::Url::parse(api_base)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// Run until `stop` turns true; woken early when a recording is ready.
pub async fn run_recordings(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    loop {
        while round(&app).await > 0 {}
        tokio::select! {
            _ = app.voice.wake.notified() => {}
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round over every database this process works on; how many recordings moved on.
pub async fn round(app: &App) -> usize {
    let mut moved = 0;
    for cell in app.regions.working().await {
        let Ok(store) = cell.store().await else { continue };
        let store: Arc<dyn RegionStore> = Arc::new(store.clone());
        let now = app.regions.clock().now();
        let due = match store.recordings_due(now, BATCH).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(region = %cell.spec.name, error = %e, "reading recordings failed");
                continue;
            }
        };
        for call in due {
            let Ok(Some(ctx)) = AccountCtx::of_account(app, &store, &cell.spec.name, call.account_id).await else {
                continue;
            };
            match step(app, &ctx, call).await {
                Ok(true) => moved += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(account = %ctx.slug, error = %e, "a recording did not move on"),
            }
        }
    }
    moved
}

fn auth(c: &VoiceCredentials, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    req.basic_auth(&c.account_sid, Some(&c.auth_token)).timeout(Duration::from_secs(60))
}

fn recording_url(c: &VoiceCredentials, sid: &str, ext: &str) -> String {
    format!("{}/2010-04-01/Accounts/{}/Recordings/{sid}{ext}", c.api_base, c.account_sid)
}

/// What a step did.
enum Stepped {
    /// The recording moved on (kept here, or deleted there).
    On,
    /// Nothing to do yet: the call is not on a ticket, so there is no message to hold the recording.
    NotFiled,
}

/// Moves one recording on by a step (fetched and kept, or deleted at the provider). `false` when it is to be tried
/// again later. Only the recording's columns are written, so the call's webhooks may go on meanwhile.
async fn step(app: &App, ctx: &AccountCtx, call: Call) -> Result<bool, AppError> {
    let Some(rec) = call.recording.clone() else { return Ok(false) };
    let from = rec.state;
    let now = ctx.now();
    let Some(creds) = ctx.store.voice_credentials(ctx.account_id).await? else {
        let failed = Recording { state: RecordingState::Failed, ..rec };
        ctx.store.set_recording(ctx.account_id, call.id, &failed, from).await?;
        return Ok(false);
    };
    let result = match from {
        RecordingState::Ready => fetch(app, ctx, &creds, &call, &rec).await,
        RecordingState::Stored => match delete(app, &creds, &rec.sid).await {
            Ok(()) => {
                let gone = Recording { state: RecordingState::Deleted, ..rec.clone() };
                ctx.store.set_recording(ctx.account_id, call.id, &gone, from).await?;
                Ok(Stepped::On)
            }
            Err(e) => Err(e),
        },
        _ => return Ok(false),
    };
    match result {
        Ok(Stepped::On) => Ok(true),
        Ok(Stepped::NotFiled) => {
            let later = Recording { next_try_at: now.plus_seconds(2), ..rec };
            ctx.store.set_recording(ctx.account_id, call.id, &later, from).await?;
            Ok(false)
        }
        Err(why) => {
            let mut r = rec;
            r.tries += 1;
            r.next_try_at = now.plus_seconds(5i64.saturating_mul(1 << r.tries.min(10)).min(3600));
            if r.tries >= MAX_TRIES {
                // A recording never fetched is given up; one kept here but not deleted there stays kept.
                if r.state == RecordingState::Ready {
                    r.state = RecordingState::Failed;
                }
                r.next_try_at = Timestamp::from_millis(i64::MAX / 2);
            }
            tracing::warn!(account = %ctx.slug, call = %call.id, tries = r.tries, %why, "a recording's step failed");
            ctx.store.set_recording(ctx.account_id, call.id, &r, from).await?;
            Ok(false)
        }
    }
}

/// Fetches the recording and keeps it on the call's message, marking it stored (it is deleted at the provider by
/// the next step).
async fn fetch(
    app: &App,
    ctx: &AccountCtx,
    creds: &VoiceCredentials,
    call: &Call,
    rec: &Recording,
) -> Result<Stepped, String> {
    let (Some(ticket), Some(message_id)) = (call.ticket_id, call.message_id) else { return Ok(Stepped::NotFiled) };
    let timeline = ctx.store.timeline(ctx.account_id, ticket).await.map_err(|e| e.to_string())?;
    let Some(message) = timeline.messages.into_iter().find(|m| m.id == message_id) else {
        return Err("the call's message is gone".into());
    };
    let url = recording_url(creds, &rec.sid, ".wav");
    let mut resp = auth(creds, app.voice.http.get(&url)).send().await.map_err(|e| format!("fetching: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("fetching answered {}", resp.status()));
    }
    if resp.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
        return Err("the recording is larger than Parley keeps".into());
    }
    let mut data = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("reading: {e}"))? {
        if data.len() + chunk.len() > MAX_BYTES {
            return Err("the recording is larger than Parley keeps".into());
        }
        data.extend_from_slice(&chunk);
    }
    let info = AttachmentInfo {
        id: AttachmentId::new(),
        filename: format!("recording-{}.wav", rec.sid),
        content_type: "audio/wav".into(),
        size: data.len() as i64,
        inline: false,
        content_id: None,
    };
    let kept = Recording {
        state: RecordingState::Stored,
        attachment_id: Some(info.id),
        tries: 0,
        next_try_at: ctx.now(),
        ..rec.clone()
    };
    // `false`: another process kept it meanwhile; nothing more to do here either way.
    ctx.store
        .keep_recording(ctx.account_id, call.id, &kept, &message, &info, &data)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Stepped::On)
}

/// Deletes the recording at the provider: gone there once it is kept here. Already gone counts as done.
async fn delete(app: &App, creds: &VoiceCredentials, sid: &str) -> Result<(), String> {
    let url = recording_url(creds, sid, ".json");
    let resp = auth(creds, app.voice.http.delete(&url)).send().await.map_err(|e| format!("deleting: {e}"))?;
    if resp.status().is_success() || resp.status() == reqwest::StatusCode::NOT_FOUND {
        Ok(())
    } else {
        Err(format!("deleting answered {}", resp.status()))
    }
}
