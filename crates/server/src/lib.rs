//! The `parley` binary's library: configuration, start-up and the command line. Kept apart from `main.rs` so tests
//! can build and run the application in-process.

mod backup;
pub mod cli;
pub mod config;
mod imap_poller;
mod mail_sink;
pub mod startup;
mod telemetry;

pub use config::Config;
pub use startup::Application;
