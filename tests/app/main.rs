//! Integration tests: the real application over HTTP, once per configured database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod audit;
mod auth;
mod bench;
mod consistency;
mod discipline;
mod dues;
mod exit_links;
mod exits;
mod exports;
mod family;
mod governance;
mod groups;
mod home;
mod hostile;
mod import;
mod letters;
mod lifecycle;
mod meeting_rules;
mod meetings;
mod modules;
mod onboarding;
mod openapi;
mod orgimport;
mod orgs;
mod party;
mod people;
mod person_units;
mod picker;
mod police;
mod risk;
mod risk_pages;
mod sanction_corrections;
mod sanction_effects;
mod shell;
mod transport;
mod units;
mod uploads;
mod visit_rules;
mod visit_settings;
mod visits;
mod warn_rules;
