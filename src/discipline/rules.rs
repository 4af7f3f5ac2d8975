//! The rules of a record, without a database: kinds and their systems, heavy or light, the
//! 四种形态 form, the influence period and its end, and the bars in effect on a date.
//!
//! Sources (research/domain.md): §5.5 for the forms and the heavy/light split of 政务处分
//! (轻 = 警告、记过、记大过; 重 = 降级、撤职、开除) and of 党纪处分 (轻 = 警告、严重警告, the second
//! form; 重 = 撤销党内职务、留党察看、开除党籍, the third); §5.6 for the periods: 党纪 警告 1 year,
//! 严重警告 18 months, 撤销党内职务 2 years, 留党察看 its length (1 or 2 years) with no vote, and
//! after it 2 more years without a post as high; 开除党籍 5 years before re-admission; 政务处分
//! 警告 6, 记过 12, 记大过 18, 降级 and 撤职 24 months, counted from the effective date; 受警告当年
//! 不得定为优秀. Where domain.md gives no period (组织处理, 问责通报, 督察措施, 辅警处理, the first
//! form) none is computed: the record counts in statistics and history but bars nothing by date.

use chrono::{Datelike, Months, NaiveDate};

use crate::db::stored_text;

stored_text! {
    /// The system a record belongs to (`sanctions.category` is derived from the kind, kept for
    /// statistics).
    #[schema(description = "类别：党纪处分、政务处分、组织处理、问责、督察措施、辅警处理、提醒教育（第一种形态）、移送司法")]
    Category {
        Party = "党纪处分" => "党纪处分",
        Government = "政务处分" => "政务处分",
        Organizational = "组织处理" => "组织处理",
        Accountability = "问责" => "问责",
        Inspection = "督察措施" => "督察措施",
        Auxiliary = "辅警处理" => "辅警处理",
        Reminder = "提醒教育" => "提醒教育",
        Referral = "移送司法" => "移送司法",
    }
}

stored_text! {
    /// What was decided (`sanctions.kind`). The stored text is unique across systems: 警告 of
    /// the Party is 党纪警告, of the government 政务警告, of the 辅警 rules 辅警警告.
    #[schema(description = "处分或处理的种类（存储的文字在各类别间唯一：党纪警告、政务警告、辅警警告……）")]
    Kind {
        PartyWarning = "党纪警告" => "警告（党纪）",
        SeriousWarning = "严重警告" => "严重警告",
        PartyPostRemoval = "撤销党内职务" => "撤销党内职务",
        Probation = "留党察看" => "留党察看",
        Expulsion = "开除党籍" => "开除党籍",
        GovWarning = "政务警告" => "警告（政务）",
        Demerit = "记过" => "记过",
        MajorDemerit = "记大过" => "记大过",
        Demotion = "降级" => "降级",
        Dismissal = "撤职" => "撤职",
        Discharge = "开除" => "开除",
        Admonition = "诫勉" => "诫勉",
        Suspension = "停职检查" => "停职检查",
        PostAdjustment = "调整职务" => "调整职务",
        OrderedResignation = "责令辞职" => "责令辞职",
        Removal = "免职" => "免职",
        RankDemotion = "降职" => "降职",
        Bulletin = "通报批评" => "通报批评（问责）",
        Confinement = "禁闭" => "禁闭",
        DutySuspension = "停止执行职务" => "停止执行职务",
        RemovedFromScene = "带离现场" => "带离现场",
        AuxEducation = "辅警批评教育" => "批评教育（辅警）",
        AuxWarning = "辅警警告" => "警告（辅警）",
        AuxDemerit = "辅警记过" => "记过（辅警）",
        AuxDemotion = "辅警降级" => "降级（辅警）",
        ContractEnded = "解除劳动合同" => "解除劳动合同",
        Talk = "谈话提醒" => "谈话提醒",
        Criticism = "批评教育" => "批评教育",
        SelfExamination = "责令检查" => "责令检查",
        Referral = "移送司法机关" => "移送司法机关",
    }
}

stored_text! {
    /// Whether a decision stands (`sanctions.status`). A record 撤销 or 变更 on appeal keeps its
    /// row and history; its effects are void, and a 变更 points to the record that replaced it.
    #[schema(description = "状态：有效；已撤销（申诉复查撤销，效果作废）；已变更（改为另一种处分，见 `replaced_by`）")]
    Status {
        Standing = "有效" => "有效",
        Revoked = "已撤销" => "已撤销",
        Changed = "已变更" => "已变更",
    }
}

stored_text! {
    /// Where the case came from (`sanctions.source`).
    #[schema(description = "线索来源")]
    Source {
        Petition = "信访举报" => "信访举报",
        Tour = "巡察" => "巡察",
        Audit = "审计" => "审计",
        Enforcement = "执法监督" => "执法监督",
        Inspection = "督察" => "督察",
        Trial = "案件审理" => "案件审理",
        Other = "其他" => "其他",
    }
}

stored_text! {
    /// The ground of an accountability case (`sanctions.ground`), when it is one.
    #[schema(description = "问责情形：躺平摆烂、不担当不作为；落实管党治警责任不力；其他问责情形")]
    Ground {
        Inaction = "躺平摆烂、不担当不作为" => "躺平摆烂、不担当不作为",
        Responsibility = "落实管党治警责任不力" => "落实管党治警责任不力",
        Other = "其他问责情形" => "其他问责情形",
    }
}

/// 四种形态 (§5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Form {
    First,
    Second,
    Third,
    Fourth,
}

impl Form {
    pub const ALL: [Form; 4] = [Form::First, Form::Second, Form::Third, Form::Fourth];

    pub fn label(self) -> &'static str {
        match self {
            Form::First => "第一种形态",
            Form::Second => "第二种形态",
            Form::Third => "第三种形态",
            Form::Fourth => "第四种形态",
        }
    }

    pub fn number(self) -> u8 {
        self as u8 + 1
    }
}

/// Heavy or light (the seed's 党纪政务重处分), for the two sanction ladders and the 辅警 rules;
/// other dispositions are no 处分.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Heavy,
    Light,
    NotSanction,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Heavy => "重处分",
            Class::Light => "轻处分",
            Class::NotSanction => "非处分",
        }
    }
}

impl Kind {
    pub fn category(self) -> Category {
        use Kind::*;
        match self {
            PartyWarning | SeriousWarning | PartyPostRemoval | Probation | Expulsion => Category::Party,
            GovWarning | Demerit | MajorDemerit | Demotion | Dismissal | Discharge => Category::Government,
            Admonition | Suspension | PostAdjustment | OrderedResignation | Removal | RankDemotion => {
                Category::Organizational
            }
            Bulletin => Category::Accountability,
            Confinement | DutySuspension | RemovedFromScene => Category::Inspection,
            AuxEducation | AuxWarning | AuxDemerit | AuxDemotion | ContractEnded => Category::Auxiliary,
            Talk | Criticism | SelfExamination => Category::Reminder,
            Referral => Category::Referral,
        }
    }

    /// The name without its system (警告 for all three warnings): what the API and forms take
    /// together with a category, and what a bulletin prints.
    pub fn short(self) -> &'static str {
        match self {
            Kind::PartyWarning | Kind::GovWarning | Kind::AuxWarning => "警告",
            Kind::AuxDemerit => "记过",
            Kind::AuxDemotion => "降级",
            Kind::AuxEducation => "批评教育",
            k => k.as_str(),
        }
    }

    /// The 四种形态 form (§5.5); `None` for the 督察 measures, which are on-the-spot police
    /// measures outside the four forms. 辅警 measures by analogy: education first, warning and
    /// 记过 second, 降级 and the end of the contract third (no source names them).
    pub fn form(self) -> Option<Form> {
        use Kind::*;
        match self {
            Talk | Criticism | SelfExamination | Admonition | Bulletin | AuxEducation => Some(Form::First),
            PartyWarning | SeriousWarning | GovWarning | Demerit | MajorDemerit | Suspension | PostAdjustment
            | OrderedResignation | Removal | AuxWarning | AuxDemerit => Some(Form::Second),
            PartyPostRemoval | Probation | Expulsion | Demotion | Dismissal | Discharge | RankDemotion
            | AuxDemotion | ContractEnded => Some(Form::Third),
            Referral => Some(Form::Fourth),
            Confinement | DutySuspension | RemovedFromScene => None,
        }
    }

    /// Heavy or light (§5.5): 政务 降级、撤职、开除 and 党纪 撤销党内职务、留党察看、开除党籍 are
    /// heavy; 政务 警告、记过、记大过 and 党纪 警告、严重警告 light; 辅警 by analogy.
    pub fn class(self) -> Class {
        use Kind::*;
        match self {
            PartyPostRemoval | Probation | Expulsion | Demotion | Dismissal | Discharge | AuxDemotion
            | ContractEnded => Class::Heavy,
            PartyWarning | SeriousWarning | GovWarning | Demerit | MajorDemerit | AuxWarning | AuxDemerit => {
                Class::Light
            }
            _ => Class::NotSanction,
        }
    }

    /// Kinds only a 民警 (a civil servant) can receive, and kinds only a 辅警 can.
    pub fn police_only(self) -> bool {
        self.category() == Category::Government || self.category() == Category::Inspection
    }

    pub fn auxiliary_only(self) -> bool {
        self.category() == Category::Auxiliary
    }

    /// Whether the kind needs a Party member (党纪处分).
    pub fn needs_membership(self) -> bool {
        self.category() == Category::Party
    }

    /// Finds a kind by what a request names: the stored text (记大过, 党纪警告), or a short name
    /// with its category (警告 + 政务处分). An unqualified 警告, 记过, 降级 is resolved by the
    /// person: a 辅警's is the 辅警 measure; a 民警's 警告 needs the category. `Err` says why.
    pub fn resolve(text: &str, category: Option<Category>, auxiliary: bool) -> Result<Kind, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("请选择处分或处理的种类".into());
        }
        let matching: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.as_str() == text || k.short() == text || k.label() == text)
            .filter(|k| category.is_none_or(|c| k.category() == c))
            .collect();
        match matching.as_slice() {
            [one] => Ok(*one),
            [] => {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                Err(match category {
                    Some(c) => format!("“{text}”不是{}的种类", c.label()),
                    None => format!("种类“{text}”无效，可选：{}", names.join("、")),
                })
            }
            many => {
                if auxiliary && let Some(aux) = many.iter().find(|k| k.category() == Category::Auxiliary) {
                    return Ok(*aux);
                }
                if let Some(exact) = many.iter().find(|k| k.as_str() == text) {
                    return Ok(*exact);
                }
                let cats: Vec<&str> = many.iter().map(|k| k.category().label()).collect();
                Err(format!("“{text}”在{}中都有，请同时指明类别（category）", cats.join("、")))
            }
        }
    }
}

/// How long a record's influence lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// No period in domain.md: the record bars nothing by date.
    None,
    Months(u32),
    /// Ends the employment (开除, 解除劳动合同): in effect from then on.
    Permanent,
}

/// The influence period of a kind (§5.6); 留党察看 by its length in years.
pub fn period(kind: Kind, probation_years: Option<u8>) -> Period {
    use Kind::*;
    match kind {
        PartyWarning => Period::Months(12),
        SeriousWarning => Period::Months(18),
        PartyPostRemoval => Period::Months(24),
        Probation => Period::Months(12 * u32::from(probation_years.unwrap_or(1))),
        Expulsion => Period::Months(60),
        GovWarning => Period::Months(6),
        Demerit => Period::Months(12),
        MajorDemerit => Period::Months(18),
        Demotion | Dismissal => Period::Months(24),
        Discharge | ContractEnded => Period::Permanent,
        _ => Period::None,
    }
}

/// The day the influence period ends (counted from the effective date; the record is in effect
/// before that day): 记大过 effective 2025-03-01 → 2026-09-01. `None` when there is no period or
/// it never ends.
pub fn influence_until(kind: Kind, effective_on: NaiveDate, probation_years: Option<u8>) -> Option<NaiveDate> {
    match period(kind, probation_years) {
        Period::Months(m) => effective_on.checked_add_months(Months::new(m)),
        Period::None | Period::Permanent => None,
    }
}

/// What a standing record bars on a date (all false when it bars nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(description = "某日仍在影响期内的处分带来的限制")]
pub struct Bars {
    /// 留党察看 during its probation: no vote, no election, not electable.
    pub no_vote: bool,
    /// Not to be graded 优秀 in 民主评议 or 年度考核.
    pub no_excellent: bool,
    pub no_promotion: bool,
    pub no_commendation: bool,
}

impl Bars {
    pub fn any(self) -> bool {
        self.no_vote || self.no_excellent || self.no_promotion || self.no_commendation
    }
}

/// What a standing record of `kind`, effective on `effective_on`, bars on `on`.
pub fn bars_on(kind: Kind, effective_on: NaiveDate, probation_years: Option<u8>, on: NaiveDate) -> Bars {
    if on < effective_on {
        return Bars::default();
    }
    let in_period = match period(kind, probation_years) {
        Period::None => false,
        Period::Permanent => true,
        Period::Months(_) => influence_until(kind, effective_on, probation_years).is_some_and(|end| on < end),
    };
    // 留党察看: after the probation, 2 years without a post as high as before (§5.6).
    let after_probation = kind == Kind::Probation
        && influence_until(kind, effective_on, probation_years)
            .and_then(|end| end.checked_add_months(Months::new(24)))
            .is_some_and(|end| on < end);
    // 受警告当年不得定为优秀 (§5.6, 公务员考核规定): the whole calendar year of the warning.
    let warning_year = kind == Kind::GovWarning && on.year() == effective_on.year();
    Bars {
        no_vote: in_period && kind == Kind::Probation,
        no_excellent: in_period || warning_year,
        no_promotion: in_period || after_probation,
        no_commendation: in_period,
    }
}

/// What a record's influence says in words: "至 2026-09-01（18 个月）", "长期", "无影响期".
pub fn period_text(kind: Kind, effective_on: NaiveDate, probation_years: Option<u8>) -> String {
    match period(kind, probation_years) {
        Period::None => "无影响期".into(),
        Period::Permanent => "长期（解除公职或劳动关系）".into(),
        Period::Months(m) => match influence_until(kind, effective_on, probation_years) {
            Some(end) => format!("至 {end}（{m} 个月）"),
            None => format!("{m} 个月"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_follow_the_regulations() {
        // 政务处分法: 警告 6, 记过 12, 记大过 18, 降级/撤职 24 months from the effective date.
        let on = d(2025, 3, 1);
        assert_eq!(influence_until(Kind::MajorDemerit, on, None), Some(d(2026, 9, 1)));
        assert_eq!(influence_until(Kind::GovWarning, on, None), Some(d(2025, 9, 1)));
        assert_eq!(influence_until(Kind::Demerit, on, None), Some(d(2026, 3, 1)));
        assert_eq!(influence_until(Kind::Demotion, on, None), Some(d(2027, 3, 1)));
        assert_eq!(influence_until(Kind::Dismissal, on, None), Some(d(2027, 3, 1)));
        // 党纪: 警告 1 year, 严重警告 18 months, 撤销党内职务 2 years, 留党察看 its length.
        assert_eq!(influence_until(Kind::PartyWarning, on, None), Some(d(2026, 3, 1)));
        assert_eq!(influence_until(Kind::SeriousWarning, on, None), Some(d(2026, 9, 1)));
        assert_eq!(influence_until(Kind::PartyPostRemoval, on, None), Some(d(2027, 3, 1)));
        assert_eq!(influence_until(Kind::Probation, on, Some(2)), Some(d(2027, 3, 1)));
        assert_eq!(influence_until(Kind::Probation, on, Some(1)), Some(d(2026, 3, 1)));
        assert_eq!(influence_until(Kind::Expulsion, on, None), Some(d(2030, 3, 1)));
        // Month ends: 8-31 plus 6 months is the last day of February.
        assert_eq!(influence_until(Kind::GovWarning, d(2025, 8, 31), None), Some(d(2026, 2, 28)));
        assert_eq!(influence_until(Kind::Discharge, on, None), None);
        assert_eq!(influence_until(Kind::Talk, on, None), None);
    }

    #[test]
    fn a_major_demerit_bars_until_its_end_and_probation_also_the_vote() {
        let on = d(2025, 3, 1);
        let b = bars_on(Kind::MajorDemerit, on, None, d(2026, 6, 1));
        assert_eq!(b, Bars { no_vote: false, no_excellent: true, no_promotion: true, no_commendation: true });
        assert!(!bars_on(Kind::MajorDemerit, on, None, d(2026, 9, 1)).any(), "ends on its last day");
        assert!(bars_on(Kind::MajorDemerit, on, None, d(2026, 8, 31)).any());
        assert!(!bars_on(Kind::MajorDemerit, on, None, d(2025, 2, 28)).any(), "not before it takes effect");

        let p = bars_on(Kind::Probation, on, Some(1), d(2025, 12, 1));
        assert!(p.no_vote && p.no_excellent && p.no_promotion && p.no_commendation);
        // After the year: vote restored, but 2 more years without promotion to as high a post.
        let after = bars_on(Kind::Probation, on, Some(1), d(2026, 6, 1));
        assert_eq!(after, Bars { no_promotion: true, ..Bars::default() });
        assert!(!bars_on(Kind::Probation, on, Some(1), d(2028, 3, 1)).any());
    }

    #[test]
    fn a_government_warning_bars_excellent_for_its_calendar_year() {
        let on = d(2025, 3, 1);
        let late = bars_on(Kind::GovWarning, on, None, d(2025, 11, 1));
        assert_eq!(late, Bars { no_excellent: true, ..Bars::default() });
        assert!(!bars_on(Kind::GovWarning, on, None, d(2026, 1, 1)).any());
        assert!(bars_on(Kind::Discharge, on, None, d(2040, 1, 1)).any(), "开除 never ends");
        assert!(!bars_on(Kind::Talk, on, None, on).any(), "谈话提醒 bars nothing");
    }

    #[test]
    fn forms_and_classes_follow_the_four_forms() {
        assert_eq!(Kind::Talk.form(), Some(Form::First));
        assert_eq!(Kind::Admonition.form(), Some(Form::First));
        assert_eq!(Kind::SeriousWarning.form(), Some(Form::Second));
        assert_eq!(Kind::MajorDemerit.form(), Some(Form::Second));
        assert_eq!(Kind::Probation.form(), Some(Form::Third));
        assert_eq!(Kind::Dismissal.form(), Some(Form::Third));
        assert_eq!(Kind::Referral.form(), Some(Form::Fourth));
        assert_eq!(Kind::Confinement.form(), None);
        assert_eq!(Kind::MajorDemerit.class(), Class::Light);
        assert_eq!(Kind::Demotion.class(), Class::Heavy);
        assert_eq!(Kind::Expulsion.class(), Class::Heavy);
        assert_eq!(Kind::Admonition.class(), Class::NotSanction);
    }

    #[test]
    fn kinds_resolve_by_name_category_and_person() {
        assert_eq!(Kind::resolve("记大过", None, false), Ok(Kind::MajorDemerit));
        assert_eq!(Kind::resolve("党纪警告", None, false), Ok(Kind::PartyWarning));
        assert_eq!(Kind::resolve("警告", Some(Category::Government), false), Ok(Kind::GovWarning));
        assert_eq!(Kind::resolve("警告", None, true), Ok(Kind::AuxWarning));
        assert_eq!(Kind::resolve("记过", None, true), Ok(Kind::AuxDemerit));
        assert_eq!(Kind::resolve("记过", None, false), Ok(Kind::Demerit));
        assert!(Kind::resolve("警告", None, false).unwrap_err().contains("类别"));
        assert!(Kind::resolve("罚款", None, false).unwrap_err().contains("无效"));
        assert!(Kind::resolve("记大过", Some(Category::Party), false).is_err());
    }
}
