//! Tables of accounts, grants, sessions, tokens and login attempts.
pub mod api_token;
pub mod grant;
pub mod login_attempt;
pub mod login_lock;
pub mod login_refusal;
pub mod password_reset;
pub mod session;
pub mod setting;
pub mod user;
