//! Integration tests: the real application over HTTP, once per configured database.

#[path = "../support/mod.rs"]
mod support;

mod audit;
mod auth;
mod orgs;
mod shell;
