//! Mail protocols at Parley's edge: the SMTP and LMTP receiver.
//!
//! [`serve`] accepts connections and speaks SMTP (RFC 5321 with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES
//! and STARTTLS) or LMTP (RFC 2033). It knows nothing about Parley's accounts: every recipient is checked with, and
//! every message handed to, a [`MailSink`].
//!
//! Layout: `server` accepts and shuts down, `session` drives one connection, `dialogue` holds the protocol state
//! and answers commands, `wire` does bounded buffered I/O, `data` reads message text, `command` and `address`
//! parse, `reply` formats, `tls` loads certificates.

mod address;
mod command;
mod config;
mod data;
mod dialogue;
pub mod imap;
mod reply;
mod server;
mod session;
mod sink;
mod tls;
mod wire;

pub use config::SmtpConfig;
pub use server::serve;
pub use sink::{Delivered, Envelope, MailSink, RcptVerdict};
pub use tls::{load_tls, server_config, TlsError};
