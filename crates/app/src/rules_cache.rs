//! The account's rules as a new ticket needs them (its triggers, SLA policies and the calendars they count by),
//! kept in the process between creations: reading and checking twenty triggers per ticket cost more than writing
//! the ticket. What is made of them is written only while the account's rules revision (counted up by the database
//! with every write to the rules' tables, whichever process made it) is still the one they were read at: the
//! ticket's write checks it in its unit of work, so using them costs no read at all while they hold.

use crate::sla_ticket::Calendars;
use crate::{AccountCtx, AppError};
use parley_domain::ids::AccountId;
use parley_domain::sla::SlaPolicyRecord;
use parley_domain::trigger::TriggerRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The rules of one account at one revision.
pub(crate) struct AccountRules {
    pub rev: i64,
    pub triggers: Vec<TriggerRecord>,
    pub policies: Vec<SlaPolicyRecord>,
    /// Read as asked for, at the same revision.
    pub calendars: Calendars,
}

#[derive(Default)]
pub struct RulesCache(Mutex<HashMap<(String, AccountId), Arc<AccountRules>>>);

impl RulesCache {
    /// The account's rules as this process last read them (`fresh`: read now). The caller writes what it made
    /// of them only while `rev` is still the account's (see `AutomatedAtCreation::rules_rev`), so rules changed
    /// by any process since are never applied: the caller asks again with `fresh`.
    pub(crate) async fn of(&self, ctx: &AccountCtx, fresh: bool) -> Result<Arc<AccountRules>, AppError> {
        let key = (ctx.region.to_string(), ctx.account_id);
        if !fresh {
            if let Some(rules) = self.lock().get(&key) {
                return Ok(rules.clone());
            }
        }
        // The revision first: rules read after it are at least as new as it, so a change made meanwhile fails
        // the write's check and is read again, never missed.
        let rev = ctx.store.rules_rev(ctx.account_id).await?;
        let rules = Arc::new(AccountRules {
            rev,
            triggers: crate::triggers::rules::runnable(ctx, ctx.store.list_triggers(ctx.account_id).await?).await?,
            policies: ctx.store.list_sla_policies(ctx.account_id).await?,
            calendars: Calendars::default(),
        });
        self.lock().insert(key, rules.clone());
        Ok(rules)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, AccountId), Arc<AccountRules>>> {
        // A panic while the map was held leaves nothing half-done in it: every entry is whole.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
