//! 出口机制: exit cases for 民警 and 辅警 who may no longer be fit for police work (the speech:
//! 对不适宜继续从事公安工作的民辅警及时交流、调离). A case is opened by hand or proposed by
//! another domain's record (a heavy sanction, an unfit 年度考核); a proposal is only a
//! proposal, people decide. The steps follow research/domain.md §6: 调查核实 → 告知 and 陈述申辩
//! (the person's statement is recorded and cannot be skipped, §6.3 本人有权陈述申辩) → 党委集体
//! 研究 with the outcome → 执行与交接 → 归档. Deadlines only where §6.2 sources them, both for
//! 辞退 (《公安机关人民警察辞退办法》): 审批机关30日内决定 and 被辞退者15日内办理交接.
//!
//! The rules live here, without a database: the statuses and their order, the outcomes of each
//! kind of person, which outcomes end the person's service (and with which roster status) and
//! which are dismissals that the statutory bars of §6.2 block. Exit cases are in the
//! discipline-and-risk sensitive class: `discipline` and `party_admin` read and work them in
//! scope, leaders see counts, the system officers nothing; every read is audited.

pub mod api;
pub mod bars;
pub mod entity;
pub mod module;
pub mod notice;
pub mod proposals;
pub mod service;
pub mod stats;
pub mod steps;
pub mod web;

use crate::db::stored_text;
use crate::people::{EmploymentStatus, PersonKind};

/// Where a case keeps a copy of its organization's path: it stays with the unit the person
/// belonged to when it was opened; moves and merges of the tree rewrite it.
pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] =
    &[crate::db::org_paths::PathColumn::new("exit_cases", "org_path").with_org_id("org_id")];

/// Days from a 辞退 decision to the end of 交接 (§6.2: 被辞退者15日内办理交接). Sourced for 辞退
/// only: the other outcomes get no invented deadline.
pub const HANDOVER_DAYS: u64 = 15;

/// Days the 审批机关 has to decide a 辞退 (§6.2: 审批机关30日内决定), counted here from the
/// day the person's 陈述申辩 was recorded, when the case goes to the decision. Only 民警 can be
/// 辞退, and the outcome is not known before the decision, so the to-do says "拟辞退的".
pub const DISMISSAL_DECISION_DAYS: u64 = 30;

/// The 交接 deadline of an outcome decided on `decided_on` (辞退 only).
pub fn handover_due(outcome: Option<Outcome>, decided_on: Option<chrono::NaiveDate>) -> Option<chrono::NaiveDate> {
    match outcome {
        Some(Outcome::Dismissal) => decided_on.and_then(|d| d.checked_add_days(chrono::Days::new(HANDOVER_DAYS))),
        _ => None,
    }
}

/// The day by which a 辞退 of a 民警 waiting for the 党委集体研究 should be decided.
pub fn dismissal_decision_due(
    person_kind: &str,
    status: Status,
    statement_on: Option<chrono::NaiveDate>,
) -> Option<chrono::NaiveDate> {
    if person_kind != PersonKind::Police.as_str() || status != Status::Committee {
        return None;
    }
    statement_on.and_then(|d| d.checked_add_days(chrono::Days::new(DISMISSAL_DECISION_DAYS)))
}

stored_text! {
    /// Where a case stands (`exit_cases.status`), in the order of the steps.
    #[schema(description = "状态：拟议（系统根据处分、考核等提出，待人工研判）、调查核实、告知与陈述申辩、党委集体研究、执行与交接、已归档、不予立案")]
    Status {
        Proposed = "拟议" => "拟议（待研判）",
        Investigating = "调查核实" => "调查核实",
        Hearing = "告知与陈述申辩" => "告知与陈述申辩",
        Committee = "党委集体研究" => "党委集体研究",
        Executing = "执行与交接" => "执行与交接",
        Archived = "已归档" => "已归档",
        Declined = "不予立案" => "不予立案",
    }
}

impl Status {
    /// Still being worked (a to-do for someone).
    pub fn open(self) -> bool {
        !matches!(self, Status::Archived | Status::Declined)
    }
}

stored_text! {
    /// What opened the case (`exit_cases.source_kind`); `source_ref` names the record when there is one.
    #[schema(description = "来源：手动、处分（source_ref 为处分记录编号）、考核不称职（source_ref 为考核记录编号）、排查发现、躺平摆烂")]
    SourceKind {
        Manual = "手动" => "手动立案",
        Sanction = "处分" => "受党纪政务重处分",
        Appraisal = "考核不称职" => "年度考核不称职（不合格）",
        Screening = "排查发现" => "队伍隐患排查发现",
        Inaction = "躺平摆烂" => "躺平摆烂、不担当不作为",
    }
}

impl SourceKind {
    /// What `source_ref` names, and the page that shows it (when there is one).
    pub fn record(self, id: &i32) -> (String, Option<String>) {
        match self {
            SourceKind::Sanction => (format!("处分记录 #{id}"), Some(format!("/discipline/{id}"))),
            SourceKind::Appraisal => (format!("考核记录 #{id}"), None),
            SourceKind::Screening | SourceKind::Inaction => {
                (format!("风险提示 #{id}"), Some(format!("/risk/flags/{id}")))
            }
            SourceKind::Manual => (format!("记录 #{id}"), None),
        }
    }
}

stored_text! {
    /// The decision (`exit_cases.outcome`): §6.2 for 民警, §6.3 for 辅警.
    #[schema(description = "处理结果。民警：教育帮扶观察、岗位调整、交流、调离公安队伍、辞退、开除；辅警：教育帮扶、调岗、解除劳动合同、退回派遣")]
    Outcome {
        Observation = "教育帮扶观察" => "教育帮扶观察",
        PostAdjustment = "岗位调整" => "岗位调整",
        Exchange = "交流" => "交流",
        TransferOut = "调离公安队伍" => "调离公安队伍",
        Dismissal = "辞退" => "辞退",
        Expulsion = "开除" => "开除",
        AuxEducation = "教育帮扶" => "教育帮扶",
        AuxPostChange = "调岗" => "调岗",
        ContractEnded = "解除劳动合同" => "解除劳动合同",
        ReturnedToAgency = "退回派遣" => "退回劳务派遣机构",
    }
}

impl Outcome {
    pub const POLICE: [Outcome; 6] = [
        Outcome::Observation,
        Outcome::PostAdjustment,
        Outcome::Exchange,
        Outcome::TransferOut,
        Outcome::Dismissal,
        Outcome::Expulsion,
    ];
    pub const AUXILIARY: [Outcome; 4] =
        [Outcome::AuxEducation, Outcome::AuxPostChange, Outcome::ContractEnded, Outcome::ReturnedToAgency];

    /// The outcomes open to a kind of person (none for 工勤, who are no 民辅警).
    pub fn of(kind: PersonKind) -> &'static [Outcome] {
        match kind {
            PersonKind::Police => &Outcome::POLICE,
            PersonKind::Auxiliary => &Outcome::AUXILIARY,
            PersonKind::Worker => &[],
        }
    }

    /// The roster status an executed outcome leaves the person in: the outcomes that take them
    /// out of the police (调离, 辞退, 开除, and for a 辅警 the end of the contract or the return
    /// to the agency, which the roster records as such — not as 离职, which reads like leaving
    /// of one's own accord, nor as a 民警's 辞退).
    pub fn ends_service(self) -> Option<EmploymentStatus> {
        match self {
            Outcome::TransferOut => Some(EmploymentStatus::TransferredAway),
            Outcome::Dismissal => Some(EmploymentStatus::Dismissed),
            Outcome::Expulsion => Some(EmploymentStatus::Expelled),
            Outcome::ContractEnded => Some(EmploymentStatus::ContractEnded),
            Outcome::ReturnedToAgency => Some(EmploymentStatus::ReturnedToAgency),
            _ => None,
        }
    }

    /// A dismissal that the statutory bars block: 辞退 (公务员法, §6.2 不得辞退), and for a 辅警,
    /// by analogy, ending the contract or returning them to the agency. 开除 is a sanction
    /// (政务处分), not a dismissal, and is not blocked.
    pub fn dismissal(self) -> bool {
        matches!(self, Outcome::Dismissal | Outcome::ContractEnded | Outcome::ReturnedToAgency)
    }
}

stored_text! {
    /// A statutory bar recorded on a case (`exit_case_bars.kind`), §6.2: 不得辞退 因公致残丧失或
    /// 部分丧失工作能力的; 患病或者负伤在规定的医疗期内的; 女性在孕期、产假、哺乳期内的.
    #[schema(description = "不得辞退的法定情形：因公致残、医疗期内、孕期、产假、哺乳期")]
    Bar {
        InjuryOnDuty = "因公致残" => "因公致残，丧失或部分丧失工作能力",
        MedicalPeriod = "医疗期内" => "患病或负伤，在规定的医疗期内",
        Pregnancy = "孕期" => "女性在孕期内",
        Maternity = "产假" => "女性在产假内",
        Nursing = "哺乳期" => "女性在哺乳期内",
    }
}

/// Whether `outcome` may be decided for `kind`, with the Chinese reason when not.
pub fn check_outcome(kind: PersonKind, outcome: Outcome) -> Result<(), String> {
    if Outcome::of(kind).contains(&outcome) {
        return Ok(());
    }
    let allowed: Vec<&str> = Outcome::of(kind).iter().map(|o| o.as_str()).collect();
    Err(format!(
        "“{}”不适用于{}，{}的处理结果可选：{}",
        outcome.as_str(),
        kind.as_str(),
        kind.as_str(),
        allowed.join("、")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_kind_of_person() {
        assert!(check_outcome(PersonKind::Police, Outcome::TransferOut).is_ok());
        assert!(check_outcome(PersonKind::Auxiliary, Outcome::ContractEnded).is_ok());
        let wrong = check_outcome(PersonKind::Auxiliary, Outcome::Dismissal).unwrap_err();
        assert!(wrong.contains("不适用于辅警"), "{wrong}");
        assert!(check_outcome(PersonKind::Police, Outcome::ReturnedToAgency).is_err());
        assert!(check_outcome(PersonKind::Worker, Outcome::Observation).is_err());
    }

    #[test]
    fn only_leaving_outcomes_end_service_and_only_dismissals_meet_the_bars() {
        assert_eq!(Outcome::TransferOut.ends_service(), Some(EmploymentStatus::TransferredAway));
        assert_eq!(Outcome::Dismissal.ends_service(), Some(EmploymentStatus::Dismissed));
        assert_eq!(Outcome::Expulsion.ends_service(), Some(EmploymentStatus::Expelled));
        assert_eq!(Outcome::ReturnedToAgency.ends_service(), Some(EmploymentStatus::ReturnedToAgency));
        assert_eq!(Outcome::ContractEnded.ends_service(), Some(EmploymentStatus::ContractEnded));
        assert_eq!(Outcome::Exchange.ends_service(), None);
        assert!(Outcome::Dismissal.dismissal() && Outcome::ContractEnded.dismissal());
        assert!(!Outcome::Expulsion.dismissal() && !Outcome::TransferOut.dismissal());
    }

    #[test]
    fn deadlines_only_where_sourced_for_dismissal() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 1);
        assert_eq!(handover_due(Some(Outcome::Dismissal), d), chrono::NaiveDate::from_ymd_opt(2026, 5, 16));
        assert_eq!(handover_due(Some(Outcome::TransferOut), d), None);
        assert_eq!(handover_due(Some(Outcome::ContractEnded), d), None);
        assert_eq!(dismissal_decision_due("民警", Status::Committee, d), chrono::NaiveDate::from_ymd_opt(2026, 5, 31));
        assert_eq!(dismissal_decision_due("辅警", Status::Committee, d), None);
        assert_eq!(dismissal_decision_due("民警", Status::Hearing, d), None);
    }
}
