//! The agents a strategy picks among, per department: available now (as chat routing finds them: active, in the
//! department, with Parley open and their status available), with their open tickets and when round robin last
//! gave them one. Read once per department for a run of picks.

use crate::{AccountCtx, App, AppError};
use parley_domain::assignment::{pick, Candidate};
use parley_domain::ids::{AgentId, DepartmentId};
use parley_domain::trigger::Strategy;
use parley_domain::Timestamp;
use std::collections::HashMap;

/// Per department (none is the account's): its candidates.
pub(crate) type Known = HashMap<Option<DepartmentId>, Vec<Candidate>>;

pub(crate) struct Candidates<'a> {
    ctx: &'a AccountCtx,
    live_since: Timestamp,
    known: Known,
}

impl<'a> Candidates<'a> {
    pub(crate) fn new(app: &App, ctx: &'a AccountCtx) -> Candidates<'a> {
        // Whether an agent's browser is open is a fact of the real clock, not of the help desk's.
        let live_since = Timestamp::now().plus_seconds(-(app.settings.chat_liveness.as_secs() as i64));
        Candidates { ctx, live_since, known: HashMap::new() }
    }

    pub(crate) fn clone_known(&self) -> Known {
        self.known.clone()
    }

    /// Reads what a department's picks need, once.
    pub(crate) async fn read(&mut self, department: Option<DepartmentId>) -> Result<(), AppError> {
        if self.known.contains_key(&department) {
            return Ok(());
        }
        let store = &self.ctx.store;
        let available = store.chat_candidates(self.ctx.account_id, department, self.live_since).await?;
        let ids: Vec<AgentId> = available.iter().map(|c| c.agent_id).collect();
        let open = store.open_tickets_of(self.ctx.account_id, &ids).await?;
        let turns = store.last_turns(self.ctx.account_id, department, &ids).await?;
        let list = ids
            .into_iter()
            .map(|agent| Candidate {
                agent,
                open: open.iter().find(|(x, _)| *x == agent).map_or(0, |(_, n)| *n),
                last_given: turns.iter().find(|(x, _)| *x == agent).map_or(Timestamp::from_millis(0), |(_, t)| *t),
            })
            .collect();
        self.known.insert(department, list);
        Ok(())
    }

    /// The agent a strategy picks in a department read before (none when it was not read or nobody is under
    /// `limit`); the pick counts at once.
    pub(crate) fn pick_in(
        known: &mut Known,
        department: Option<DepartmentId>,
        s: Strategy,
        limit: Option<u32>,
    ) -> Option<AgentId> {
        pick(known.get_mut(&department)?, s, limit)
    }

    /// [`Self::pick_in`] on what this has read.
    pub(crate) fn pick(
        &mut self,
        department: Option<DepartmentId>,
        s: Strategy,
        limit: Option<u32>,
    ) -> Option<AgentId> {
        Self::pick_in(&mut self.known, department, s, limit)
    }
}
