use crate::{StoreError, TicketChange};
use async_trait::async_trait;
use parley_domain::chat_routing::{Candidate, Route, RouteState};
use parley_domain::ids::{AccountId, AgentId, DepartmentId, TicketId};
use parley_domain::Timestamp;

/// Where chats are on their way to agents, who could be rung, and who has Parley open.
#[async_trait]
pub trait ChatRoutingStore {
    async fn route(&self, account: AccountId, ticket: TicketId) -> Result<Option<Route>, StoreError>;
    /// The account's chats still looking for an agent, longest waiting first (by the time they were queued, then
    /// their ids), at most `limit`; with `after` (a time queued and a chat), only those behind it.
    async fn waiting_routes(
        &self,
        account: AccountId,
        after: Option<(Timestamp, TicketId)>,
        limit: u32,
    ) -> Result<Vec<Route>, StoreError>;
    /// The chat's route while it still looks for an agent.
    async fn waiting_route(&self, account: AccountId, ticket: TicketId) -> Result<Option<Route>, StoreError>;
    /// Accounts (id and slug) with chats looking for an agent.
    async fn accounts_with_waiting_chats(&self) -> Result<Vec<(AccountId, String)>, StoreError>;
    /// Chats ringing for the agent now.
    async fn ringing_for(&self, account: AccountId, agent: AgentId) -> Result<Vec<Route>, StoreError>;
    /// A waiting chat's place in its queue (1: next), counting chats of the same department that came first.
    async fn queue_position(&self, account: AccountId, ticket: TicketId) -> Result<Option<u32>, StoreError>;
    /// Agents who could be rung for a chat of `department` now: available, active, in the department (when one
    /// is named), with a socket in a process seen since `live_since`, and not ringing for another chat.
    async fn chat_candidates(
        &self,
        account: AccountId,
        department: Option<DepartmentId>,
        live_since: Timestamp,
    ) -> Result<Vec<Candidate>, StoreError>;
    /// Chats the agent holds now (assigned to them and not resolved or closed).
    async fn chats_held(&self, account: AccountId, agent: AgentId) -> Result<u32, StoreError>;
    /// Ends the routes of chats whose tickets are done (resolved, closed, spam) or merged (returning how many),
    /// and returns the routes ringing that should ring no longer: their time ran out, the ticket was given to an
    /// agent meanwhile, or moved to a team the agent rung is not in.
    async fn settle_routes(&self, account: AccountId, now: Timestamp) -> Result<(u64, Vec<Route>), StoreError>;
    /// Rings `agent` for a queued chat until `until`, noting when they were rung; `false` when the chat is no longer
    /// queued or the agent rings for another chat already. Changes nothing else of the route (its team, who let
    /// it pass), which other requests may have changed meanwhile.
    async fn ring(
        &self,
        account: AccountId,
        ticket: TicketId,
        agent: AgentId,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Saves a route if it is still in one of the states `from` (and, when ringing, for the same agent as
    /// before); `false` when another request moved it first. Ringing an agent already ringing for another chat is
    /// `false` as well; ringing records when the agent was rung.
    async fn update_route(
        &self,
        route: &Route,
        from: &[RouteState],
        agent_before: Option<AgentId>,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Saves a ticket change and its route in one unit of work; `Conflict` if the route was no longer in one of
    /// the states `from`.
    async fn save_routed(&self, change: TicketChange, route: &Route, from: &[RouteState]) -> Result<(), StoreError>;
    async fn set_max_chats(
        &self,
        account: AccountId,
        agent: AgentId,
        max: u32,
        at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn max_chats(&self, account: AccountId, agent: AgentId) -> Result<u32, StoreError>;
    /// One more (or one fewer) socket of the agent in this process.
    async fn agent_connected(
        &self,
        process: &str,
        account: AccountId,
        agent: AgentId,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    async fn agent_disconnected(&self, process: &str, account: AccountId, agent: AgentId) -> Result<(), StoreError>;
    /// The process is alive: its sockets still count. Forgets rows of processes gone since `forget_before`.
    async fn connections_alive(
        &self,
        process: &str,
        now: Timestamp,
        forget_before: Timestamp,
    ) -> Result<(), StoreError>;
    /// Whether the agent has a socket in a process seen since `live_since`.
    async fn agent_online(&self, account: AccountId, agent: AgentId, live_since: Timestamp)
        -> Result<bool, StoreError>;
}
