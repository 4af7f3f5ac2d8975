//! Tables of accounts, grants, sessions, tokens and login attempts.
pub mod api_token;
pub mod grant;
pub mod login_attempt;
pub mod session;
pub mod setting;
pub mod user;
