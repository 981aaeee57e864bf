//! Creating and looking up accounts.

mod create;
pub mod relocate;

pub use create::{create_account, CreateAccount, CreatedAccount};
