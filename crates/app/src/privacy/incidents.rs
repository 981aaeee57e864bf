//! Security incidents: the operator records one against the accounts it touched; each account keeps it in its own
//! region, its owners are mailed at once and see it on the privacy page, and its audit log records it.

use crate::audit::{self, Record};
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::account::AccountSlug;
use parley_domain::audit::{AuditAction, AuditActor};
use parley_domain::incident::{Incident, IncidentReport};
use parley_domain::{Invalid, Timestamp};

/// Records the incident in every account named and notifies their owners. Every slug is checked before anything is
/// written, so a typo records nothing. Repeating it for an account that has it already does nothing there.
pub async fn record(app: &App, accounts: &[AccountSlug], report: IncidentReport) -> Result<Incident, AppError> {
    let incident = Incident::new(report, Timestamp::now())?;
    if accounts.is_empty() {
        return Err(Invalid::field("account", "name at least one account").into());
    }
    let mut contexts = Vec::with_capacity(accounts.len());
    for slug in accounts {
        match app.regions.context(slug).await {
            Ok(ctx) => contexts.push(ctx),
            Err(AppError::NotFound) => {
                return Err(Invalid::field("account", format!("'{slug}' is not an active account")).into())
            }
            Err(e) => return Err(e),
        }
    }
    for ctx in &contexts {
        if ctx.store.add_incident(ctx.account_id, &incident).await? {
            notify(app, ctx, &incident).await?;
        }
    }
    Ok(incident)
}

async fn notify(app: &App, ctx: &AccountCtx, incident: &Incident) -> Result<(), AppError> {
    let record = Record::new(AuditActor::Operator, AuditAction::IncidentRecorded)
        .target(format!("incident:{}", incident.id))
        .detail(serde_json::json!({ "title": incident.title }));
    audit::record(ctx, record).await?;
    let page = format!("{}/settings/privacy", app.settings.account_url(ctx.slug.as_str()));
    let subject = format!("Security incident affecting {}: {}", ctx.slug, incident.title);
    super::notices::mail_owners(app, ctx, "incident", &subject, |name| {
        format!(
            "Hello {name},\n\nWe record a security incident that affects the data of the help desk {slug}.\n\n\
             What happened{when}:\n{description}\n\nData affected: {categories}\n\n\
             What we did and will do:\n{measures}\n\nThe details stay on the privacy page:\n\n{page}\n",
            slug = ctx.slug,
            when = incident.occurred_on.as_ref().map(|d| format!(" (on {d})")).unwrap_or_default(),
            description = incident.description,
            categories = incident.data_categories.join(", "),
            measures = incident.measures,
        )
    })
    .await
}

/// The account's incidents, newest first (admins).
pub async fn list(ctx: &AccountCtx, caller: &Caller) -> Result<Vec<Incident>, AppError> {
    caller.require_admin()?;
    Ok(ctx.store.incidents(ctx.account_id).await?)
}
