//! A reply on an email ticket reaches the customer (and the people copied) as mail, queued in the outbox with the
//! reply, with our Message-ID so that their answer comes back to this ticket.

use super::{ChannelDelivery, Outgoing, Reply};
use crate::{AccountCtx, App, AppError};
use async_trait::async_trait;
use parley_domain::mail::outgoing_message_id;
use parley_domain::message::{Delivery, EmailInfo, Message};
use parley_domain::ticket::Ticket;

pub(crate) struct EmailDelivery;

#[async_trait]
impl ChannelDelivery for EmailDelivery {
    async fn outgoing(
        &self,
        app: &App,
        ctx: &AccountCtx,
        ticket: &Ticket,
        message: &mut Message,
        reply: &Reply<'_>,
    ) -> Result<Outgoing, AppError> {
        let Some(requester) = ctx.store.get_contact(ctx.account_id, ticket.requester_id).await? else {
            return Ok(Outgoing::default());
        };
        let Some(to) = requester.email.clone() else { return Ok(Outgoing::default()) };
        let id = crate::email::identity(app, ctx).await?;
        let participants = ctx.store.participants(ctx.account_id, ticket.id).await?;
        let thread = ctx.store.thread_ids(ctx.account_id, ticket.id).await?;
        let reason = (!app.settings.mail_relay_configured).then(|| "no mail relay is configured".to_string());
        message.email = Some(EmailInfo {
            message_id: outgoing_message_id(&id.secret, ticket.id, message.id, &id.host),
            from: Some(id.from.clone()),
            to: vec![to.to_string()],
            cc: crate::email::copied(&to.to_string(), &participants, reply.cc),
            delivery: Some(Delivery::Queued { reason }),
            notes: Vec::new(),
            automatic: false,
        });
        let mail = crate::email::reply_to_customer(&id, ticket, &requester, &participants, reply.cc, message, &thread);
        Ok(Outgoing { mail: mail.into_iter().collect(), ..Outgoing::default() })
    }
}
