//! What administrators set for the phone channel, every change audited: the provider credentials (never shown
//! back), the account's numbers and its IVRs.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::error::Checker;
use parley_domain::ids::{DepartmentId, IvrId, PhoneNumberId};
use parley_domain::voice::number::{parse_number, parse_provider_id};
use parley_domain::voice::{CredentialsInput, Ivr, IvrInput, PhoneNumber, RecordingConsent, VoiceCredentials};
use parley_domain::Invalid;
use parley_store::StoreError;
use serde_json::json;

/// How many numbers and IVRs an account may have: a desk's lines, not a carrier's.
pub const MAX_NUMBERS: usize = 100;
pub const MAX_IVRS: usize = 100;

/// The credentials as shown back: which account and key, never the token or the secret.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VoiceSettingsView {
    pub configured: bool,
    pub account_sid: Option<String>,
    pub api_key_sid: Option<String>,
    pub api_base: Option<String>,
}

fn view(c: Option<&VoiceCredentials>) -> VoiceSettingsView {
    VoiceSettingsView {
        configured: c.is_some(),
        account_sid: c.map(|c| c.account_sid.clone()),
        api_key_sid: c.and_then(|c| c.api_key_sid.clone()),
        api_base: c.map(|c| c.api_base.clone()),
    }
}

async fn audited(ctx: &AccountCtx, caller: &Caller, target: String, detail: serde_json::Value) -> Result<(), AppError> {
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged).target(target).detail(detail);
    audit::record(ctx, record).await?;
    Ok(())
}

pub async fn get(ctx: &AccountCtx, caller: &Caller) -> Result<VoiceSettingsView, AppError> {
    caller.require_admin()?;
    Ok(view(ctx.store.voice_credentials(ctx.account_id).await?.as_ref()))
}

pub async fn set(ctx: &AccountCtx, caller: &Caller, input: CredentialsInput) -> Result<VoiceSettingsView, AppError> {
    caller.require_admin()?;
    let creds = input.parse("twilio.")?;
    ctx.store.set_voice_credentials(ctx.account_id, &creds, ctx.now()).await?;
    let shown = view(Some(&creds));
    audited(
        ctx,
        caller,
        "settings:voice".into(),
        json!({"account_sid": shown.account_sid, "api_key_sid": shown.api_key_sid,
        "api_base": shown.api_base}),
    )
    .await?;
    Ok(shown)
}

/// A number as asked for.
pub struct NumberInput {
    pub number: String,
    pub provider_id: Option<String>,
    pub ivr_id: Option<String>,
    pub department_id: Option<String>,
    pub recording: Option<String>,
    pub missed_call_tickets: Option<bool>,
}

pub async fn list_numbers(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<PhoneNumber>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.list_phone_numbers(ctx.account_id).await?)
}

pub async fn add_number(ctx: &AccountCtx, caller: &Caller, input: NumberInput) -> Result<PhoneNumber, AppError> {
    caller.require_admin()?;
    let mut errs = Checker::new();
    let number = errs.check(parse_number("number", &input.number));
    let provider_id = match input.provider_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => errs.check(parse_provider_id("provider_id", p)).map(Some),
        None => Some(None),
    };
    let recording = match input.recording.as_deref() {
        Some(r) => errs.check(RecordingConsent::parse(r)),
        None => Some(RecordingConsent::Never),
    };
    if input.ivr_id.is_some() && input.department_id.is_some() {
        errs.add("ivr_id", "a number answers with an IVR or with a department's queue, not both");
    }
    let ivr_id = match input.ivr_id.as_deref() {
        None => None,
        Some(raw) => match IvrId::parse(raw) {
            Some(id) if ctx.store.ivr(ctx.account_id, id).await?.is_some() => Some(id),
            _ => {
                errs.add("ivr_id", "is not an IVR of this account");
                None
            }
        },
    };
    let department_id = match input.department_id.as_deref() {
        None => None,
        Some(raw) => match DepartmentId::parse(raw) {
            Some(id) if ctx.store.get_department(ctx.account_id, id).await?.is_some() => Some(id),
            _ => {
                errs.add("department_id", "is not a department of this account");
                None
            }
        },
    };
    if ctx.store.list_phone_numbers(ctx.account_id).await?.len() >= MAX_NUMBERS {
        errs.add("number", format!("an account has at most {MAX_NUMBERS} numbers"));
    }
    errs.finish()?;
    let (Some(number), Some(provider_id), Some(recording)) = (number, provider_id, recording) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked number fields missing")));
    };
    let n = PhoneNumber {
        id: PhoneNumberId::new(),
        account_id: ctx.account_id,
        number,
        provider_id,
        ivr_id,
        department_id,
        recording,
        missed_call_tickets: input.missed_call_tickets.unwrap_or(true),
        created_at: ctx.now(),
    };
    ctx.store.insert_phone_number(&n).await.map_err(|e| match e {
        StoreError::Conflict(m) => AppError::Conflict(m),
        e => e.into(),
    })?;
    audited(
        ctx,
        caller,
        format!("phone_number:{}", n.id),
        json!({"added": n.number, "recording": n.recording.as_str()}),
    )
    .await?;
    Ok(n)
}

pub async fn remove_number(ctx: &AccountCtx, caller: &Caller, id: PhoneNumberId) -> Result<(), AppError> {
    caller.require_admin()?;
    let n = ctx.store.phone_number(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    ctx.store.delete_phone_number(ctx.account_id, id).await?;
    audited(ctx, caller, format!("phone_number:{id}"), json!({"removed": n.number})).await
}

/// Checks an IVR and the departments it names.
async fn checked(
    ctx: &AccountCtx,
    input: IvrInput,
) -> Result<(String, Vec<parley_domain::voice::Menu>, Option<String>), AppError> {
    let (name, menus, closed) = input.parse()?;
    let known = ctx.store.list_departments(ctx.account_id).await?;
    let mut errs = Checker::new();
    for (i, m) in menus.iter().enumerate() {
        for (j, r) in m.routes.iter().enumerate() {
            if let parley_domain::voice::Action::Queue { department_id: Some(d) } = r.action {
                if !known.iter().any(|k| k.id == d) {
                    errs.add(format!("menus[{i}].routes[{j}].department_id"), "is not a department of this account");
                }
            }
        }
    }
    errs.finish()?;
    Ok((name, menus, closed))
}

pub async fn list_ivrs(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<Ivr>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.list_ivrs(ctx.account_id).await?)
}

pub async fn get_ivr(ctx: &AccountCtx, caller: &Caller, id: IvrId) -> Result<Ivr, AppError> {
    caller.require_admin()?;
    ctx.store.ivr(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

pub async fn create_ivr(ctx: &AccountCtx, caller: &Caller, input: IvrInput) -> Result<Ivr, AppError> {
    caller.require_admin()?;
    let (name, menus, closed_menu) = checked(ctx, input).await?;
    if ctx.store.list_ivrs(ctx.account_id).await?.len() >= MAX_IVRS {
        return Err(Invalid::field("name", format!("an account has at most {MAX_IVRS} IVRs")).into());
    }
    let now = ctx.now();
    let ivr = Ivr {
        id: IvrId::new(),
        account_id: ctx.account_id,
        name,
        menus,
        closed_menu,
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_ivr(&ivr).await?;
    audited(ctx, caller, format!("ivr:{}", ivr.id), json!({"created": ivr.name})).await?;
    Ok(ivr)
}

pub async fn update_ivr(ctx: &AccountCtx, caller: &Caller, id: IvrId, input: IvrInput) -> Result<Ivr, AppError> {
    caller.require_admin()?;
    let before = ctx.store.ivr(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let (name, menus, closed_menu) = checked(ctx, input).await?;
    let ivr = Ivr { name, menus, closed_menu, updated_at: ctx.now(), ..before };
    if !ctx.store.update_ivr(&ivr).await? {
        return Err(AppError::NotFound);
    }
    audited(ctx, caller, format!("ivr:{id}"), json!({"changed": ivr.name})).await?;
    Ok(ivr)
}

pub async fn delete_ivr(ctx: &AccountCtx, caller: &Caller, id: IvrId) -> Result<(), AppError> {
    caller.require_admin()?;
    match ctx.store.delete_ivr(ctx.account_id, id).await {
        Ok(true) => audited(ctx, caller, format!("ivr:{id}"), json!({"deleted": true})).await,
        Ok(false) => Err(AppError::NotFound),
        Err(StoreError::Conflict(m)) => Err(AppError::Conflict(m)),
        Err(e) => Err(e.into()),
    }
}
