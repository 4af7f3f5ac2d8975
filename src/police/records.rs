//! 奖励 and 年度考核 of a person: list (with `PersonRead` over the person, or the person
//! themself), add, change, remove (with `PersonWrite`), each change one audit entry in its
//! transaction.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use super::entity::{appraisal, award};
use super::service::{Person, readable, writable};
use super::{AppraisalInput, AwardInput, ValidAppraisal, ValidAward, validate_appraisal, validate_award};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Most awards or appraisals one person may have: a guard against a runaway script, far above
/// a career (40 years of appraisals, a few awards a year).
pub const MAX_PER_PERSON: usize = 200;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一项奖励")]
pub struct Award {
    pub id: i32,
    #[schema(example = "三等功")]
    pub kind: String,
    pub title: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub awarded_on: NaiveDate,
    pub granted_by: String,
    pub doc_no: Option<String>,
}

impl From<award::Model> for Award {
    fn from(m: award::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            title: m.title,
            awarded_on: m.awarded_on,
            granted_by: m.granted_by,
            doc_no: m.doc_no,
        }
    }
}

impl Award {
    /// "2025-01-10 三等功（市公安局，市公政〔2025〕3号）".
    pub fn line(&self) -> String {
        let what = match &self.title {
            Some(t) => format!("荣誉称号“{t}”"),
            None => self.kind.clone(),
        };
        let doc = self.doc_no.as_ref().map(|d| format!("，{d}")).unwrap_or_default();
        format!("{} {what}（{}{doc}）", self.awarded_on, self.granted_by)
    }

    pub fn input(&self) -> AwardInput {
        AwardInput {
            kind: self.kind.clone(),
            title: self.title.clone().unwrap_or_default(),
            awarded_on: self.awarded_on.to_string(),
            granted_by: self.granted_by.clone(),
            doc_no: self.doc_no.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一年的年度考核")]
pub struct Appraisal {
    pub id: i32,
    #[schema(example = 2025)]
    pub year: i32,
    #[schema(example = "称职")]
    pub grade: String,
    pub comment: Option<String>,
}

impl From<appraisal::Model> for Appraisal {
    fn from(m: appraisal::Model) -> Self {
        Self { id: m.id, year: m.year, grade: m.grade, comment: m.comment }
    }
}

impl Appraisal {
    pub fn input(&self) -> AppraisalInput {
        AppraisalInput {
            year: self.year.to_string(),
            grade: self.grade.clone(),
            comment: self.comment.clone().unwrap_or_default(),
        }
    }
}

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())
}

fn event(actor: &Actor, action: &'static str, p: &Person, kind: &'static str, id: i32) -> Event {
    Event::by(actor, action).object(kind, id).org(p.subject.org_path.clone()).summary(json!({"person": p.subject.id}))
}

/// A person's awards, latest first (no access check).
pub async fn awards_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<Award>> {
    let rows = award::Entity::find()
        .filter(award::Column::PersonId.eq(person_id))
        .order_by_desc(award::Column::AwardedOn)
        .order_by_desc(award::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Award::from).collect())
}

/// A person's appraisals, latest year first (no access check).
pub async fn appraisals_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<Appraisal>> {
    let rows = appraisal::Entity::find()
        .filter(appraisal::Column::PersonId.eq(person_id))
        .order_by_desc(appraisal::Column::Year)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Appraisal::from).collect())
}

pub async fn awards(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Vec<Award>> {
    readable(state, actor, person_id).await?;
    awards_of(&state.db, person_id).await
}

pub async fn appraisals(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Vec<Appraisal>> {
    readable(state, actor, person_id).await?;
    appraisals_of(&state.db, person_id).await
}

fn apply_award(a: &mut award::ActiveModel, v: ValidAward, now: chrono::NaiveDateTime) {
    a.kind = Set(v.kind);
    a.title = Set(v.title);
    a.awarded_on = Set(v.awarded_on);
    a.granted_by = Set(v.granted_by);
    a.doc_no = Set(v.doc_no);
    a.updated_at = Set(now);
}

pub async fn add_award(state: &AppState, actor: &Actor, person_id: i32, input: &AwardInput) -> AppResult<Award> {
    let p = writable(state, actor, person_id).await?;
    let v = validate_award(input, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    if awards_of(&txn, person_id).await?.len() >= MAX_PER_PERSON {
        return Err(AppError::validation("kind", format!("每人最多登记 {MAX_PER_PERSON} 项奖励")));
    }
    let now = state.clock.now_db();
    let mut a = award::ActiveModel { person_id: Set(person_id), created_at: Set(now), ..Default::default() };
    apply_award(&mut a, v, now);
    let saved = a.insert(&txn).await?;
    audit::record(&txn, state.clock.as_ref(), event(actor, "police.award_add", &p, "police_award", saved.id)).await?;
    txn.commit().await?;
    Ok(saved.into())
}

async fn award_row(state: &AppState, id: i32) -> AppResult<award::Model> {
    award::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)
}

/// The person an award belongs to, when the actor may change it.
pub async fn award_owner(state: &AppState, actor: &Actor, id: i32) -> AppResult<i32> {
    let m = award_row(state, id).await?;
    Ok(writable(state, actor, m.person_id).await?.subject.id)
}

pub async fn update_award(state: &AppState, actor: &Actor, id: i32, input: &AwardInput) -> AppResult<(i32, Award)> {
    let m = award_row(state, id).await?;
    let p = writable(state, actor, m.person_id).await?;
    let v = validate_award(input, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a: award::ActiveModel = m.into();
    apply_award(&mut a, v, state.clock.now_db());
    let saved = a.update(&txn).await?;
    audit::record(&txn, state.clock.as_ref(), event(actor, "police.award_update", &p, "police_award", id)).await?;
    txn.commit().await?;
    Ok((p.subject.id, saved.into()))
}

pub async fn delete_award(state: &AppState, actor: &Actor, id: i32) -> AppResult<i32> {
    let m = award_row(state, id).await?;
    let p = writable(state, actor, m.person_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    award::Entity::delete_by_id(id).exec(&txn).await?;
    let e = event(actor, "police.award_delete", &p, "police_award", id)
        .summary(json!({"person": p.subject.id, "kind": m.kind, "awarded_on": m.awarded_on.to_string()}));
    audit::record(&txn, state.clock.as_ref(), e).await?;
    txn.commit().await?;
    Ok(p.subject.id)
}

/// The year already has an appraisal (another one than `except`): one grade per person per year.
async fn year_taken<C: ConnectionTrait>(db: &C, person_id: i32, year: i32, except: Option<i32>) -> AppResult<bool> {
    let mut q = appraisal::Entity::find()
        .filter(appraisal::Column::PersonId.eq(person_id))
        .filter(appraisal::Column::Year.eq(year));
    if let Some(id) = except {
        q = q.filter(appraisal::Column::Id.ne(id));
    }
    Ok(q.one(db).await?.is_some())
}

fn apply_appraisal(a: &mut appraisal::ActiveModel, v: ValidAppraisal, now: chrono::NaiveDateTime) {
    a.year = Set(v.year);
    a.grade = Set(v.grade);
    a.comment = Set(v.comment);
    a.updated_at = Set(now);
}

fn year_conflict(year: i32) -> AppError {
    AppError::validation("year", format!("{year} 年已有考核结果，每人每年只有一个等次，请修改原有记录"))
}

/// 年度考核 优秀 is refused while a sanction's influence period bars 评优 at the end of the year
/// assessed (research/domain.md §5.6: 受处分期间、受警告当年不得确定为优秀), read through the
/// discipline domain's one query.
async fn excellent_allowed<C: sea_orm::ConnectionTrait>(db: &C, person_id: i32, v: &ValidAppraisal) -> AppResult<()> {
    if v.grade != "优秀" {
        return Ok(());
    }
    let Some(year_end) = chrono::NaiveDate::from_ymd_opt(v.year, 12, 31) else {
        return Ok(());
    };
    let effects = crate::discipline::store::in_effect(db, &[person_id], year_end).await?;
    if let Some(e) = effects.get(&person_id).into_iter().flatten().find(|e| e.bars.no_excellent) {
        return Err(AppError::validation(
            "grade",
            format!(
                "{} 年底仍在{}的影响期内（生效日期 {}），该年度考核不得确定为优秀",
                v.year,
                e.kind.label(),
                e.effective_on
            ),
        ));
    }
    Ok(())
}

/// An unfit grade (民警 不称职, 辅警 不合格) is told to the domains that react to it (the exit
/// mechanism proposes a case), in the writing transaction; what they did goes into the audit entry.
async fn unfit_listeners(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    saved: &appraisal::Model,
) -> AppResult<Vec<String>> {
    if !UNFIT_GRADES.contains(&saved.grade.as_str()) {
        return Ok(Vec::new());
    }
    let event = crate::module::AppraisalRecorded {
        appraisal_id: saved.id,
        person_id: saved.person_id,
        year: saved.year,
        grade: saved.grade.clone(),
    };
    let mut done = Vec::new();
    for listener in crate::module::appraisal_listeners() {
        done.extend(listener(txn, state, actor, &event).await?);
    }
    Ok(done)
}

/// The unfit grades of 民警 (公务员法: 不称职) and 辅警 (不合格).
pub const UNFIT_GRADES: [&str; 2] = ["不称职", "不合格"];

pub async fn add_appraisal(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &AppraisalInput,
) -> AppResult<Appraisal> {
    let p = writable(state, actor, person_id).await?;
    let v = validate_appraisal(input, &p.kind, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    if year_taken(&txn, person_id, v.year, None).await? {
        return Err(year_conflict(v.year));
    }
    excellent_allowed(&txn, person_id, &v).await?;
    let now = state.clock.now_db();
    let mut a = appraisal::ActiveModel { person_id: Set(person_id), created_at: Set(now), ..Default::default() };
    apply_appraisal(&mut a, v, now);
    let saved = a.insert(&txn).await?;
    let reactions = unfit_listeners(&txn, state, actor, &saved).await?;
    let e = event(actor, "police.appraisal_add", &p, "police_appraisal", saved.id)
        .summary(json!({"person": p.subject.id, "year": saved.year, "reactions": reactions}));
    audit::record(&txn, state.clock.as_ref(), e).await?;
    txn.commit().await?;
    Ok(saved.into())
}

async fn appraisal_row(state: &AppState, id: i32) -> AppResult<appraisal::Model> {
    appraisal::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)
}

/// The person an appraisal belongs to, when the actor may change it.
pub async fn appraisal_owner(state: &AppState, actor: &Actor, id: i32) -> AppResult<i32> {
    let m = appraisal_row(state, id).await?;
    Ok(writable(state, actor, m.person_id).await?.subject.id)
}

pub async fn update_appraisal(
    state: &AppState,
    actor: &Actor,
    id: i32,
    input: &AppraisalInput,
) -> AppResult<(i32, Appraisal)> {
    let m = appraisal_row(state, id).await?;
    let p = writable(state, actor, m.person_id).await?;
    let v = validate_appraisal(input, &p.kind, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    if year_taken(&txn, m.person_id, v.year, Some(id)).await? {
        return Err(year_conflict(v.year));
    }
    excellent_allowed(&txn, m.person_id, &v).await?;
    let mut a: appraisal::ActiveModel = m.into();
    apply_appraisal(&mut a, v, state.clock.now_db());
    let saved = a.update(&txn).await?;
    let reactions = unfit_listeners(&txn, state, actor, &saved).await?;
    let e = event(actor, "police.appraisal_update", &p, "police_appraisal", id)
        .summary(json!({"person": p.subject.id, "year": saved.year, "reactions": reactions}));
    audit::record(&txn, state.clock.as_ref(), e).await?;
    txn.commit().await?;
    Ok((p.subject.id, saved.into()))
}

pub async fn delete_appraisal(state: &AppState, actor: &Actor, id: i32) -> AppResult<i32> {
    let m = appraisal_row(state, id).await?;
    let p = writable(state, actor, m.person_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    appraisal::Entity::delete_by_id(id).exec(&txn).await?;
    let e = event(actor, "police.appraisal_delete", &p, "police_appraisal", id)
        .summary(json!({"person": p.subject.id, "year": m.year, "grade": m.grade}));
    audit::record(&txn, state.clock.as_ref(), e).await?;
    txn.commit().await?;
    Ok(p.subject.id)
}
