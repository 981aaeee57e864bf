//! The email channel: mail comes in (SMTP/LMTP, IMAP, a provider's webhook), is stored before it is acknowledged,
//! and is processed into tickets once; replies and notifications go out through the outbox and a relay.

pub(crate) mod compose;
mod files;
mod identity;
mod imap_check;
mod ingest;
mod limits;
mod receive;
pub mod relay;
mod settings;
mod templates;
mod thread;
mod workers;

pub use compose::{copied, reply_to_customer};
pub use files::{attachment, create_mailbox, list_mailboxes, original, receive_posted, NewMailbox};
pub use identity::{identity, Identity};
pub use imap_check::{test_imap, ImapCheck};
pub use ingest::{process, Processed};
pub use limits::MailLimits;
/// For showing a message's remote images once an agent asks.
pub use parley_mime::load_remote_images;
pub use receive::{accept, recipient};
pub use settings::{mail_settings, set_mail_settings, MailSettingsView};
pub use workers::{run_ingest, run_sender, SendPolicy};
