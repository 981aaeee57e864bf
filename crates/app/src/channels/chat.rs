//! A reply in a chat reaches the visitor as an event of the conversation, read live.

use super::{ChannelDelivery, Outgoing, Reply};
use crate::{AccountCtx, App, AppError, Caller};
use async_trait::async_trait;
use parley_domain::chat::{ChatAuthor, ChatEventKind, NewChatEvent};
use parley_domain::ids::TicketId;
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;

pub(crate) struct ChatDelivery;

#[async_trait]
impl ChannelDelivery for ChatDelivery {
    async fn answering(&self, app: &App, ctx: &AccountCtx, caller: &Caller, ticket: TicketId) -> Result<(), AppError> {
        crate::chat::routing::answering(app, ctx, caller, ticket).await
    }

    async fn outgoing(
        &self,
        _app: &App,
        ctx: &AccountCtx,
        ticket: &Ticket,
        message: &mut Message,
        reply: &Reply<'_>,
    ) -> Result<Outgoing, AppError> {
        if ctx.store.chat_visitor(ctx.account_id, ticket.id).await?.is_none() {
            return Ok(Outgoing::default());
        }
        let author = match reply.caller {
            Caller::Agent(a) => ChatAuthor::Agent { id: a.id, name: a.name.clone() },
            _ => ChatAuthor::System,
        };
        let kind = ChatEventKind::Message {
            message_id: message.id,
            author,
            body: message.body.clone(),
            client_id: reply.client_id.clone(),
            files: Vec::new(),
        };
        Ok(Outgoing { chat: vec![NewChatEvent { kind, at: message.created_at }], ..Outgoing::default() })
    }

    async fn sent(&self, app: &App, ctx: &AccountCtx, ticket: TicketId) {
        crate::chat::appended(app, ctx, ticket).await;
    }
}
