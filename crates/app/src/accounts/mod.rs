//! Creating and looking up accounts.

mod create;

pub use create::{create_account, CreateAccount, CreatedAccount};
