//! The phone channel: an account's numbers at its voice provider, the IVR menus callers answer with keys, the calls
//! as Parley follows them, and the provider's webhook signatures. Free of I/O; the provider's protocol (TwiML,
//! REST) is spoken by the application layer.

pub mod call;
pub mod ivr;
pub mod number;
pub mod signature;
pub mod token;

pub use call::{Call, CallState, Direction, Outcome, Recording, RecordingState};
pub use ivr::{Action, Choice, Ivr, IvrInput, Menu, Route};
pub use number::{Answering, CredentialsInput, PhoneNumber, RecordingConsent, VoiceCredentials};
