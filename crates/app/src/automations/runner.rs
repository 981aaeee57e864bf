//! The automation runner: every serving process, every few seconds to a minute, reads for each active automation
//! the tickets whose moment lies far enough back (by status and time, through an index) that it has not fired on,
//! and applies it to those its conditions hold for — each firing recorded with the moment it counted from, in the
//! unit of work of its change, so it fires once per ticket and moment however many processes look.

use crate::business_hours::calendar_for;
use crate::triggers::effects::{change_of, Parties};
use crate::triggers::runner::{prepare_ticket, resolve_actions};
use crate::{AccountCtx, App, AppError};
use parley_domain::automation::AutomationRecord;
use parley_domain::event::EventKind;
use parley_domain::ids::TicketId;
use parley_domain::region::RegionName;
use parley_domain::trigger::{Activity, TriggerAction};
use parley_domain::Timestamp;
use parley_store::{AutomationApplied, RegionStore, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Tickets looked at per automation and round.
const BATCH: usize = 200;

/// Run until `stop` turns true: a round every `every` (the issue asks for at least every five minutes).
pub async fn run_automations(app: Arc<App>, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        for cell in app.regions.working().await {
            let Ok(store) = cell.store().await else { continue };
            let store: Arc<dyn RegionStore> = Arc::new(store.clone());
            if let Err(e) = run_due(&app, &store, &cell.spec.name).await {
                tracing::warn!(region = %cell.spec.name, error = %e, "automation round failed");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round on one database. Returns how many times automations fired.
pub async fn run_due(app: &App, store: &Arc<dyn RegionStore>, region: &RegionName) -> Result<usize, AppError> {
    let mut fired = 0;
    for account_id in store.accounts_with_automations().await? {
        let Some(ctx) = AccountCtx::of_account(app, store, region, account_id).await? else { continue };
        let automations = store.list_automations(account_id).await?;
        let ids = crate::triggers::rules::macro_ids(automations.iter().map(|a| a.automation.actions()));
        let macros = crate::triggers::rules::macros_of(&ctx, ids).await?;
        for mut a in automations {
            if a.automation.applies_macros() {
                a.automation = a.automation.with_macros(&|id| macros.get(&id).cloned());
            }
            if !a.automation.active() {
                continue;
            }
            match run_one(app, &ctx, &a).await {
                Ok(n) => fired += n,
                Err(e) => tracing::warn!(account = %ctx.slug, automation = %a.id, error = %e, "automation failed"),
            }
        }
    }
    Ok(fired)
}

async fn run_one(app: &App, ctx: &AccountCtx, a: &AutomationRecord) -> Result<usize, AppError> {
    let now = ctx.now();
    let rule = &a.automation;
    let span = i64::from(rule.hours()) * 3_600_000;
    // Business hours pass no faster than real ones: what is not that old in real time is not in business time.
    let before = Timestamp::from_millis(now.millis().saturating_sub(span));
    let statuses = rule.statuses();
    let due =
        ctx.store.automation_candidates(ctx.account_id, a.id, rule.since(), before, statuses.as_deref(), BATCH).await?;
    let mut fired = 0;
    for (ticket, since_at) in due {
        match fire(app, ctx, a, ticket, since_at, now).await {
            Ok(true) => fired += 1,
            Ok(false) => {}
            // The ticket changed meanwhile: the next round looks again.
            Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(fired)
}

/// Applies the automation to one ticket if its time has come (in business hours when it counts them) and its
/// conditions hold. True if it fired here.
async fn fire(
    app: &App,
    ctx: &AccountCtx,
    a: &AutomationRecord,
    ticket: TicketId,
    since_at: Timestamp,
    now: Timestamp,
) -> Result<bool, AppError> {
    let rule = &a.automation;
    let asks = rule.asks_business_hours();
    let Some(p) = prepare_ticket(ctx, ticket, &Activity::default(), asks, now).await? else { return Ok(false) };
    if rule.business_hours() {
        let calendar = calendar_for(ctx, p.detail.ticket.department_id).await?;
        if calendar.between(since_at, now) < i64::from(rule.hours()) * 3_600_000 {
            return Ok(false);
        }
    }
    // Not recorded when the conditions do not hold: they may hold later for the same moment.
    if !rule.matches(&p.facts) {
        return Ok(false);
    }
    let (done, turns) = resolve_actions(app, ctx, rule.actions(), &p.facts).await?;
    let identity = crate::email::identity(app, ctx).await.ok();
    let agents = ctx.store.list_agents(ctx.account_id).await?;
    let parties = Parties { requester: p.detail.requester.as_ref(), agents: &agents, requester_is_machine: false };
    let refs: Vec<&TriggerAction> = done.iter().collect();
    let ran = EventKind::AutomationFired { name: rule.name().to_string() };
    let effects = change_of(ctx, identity.as_ref(), p.detail.ticket, &refs, ran, &parties, now)?;
    let applied = AutomationApplied {
        account_id: ctx.account_id,
        automation_id: a.id,
        ticket_id: ticket,
        since_at,
        fired_at: now,
        change: effects.change,
        turns,
    };
    match ctx.store.apply_automation(applied).await {
        Ok(fired) => Ok(fired),
        Err(StoreError::Stale) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
