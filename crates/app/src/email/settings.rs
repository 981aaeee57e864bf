//! What an account says to customers automatically: whether new tickets are acknowledged, and in whose words.

use super::templates;
use crate::{AccountCtx, App, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::mail_template::{MailSettings, MailTemplate, TemplateValues};
use std::collections::BTreeMap;

/// The settings as stored, with what each built-in language would send, so an admin sees the starting point.
pub struct MailSettingsView {
    pub settings: MailSettings,
    /// Parley's own acknowledgement per language it has a text in, with the placeholders left in.
    pub defaults: BTreeMap<String, MailTemplate>,
}

pub async fn mail_settings(app: &App, ctx: &AccountCtx, caller: &Caller) -> Result<MailSettingsView, AppError> {
    caller.require_admin()?;
    let id = super::identity(app, ctx).await?;
    Ok(MailSettingsView { settings: id.settings, defaults: builtin_templates() })
}

/// Replace the settings whole: templates not sent are removed.
pub async fn set_mail_settings(
    app: &App,
    ctx: &AccountCtx,
    caller: &Caller,
    acknowledge: bool,
    acknowledgement: BTreeMap<String, MailTemplate>,
) -> Result<MailSettingsView, AppError> {
    caller.require_admin()?;
    let settings = MailSettings::checked(acknowledge, acknowledgement)?;
    ctx.store.set_mail_settings(ctx.account_id, &settings, ctx.now()).await?;
    let changed = crate::audit::Record::new(crate::audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target("settings:mail")
        .detail(serde_json::json!({
            "acknowledge": settings.acknowledge,
            "languages": settings.acknowledgement.keys().collect::<Vec<_>>(),
        }));
    crate::audit::record(ctx, changed).await?;
    mail_settings(app, ctx, caller).await
}

/// Parley's built-in texts, rendered with the placeholders themselves as values.
fn builtin_templates() -> BTreeMap<String, MailTemplate> {
    let v = TemplateValues {
        ticket_number: 0,
        ticket_subject: "{{ticket.subject}}",
        requester_name: "{{requester.name}}",
        account_name: "{{account.name}}",
    };
    templates::built_in()
        .map(|lang| {
            let (subject, body) = templates::acknowledgement_for(&MailSettings::default(), Some(lang), lang, &v);
            let number = |s: String| s.replace("#0", "#{{ticket.number}}");
            (lang.to_string(), MailTemplate { subject: number(subject), body: number(body) })
        })
        .collect()
}
