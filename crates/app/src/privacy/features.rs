//! Optional features an account switches on, each bringing its providers into the account's subprocessor list:
//! switching one on whose providers the account has not accepted takes an owner's explicit consent, recorded with
//! the register version it was given under.

use super::subprocessors::history;
use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::agent::Role;
use parley_domain::audit::AuditAction;
use parley_domain::subprocessors::{consented, Consent, Feature, FeatureState};
use parley_domain::Invalid;
use std::collections::BTreeSet;

/// The features an account has: hosting always, the optional ones it switched on.
pub async fn enabled(ctx: &AccountCtx) -> Result<BTreeSet<Feature>, AppError> {
    let mut on = ctx.store.enabled_features(ctx.account_id).await?;
    on.insert(Feature::Hosting);
    Ok(on)
}

/// The optional features, with their providers and whether they are on (admins).
pub async fn list(app: &App, ctx: &AccountCtx, caller: &Caller) -> Result<Vec<FeatureState>, AppError> {
    caller.require_admin()?;
    let kept = history(app).await?;
    let on = enabled(ctx).await?;
    let consents = ctx.store.consents(ctx.account_id).await?;
    Ok(Feature::ALL
        .into_iter()
        .filter(|f| *f != Feature::Hosting)
        .map(|f| {
            let providers = kept.last().map(|r| r.providers(ctx.region.as_str(), f)).unwrap_or_default();
            FeatureState {
                feature: f,
                enabled: on.contains(&f),
                consented: consented(&consents, f, &providers),
                providers: providers.into_iter().cloned().collect(),
            }
        })
        .collect())
}

/// Switches a feature on or off (admins). On, with providers not yet accepted, it needs `consent` from an owner:
/// without it the answer is a conflict that names them.
pub async fn set(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    feature: Feature,
    on: bool,
    consent: bool,
) -> Result<FeatureState, AppError> {
    caller.require_admin()?;
    if feature == Feature::Hosting {
        return Err(Invalid::field("feature", "hosting is part of every account and cannot be switched").into());
    }
    let agent = match caller {
        Caller::Agent(a) => Some(a.id),
        Caller::ApiKey(_) | Caller::Staff { .. } => None,
    };
    let kept = history(app).await?;
    let register = kept.last();
    let providers = register.map(|r| r.providers(ctx.region.as_str(), feature)).unwrap_or_default();
    let consents = ctx.store.consents(ctx.account_id).await?;
    let mut given = None;
    let accepted = consented(&consents, feature, &providers);
    if on && !accepted {
        let names = providers.iter().map(|p| format!("{} ({})", p.name, p.country)).collect::<Vec<_>>().join(", ");
        let owner = match caller {
            Caller::Agent(a) if a.role == Role::Owner => Some(a.id),
            _ => None,
        };
        match (consent, owner) {
            (false, _) => {
                return Err(AppError::Conflict(format!(
                "switching on {} lets {names} process the account's data; an owner must consent (\"consent\": true)",
                feature.as_str()
            )))
            }
            (true, None) => {
                return Err(AppError::Forbidden(format!(
                    "only an owner, signed in, may consent to {names} processing the account's data"
                )))
            }
            (true, Some(owner)) => {
                given = Some(Consent {
                    feature,
                    register_version: register.map_or(0, |r| r.version),
                    providers: providers.iter().map(|p| p.name.clone()).collect(),
                    agent_id: owner,
                    at: ctx.now(),
                });
            }
        }
    }
    ctx.store.set_feature(ctx.account_id, feature, on, agent, given.as_ref(), ctx.now()).await?;
    if let Some(c) = &given {
        let r = Record::new(audit::actor_of(Some(caller)), AuditAction::ConsentGiven)
            .target(format!("feature:{}", feature.as_str()))
            .detail(serde_json::json!({ "register_version": c.register_version, "providers": c.providers }));
        audit::record(ctx, r).await?;
    }
    let action = if on { AuditAction::FeatureEnabled } else { AuditAction::FeatureDisabled };
    audit::record(
        ctx,
        Record::new(audit::actor_of(Some(caller)), action).target(format!("feature:{}", feature.as_str())),
    )
    .await?;
    Ok(FeatureState {
        feature,
        enabled: on,
        consented: accepted || given.is_some(),
        providers: providers.into_iter().cloned().collect(),
    })
}
