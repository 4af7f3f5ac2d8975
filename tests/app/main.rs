//! Integration tests: the real application over HTTP, once per configured database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod audit;
mod auth;
mod dues;
mod governance;
mod import;
mod orgs;
mod party;
mod people;
mod shell;
