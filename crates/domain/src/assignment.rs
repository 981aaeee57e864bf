//! Assignment of new tickets (issue 15, item 5): email, web and API tickets nobody has are offered to the
//! available agents of their department, by round robin or to the least busy, each agent up to a number of open
//! tickets, and only while the department's business hours are open when the account asks for that. Off until an
//! administrator switches it on.
//!
//! Pure: who is available, how many open tickets each has and when each was last given one are read by the
//! caller (the same way chat routing and the triggers' `assign` find them).

use crate::error::Checker;
use crate::ids::AgentId;
use crate::ticket::Channel;
use crate::trigger::Strategy;
use crate::{Invalid, Timestamp};

/// The channels whose new tickets are offered: chats have their own routing, which rings agents.
pub const OFFERED_CHANNELS: [Channel; 3] = [Channel::Email, Channel::Web, Channel::Api];

/// The most open tickets an agent may be given (1 to this).
pub const MAX_OPEN_LIMIT: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentSettings {
    pub enabled: bool,
    pub strategy: Strategy,
    /// An agent with this many open tickets (new, open or pending, theirs) is given no more.
    pub max_open: u32,
    /// Offer tickets only while the department's business hours (else the account's) are open.
    pub business_hours: bool,
}

impl Default for AssignmentSettings {
    fn default() -> Self {
        AssignmentSettings { enabled: false, strategy: Strategy::LeastBusy, max_open: 20, business_hours: true }
    }
}

/// A change as asked for; `None` keeps the setting.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub max_open: Option<i64>,
    #[serde(default)]
    pub business_hours: Option<bool>,
}

impl AssignmentSettings {
    /// These settings with `input` applied; every problem named by its field.
    pub fn changed(&self, input: &AssignmentInput) -> Result<AssignmentSettings, Invalid> {
        let mut errs = Checker::new();
        let mut s = self.clone();
        if let Some(e) = input.enabled {
            s.enabled = e;
        }
        if let Some(b) = input.business_hours {
            s.business_hours = b;
        }
        match input.strategy.as_deref().map(Strategy::parse) {
            Some(Some(x)) => s.strategy = x,
            Some(None) => errs.add("strategy", "must be round_robin or least_busy"),
            None => {}
        }
        match input.max_open.map(u32::try_from) {
            Some(Ok(n)) if (1..=MAX_OPEN_LIMIT).contains(&n) => s.max_open = n,
            Some(_) => errs.add("max_open", format!("must be 1 to {MAX_OPEN_LIMIT}")),
            None => {}
        }
        errs.finish()?;
        Ok(s)
    }
}

/// An agent a ticket may be given: available now, with their open tickets and when they were last given one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub agent: AgentId,
    pub open: i64,
    pub last_given: Timestamp,
}

/// The agent `strategy` picks among `candidates` with fewer than `limit` open tickets (any number when `None`):
/// round robin the one given a ticket longest ago, least busy the one with the fewest; ties to the lower id, so
/// every process picks alike. The pick counts at once: the next pick among the same candidates sees it.
pub fn pick(candidates: &mut [Candidate], strategy: Strategy, limit: Option<u32>) -> Option<AgentId> {
    let under = |c: &&mut Candidate| limit.is_none_or(|l| c.open < i64::from(l));
    let best = match strategy {
        Strategy::LeastBusy => candidates.iter_mut().filter(under).min_by_key(|c| (c.open, c.agent)),
        Strategy::RoundRobin => candidates.iter_mut().filter(under).min_by_key(|c| (c.last_given, c.agent)),
    }?;
    best.open += 1;
    best.last_given = Timestamp::from_millis(i64::MAX);
    Some(best.agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(agent: AgentId, open: i64, last: i64) -> Candidate {
        Candidate { agent, open, last_given: Timestamp::from_millis(last) }
    }

    fn agents() -> (AgentId, AgentId, AgentId) {
        let mut v = [AgentId::new(), AgentId::new(), AgentId::new()];
        v.sort();
        (v[0], v[1], v[2])
    }

    #[test]
    fn least_busy_takes_the_fewest_open_and_counts_each_pick() {
        let (a, b, c) = agents();
        let mut l = vec![cand(a, 3, 0), cand(b, 1, 0), cand(c, 2, 0)];
        let picks: Vec<_> = (0..4).map(|_| pick(&mut l, Strategy::LeastBusy, None).unwrap()).collect();
        assert_eq!(picks, [b, b, c, a]);
    }

    #[test]
    fn round_robin_takes_the_longest_waiting_in_turn() {
        let (a, b, c) = agents();
        let mut l = vec![cand(a, 0, 30), cand(b, 9, 10), cand(c, 0, 20)];
        let picks: Vec<_> = (0..3).map(|_| pick(&mut l, Strategy::RoundRobin, None).unwrap()).collect();
        assert_eq!(picks, [b, c, a]);
    }

    #[test]
    fn nobody_at_the_limit_is_given_more() {
        let (a, b, _) = agents();
        let mut l = vec![cand(a, 2, 0), cand(b, 1, 5)];
        assert_eq!(pick(&mut l, Strategy::RoundRobin, Some(2)), Some(b));
        assert_eq!(pick(&mut l, Strategy::LeastBusy, Some(2)), None, "both have two now");
        assert_eq!(pick(&mut [], Strategy::LeastBusy, Some(2)), None);
    }

    #[test]
    fn settings_are_off_by_default_and_bad_values_are_named() {
        let s = AssignmentSettings::default();
        assert!(!s.enabled);
        let input = AssignmentInput {
            enabled: Some(true),
            strategy: Some("round_robin".into()),
            max_open: Some(5),
            business_hours: Some(false),
        };
        let on = s.changed(&input).unwrap();
        assert_eq!(
            on,
            AssignmentSettings { enabled: true, strategy: Strategy::RoundRobin, max_open: 5, business_hours: false }
        );
        let bad = AssignmentInput { strategy: Some("random".into()), max_open: Some(0), ..Default::default() };
        let err = on.changed(&bad).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["strategy", "max_open"]);
        assert!(on.changed(&AssignmentInput { max_open: Some(i64::MAX), ..Default::default() }).is_err());
    }
}
