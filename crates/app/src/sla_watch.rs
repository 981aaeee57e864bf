//! The SLA watch: looks at each ticket whose look is due — changed since it was last looked at, or a warning or a
//! breach has come — keeps where its SLA stands with the ticket (for lists and the next look), and tells what
//! happened once: in the ticket's timeline, to webhooks (`sla.warning`, `sla.breached`) and by mail to whoever
//! answers for the ticket (its assignee; for a breach of a ticket nobody has, the account's administrators).
//!
//! Every process serving a region runs the watch on it. A look is stored only over the one it read (the ticket's
//! version and its SLA revision), in the unit of work that queues its events, webhooks and mail: two processes
//! looking at the same ticket tell each event once between them.

use crate::notify::agent_mail;
use crate::rules_cache::AccountRules;
use crate::sla_ticket::{sla_of_ticket, sla_under, Calendars, TicketSla};
use crate::tickets::payload;
use crate::{AccountCtx, App, AppError};
use futures_util::StreamExt;
use parley_domain::agent::Agent;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::{AccountId, CompanyId, TicketId};
use parley_domain::message::TicketEvent;
use parley_domain::region::RegionName;
use parley_domain::sla::{progress, CurrentSla, Metric, Progress, SlaPolicyRecord, SlaRecord, TargetState};
use parley_domain::ticket::Ticket;
use parley_domain::trigger::TriggerEvent;
use parley_domain::webhook::EventType;
use parley_domain::Timestamp;
use parley_store::{OutboundMail, OutboxEvent, RegionStore, SlaAtCreation, SlaWrite, Timeline};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Tickets looked at per round and database.
const BATCH: usize = 200;
/// Looks at a time.
const AT_ONCE: usize = 16;

/// Run until `stop` turns true: a round on every database this process works on, twice a second (at once again
/// while a round finds a full batch).
pub async fn run_watch(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    loop {
        let mut busy = false;
        for cell in app.regions.working().await {
            let Ok(store) = cell.store().await else { continue };
            let store: Arc<dyn RegionStore> = Arc::new(store.clone());
            match look_due(&app, &store, &cell.spec.name).await {
                Ok(n) => busy |= n >= BATCH,
                Err(e) => tracing::warn!(region = %cell.spec.name, error = %e, "SLA round failed"),
            }
        }
        let pause = if busy { Duration::ZERO } else { Duration::from_millis(500) };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round on one database: looks at up to a batch of tickets whose look is due by the app's clock. Returns how
/// many were due.
pub async fn look_due(app: &App, store: &Arc<dyn RegionStore>, region: &RegionName) -> Result<usize, AppError> {
    let now = app.regions.clock().now();
    let due = store.sla_checks_due(now, BATCH).await?;
    let n = due.len();
    let mut by_account: BTreeMap<AccountId, Vec<TicketId>> = BTreeMap::new();
    for (account, ticket) in due {
        by_account.entry(account).or_default().push(ticket);
    }
    for (account_id, tickets) in by_account {
        let Some(ctx) = AccountCtx::of_account(app, store, region, account_id).await? else { continue };
        let policies = store.list_sla_policies(account_id).await?;
        if policies.is_empty() {
            // Nothing to measure: tickets without a record need no look; those with one lose it below.
            store.clear_sla_checks(account_id, &tickets, now).await?;
        }
        // Looks run several at a time: each ends in a commit, and the database commits those waiting together.
        let calendars = Calendars::default();
        let (ctx, policies, calendars) = (&ctx, &policies, &calendars);
        futures_util::stream::iter(tickets)
            .for_each_concurrent(AT_ONCE, |ticket| async move {
                if let Err(e) = look_at(app, ctx, policies, ticket, now, calendars).await {
                    tracing::warn!(account = %ctx.slug, %ticket, error = %e, "could not look at a ticket's SLA");
                }
            })
            .await;
    }
    Ok(n)
}

/// Looks at one ticket's SLA at `now` and stores what changed. `false` if another look or a change came first
/// (the change asks for a look of its own).
pub(crate) async fn look_at(
    app: &App,
    ctx: &AccountCtx,
    policies: &[SlaPolicyRecord],
    id: TicketId,
    now: Timestamp,
    calendars: &Calendars,
) -> Result<bool, AppError> {
    let Some(stored) = ctx.store.ticket_sla(ctx.account_id, id).await? else { return Ok(false) };
    if policies.is_empty() && stored.record.is_none() {
        return Ok(false);
    }
    let Some(ticket) = ctx.store.get_ticket(ctx.account_id, id).await? else { return Ok(false) };
    let detail = crate::tickets::detail(ctx, ticket).await?;
    let sla = sla_under(ctx, policies, &detail, now, calendars).await?;
    let p = progress_of(stored.record.as_ref(), sla.as_ref(), now);
    let t = &detail.ticket;
    let told = Told::of(app, ctx, t, sla.as_ref(), &p.events).await?;
    let write = SlaWrite {
        account_id: ctx.account_id,
        ticket_id: id,
        expected_version: t.version,
        expected_rev: stored.rev,
        record: p.record,
        due_at: p.due_at,
        state: p.summary,
        check_at: p.check_at,
        events: p
            .events
            .into_iter()
            .map(|(at, kind)| TicketEvent::new(ctx.account_id, id, Actor::System, kind, at))
            .collect(),
        outbox: told.outbox,
        mail: told.mail,
        trigger_events: told.triggers,
    };
    Ok(ctx.store.write_ticket_sla(write).await?)
}

/// What changed since the look that kept `before`, now that the ticket's SLA is `sla`.
fn progress_of(before: Option<&SlaRecord>, sla: Option<&TicketSla>, now: Timestamp) -> Progress {
    let policy_id = sla.map(|s| s.policy_id.to_string());
    let current = sla.zip(policy_id.as_deref()).map(|(s, id)| CurrentSla {
        policy_id: id,
        policy_name: &s.policy_name,
        targets: &s.targets,
    });
    progress(before, current, now)
}

/// The first look at a ticket being opened, done before it is written so that it needs no look of the watch's
/// (with its read of the ticket and second write) until a warning or breach comes. `None` when the look must wait
/// for the watch: a policy asks about the requester's company and `company` is not known yet (`None`; a known
/// requester without a company is `Some(None)`), or the look has more to tell than that a policy applies.
pub(crate) async fn first_look(
    ctx: &AccountCtx,
    rules: &AccountRules,
    ticket: &Ticket,
    company: Option<Option<CompanyId>>,
    timeline: &Timeline,
    now: Timestamp,
) -> Result<Option<(SlaAtCreation, Vec<TicketEvent>)>, AppError> {
    let policies = &rules.policies;
    let nothing = SlaAtCreation { record: None, due_at: None, state: None, check_at: None };
    if policies.is_empty() {
        return Ok(Some((nothing, Vec::new())));
    }
    let Some(company) = company.or_else(|| (!policies.iter().any(|p| p.policy.asks_company())).then_some(None)) else {
        return Ok(None);
    };
    let sla = sla_of_ticket(ctx, policies, ticket, company, timeline, now, &rules.calendars).await?;
    let p = progress_of(None, sla.as_ref(), now);
    if p.events.iter().any(|(_, k)| !matches!(k, EventKind::SlaApplied { .. })) {
        return Ok(None);
    }
    let events =
        p.events.into_iter().map(|(at, k)| TicketEvent::new(ctx.account_id, ticket.id, Actor::System, k, at)).collect();
    Ok(Some((SlaAtCreation { record: p.record, due_at: p.due_at, state: p.summary, check_at: p.check_at }, events)))
}

/// The webhooks and mail a look's warnings and breaches send.
struct Told {
    outbox: Vec<OutboxEvent>,
    mail: Vec<OutboundMail>,
    triggers: Vec<TriggerEvent>,
}

impl Told {
    async fn of(
        app: &App,
        ctx: &AccountCtx,
        t: &Ticket,
        sla: Option<&TicketSla>,
        events: &[(Timestamp, EventKind)],
    ) -> Result<Told, AppError> {
        let mut told = Told { outbox: Vec::new(), mail: Vec::new(), triggers: Vec::new() };
        let Some(sla) = sla else { return Ok(told) };
        let mut agents: Option<Vec<Agent>> = None;
        for (_, kind) in events {
            let (event, metric, due_at) = match kind {
                EventKind::SlaWarning { metric, due_at } => (EventType::SlaWarning, *metric, *due_at),
                EventKind::SlaBreached { metric, due_at } => (EventType::SlaBreached, *metric, *due_at),
                _ => continue,
            };
            let Some(target) = sla.targets.iter().find(|x| x.metric == metric) else { continue };
            let on = if event == EventType::SlaBreached { TriggerEvent::SlaBreached } else { TriggerEvent::SlaWarning };
            if !told.triggers.contains(&on) {
                told.triggers.push(on);
            }
            told.outbox.push(payload::sla(t, event, &sla.policy_name, target));
            if agents.is_none() {
                agents = Some(ctx.store.list_agents(ctx.account_id).await?);
            }
            let all = agents.as_deref().unwrap_or_default();
            for agent in answerable(all, t, event) {
                told.mail.push(mail(app, ctx, agent, t, event, target, due_at));
            }
        }
        Ok(told)
    }
}

/// Who hears of a warning or a breach: the ticket's assignee; of a breach of a ticket nobody has, the active
/// administrators who see it.
fn answerable<'a>(agents: &'a [Agent], t: &Ticket, event: EventType) -> Vec<&'a Agent> {
    if let Some(assignee) = t.assignee_id {
        return agents.iter().filter(|a| a.id == assignee && a.active).collect();
    }
    if event != EventType::SlaBreached {
        return Vec::new();
    }
    agents.iter().filter(|a| a.active && a.role.is_admin() && a.can_see(t)).collect()
}

fn mail(
    app: &App,
    ctx: &AccountCtx,
    agent: &Agent,
    t: &Ticket,
    event: EventType,
    target: &TargetState,
    due_at: Timestamp,
) -> OutboundMail {
    let what = metric_words(target.metric);
    let due = due_at.in_zone(&agent.profile.time_zone);
    let link = format!("{}/tickets/{}", app.settings.account_url(ctx.slug.as_str()), t.number.0);
    let (kind, subject, line) = match event {
        EventType::SlaBreached => (
            "sla_breached",
            format!("SLA breached: {} on ticket #{}", what, t.number.0),
            format!("The {what} of ticket #{} “{}” was due at {due} and is overdue.", t.number.0, t.subject),
        ),
        _ => (
            "sla_warning",
            format!("SLA due soon: {} on ticket #{}", what, t.number.0),
            format!("The {what} of ticket #{} “{}” is due at {due}.", t.number.0, t.subject),
        ),
    };
    let text = format!("Hello {},\n\n{line}\n\n{link}\n", agent.name);
    agent_mail(app, ctx, agent, kind, &subject, text)
}

fn metric_words(m: Metric) -> &'static str {
    match m {
        Metric::FirstReply => "first reply",
        Metric::NextReply => "next reply",
        Metric::PeriodicUpdate => "periodic update",
        Metric::Resolution => "resolution",
    }
}
