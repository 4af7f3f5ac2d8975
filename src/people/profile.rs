//! The people domain's part of 一人一档: basic facts, work, and identity and contact — the
//! latter masked, revealed field by field on request (see `crate::profile`).

use chrono::NaiveDate;

use super::entity as person;
use super::service::find_live;
use crate::auth::{Actor, SensitiveClass};
use crate::error::AppResult;
use crate::module::{BoxFuture, ProfilePart};
use crate::state::AppState;
use crate::ui::blocks::{Row, Section, SensitiveField, Subject};

pub const ID_NUMBER: SensitiveField =
    SensitiveField { code: "id_number", label: "身份证号", class: SensitiveClass::Identity };
pub const BIRTH_DATE: SensitiveField =
    SensitiveField { code: "birth_date", label: "出生日期", class: SensitiveClass::Identity };
pub const PHONE: SensitiveField =
    SensitiveField { code: "phone", label: "联系电话", class: SensitiveClass::Identity };

pub fn part() -> ProfilePart {
    ProfilePart { sections, fields: &[ID_NUMBER, BIRTH_DATE, PHONE], reveal, panel: None }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn text(t: &Option<String>) -> String {
    t.clone().unwrap_or_default()
}

/// A phone number as shown before it is revealed: that there is one, not a digit of it (the
/// roster shows no phone, and searching one needs the identity permission).
pub fn mask_phone(phone: &str) -> String {
    "*".repeat(phone.chars().count())
}

fn sections<'a>(state: &'a AppState, _actor: &'a Actor, s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move { Ok(build(&record(state, s).await?, &s.org_name)) })
}

/// The person's record: as the heading read it a moment ago, or read again if it is not at hand.
async fn record(state: &AppState, s: &Subject) -> AppResult<person::Model> {
    match s.record.as_ref().and_then(|r| r.downcast_ref::<person::Model>()) {
        Some(p) => Ok(p.clone()),
        None => find_live(state, s.id).await,
    }
}

fn build(p: &person::Model, org_name: &str) -> Vec<Section> {
    vec![
        Section {
            id: "basic",
            title: "基本信息",
            sensitive: false,
            rows: vec![
                Row::new("姓名", p.name.clone()),
                Row::new("人员类别", p.kind.clone()),
                Row::new("警号", text(&p.police_no)),
                Row::new("性别", p.gender.clone()),
                Row::masked(&BIRTH_DATE, super::birth_shown(p.birth_date, false)),
                Row::new("民族", text(&p.ethnicity)),
                Row::new("学历", text(&p.education)),
                Row::new("政治面貌", p.political_status.clone()),
            ],
        },
        Section {
            id: "work",
            title: "工作情况",
            sensitive: false,
            rows: [
                Some(Row::new("所在党组织", org_name)),
                Some(Row::new("工作单位", text(&p.unit))),
                Some(Row::new("职务", text(&p.position))),
                // 职级 and 警衔 live in 警务信息; a text the police migration could not place
                // stays readable here (never editable) until someone enters it there.
                p.rank
                    .as_deref()
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| Row::new("原登记职级/警衔（请在警务信息中录入）", r.to_owned())),
                Some(Row::new("参加公安工作", date(p.joined_police_on))),
                Some(Row::new("在职状态", p.employment_status.clone())),
                Some(Row::new("状态变动日期", date(p.status_since))),
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
        Section {
            id: "identity",
            title: "身份与联系方式",
            sensitive: true,
            rows: vec![
                Row::masked(&ID_NUMBER, super::mask_id(&p.id_number)),
                Row::masked(&PHONE, p.phone.as_deref().map(mask_phone).unwrap_or_default()),
            ],
        },
    ]
}

fn reveal<'a>(
    state: &'a AppState,
    s: &'a Subject,
    fields: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async move {
        let p = record(state, s).await?;
        Ok(fields
            .iter()
            .filter_map(|&f| match f {
                "id_number" => Some((f, p.id_number.clone())),
                "birth_date" => Some((f, p.birth_date.to_string())),
                "phone" => Some((f, text(&p.phone))),
                _ => None,
            })
            .collect())
    })
}
