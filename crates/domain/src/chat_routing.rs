//! Routing chats to agents: a new chat waits in its department's queue and rings one agent at a time — an agent
//! who is available, has Parley open and room for another chat, chosen least busy first or in turn as the account
//! says. Unanswered for the account's ring time, or declined, it rings the next. An agent who accepts holds it.

use crate::ids::{AccountId, AgentId, DepartmentId, TicketId};
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Chats an agent holds at once unless they say otherwise.
pub const DEFAULT_MAX_CHATS: u32 = 3;
/// The most chats anyone may hold at once.
pub const MOST_CHATS: u32 = 50;
/// Seconds a chat rings one agent before it rings the next, unless the account says otherwise.
pub const DEFAULT_RING_SECS: u32 = 30;
/// The shortest and longest ring an account may choose.
pub const RING_SECS: std::ops::RangeInclusive<u32> = 5..=600;

/// How the next agent to ring is chosen among those who may take the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingStrategy {
    /// The agent holding the fewest chats (the one rung longest ago among equals).
    #[default]
    LeastBusy,
    /// The agent rung longest ago, whatever they hold.
    RoundRobin,
}

impl RoutingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            RoutingStrategy::LeastBusy => "least_busy",
            RoutingStrategy::RoundRobin => "round_robin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "least_busy" => Ok(RoutingStrategy::LeastBusy),
            "round_robin" => Ok(RoutingStrategy::RoundRobin),
            _ => Err(Invalid::field("routing", "must be least_busy or round_robin")),
        }
    }
}

/// The account's routing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingSettings {
    pub strategy: RoutingStrategy,
    pub ring_secs: u32,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        RoutingSettings { strategy: RoutingStrategy::default(), ring_secs: DEFAULT_RING_SECS }
    }
}

pub fn parse_ring_secs(n: i64) -> Result<u32, Invalid> {
    match u32::try_from(n) {
        Ok(n) if RING_SECS.contains(&n) => Ok(n),
        _ => {
            Err(Invalid::field("ring_seconds", format!("must be {} to {} seconds", RING_SECS.start(), RING_SECS.end())))
        }
    }
}

pub fn parse_max_chats(n: i64) -> Result<u32, Invalid> {
    match u32::try_from(n) {
        Ok(n) if (1..=MOST_CHATS).contains(&n) => Ok(n),
        _ => Err(Invalid::field("max_chats", format!("must be 1 to {MOST_CHATS}"))),
    }
}

/// Where a chat is on its way to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteState {
    /// Waiting for an agent to ring.
    Queued,
    /// Offered to one agent until `ring_until`.
    Ringing,
    /// Held by an agent.
    Assigned,
    /// Over: nobody is rung for it any more.
    Ended,
}

impl RouteState {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteState::Queued => "queued",
            RouteState::Ringing => "ringing",
            RouteState::Assigned => "assigned",
            RouteState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "queued" => Ok(RouteState::Queued),
            "ringing" => Ok(RouteState::Ringing),
            "assigned" => Ok(RouteState::Assigned),
            "ended" => Ok(RouteState::Ended),
            _ => Err(Invalid::field("state", "is not a routing state")),
        }
    }

    /// Still looking for an agent.
    pub fn waiting(self) -> bool {
        matches!(self, RouteState::Queued | RouteState::Ringing)
    }
}

/// A chat's way to an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub account_id: AccountId,
    pub ticket_id: TicketId,
    pub department_id: Option<DepartmentId>,
    pub state: RouteState,
    /// Ringing: the agent rung. Assigned: the agent holding it.
    pub agent_id: Option<AgentId>,
    pub ring_until: Option<Timestamp>,
    /// Agents it rang who declined or let it ring out, and when; they are not rung again for a while.
    pub tried: BTreeMap<AgentId, Timestamp>,
    pub queued_at: Timestamp,
}

/// Why a routing step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("another agent has taken this chat")]
    Taken,
    #[error("this chat has ended")]
    Ended,
    #[error("this chat is not ringing for you")]
    NotRingingForYou,
    #[error("you hold {0} chats, your limit")]
    AtLimit(u32),
}

impl Route {
    pub fn queued(
        account_id: AccountId,
        ticket_id: TicketId,
        department_id: Option<DepartmentId>,
        at: Timestamp,
    ) -> Self {
        Route {
            account_id,
            ticket_id,
            department_id,
            state: RouteState::Queued,
            agent_id: None,
            ring_until: None,
            tried: BTreeMap::new(),
            queued_at: at,
        }
    }

    /// Rings `agent` until `until`.
    pub fn ring(&mut self, agent: AgentId, until: Timestamp) {
        self.state = RouteState::Ringing;
        self.agent_id = Some(agent);
        self.ring_until = Some(until);
    }

    /// The agent rung declined or let it ring out: back to the queue, and they are not rung again for a while.
    pub fn pass(&mut self, now: Timestamp) {
        if let (RouteState::Ringing, Some(a)) = (self.state, self.agent_id) {
            self.tried.insert(a, now);
        }
        self.state = RouteState::Queued;
        self.agent_id = None;
        self.ring_until = None;
    }

    /// `agent` takes the chat: any agent may take one that waits, rung or not; one held by another is theirs.
    pub fn accept(&mut self, agent: AgentId) -> Result<(), RouteError> {
        match self.state {
            RouteState::Ended => Err(RouteError::Ended),
            RouteState::Assigned if self.agent_id != Some(agent) => Err(RouteError::Taken),
            _ => {
                self.state = RouteState::Assigned;
                self.agent_id = Some(agent);
                self.ring_until = None;
                Ok(())
            }
        }
    }

    /// The chat goes back to the queue of `department` (a transfer to a team), to be rung afresh.
    pub fn requeue(&mut self, department: Option<DepartmentId>) -> Result<(), RouteError> {
        if self.state == RouteState::Ended {
            return Err(RouteError::Ended);
        }
        self.state = RouteState::Queued;
        self.department_id = department;
        self.agent_id = None;
        self.ring_until = None;
        self.tried.clear();
        Ok(())
    }

    pub fn end(&mut self) {
        self.state = RouteState::Ended;
        self.ring_until = None;
    }

    /// Whether the ring has run out at `now`.
    pub fn rang_out(&self, now: Timestamp) -> bool {
        self.state == RouteState::Ringing && self.ring_until.is_some_and(|u| u <= now)
    }
}

/// An agent who could be rung now: available, with Parley open, in the chat's department, not ringing for
/// another chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub agent_id: AgentId,
    /// Chats they hold now (not resolved or closed).
    pub holding: u32,
    pub max_chats: u32,
    /// When a chat last rang for them (never: the epoch).
    pub last_rung_at: Timestamp,
}

/// The agent to ring for `route`, if anyone: one with room, not among those it rang within the last ring time,
/// chosen by the strategy; ties go to whoever was rung longest ago, then to the lower id so every process picks
/// alike.
pub fn pick(
    strategy: RoutingStrategy,
    candidates: &[Candidate],
    route: &Route,
    ring_secs: u32,
    now: Timestamp,
) -> Option<AgentId> {
    let rest = i64::from(ring_secs) * 1000;
    candidates
        .iter()
        .filter(|c| c.holding < c.max_chats)
        .filter(|c| route.tried.get(&c.agent_id).is_none_or(|at| now.millis() - at.millis() >= rest))
        .min_by_key(|c| match strategy {
            RoutingStrategy::LeastBusy => (c.holding, c.last_rung_at.millis(), c.agent_id),
            RoutingStrategy::RoundRobin => (0, c.last_rung_at.millis(), c.agent_id),
        })
        .map(|c| c.agent_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(agent: AgentId, holding: u32, last: i64) -> Candidate {
        Candidate { agent_id: agent, holding, max_chats: 3, last_rung_at: Timestamp::from_millis(last) }
    }

    #[test]
    fn least_busy_first_then_longest_unrung() {
        let (a, b, c) = (AgentId::new(), AgentId::new(), AgentId::new());
        let route = Route::queued(AccountId::new(), TicketId::new(), None, Timestamp::from_millis(0));
        let now = Timestamp::from_millis(1_000_000);
        let all = [cand(a, 2, 10), cand(b, 1, 50), cand(c, 1, 20)];
        assert_eq!(pick(RoutingStrategy::LeastBusy, &all, &route, 30, now), Some(c));
        assert_eq!(pick(RoutingStrategy::RoundRobin, &all, &route, 30, now), Some(a), "rung longest ago");
        let full = [cand(a, 3, 0), cand(b, 5, 0)];
        assert_eq!(pick(RoutingStrategy::LeastBusy, &full, &route, 30, now), None, "nobody has room");
    }

    #[test]
    fn a_chat_that_rang_out_rings_the_next_and_comes_back_later() {
        let (a, b) = (AgentId::new(), AgentId::new());
        let mut route = Route::queued(AccountId::new(), TicketId::new(), None, Timestamp::from_millis(0));
        let all = [cand(a, 0, 0), cand(b, 1, 0)];
        let t0 = Timestamp::from_millis(1_000_000);
        let first = pick(RoutingStrategy::LeastBusy, &all, &route, 30, t0).unwrap();
        assert_eq!(first, a);
        route.ring(first, Timestamp::from_millis(t0.millis() + 30_000));
        assert!(!route.rang_out(Timestamp::from_millis(t0.millis() + 29_999)));
        let t1 = Timestamp::from_millis(t0.millis() + 30_000);
        assert!(route.rang_out(t1));
        route.pass(t1);
        assert_eq!((route.state, route.agent_id), (RouteState::Queued, None));
        assert_eq!(pick(RoutingStrategy::LeastBusy, &all, &route, 30, t1), Some(b), "the next agent");
        let only_a = [cand(a, 0, 0)];
        assert_eq!(pick(RoutingStrategy::LeastBusy, &only_a, &route, 30, t1), None, "not straight back to a");
        let later = Timestamp::from_millis(t1.millis() + 30_000);
        assert_eq!(pick(RoutingStrategy::LeastBusy, &only_a, &route, 30, later), Some(a), "a again after a while");
    }

    #[test]
    fn accepting_and_transferring() {
        let (a, b, d) = (AgentId::new(), AgentId::new(), DepartmentId::new());
        let mut route = Route::queued(AccountId::new(), TicketId::new(), None, Timestamp::from_millis(0));
        route.ring(a, Timestamp::from_millis(10));
        assert_eq!(route.accept(b), Ok(()), "anyone may take a waiting chat, rung or not");
        assert_eq!(route.accept(a), Err(RouteError::Taken));
        route.requeue(Some(d)).unwrap();
        assert_eq!((route.state, route.department_id, route.agent_id), (RouteState::Queued, Some(d), None));
        route.end();
        assert_eq!(route.accept(a), Err(RouteError::Ended));
        assert!(parse_ring_secs(4).is_err() && parse_ring_secs(30).is_ok() && parse_max_chats(0).is_err());
    }
}
