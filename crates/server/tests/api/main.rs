//! Parley driven from outside: over HTTP against a server started in-process (SQLite and PostgreSQL), and through
//! the `parley` binary itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod bad_input;
mod business_hours;
mod chat;
mod chat_routing;
mod cli;
mod collision;
mod companies;
mod contact_merge;
mod crash;
mod email;
mod erasure;
mod helpers;
mod imap;
mod isolation;
mod knowledge;
mod multiprocess;
mod openapi;
mod privacy;
mod regions;
mod relocation;
mod retention;
mod search;
mod settings_pages;
mod sla_policies;
mod support;
mod tickets;
mod ui;
mod views;
mod webhooks;
mod workspace;
mod workspace_canned;
mod workspace_macros;
mod workspace_views;
