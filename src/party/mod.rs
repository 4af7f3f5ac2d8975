//! Party membership (党员档案): admission as probationary member, full membership after the
//! one-year probation, transfers of the organizational relationship, dues and the letter for a
//! transfer out of the bureau. A member's political status on the roster is derived from here,
//! never typed twice.
//!
//! One file per use case: `membership` (register, confirm full membership, the history, what the
//! roster may not change, the probation reminders), `transfers`, `transfer_in` (a transfer in
//! from outside the bureau with its incoming letter), `committees` (posts, member counts and
//! size warnings of an organization; posts end when members leave or the tree changes, through
//! [`crate::module::TreeRules`]), `groups` (党小组: who belongs to which group of their branch
//! and who leads it; a place ends with the posts), `options` (the pickers), `dues/`, `letter`
//! (the numbered letter of a transfer out, its receipt and reminder); `store` holds the queries
//! other use cases and domains need; `roster` is what the roster (`people`) gets of Party rules,
//! through [`crate::module::RosterRules`]. Handlers mirror it in `web/` and `api/`.

use crate::db::stored_text;

pub mod api;
pub mod committees;
pub mod dues;
pub mod ending;
pub mod entity;
pub mod groups;
pub mod incomplete;
pub mod lapse;
pub mod letter;
pub mod membership;
pub mod module;
pub mod options;
pub mod profile;
pub mod roster;
pub mod stints;
pub mod store;
pub mod transfer_in;
pub mod transfers;
pub mod unit_move;
pub mod web;

use chrono::{Months, NaiveDate};

/// Where membership keeps copies of organization paths: `crate::db::org_paths` rewrites them
/// when the tree changes. A membership follows a merge of its branch; a transfer is a record of
/// what happened and stays with the organizations it named (a merge refuses pending transfers).
pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] = {
    use crate::db::org_paths::PathColumn;
    &[
        PathColumn::new("party_members", "branch_path").with_org_id("branch_id"),
        PathColumn::new("member_stints", "branch_path").with_org_id("branch_id"),
        PathColumn::new("transfers", "from_path").with_org_id("from_org_id").kept_on_merge(),
        PathColumn::new("transfers", "to_path").with_org_id("to_org_id").kept_on_merge(),
        PathColumn::new("transfers_in", "branch_path").with_org_id("branch_id").kept_on_merge(),
    ]
};

stored_text! {
    /// Where a member's organizational relationship is (`party_members.status`).
    #[schema(description = "组织关系：正常（在本局）、转出（已转出本局）、终止（去世、出党、退党、取消预备党员资格，见 `end_kind`）、\
        停止党籍")]
    MemberStatus {
        /// In a branch of the bureau: the membership decides the roster's political status and branch.
        Active = "正常" => "正常",
        /// Transferred out of the bureau: the membership no longer binds the roster.
        TransferredOut = "转出" => "转出",
        /// Ended (`end_kind` says how): kept as history, counted nowhere from the month after.
        Ended = "终止" => "党籍终止",
        /// 停止党籍: not counted as a member from the month after, restorable by the rules.
        Suspended = "停止党籍" => "停止党籍",
    }
}

stored_text! {
    /// How a membership ended (`party_members.end_kind`): 去世; 出党 by 除名, 开除党籍, 自行脱党
    /// (除名 after 党章第九条's six months) or 劝退后除名; 退党; 取消预备党员资格; or 停止党籍, which
    /// stops rather than ends it.
    #[schema(description = "党籍终止的方式：去世；出党（除名、开除党籍、自行脱党、劝退除名）；退党；取消预备党员资格；停止党籍")]
    EndKind {
        Died = "去世" => "去世",
        Removed = "除名" => "除名",
        Expelled = "开除党籍" => "开除党籍",
        Lapsed = "自行脱党" => "自行脱党（除名）",
        Persuaded = "劝退除名" => "劝退后除名",
        Withdrew = "退党" => "退党",
        Cancelled = "取消预备党员资格" => "取消预备党员资格",
        Stopped = "停止党籍" => "停止党籍",
    }
}

impl EndKind {
    /// A kind as a request or form names it: the stored text, or the longer name in use
    /// (自行脱党处理, 劝退后除名); `None` when unknown.
    pub fn from_input(text: &str) -> Option<EndKind> {
        match text.trim() {
            "自行脱党处理" | "自行脱党除名" => Some(EndKind::Lapsed),
            "劝退后除名" => Some(EndKind::Persuaded),
            "死亡" => Some(EndKind::Died),
            t => EndKind::parse(t),
        }
    }

    /// Whether the person leaves the Party (出党, 退党, 取消资格, and 停止党籍 while it lasts):
    /// the roster's political status becomes 群众. A member who died stays one in the record.
    pub fn leaves_party(self) -> bool {
        self != EndKind::Died
    }

    /// Whose decision it is, for the form's hint and the check that one is named.
    pub fn needs_decision(self) -> bool {
        self != EndKind::Died
    }

    /// The membership's status afterwards.
    pub fn status(self) -> MemberStatus {
        if self == EndKind::Stopped { MemberStatus::Suspended } else { MemberStatus::Ended }
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
        Extended = "延长预备期" => "延长预备期",
        Ended = "党籍终止" => "党籍终止",
        CategoryChanged = "类别变更" => "党员类别变更",
        /// The secretary's review under the six months' rule (党章第九条).
        LapseReviewed = "脱党核查" => "脱党核查",
        Suspended = "停止党籍" => "停止党籍",
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

/// Probation ends one year after admission (《中国共产党章程》第七条), or when its one extension
/// ends; the 转正 date is that day, whatever day the 支部大会 met.
pub fn probation_end(joined: NaiveDate, extended_months: Option<u32>) -> NaiveDate {
    joined.checked_add_months(Months::new(12 + extended_months.unwrap_or(0))).unwrap_or(joined)
}

/// An extension of the probation (党章第七条): at least six months, at most a year.
pub const EXTENSION_MONTHS: std::ops::RangeInclusive<u32> = 6..=12;

/// The extension a 转正 date implies, for members registered after the fact: `Ok(None)` for the
/// end of the year, `Ok(Some(months))` for the end of an extension, the reason otherwise.
pub fn extension_for(joined: NaiveDate, full: NaiveDate) -> Result<Option<u32>, String> {
    if full == probation_end(joined, None) {
        return Ok(None);
    }
    if let Some(m) = EXTENSION_MONTHS.clone().find(|m| full == probation_end(joined, Some(*m))) {
        return Ok(Some(m));
    }
    Err(format!(
        "转正日期为预备期满之日：入党 {joined} 的应为 {}；延长预备期的为延长期满之日（{} 至 {} 之间的对应日）",
        probation_end(joined, None),
        probation_end(joined, Some(*EXTENSION_MONTHS.start())),
        probation_end(joined, Some(*EXTENSION_MONTHS.end())),
    ))
}

/// A member's probation end, with their extension if any.
pub fn member_probation_end(m: &entity::member::Model) -> NaiveDate {
    probation_end(m.joined_on, m.extended_months.and_then(|n| u32::try_from(n).ok()))
}

/// The roster's political status that a membership implies: a member who left the Party (or
/// whose membership is stopped) is 群众; one who died stays what they were.
pub fn political_status(m: &entity::member::Model) -> &'static str {
    if m.end_kind.is_some_and(EndKind::leaves_party) {
        return crate::people::PoliticalStatus::Masses.as_str();
    }
    status_for(is_full(m))
}

/// A full member: 转正 on a known date, or one whose date is still to be completed (待补录).
pub fn is_full(m: &entity::member::Model) -> bool {
    m.full_on.is_some() || m.full_on_unknown
}

/// The query condition of [`is_full`].
pub fn full_condition() -> sea_orm::Condition {
    use entity::member::Column;
    use sea_orm::ColumnTrait;
    sea_orm::Condition::any().add(Column::FullOn.is_not_null()).add(Column::FullOnUnknown.eq(true))
}

/// The query condition of a probationary member (not [`is_full`]).
pub fn probationary_condition() -> sea_orm::Condition {
    use entity::member::Column;
    use sea_orm::ColumnTrait;
    sea_orm::Condition::all().add(Column::FullOn.is_null()).add(Column::FullOnUnknown.eq(false))
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
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let joined = d(2024, 2, 29);
        assert_eq!(probation_end(joined, None), d(2025, 2, 28));
        assert_eq!(probation_end(joined, Some(12)), d(2026, 2, 28));
        // Admitted 2025-01-10: 转正 2026-01-10, whatever day the meeting was.
        assert_eq!(extension_for(d(2025, 1, 10), d(2026, 1, 10)), Ok(None));
        assert_eq!(extension_for(d(2025, 1, 10), d(2026, 7, 10)), Ok(Some(6)));
        assert_eq!(extension_for(d(2025, 1, 10), d(2027, 1, 10)), Ok(Some(12)));
        // Inside the year, an extension under six months, or past the longest: no rule allows it.
        assert!(extension_for(d(2025, 1, 10), d(2026, 1, 9)).is_err());
        assert!(extension_for(d(2025, 1, 10), d(2026, 1, 15)).is_err());
        assert!(extension_for(d(2025, 1, 10), d(2026, 5, 10)).is_err());
        assert!(extension_for(d(2025, 1, 10), d(2027, 2, 10)).is_err());
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
        assert_eq!(EndKind::from_input("劝退后除名"), Some(EndKind::Persuaded));
        assert_eq!(EndKind::from_input(" 开除党籍 "), Some(EndKind::Expelled));
        assert_eq!(EndKind::from_input("开除"), None);
        assert_eq!(EndKind::Stopped.status(), MemberStatus::Suspended);
        assert!(!EndKind::Died.leaves_party());
        assert!(EventKind::try_from("免去").is_err());
        assert_eq!(serde_json::to_value(TransferStatus::Out).unwrap(), serde_json::json!("已转出"));
    }
}
