//! Ticket use cases: open, reply, update, merge, list, show.

pub(crate) mod check;
mod cursor;
mod customer;
mod fields;
pub(crate) mod followers;
mod list;
mod merge;
mod open;
pub(crate) mod payload;
mod reply;
mod show;
mod split;
mod update;
pub mod viewers;

pub use cursor::{decode_cursor, encode_cursor};
pub(crate) use customer::customer_ticket;
pub use fields::{create_field, list_fields, NewField};
pub use followers::{follow, followers, followers_of_shown, unfollow, Follower};
pub use list::{list_tickets, ListTickets, Page};
pub use merge::merge_tickets;
pub use open::{open_ticket, OpenTicket, RequesterInput};
pub use reply::{add_message, add_message_after, NewMessage, Upload, MAX_FILES};
pub(crate) use show::detail;
pub use show::{find_by_number, get_ticket, get_ticket_by_number, in_order, TicketDetail, TimelineItem};
pub use split::split_message;

pub(crate) use update::{change_ticket, checked_patch};
pub use update::{update_ticket, UpdateTicket};

use crate::{AccountCtx, AppError, Caller};
use parley_domain::ids::TicketId;
use parley_domain::ticket::Ticket;

/// Whether the caller may see this ticket: `NotFound` otherwise.
pub(crate) async fn visible(ctx: &AccountCtx, caller: &Caller, id: TicketId) -> Result<(), AppError> {
    visible_ticket(ctx, caller, id).await.map(|_| ())
}

/// The ticket, if it is the account's and the caller may see it. Otherwise `NotFound`: whether a ticket exists
/// elsewhere is nobody's business.
pub(crate) async fn visible_ticket(ctx: &AccountCtx, caller: &Caller, id: TicketId) -> Result<Ticket, AppError> {
    let t = ctx.store.get_ticket(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    if caller.can_see(&t) {
        Ok(t)
    } else {
        Err(AppError::NotFound)
    }
}

/// How many times a change is re-applied when another writer got there first.
pub(crate) const RETRIES: usize = 5;
