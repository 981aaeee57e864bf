//! `/settings/automations`: the account's time rules in their order (see [`super::rule_pages`]): each runs once a
//! ticket has been created, updated, changed status or been solved a number of hours ago. A new account has one,
//! "Close solved tickets after 4 days", shown and changed here like any other.

use super::rule_form::{Kind, Rule};
use super::rule_pages::Rules;
use parley_app::automations::{self as uc, AutomationPatch};
use parley_app::{AccountCtx, AppError, Caller};
use parley_domain::ids::AutomationId;

pub(crate) struct Automations;

impl Rules for Automations {
    const KIND: Kind = Kind::Automation;
    const LIST: &'static str = "/settings/automations";
    const PAGE: &'static str = "automations";
    const TEXTS: &'static str = "ws-auto";
    type Id = AutomationId;

    fn parse_id(s: &str) -> Option<AutomationId> {
        AutomationId::parse(s)
    }

    async fn list(ctx: &AccountCtx) -> Result<Vec<(AutomationId, Rule)>, AppError> {
        Ok(uc::list_automations(ctx).await?.into_iter().map(|a| (a.id, a.automation.to_input().into())).collect())
    }

    async fn get(ctx: &AccountCtx, id: AutomationId) -> Result<Rule, AppError> {
        Ok(uc::get_automation(ctx, id).await?.automation.to_input().into())
    }

    async fn create(ctx: &AccountCtx, caller: &Caller, rule: Rule) -> Result<(), AppError> {
        uc::create_automation(ctx, caller, rule.automation()).await.map(|_| ())
    }

    async fn save(ctx: &AccountCtx, caller: &Caller, id: AutomationId, rule: Rule) -> Result<(), AppError> {
        let a = rule.automation();
        let patch = AutomationPatch {
            name: Some(a.name),
            position: None,
            active: Some(a.active),
            after: Some(a.after),
            conditions: Some(a.conditions),
            actions: Some(a.actions),
        };
        uc::update_automation(ctx, caller, id, patch).await.map(|_| ())
    }

    async fn moved(ctx: &AccountCtx, caller: &Caller, id: AutomationId, up: bool) -> Result<(), AppError> {
        uc::move_automation(ctx, caller, id, up).await
    }

    async fn delete(ctx: &AccountCtx, caller: &Caller, id: AutomationId) -> Result<(), AppError> {
        uc::delete_automation(ctx, caller, id).await
    }
}
