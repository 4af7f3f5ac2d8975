//! 执纪问责: sanctions and other dispositions of a person (党纪处分, 政务处分, 组织处理, 问责,
//! 督察措施, 辅警处理, the first form's 谈话提醒/批评教育/责令检查, 移送司法), the bureau's
//! "五个一律、五个零容忍" commitments, and the statistics derived from them.
//!
//! What follows from a record is computed, never typed (`rules`): the influence period and its
//! end (research/domain.md §5.6), heavy or light (§5.5), the 四种形态 form (§5.5) and whether the
//! record is in effect on a date, with the bars it implies. Other domains ask through one query,
//! [`store::in_effect`]. This is the discipline-and-risk sensitive class: `discipline` and
//! `party_admin` read and write in scope, a secretary reads their members' records in effect,
//! leaders see counts, the system officers nothing; every read of a record is audited.

pub mod api;
pub mod commitments;
pub mod correction;
pub mod entity;
pub mod module;
pub mod record;
pub mod rules;
pub mod service;
pub mod stats;
pub mod store;
pub mod web;

pub use rules::{Category, Class, Form, Kind};

/// Where the discipline domain keeps copies of organization paths: a record stays with the
/// organization the person belonged to when it was recorded (the unit whose statistics and
/// 通报 it counts in); moves and merges of the tree rewrite it.
pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] =
    &[crate::db::org_paths::PathColumn::new("sanctions", "org_path").with_org_id("org_id")];
