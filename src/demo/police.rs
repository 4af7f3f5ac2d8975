//! The demo's police fields: 警衔, 职级 and 领导职务 that fit each 民警's age and post, the 警种 of
//! their unit, 编制; 辅警 kinds, employers and three-year contracts (a few ending within the
//! reminder's window, one in the secretary's branch already past its end); awards and five years
//! of appraisals with realistic shares. Its own random stream, so the rest of the demo stays as
//! it was.

use super::*;
use crate::police::entity::{appraisal, award, profile};

/// The 警种 a unit's name implies (派出所 are 治安管理; offices vary).
fn police_type(unit: &str, roll: f64) -> &'static str {
    const BY_NAME: &[(&str, &str)] = &[
        ("刑", "刑事侦查"),
        ("治安", "治安管理"),
        ("交", "交通管理"),
        ("经", "经济犯罪侦查"),
        ("网络", "网络安全保卫"),
        ("禁毒", "禁毒"),
        ("法制", "法制"),
        ("督察", "警务督察"),
        ("出入境", "出入境管理"),
        ("特警", "巡逻特警"),
        ("监所", "监所管理"),
        ("看守所", "监所管理"),
        ("指挥", "指挥情报"),
        ("政治部", "政工"),
        ("后勤", "警务保障"),
        ("科技", "警务保障"),
    ];
    if let Some((_, t)) = BY_NAME.iter().find(|(k, _)| unit.contains(k)) {
        return t;
    }
    if unit.contains("派出所") {
        return if roll < 0.8 { "治安管理" } else { "刑事侦查" };
    }
    if roll < 0.5 { "政工" } else { "指挥情报" }
}

/// 职级 by age and years of service (执法勤务警员: 二级警员 on entry, about a step every 3–4 years).
fn grade(age: i32, rng: &mut ChaCha8Rng) -> &'static str {
    let step: usize = match age {
        ..=25 => 9,
        26..=28 => 8,
        29..=32 => 7,
        33..=37 => 6,
        38..=43 => 5,
        44..=50 => 4,
        _ if rng.gen_bool(0.3) => 3,
        _ => 4,
    };
    let step = if rng.gen_bool(0.03) { step.saturating_sub(1) } else { step };
    crate::police::GRADES[step.min(9)]
}

/// 警衔 by age, as the roster had it before the police fields had their own table.
fn rank(age: i32) -> &'static str {
    match age {
        ..=27 => "二级警司",
        28..=34 => "一级警司",
        35..=44 => "三级警督",
        45..=52 => "二级警督",
        _ => "一级警督",
    }
}

const AGENCIES: &[&str] = &["海滨市人力资源服务有限公司", "海滨安保服务集团", "海滨市劳务派遣服务中心"];
const BODIES: &[&str] = &["海滨市公安局", "海滨市人民政府", "省公安厅"];

impl Gen<'_> {
    pub(super) async fn police(&mut self, seed: u64, contract_ended: Option<i32>) -> anyhow::Result<()> {
        use sea_orm::QueryOrder;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let people = person::Entity::find().order_by_asc(person::Column::Id).all(self.txn).await?;
        let mut rows: Vec<profile::ActiveModel> = Vec::new();
        let mut awards: Vec<award::ActiveModel> = Vec::new();
        let mut appraisals: Vec<appraisal::ActiveModel> = Vec::new();
        let mut ended_set = false;
        for p in &people {
            let age = self.today.year() - p.birth_date.year();
            let unit = p.unit.clone().unwrap_or_default();
            let police = p.kind == PersonKind::Police.as_str();
            let auxiliary = p.kind == PersonKind::Auxiliary.as_str();
            let mut row = profile::ActiveModel {
                person_id: Set(p.id),
                police_type: Set(Some(police_type(&unit, rng.r#gen()).to_owned())),
                updated_at: Set(self.now),
                ..Default::default()
            };
            if police {
                let post = p.position.as_deref().filter(|t| crate::police::LEADER_POSTS.contains(t));
                row.leader_post = Set(post.map(str::to_owned));
                row.grade = Set(Some(grade(age, &mut rng).to_owned()));
                row.police_rank = Set(Some(rank(age).to_owned()));
                // The last promotion: within the last four years, not before joining.
                let promoted = self.today - chrono::Duration::days(rng.gen_range(60..1400));
                let promoted = p.joined_police_on.map_or(promoted, |j| promoted.max(j));
                // A few records wait for the date (a warning on the profile).
                row.rank_on = Set((!rng.gen_bool(0.04)).then_some(promoted));
                row.establishment = Set(Some(if rng.gen_bool(0.95) { "政法专项编制" } else { "行政编制" }.to_owned()));
            } else if auxiliary {
                let clerk = p.position.as_deref() == Some("文职辅警") || rng.gen_bool(0.1);
                row.aux_kind = Set(Some(if clerk { "文职辅警" } else { "勤务辅警" }.to_owned()));
                let dispatched = rng.gen_bool(0.35);
                row.employer_kind = Set(Some(if dispatched { "派遣单位" } else { "公安机关" }.to_owned()));
                row.employer_name = Set(dispatched.then(|| AGENCIES[rng.gen_range(0..AGENCIES.len())].to_owned()));
                // Three-year contracts, renewed: the current one started up to three years ago.
                // About 1 in 40 ends within the reminder's window.
                let end = if rng.gen_bool(0.025) {
                    self.today
                        + chrono::Duration::days(rng.gen_range(1..crate::police::reminders::CONTRACT_NOTICE_DAYS))
                } else {
                    self.today + chrono::Duration::days(rng.gen_range(70..1090))
                };
                // The secretary's branch shows the urgent case: a contract ended ten days ago.
                let example = contract_ended.is_some_and(|b| p.org_id == Some(b))
                    && p.employment_status == EmploymentStatus::Serving.as_str()
                    && !ended_set;
                let end = if example { self.today - chrono::Duration::days(10) } else { end };
                ended_set |= example;
                let start = end - chrono::Duration::days(3 * 365 - 1);
                if example || !rng.gen_bool(0.02) {
                    row.contract_start = Set(Some(start));
                    row.contract_end = Set(Some(end));
                }
            } else {
                row.establishment = Set(Some("工勤编制".to_owned()));
            }
            rows.push(row);

            // Five years of appraisals: 优秀 is capped at about 15–20% (公务员考核规定).
            let serving_years = p.joined_police_on.map_or(5, |j| (self.today.year() - j.year()).clamp(0, 5));
            for back in 1..=serving_years {
                let roll: f64 = rng.r#gen();
                let grades = crate::police::appraisal_grades(&p.kind);
                // 民警 and 工勤 have 基本称职 between 称职 and 不称职; 辅警 only 合格 and 不合格.
                let (middle, unfit) = match grades {
                    [_, _, middle, unfit, ..] => (*middle, *unfit),
                    [_, fit, unfit] => (*fit, *unfit),
                    _ => (grades[1], grades[grades.len() - 1]),
                };
                let grade = match roll {
                    r if r < 0.15 => grades[0],
                    r if r < 0.985 => grades[1],
                    r if r < 0.996 => middle,
                    _ => unfit,
                };
                appraisals.push(appraisal::ActiveModel {
                    person_id: Set(p.id),
                    year: Set(self.today.year() - back),
                    grade: Set(grade.to_owned()),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    ..Default::default()
                });
            }
            // Awards: 嘉奖 for about one in six, 三等功 one in twenty-five, 二等功 rare.
            let awarded = |rng: &mut ChaCha8Rng, kind: &str| award::ActiveModel {
                person_id: Set(p.id),
                kind: Set(kind.to_owned()),
                awarded_on: Set(self.today - chrono::Duration::days(rng.gen_range(30..1800))),
                granted_by: Set(BODIES[if kind == "嘉奖" { 0 } else { rng.gen_range(0..BODIES.len()) }].to_owned()),
                doc_no: Set(Some(format!(
                    "海公政〔{}〕{}号",
                    self.today.year() - rng.gen_range(0..5),
                    rng.gen_range(1..200)
                ))),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            };
            if rng.gen_bool(if police { 0.17 } else { 0.08 }) {
                awards.push(awarded(&mut rng, "嘉奖"));
            }
            if police && rng.gen_bool(0.04) {
                awards.push(awarded(&mut rng, "三等功"));
            }
            if police && rng.gen_bool(0.004) {
                awards.push(awarded(&mut rng, "二等功"));
            }
            if rows.len() >= 400 {
                profile::Entity::insert_many(std::mem::take(&mut rows)).exec_without_returning(self.txn).await?;
            }
            if appraisals.len() >= 1000 {
                appraisal::Entity::insert_many(std::mem::take(&mut appraisals))
                    .exec_without_returning(self.txn)
                    .await?;
            }
            if awards.len() >= 500 {
                award::Entity::insert_many(std::mem::take(&mut awards)).exec_without_returning(self.txn).await?;
            }
        }
        if !rows.is_empty() {
            profile::Entity::insert_many(rows).exec_without_returning(self.txn).await?;
        }
        if !appraisals.is_empty() {
            appraisal::Entity::insert_many(appraisals).exec_without_returning(self.txn).await?;
        }
        if !awards.is_empty() {
            award::Entity::insert_many(awards).exec_without_returning(self.txn).await?;
        }
        Ok(())
    }
}
