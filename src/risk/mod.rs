//! 队伍隐患排查: the 20类人员 category dictionary (editable, seeded with the labelled candidate
//! list of research/domain.md §1.4), screening campaigns run branch by branch, risk flags with
//! their measures and full history, and an early warning that explains itself: rules kept as data
//! give each person the exact facts that put them on the review list, and people decide ("reviewed,
//! no action" or "open a flag"); nothing happens to a person automatically.
//!
//! Discipline-and-risk sensitive class (DESIGN.md §5): `party_admin` and `discipline` in scope, a
//! secretary the flags of their own members (`DisciplineRiskRead` in scope); leaders counts only;
//! the system officers nothing. Every read of a flag's facts is a `sensitive.read`, every refusal
//! an `access.denied`. The exit cases (`exits`) link to flags by id through [`store::flag_of`].

pub mod api;
pub mod categories;
pub mod entity;
pub mod facts;
pub mod flags;
pub mod module;
pub mod screenings;
pub mod stats;
pub mod store;
pub mod warnings;
pub mod web;
pub mod web_rules;

use chrono::NaiveDate;

/// 黄 / 橙 / 红, mildest first (cf. 安塞县公安局 “三色预警”, domain.md §1.3).
pub const LEVELS: [&str; 3] = ["黄", "橙", "红"];

/// Where a flag came from.
pub const SOURCES: [&str; 6] = ["排查", "家访", "投诉", "案件评查", "处分", "本人报告"];

/// The source of complaints, counted by the repeated-complaints rule.
pub const COMPLAINT: &str = "投诉";

/// Measures a flag's follow-up records (a dated line each); 其他 with a note for anything else.
pub const MEASURES: [&str; 7] = ["谈心谈话", "帮教", "调整岗位", "心理疏导", "家访", "警示教育", "其他"];

/// What a category may say about exit cases (research/domain.md §6.1, the seed's triggers of
/// the exit mechanism): `排查发现` — a flag found by a screening (排查) proposes an exit case;
/// `躺平摆烂` — any flag of the category does (躺平摆烂、不担当不作为). Escalating a flag of such a
/// category (已升级) proposes one too. A proposal is only a proposal; people decide.
pub const EXIT_GROUNDS: [&str; 2] = ["排查发现", "躺平摆烂"];

/// The exit ground a flag carries when opened (`escalated` false) or escalated: a category's
/// ground and whether the flag came from a screening.
pub fn exit_ground(category: Option<&str>, from_screening: bool, escalated: bool) -> Option<crate::module::FlagGround> {
    use crate::module::FlagGround;
    match category {
        Some("躺平摆烂") => Some(FlagGround::Inaction),
        Some("排查发现") if from_screening || escalated => Some(FlagGround::Screening),
        _ => None,
    }
}

/// Who a category applies to.
pub const APPLIES: [&str; 3] = ["全部", "民警", "辅警"];

/// Focus areas a screening may name (the speech: 执法办案, 矛盾纠纷排查化解 …).
pub const FOCUS: [&str; 6] = ["执法办案", "矛盾纠纷", "八小时以外", "思想状况", "身心健康", "家庭状况"];

/// A flag's status: 待跟进 → 跟进中 → 已化解 or 已升级 (closed, with a reason).
pub const OPEN: &str = "待跟进";
pub const FOLLOWING: &str = "跟进中";
pub const RESOLVED: &str = "已化解";
pub const ESCALATED: &str = "已升级";
pub const STATUSES: [&str; 4] = [OPEN, FOLLOWING, RESOLVED, ESCALATED];

/// Whether a flag in `status` is still being worked.
pub fn is_open(status: &str) -> bool {
    status == OPEN || status == FOLLOWING
}

/// The statuses a flag may move to from `status`.
pub fn next_statuses(status: &str) -> &'static [&'static str] {
    match status {
        OPEN => &[FOLLOWING, RESOLVED, ESCALATED],
        FOLLOWING => &[RESOLVED, ESCALATED],
        _ => &[],
    }
}

/// The rank of a level (黄 0, 橙 1, 红 2); unknown text counts as the mildest.
pub fn level_rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(0)
}

/// Longest facts, note and reason texts.
pub const MAX_FACTS: usize = 2000;
pub const MAX_NOTE: usize = 500;

/// A date typed as `YYYY-MM-DD`.
pub fn parse_date(text: &str, label: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{label}“{}”应为 YYYY-MM-DD 格式的日期", text.trim()))
}

/// A multi-line text's problem, if any: forbidden characters or too long.
pub fn check_text(label: &str, text: &str, max: usize) -> Option<String> {
    if let Err(reason) = crate::text::check_multiline(label, text) {
        return Some(reason);
    }
    (text.chars().count() > max).then(|| format!("{label}不能超过 {max} 个字"))
}

/// A one-line text's problem, if any.
pub fn check_line(label: &str, text: &str, max: usize) -> Option<String> {
    if let Err(reason) = crate::text::check_line(label, text) {
        return Some(reason);
    }
    (text.chars().count() > max).then(|| format!("{label}不能超过 {max} 个字"))
}

/// Where the risk domain copies organization paths: a flag and a decision stay with the person's
/// organization when recorded, a screening with its scope, a confirmation with its branch.
pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] = &[
    crate::db::org_paths::PathColumn::new("risk_flags", "org_path").with_org_id("org_id"),
    crate::db::org_paths::PathColumn::new("risk_screenings", "org_path").with_org_id("org_id"),
    crate::db::org_paths::PathColumn::new("risk_screening_branches", "org_path").with_org_id("org_id"),
    crate::db::org_paths::PathColumn::new("risk_warning_decisions", "org_path"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_flag_stays_closed_and_levels_rank_mildest_first() {
        assert_eq!(next_statuses(OPEN), &[FOLLOWING, RESOLVED, ESCALATED]);
        assert!(next_statuses(RESOLVED).is_empty() && next_statuses(ESCALATED).is_empty());
        assert!(!next_statuses(FOLLOWING).contains(&OPEN), "no way back to 待跟进");
        assert!(level_rank("红") > level_rank("橙") && level_rank("橙") > level_rank("黄"));
        assert!(is_open(FOLLOWING) && !is_open(RESOLVED));
    }

    #[test]
    fn only_exit_relevant_categories_propose_exit_cases() {
        use crate::module::FlagGround;
        assert_eq!(exit_ground(Some("躺平摆烂"), false, false), Some(FlagGround::Inaction));
        assert_eq!(exit_ground(Some("排查发现"), true, false), Some(FlagGround::Screening));
        assert_eq!(exit_ground(Some("排查发现"), false, false), None, "not found by a screening");
        assert_eq!(exit_ground(Some("排查发现"), false, true), Some(FlagGround::Screening));
        assert_eq!(exit_ground(None, true, true), None, "an ordinary category never proposes");
    }
}
