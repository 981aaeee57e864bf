//! The values placeholders are filled with, for one ticket and one caller.

use crate::{AccountCtx, AppError, Caller};
use parley_domain::canned::PlaceholderValues;
use parley_domain::ticket::Ticket;

/// The ticket's and its requester's values, and the replying agent's. An API key fills the `agent.*` placeholders
/// with the agent who made the key, if known; support staff leave them empty. `agent.signature` is the agent's own,
/// from their profile.
pub async fn values_for(ctx: &AccountCtx, caller: &Caller, ticket: &Ticket) -> Result<PlaceholderValues, AppError> {
    let requester = ctx.store.get_contact(ctx.account_id, ticket.requester_id).await?;
    let agent = match caller {
        Caller::Agent(a) => Some(a.clone()),
        Caller::ApiKey(k) => match k.created_by {
            Some(id) => ctx.store.get_agent(ctx.account_id, id).await?,
            None => None,
        },
        Caller::Staff { .. } => None,
    };
    Ok(PlaceholderValues {
        requester_name: requester.as_ref().and_then(|c| c.name.clone()).unwrap_or_default(),
        requester_email: requester.and_then(|c| c.email).map(|e| e.to_string()).unwrap_or_default(),
        ticket_number: ticket.number.to_string(),
        ticket_subject: ticket.subject.clone(),
        agent_name: agent.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        agent_signature: agent.map(|a| a.profile.signature).unwrap_or_default(),
    })
}
