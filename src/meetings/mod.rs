//! 组织生活: meeting records (三会一课, 主题党日, 组织生活会, 民主生活会, 民主评议党员, 谈心谈话,
//! 专题讨论) recorded once by the branch, with attendance prefilled from membership history;
//! reviewed by a higher organization; compliance, the six-months facts and the reminders are
//! derived from the records. Never check-ins, photos, study minutes or rankings (国办函〔2026〕12号).
//!
//! Files: `rules` (pure rules: periods, quorum, the one-third 优秀 cap), `similar` (MinHash of
//! minutes), `attendance` (who is expected), `service` (record, submit, review, versions),
//! `compliance` (due/held/missing by subtree, reminders), `outputs` (.docx, calendar, profile
//! section, the org-life facts for the membership review), `presence` (each person's latest
//! presence and absence, kept on approval), `web`, `api`, `module`.

pub mod api;
pub mod attendance;
pub mod compliance;
pub mod entity;
pub mod listing;
pub mod module;
pub mod outputs;
pub mod presence;
pub mod rules;
pub mod service;
pub mod similar;
pub mod talks;
pub mod types;
pub mod web;
pub mod web_rules;
pub mod workflow;

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::db::stored_text;
use crate::error::AppResult;
use crate::state::AppState;

pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] = {
    use crate::db::org_paths::PathColumn;
    &[
        // A record belongs to the organization that held it; it follows moves, and on a merge
        // stays with the dissolved organization (history of what that organization did).
        PathColumn::new("meetings", "org_path").with_org_id("org_id").kept_on_merge(),
        PathColumn::new("meeting_followups", "org_path").with_org_id("org_id"),
    ]
};

stored_text! {
    /// Where a record is in its workflow (`meetings.status`).
    #[schema(description = "状态：计划（尚未召开）、草稿、已提交（待上级审阅）、已退回（附意见）、已通过、已归档、已被新版本替代")]
    Status {
        Planned = "计划" => "计划",
        Draft = "草稿" => "草稿",
        Submitted = "已提交" => "已提交，待审阅",
        Returned = "已退回" => "已退回",
        Approved = "已通过" => "已通过",
        Archived = "已归档" => "已归档",
        Superseded = "已替代" => "已被新版本替代",
    }
}

impl Status {
    /// The record counts as held (compliance, attendance history).
    pub fn counts(self) -> bool {
        matches!(self, Status::Approved | Status::Archived)
    }

    /// The branch may still change it in place.
    pub fn editable(self) -> bool {
        matches!(self, Status::Planned | Status::Draft | Status::Returned)
    }
}

/// How someone attended (`meeting_attendees.status`).
pub const ATTEND: &[&str] = &["出席", "远程", "请假", "缺席", "未登记"];
/// Counts as present: in the room, or remotely for an officer on duty.
pub fn present(status: &str) -> bool {
    status == "出席" || status == "远程"
}

pub const FULL: &str = "正式党员";
pub const PROBATIONARY: &str = "预备党员";
pub const NON_MEMBER: &str = "非党员";

/// 民主评议党员 grades (§4.2).
pub const GRADES: &[&str] = &["优秀", "合格", "基本合格", "不合格"];

/// The people barred on `on`, among `person_ids`, read from the discipline records in effect
/// that day (`discipline::store::in_effect`): under 留党察看 no vote; under a sanction whose
/// influence period bars 评优 (research/domain.md §5.6) not 优秀 in 民主评议.
pub async fn bars(state: &AppState, person_ids: &[i32], on: NaiveDate) -> AppResult<Bars> {
    let effects = crate::discipline::store::in_effect(&state.db, person_ids, on).await?;
    let mut out = Bars::default();
    for (person, list) in effects {
        if list.iter().any(|e| e.bars.no_vote) {
            out.no_vote.insert(person);
        }
        if list.iter().any(|e| e.bars.no_excellent) {
            out.not_excellent.insert(person);
        }
    }
    Ok(out)
}

/// Who a sanction bars, by what it bars.
#[derive(Debug, Clone, Default)]
pub struct Bars {
    /// Under 留党察看: no vote, no right to elect or be elected.
    pub no_vote: HashSet<i32>,
    /// Under any sanction's influence period: cannot be graded 优秀.
    pub not_excellent: HashSet<i32>,
}
