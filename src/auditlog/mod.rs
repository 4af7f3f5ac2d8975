//! 审计日志的查阅: the auditor's pages and API over the log that `crate::audit` writes — query,
//! export, chain verification — and the Chinese names of the action codes every module
//! declares. A domain like any other (it reads organizations to filter by subtree); the writing
//! side stays in the bottom layer, so every domain can record without importing this.

pub mod api;
pub mod module;
pub mod service;
pub mod web;
