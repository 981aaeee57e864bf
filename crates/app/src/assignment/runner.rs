//! The assignment runner: every serving process, every two seconds, in each account that has assignment on,
//! offers the email, web and API tickets nobody has (new or open, oldest first) to the available agents of their
//! department — by the account's strategy, each agent up to their limit of open tickets, and (when the account
//! asks) only while the department's business hours are open. A ticket nobody can take now waits for the next
//! round: an agent coming online, finishing a ticket or the hours opening. Each assignment is a change of the
//! ticket saved over the version read (two processes never both assign it), and runs the triggers like any.

use super::candidates::Candidates;
use crate::business_hours::calendar_for;
use crate::triggers::effects::{change_of, Parties};
use crate::{AccountCtx, App, AppError};
use parley_domain::assignment::{AssignmentSettings, OFFERED_CHANNELS};
use parley_domain::event::EventKind;
use parley_domain::ids::DepartmentId;
use parley_domain::region::RegionName;
use parley_domain::ticket::{Status, Ticket};
use parley_domain::trigger::{Strategy, TriggerAction};
use parley_domain::view::SortKey;
use parley_store::{Assignee, RegionStore, StoreError, TicketFilter, TicketQuery};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Waiting tickets read per channel, account and round.
const BATCH: u32 = 100;
/// How often the runner looks.
const EVERY: Duration = Duration::from_secs(2);

/// Run until `stop` turns true.
pub async fn run_assignment(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    loop {
        round(&app).await;
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round on every database this process works on. Returns how many tickets were given to agents.
pub async fn round(app: &App) -> usize {
    let mut given = 0;
    for cell in app.regions.working().await {
        let Ok(store) = cell.store().await else { continue };
        let store: Arc<dyn RegionStore> = Arc::new(store.clone());
        match assign_waiting(app, &store, &cell.spec.name).await {
            Ok(n) => given += n,
            Err(e) => tracing::warn!(region = %cell.spec.name, error = %e, "assignment round failed"),
        }
    }
    given
}

/// One round on one database. Returns how many tickets were given to agents.
pub async fn assign_waiting(app: &App, store: &Arc<dyn RegionStore>, region: &RegionName) -> Result<usize, AppError> {
    let mut given = 0;
    for account_id in store.accounts_assigning().await? {
        let Some(settings) = store.assignment_settings(account_id).await?.filter(|s| s.enabled) else { continue };
        let Some(ctx) = AccountCtx::of_account(app, store, region, account_id).await? else { continue };
        match assign_in(app, &ctx, &settings).await {
            Ok(n) => given += n,
            Err(e) => tracing::warn!(account = %ctx.slug, error = %e, "assignment failed"),
        }
    }
    Ok(given)
}

async fn assign_in(app: &App, ctx: &AccountCtx, settings: &AssignmentSettings) -> Result<usize, AppError> {
    let waiting = waiting(ctx).await?;
    let now = ctx.now();
    let mut candidates = Candidates::new(app, ctx);
    let mut open: HashMap<Option<DepartmentId>, bool> = HashMap::new();
    let mut given = 0;
    for ticket in waiting {
        let d = ticket.department_id;
        if settings.business_hours {
            let is_open = match open.get(&d) {
                Some(o) => *o,
                None => *open.entry(d).or_insert(calendar_for(ctx, d).await?.is_open(now)),
            };
            if !is_open {
                continue;
            }
        }
        candidates.read(d).await?;
        let Some(agent) = candidates.pick(d, settings.strategy, Some(settings.max_open)) else { continue };
        let assign = TriggerAction::Assign { department: None, agent: Some(agent), strategy: None };
        let ran = EventKind::Offered { strategy: settings.strategy.as_str().to_string() };
        let parties = Parties { requester: None, agents: &[], requester_is_machine: false };
        let Some(change) = change_of(ctx, None, ticket, &[&assign], ran, &parties, now)?.change else { continue };
        let turn = (settings.strategy == Strategy::RoundRobin).then_some((d, agent));
        match ctx.store.save_assignment(change, agent, settings.max_open, turn).await {
            Ok(()) => given += 1,
            // Changed since it was read (taken by someone, maybe), or the agent was given enough meanwhile by
            // another process: the next round sees both as they are.
            Err(StoreError::Stale) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(given)
}

/// The tickets nobody has on the offered channels, oldest first (each channel through the lists' index).
async fn waiting(ctx: &AccountCtx) -> Result<Vec<Ticket>, AppError> {
    let mut all = Vec::new();
    for channel in OFFERED_CHANNELS {
        let query = TicketQuery {
            filter: TicketFilter {
                status: vec![Status::New, Status::Open],
                assignee: Some(Assignee::Nobody),
                channel: Some(channel),
                ..Default::default()
            },
            sort: SortKey::CreatedAt,
            descending: false,
            after: None,
            limit: BATCH,
        };
        all.extend(ctx.store.list_tickets(ctx.account_id, &query).await?);
    }
    all.sort_by_key(|t| (t.created_at, t.id));
    Ok(all)
}
