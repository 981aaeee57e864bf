//! An agent's own settings: language, time zone, signature and notifications. Each agent changes only their own;
//! an API key or support staff has no profile.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::agent::{Agent, AgentProfile};
use parley_domain::error::Checker;
use parley_store::AgentUpdate;

/// A change to one's profile. `None` leaves a setting as it is.
#[derive(Debug, Default)]
pub struct ProfileChange {
    pub name: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub signature: Option<String>,
    pub notify_desktop: Option<bool>,
    pub notify_sound: Option<bool>,
}

/// The calling agent, as stored now.
pub fn me(caller: &Caller) -> Result<&Agent, AppError> {
    match caller {
        Caller::Agent(a) => Ok(a),
        _ => Err(AppError::Forbidden("only a signed-in agent has a profile".into())),
    }
}

/// Whom the caller acts as: a signed-in agent themselves; an API key, the agent who made it (the one its replies'
/// `{{agent.*}}` placeholders name); support staff, nobody (`403`). A key whose maker is unknown is `404`.
pub async fn acting_agent(ctx: &AccountCtx, caller: &Caller) -> Result<Agent, AppError> {
    match caller {
        Caller::Agent(a) => Ok(a.clone()),
        Caller::ApiKey(k) => match k.created_by {
            Some(id) => ctx.store.get_agent(ctx.account_id, id).await?.ok_or(AppError::NotFound),
            None => Err(AppError::NotFound),
        },
        Caller::Staff { .. } => Err(AppError::Forbidden("support staff act as no agent".into())),
    }
}

#[tracing::instrument(skip_all, fields(account = %ctx.slug))]
pub async fn update_profile(ctx: &AccountCtx, caller: &Caller, change: ProfileChange) -> Result<Agent, AppError> {
    let agent = me(caller)?;
    let current = ctx.store.get_agent(ctx.account_id, agent.id).await?.ok_or(AppError::NotFound)?;
    let mut errs = Checker::new();
    let name = change.name.as_deref().map(|n| errs.check(parley_domain::agent::parse_name("name", n)));
    let language = change.language.as_deref().map(|l| errs.check(AgentProfile::parse_language(l)));
    let time_zone = change.time_zone.as_deref().map(|z| errs.check(AgentProfile::parse_time_zone(z)));
    let signature = change.signature.as_deref().map(|s| errs.check(AgentProfile::parse_signature(s)));
    errs.finish()?;
    let mut profile = current.profile.clone();
    if let Some(Some(l)) = language {
        profile.language = l;
    }
    if let Some(Some(z)) = time_zone {
        profile.time_zone = z;
    }
    if let Some(Some(s)) = signature {
        profile.signature = s;
    }
    profile.notify_desktop = change.notify_desktop.unwrap_or(profile.notify_desktop);
    profile.notify_sound = change.notify_sound.unwrap_or(profile.notify_sound);
    let update = AgentUpdate { name: name.flatten(), profile: Some(profile), ..Default::default() };
    Ok(ctx.store.update_agent(ctx.account_id, agent.id, &update).await?)
}
