//! What Parley's tests share: throwaway PostgreSQL databases and small local servers that stand in for the
//! outside world. Every server binds to 127.0.0.1 on a free port and stops when its handle is dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod dovecot;
mod localhost;
mod pg;
mod receiver;
mod relay;
pub mod smtp_client;
pub mod twilio;

pub use dovecot::Dovecot;
pub use localhost::http_client;
pub use pg::PgTestDb;
pub use receiver::{Received, WebhookReceiver};
pub use relay::{CaptureRelay, Captured};
pub use twilio::{CallLog, CallSpec, DialAnswer, Signing, Step, TwilioStandIn};
