//! Party membership (党员档案): admission as probationary member, full membership after the
//! one-year probation, transfers of the organizational relationship, dues and the letter for a
//! transfer out of the bureau. A member's political status on the roster is derived from here,
//! never typed twice.
//!
//! One file per use case: `membership` (register, confirm full membership, the history, what the
//! roster may not change, the probation reminders), `transfers`, `committees` (posts, member
//! counts and size warnings of an organization; posts end when members leave or the tree
//! changes, through [`crate::module::TreeRules`]), `options` (the pickers), `dues/`, `letter`; `store` holds
//! the queries other use cases and domains need; `roster` is what the roster (`people`) gets of
//! Party rules, through [`crate::module::RosterRules`]. Handlers mirror it in `web/` and `api/`.

use crate::db::stored_text;

pub mod api;
pub mod committees;
pub mod dues;
pub mod entity;
pub mod letter;
pub mod membership;
pub mod module;
pub mod options;
pub mod profile;
pub mod roster;
pub mod store;
pub mod transfers;
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

stored_text! {
    /// Where a member's organizational relationship is (`party_members.status`).
    #[schema(description = "组织关系：正常（在本局）、转出（已转出本局）")]
    MemberStatus {
        /// In a branch of the bureau: the membership decides the roster's political status and branch.
        Active = "正常" => "正常",
        /// Transferred out of the bureau: the membership no longer binds the roster.
        TransferredOut = "转出" => "转出",
    }
}

stored_text! {
    /// 党员类别 (`party_members.category`).
    #[schema(description = "党员类别：在职党员、离退休党员、流动党员")]
    MemberCategory {
        Serving = "在职党员" => "在职党员",
        Retired = "离退休党员" => "离退休党员",
        Mobile = "流动党员" => "流动党员",
    }
}

impl MemberCategory {
    /// What a form or request that names no category means.
    pub const DEFAULT: MemberCategory = MemberCategory::Serving;
}

stored_text! {
    /// A step of a member's history (`membership_events.kind`).
    #[schema(description = "党员历程的一步")]
    EventKind {
        Joined = "入党" => "入党",
        Confirmed = "转正" => "转正",
        TransferRequested = "申请转接" => "申请转接",
        TransferredIn = "转入" => "转入",
        TransferReturned = "转接退回" => "转接退回",
        TransferredOut = "转出" => "转出",
        /// A committee post ended because the member left its organization.
        PostReleased = "免去委员" => "免去委员",
    }
}

/// For callers that name a kind by its text: refused when unknown.
impl TryFrom<&str> for EventKind {
    type Error = String;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        EventKind::parse(text).ok_or_else(|| format!("unknown membership event kind {text:?}"))
    }
}

stored_text! {
    /// Where a transfer stands (`transfers.status`).
    #[schema(description = "转接状态：待接收、已接收、已退回（局内转接），已转出（局外转接，立即生效）")]
    TransferStatus {
        /// Inside the bureau, waiting for the receiving branch.
        Pending = "待接收" => "待接收",
        Accepted = "已接收" => "已接收",
        Returned = "已退回" => "已退回",
        /// Out of the bureau: done when requested, and the only kind with a letter.
        Out = "已转出" => "已转出",
    }
}

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
    status_for(m.full_on.is_some())
}

/// The roster's political status of a full member (`true`) or a probationary one.
pub fn status_for(full: bool) -> &'static str {
    use crate::people::PoliticalStatus;
    if full { PoliticalStatus::Member.as_str() } else { PoliticalStatus::Probationary.as_str() }
}

/// Members are placed in branches (党支部 or 联合支部), never in committees or groups.
pub fn is_branch_kind(kind: &str) -> bool {
    use crate::orgs::OrgKind;
    matches!(OrgKind::parse(kind), Some(OrgKind::Branch | OrgKind::JointBranch))
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

    #[test]
    fn stored_texts_round_trip() {
        for s in MemberStatus::ALL {
            assert_eq!(MemberStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(MemberCategory::parse("离退休党员"), Some(MemberCategory::Retired));
        assert_eq!(MemberCategory::parse("离退休"), None);
        assert_eq!(TransferStatus::Pending.as_str(), "待接收");
        assert_eq!(EventKind::try_from("免去委员"), Ok(EventKind::PostReleased));
        assert!(EventKind::try_from("免去").is_err());
        assert_eq!(serde_json::to_value(TransferStatus::Out).unwrap(), serde_json::json!("已转出"));
    }
}
