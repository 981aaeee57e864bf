//! Email as data: turning raw RFC 5322 mail into a [`ParsedMail`], making its HTML safe to show, folding quoted
//! history away, and naming attachments safely. No I/O happens here.
//!
//! Everything in this crate reads mail from the internet, so every function takes hostile input: none of them may
//! panic, loop without end or allocate more than a bounded multiple of their input. MIME decoding and charsets come
//! from `mail-parser`; HTML parsing and sanitizing from `ammonia`; the rest (part walking, limits, loop detection,
//! bounces, TNEF, quoting, file names) is written here.

mod attachments;
mod auto;
mod bounce;
mod error;
mod filename;
mod headers;
mod html_to_text;
mod limits;
mod nesting;
mod parse;
mod parsed;
mod parts;
mod quoted;
mod sanitize;
mod serialized;
mod text_to_html;
mod tnef;

pub use auto::AutoKind;
pub use bounce::Bounce;
pub use error::ParseError;
pub use filename::safe_filename;
pub use html_to_text::html_to_text;
pub use limits::Limits;
pub use parse::parse;
pub use parsed::{Attachment, Mailbox, ParsedMail};
pub use quoted::split_quoted;
pub use sanitize::{load_remote_images, sanitize_html};
pub use text_to_html::text_to_html;
