//! Parley's domain: the types and rules of a help desk, free of I/O.
//!
//! Every value that comes from outside (a slug, an email address, a status) is parsed into a type here, once, at the
//! edge; code further in never re-checks a raw string.

pub mod account;
pub mod agent;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod automation;
pub mod business_hours;
pub mod canned;
pub mod chat;
pub mod chat_routing;
pub mod collision;
pub mod contact;
pub mod custom_field;
pub mod dpa;
pub mod email;
pub mod erasure;
pub mod error;
pub mod event;
pub mod ids;
pub mod incident;
pub mod knowledge;
pub mod mail;
pub mod mail_template;
pub mod mailbox;
pub mod message;
pub mod region;
pub mod reply_markdown;
pub mod retention;
pub mod search;
pub mod sla;
pub mod subprocessors;
pub mod support;
pub mod text;
pub mod ticket;
pub mod ticket_action;
pub mod time;
pub mod trigger;
pub mod view;
pub mod voice;
pub mod webhook;

pub use error::{FieldError, Invalid};
pub use time::Timestamp;
