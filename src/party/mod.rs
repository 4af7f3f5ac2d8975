//! Party membership (党员档案): admission as probationary member, full membership after the
//! one-year probation, and transfers of the organizational relationship. A member's political
//! status on the roster is derived from here, never typed twice.

pub mod api;
pub mod dues;
pub mod entity;
pub mod letter;
pub mod module;
pub mod profile;
pub mod service;
pub mod web;

use chrono::{Months, NaiveDate};

/// Where membership keeps copies of organization paths: `crate::db::org_paths` rewrites them
/// when the tree changes. A membership follows a merge of its branch; a transfer is a record of
/// what happened and stays with the organizations it named (a merge refuses pending transfers).
pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] = {
    use crate::db::org_paths::PathColumn;
    &[
        PathColumn::new("party_members", "branch_path").with_org_id("branch_id"),
        PathColumn::new("transfers", "from_path").with_org_id("from_org_id").kept_on_merge(),
        PathColumn::new("transfers", "to_path").with_org_id("to_org_id").kept_on_merge(),
    ]
};

pub const CATEGORIES: &[&str] = &["在职党员", "离退休党员", "流动党员"];

/// Probation ends one year after admission (《中国共产党章程》第七条).
pub fn probation_end(joined: NaiveDate) -> NaiveDate {
    joined.checked_add_months(Months::new(12)).unwrap_or(joined)
}

/// The latest a probation can end: extended once, by at most one more year.
pub fn probation_latest(joined: NaiveDate) -> NaiveDate {
    joined.checked_add_months(Months::new(24)).unwrap_or(joined)
}

/// The roster's political status that a membership implies.
pub fn political_status(m: &entity::member::Model) -> &'static str {
    if m.full_on.is_some() { "中共党员" } else { "中共预备党员" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probation_dates() {
        let joined = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(probation_end(joined), NaiveDate::from_ymd_opt(2025, 2, 28).unwrap());
        assert_eq!(probation_latest(joined), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
    }
}
