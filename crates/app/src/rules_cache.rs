//! The account's rules as a new ticket needs them (its triggers, SLA policies and the calendars they count by),
//! kept in the process between creations: reading and checking twenty triggers per ticket cost more than writing
//! the ticket. Kept only as long as the account's rules revision (one read of the account's row, counted up by the
//! database with every write to the rules' tables, whichever process made it) stays what it was when they were read.

use crate::sla_ticket::Calendars;
use crate::{AccountCtx, AppError};
use parley_domain::ids::AccountId;
use parley_domain::sla::SlaPolicyRecord;
use parley_domain::trigger::TriggerRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The rules of one account at one revision.
pub(crate) struct AccountRules {
    pub triggers: Vec<TriggerRecord>,
    pub policies: Vec<SlaPolicyRecord>,
    /// Read as asked for, at the same revision.
    pub calendars: Calendars,
}

#[derive(Default)]
pub struct RulesCache(Mutex<HashMap<(String, AccountId), (i64, Arc<AccountRules>)>>);

impl RulesCache {
    /// The account's rules as they are now.
    pub(crate) async fn of(&self, ctx: &AccountCtx) -> Result<Arc<AccountRules>, AppError> {
        // The revision first: rules read after it are at least as new as it, so a change made meanwhile is read
        // again next time, never missed.
        let rev = ctx.store.rules_rev(ctx.account_id).await?;
        let key = (ctx.region.to_string(), ctx.account_id);
        if let Some((at, rules)) = self.lock().get(&key) {
            if *at == rev {
                return Ok(rules.clone());
            }
        }
        let rules = Arc::new(AccountRules {
            triggers: ctx.store.list_triggers(ctx.account_id).await?,
            policies: ctx.store.list_sla_policies(ctx.account_id).await?,
            calendars: Calendars::default(),
        });
        self.lock().insert(key, (rev, rules.clone()));
        Ok(rules)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, AccountId), (i64, Arc<AccountRules>)>> {
        // A panic while the map was held leaves nothing half-done in it: every entry is whole.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
