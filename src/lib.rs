//! dangjian — 公安机关党建与队伍管理平台.
//!
//! Requests flow one way: router → handler (`web.rs` / `api.rs`) → service → store → database.
//! `main.rs` only parses the command line and calls [`cli::run`].

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auditlog;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod discipline;
pub mod error;
pub mod exits;
pub mod family;
pub mod home;
pub mod io;
pub mod meetings;
pub mod metrics;
pub mod module;
pub mod openapi;
pub mod orgimport;
pub mod orgpage;
pub mod orgs;
pub mod party;
pub mod people;
pub mod police;
pub mod profile;
pub mod risk;
pub mod state;
pub mod text;
pub mod ui;
pub mod visits;

pub use app::{build_router, serve};
pub use error::{AppError, AppResult};
pub use state::AppState;
