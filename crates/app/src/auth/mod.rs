//! Signing in and proving who you are: passwords, sessions, API keys, reset tokens, and limits on guessing.

mod api_keys;
mod login;
mod password;
mod rate_limit;
mod reset;
pub mod tokens;

pub use api_keys::{
    authenticate_api_key, create_api_key, list_api_keys, new_api_key, note_api_key_use, revoke_api_key,
};
pub use login::{login, logout, session_agent, LoginAttempt, SESSION_HOURS};
pub use password::{hash_password, verify_password};
pub use rate_limit::{RateLimits, Window};
pub use reset::{change_password, forgot_password, request_reset, reset_password, ResetRequest};
