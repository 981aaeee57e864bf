//! Live chat for visitors of the account's sites: a visitor is known by a token their browser keeps, opens a
//! conversation (a ticket of channel `chat`), writes, and reads the conversation's numbered events from wherever
//! they left off, waiting for the next one when there is none yet. Agents answer as on any ticket.

mod conversation;
pub mod files;
mod hub;
pub mod presence;
mod queue;
pub mod routing;
pub mod settings;
mod visitors;

pub use conversation::{appended, end_by_visitor, events, send, since, start, theirs, typing, StartChat, PAGE};
pub use hub::{stopped, Hub, News, OpenSocket, Wake, Woke};
pub use visitors::{new_visitor, visitor_by_token, VISITOR_TOKEN_PREFIX};
