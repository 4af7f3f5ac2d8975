//! 警务信息 (issue 10, item 4): the police fields of a person kept apart from the roster and
//! checked against lists — 领导职务, 职级 (执法勤务警员职务序列), 警衔 with its date, 警种, 编制 —
//! and for 辅警 their kind (勤务/文职), employer and contract; 奖励 (嘉奖 … 一等功, 荣誉称号) and
//! 年度考核 by year. Ordinary personnel data (not a sensitive class): read with `PersonRead`,
//! changed with `PersonWrite`, both over the person's organization.
//!
//! A value that contradicts the record is an error (a 警衔 for a 辅警, who is not a 人民警察; a
//! contract ending before it starts); a missing value is a warning the user may finish later
//! (a 辅警 without contract dates).

pub mod api;
pub mod entity;
pub mod import;
pub mod lists;
pub mod module;
pub mod records;
pub mod reminders;
pub mod search;
pub mod service;
pub mod store;
pub mod web;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

pub use lists::*;

type Problems = Vec<(&'static str, String)>;

fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A value from `allowed`, or a problem naming the field and the choices.
fn pick(field: &'static str, label: &str, value: &str, allowed: &[&str], errors: &mut Problems) -> Option<String> {
    let v = opt(value)?;
    if allowed.contains(&v.as_str()) {
        Some(v)
    } else {
        errors.push((field, format!("{label}“{v}”无效，可选：{}", allowed.join("、"))));
        None
    }
}

/// A date, or a problem; `latest` is the last day it may be (today for what has happened).
fn date(
    field: &'static str,
    label: &str,
    value: &str,
    latest: Option<NaiveDate>,
    errors: &mut Problems,
) -> Option<NaiveDate> {
    match crate::text::parse_date(value) {
        Ok(Some(d)) if latest.is_some_and(|l| d > l) => {
            errors.push((field, format!("{label}不能晚于今天")));
            None
        }
        Ok(d) => d,
        Err(e) => {
            errors.push((field, format!("{label}：{e}")));
            None
        }
    }
}

fn line(field: &'static str, label: &str, value: &str, max: usize, errors: &mut Problems) -> Option<String> {
    let v = opt(value)?;
    if let Err(reason) = crate::text::check_line(label, &v) {
        errors.push((field, reason));
        return None;
    }
    if v.chars().count() > max {
        errors.push((field, format!("{label}不能超过 {max} 个字")));
        return None;
    }
    Some(v)
}

/// What a form, an API call or an import row gives for a person's police fields. Text
/// throughout; an empty field is not recorded (and clears what was recorded).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "警务信息（整条替换，空字段表示未登记）。职级、警衔、授衔时间只适用于民警；辅警类别、用工单位、\
    派遣单位名称、合同起止只适用于辅警；辅警不占编制。各项取值见字段说明；日期为 `YYYY-MM-DD`，授衔时间不晚于今天，\
    合同结束不早于合同开始。"
)]
pub struct PoliceInput {
    /// 领导职务.
    #[schema(schema_with = schema::leader_post, example = "所长")]
    pub leader_post: String,
    /// 职级 (执法勤务警员职务序列).
    #[schema(schema_with = schema::grade, example = "二级警长")]
    pub grade: String,
    /// 警衔.
    #[schema(schema_with = schema::police_rank, example = "一级警司")]
    pub police_rank: String,
    /// 授衔或最近一次晋衔的日期.
    #[schema(schema_with = crate::openapi::schema::date, example = "2020-10-01")]
    pub rank_on: String,
    /// 警种.
    #[schema(schema_with = schema::police_type, example = "治安管理")]
    pub police_type: String,
    /// 编制.
    #[schema(schema_with = schema::establishment, example = "政法专项编制")]
    pub establishment: String,
    /// 辅警类别: 勤务辅警 or 文职辅警.
    #[schema(schema_with = schema::aux_kind, example = "勤务辅警")]
    pub aux_kind: String,
    /// 用工单位: 公安机关 (direct contract) or 派遣单位 (labour dispatch).
    #[schema(schema_with = schema::employer_kind, example = "公安机关")]
    pub employer_kind: String,
    /// The dispatching company, when 派遣单位.
    #[schema(schema_with = schema::employer_name, example = "")]
    pub employer_name: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2024-03-01")]
    pub contract_start: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2027-02-28")]
    pub contract_end: String,
}

/// What the validators accept, for the OpenAPI document.
mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::openapi::schema::{line, one_of};

    pub fn leader_post() -> RefOr<Schema> {
        one_of(super::LEADER_POSTS, true)
    }
    pub fn grade() -> RefOr<Schema> {
        one_of(super::GRADES, true)
    }
    pub fn police_rank() -> RefOr<Schema> {
        one_of(super::RANKS, true)
    }
    pub fn police_type() -> RefOr<Schema> {
        one_of(super::POLICE_TYPES, true)
    }
    pub fn establishment() -> RefOr<Schema> {
        one_of(super::ESTABLISHMENTS, true)
    }
    pub fn aux_kind() -> RefOr<Schema> {
        one_of(super::AUX_KINDS, true)
    }
    pub fn employer_kind() -> RefOr<Schema> {
        one_of(super::EMPLOYER_KINDS, true)
    }
    pub fn employer_name() -> RefOr<Schema> {
        line(100, false)
    }
    pub fn award_kind() -> RefOr<Schema> {
        one_of(super::AWARD_KINDS, false)
    }
    pub fn title() -> RefOr<Schema> {
        line(100, false)
    }
    pub fn granted_by() -> RefOr<Schema> {
        line(100, true)
    }
    pub fn doc_no() -> RefOr<Schema> {
        line(50, false)
    }
    pub fn year() -> RefOr<Schema> {
        crate::openapi::schema::matching("^(19|20)[0-9]{2}$")
    }
    pub fn appraisal_grade() -> RefOr<Schema> {
        let all: Vec<&str> = super::APPRAISAL_GRADES.iter().chain(super::AUX_APPRAISAL_GRADES).copied().collect();
        one_of(&all, false)
    }
    pub fn comment() -> RefOr<Schema> {
        line(200, false)
    }
}

/// Validated police fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidPolice {
    pub leader_post: Option<String>,
    pub grade: Option<String>,
    pub police_rank: Option<String>,
    pub rank_on: Option<NaiveDate>,
    pub police_type: Option<String>,
    pub establishment: Option<String>,
    pub aux_kind: Option<String>,
    pub employer_kind: Option<String>,
    pub employer_name: Option<String>,
    pub contract_start: Option<NaiveDate>,
    pub contract_end: Option<NaiveDate>,
}

impl ValidPolice {
    pub fn is_empty(&self) -> bool {
        *self == ValidPolice::default()
    }
}

/// Checks every field against the lists and against the person's kind (人员类别: 民警, 辅警,
/// 工勤); all problems at once, by field.
pub fn validate(input: &PoliceInput, kind: &str, today: NaiveDate) -> Result<ValidPolice, Problems> {
    let mut e = Problems::new();
    let v = ValidPolice {
        leader_post: pick("leader_post", "领导职务", &input.leader_post, LEADER_POSTS, &mut e),
        grade: pick("grade", "职级", &input.grade, GRADES, &mut e),
        police_rank: pick("police_rank", "警衔", &input.police_rank, RANKS, &mut e),
        rank_on: date("rank_on", "授衔时间", &input.rank_on, Some(today), &mut e),
        police_type: pick("police_type", "警种", &input.police_type, POLICE_TYPES, &mut e),
        establishment: pick("establishment", "编制", &input.establishment, ESTABLISHMENTS, &mut e),
        aux_kind: pick("aux_kind", "辅警类别", &input.aux_kind, AUX_KINDS, &mut e),
        employer_kind: pick("employer_kind", "用工单位", &input.employer_kind, EMPLOYER_KINDS, &mut e),
        employer_name: line("employer_name", "派遣单位名称", &input.employer_name, 100, &mut e),
        // A renewed contract may start and end in the future.
        contract_start: date("contract_start", "合同开始", &input.contract_start, None, &mut e),
        contract_end: date("contract_end", "合同结束", &input.contract_end, None, &mut e),
    };
    let police = kind == "民警";
    let auxiliary = kind == "辅警";
    // 警衔 and the police officer's 职级 belong to 人民警察 (人民警察警衔条例 第二条; 公安机关人民警察
    // 执法勤务警员职务序列); a 辅警 "不具有人民警察身份" (国办 2016 意见) and a 工勤 is not one either.
    if !police {
        for (field, label, given) in [
            ("grade", "职级", v.grade.is_some()),
            ("police_rank", "警衔", v.police_rank.is_some()),
            ("rank_on", "授衔时间", v.rank_on.is_some()),
        ] {
            if given {
                e.push((field, format!("{kind}不是人民警察，不能登记{label}")));
            }
        }
    }
    if v.rank_on.is_some() && opt(&input.police_rank).is_none() && police {
        e.push(("rank_on", "填写了授衔时间，请同时选择警衔".into()));
    }
    if !auxiliary {
        for (field, label, given) in [
            ("aux_kind", "辅警类别", v.aux_kind.is_some()),
            ("employer_kind", "用工单位", v.employer_kind.is_some()),
            ("employer_name", "派遣单位名称", v.employer_name.is_some()),
            ("contract_start", "合同开始", v.contract_start.is_some()),
            ("contract_end", "合同结束", v.contract_end.is_some()),
        ] {
            if given {
                e.push((field, format!("{label}只适用于辅警，此人是{kind}")));
            }
        }
    } else if v.establishment.is_some() {
        // 辅警 are hired by contract (依法招聘) and hold no 编制.
        e.push(("establishment", "辅警按合同聘用，不占编制".into()));
    }
    if v.employer_name.is_some() && v.employer_kind.as_deref() != Some("派遣单位") {
        e.push(("employer_name", "只有用工单位为“派遣单位”时才填写派遣单位名称".into()));
    }
    if let (Some(start), Some(end)) = (v.contract_start, v.contract_end)
        && end < start
    {
        e.push(("contract_end", format!("合同结束 {end} 早于合同开始 {start}")));
    }
    if e.is_empty() { Ok(v) } else { Err(e) }
}

/// What is missing but may be finished later (shown, never refused).
pub fn warnings(v: &ValidPolice, kind: &str) -> Vec<String> {
    let mut w = Vec::new();
    if kind == "民警" && v.police_rank.is_none() {
        w.push("尚未登记警衔".to_owned());
    }
    if v.police_rank.is_some() && v.rank_on.is_none() {
        w.push("尚未登记授衔（晋衔）时间".to_owned());
    }
    if kind == "辅警" {
        if v.aux_kind.is_none() {
            w.push("尚未登记辅警类别".to_owned());
        }
        if v.contract_start.is_none() || v.contract_end.is_none() {
            w.push("尚未登记劳动合同起止日期".to_owned());
        }
        if v.employer_kind.as_deref() == Some("派遣单位") && v.employer_name.is_none() {
            w.push("尚未登记派遣单位名称".to_owned());
        }
    }
    w
}

/// One award as a form, the API or an import gives it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "一项奖励：类别、日期、批准机关必填；荣誉称号须写明称号；文号可空。日期不晚于今天。")]
pub struct AwardInput {
    #[schema(required = true, schema_with = schema::award_kind, example = "三等功")]
    pub kind: String,
    /// The honour's name (荣誉称号 only), e.g. 全国公安系统二级英雄模范.
    #[schema(schema_with = schema::title, example = "")]
    pub title: String,
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2025-01-10")]
    pub awarded_on: String,
    #[schema(required = true, schema_with = schema::granted_by, example = "市公安局")]
    pub granted_by: String,
    #[schema(schema_with = schema::doc_no, example = "市公政〔2025〕3号")]
    pub doc_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAward {
    pub kind: String,
    pub title: Option<String>,
    pub awarded_on: NaiveDate,
    pub granted_by: String,
    pub doc_no: Option<String>,
}

pub fn validate_award(input: &AwardInput, today: NaiveDate) -> Result<ValidAward, Problems> {
    let mut e = Problems::new();
    let kind = pick("kind", "奖励类别", &input.kind, AWARD_KINDS, &mut e);
    if opt(&input.kind).is_none() {
        e.push(("kind", "请选择奖励类别".into()));
    }
    let title = line("title", "荣誉称号", &input.title, 100, &mut e);
    if kind.as_deref() == Some("荣誉称号") && title.is_none() && !e.iter().any(|(f, _)| *f == "title") {
        e.push(("title", "荣誉称号须写明称号名称".into()));
    }
    if kind.as_deref().is_some_and(|k| k != "荣誉称号") && title.is_some() {
        e.push(("title", "只有荣誉称号才填写称号名称".into()));
    }
    let awarded_on = date("awarded_on", "奖励日期", &input.awarded_on, Some(today), &mut e);
    if opt(&input.awarded_on).is_none() {
        e.push(("awarded_on", "请填写奖励日期".into()));
    }
    let granted_by = line("granted_by", "批准机关", &input.granted_by, 100, &mut e);
    if opt(&input.granted_by).is_none() {
        e.push(("granted_by", "请填写批准机关".into()));
    }
    let doc_no = line("doc_no", "文号", &input.doc_no, 50, &mut e);
    match (kind, awarded_on, granted_by) {
        (Some(kind), Some(awarded_on), Some(granted_by)) if e.is_empty() => {
            Ok(ValidAward { kind, title, awarded_on, granted_by, doc_no })
        }
        _ => Err(e),
    }
}

/// One year's appraisal as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "年度考核：年度（四位数字，不晚于今年）和等次必填，每人每年一条。民警、工勤的等次为优秀、称职、\
    基本称职、不称职或不定等次；辅警为优秀、合格、不合格（没有基本合格）。评语可空，不超过 200 字。"
)]
pub struct AppraisalInput {
    #[schema(required = true, schema_with = schema::year, example = "2025")]
    pub year: String,
    #[schema(required = true, schema_with = schema::appraisal_grade, example = "称职")]
    pub grade: String,
    #[schema(schema_with = schema::comment, example = "")]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAppraisal {
    pub year: i32,
    pub grade: String,
    pub comment: Option<String>,
}

/// The grades that apply to a person of this kind.
pub fn appraisal_grades(kind: &str) -> &'static [&'static str] {
    if kind == "辅警" { AUX_APPRAISAL_GRADES } else { APPRAISAL_GRADES }
}

pub fn validate_appraisal(input: &AppraisalInput, kind: &str, today: NaiveDate) -> Result<ValidAppraisal, Problems> {
    let mut e = Problems::new();
    let year = match opt(&input.year) {
        None => {
            e.push(("year", "请填写考核年度".into()));
            None
        }
        Some(y) => match y.parse::<i32>() {
            Ok(n) if y.len() == 4 && (FIRST_YEAR..=today.year()).contains(&n) => Some(n),
            _ => {
                e.push(("year", format!("考核年度“{y}”应为 {FIRST_YEAR} 年至 {} 年之间的四位数字", today.year())));
                None
            }
        },
    };
    let allowed = appraisal_grades(kind);
    let grade = match opt(&input.grade) {
        None => {
            e.push(("grade", "请选择考核等次".into()));
            None
        }
        Some(g) if allowed.contains(&g.as_str()) => Some(g),
        Some(g) => {
            e.push(("grade", format!("{kind}的考核等次“{g}”无效，可选：{}", allowed.join("、"))));
            None
        }
    };
    let comment = line("comment", "评语", &input.comment, 200, &mut e);
    match (year, grade) {
        (Some(year), Some(grade)) if e.is_empty() => Ok(ValidAppraisal { year, grade, comment }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests;
