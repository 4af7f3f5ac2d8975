//! Use cases of 警务信息: read a person's police fields, replace them; the store functions the
//! import and the reminder share. Awards and appraisals are in `records`.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use serde_json::json;

use super::entity::profile as row;
use super::{PoliceInput, ValidPolice, validate, warnings};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::blocks::Subject;

/// A person's police fields as recorded, with what is still missing.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(description = "警务信息：未登记的字段为 null；`warnings` 列出尚未登记、可以以后补全的项（不阻止保存）")]
pub struct Police {
    pub person_id: i32,
    #[schema(example = "民警")]
    pub kind: String,
    pub leader_post: Option<String>,
    pub grade: Option<String>,
    pub police_rank: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub rank_on: Option<NaiveDate>,
    pub police_type: Option<String>,
    pub establishment: Option<String>,
    pub aux_kind: Option<String>,
    pub employer_kind: Option<String>,
    pub employer_name: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub contract_start: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub contract_end: Option<NaiveDate>,
    pub warnings: Vec<String>,
}

impl Police {
    fn of(person_id: i32, kind: &str, v: &ValidPolice) -> Self {
        Self {
            person_id,
            kind: kind.to_owned(),
            leader_post: v.leader_post.clone(),
            grade: v.grade.clone(),
            police_rank: v.police_rank.clone(),
            rank_on: v.rank_on,
            police_type: v.police_type.clone(),
            establishment: v.establishment.clone(),
            aux_kind: v.aux_kind.clone(),
            employer_kind: v.employer_kind.clone(),
            employer_name: v.employer_name.clone(),
            contract_start: v.contract_start,
            contract_end: v.contract_end,
            warnings: warnings(v, kind),
        }
    }

    /// The fields as a form shows them.
    pub fn input(&self) -> PoliceInput {
        input_of(&ValidPolice {
            leader_post: self.leader_post.clone(),
            grade: self.grade.clone(),
            police_rank: self.police_rank.clone(),
            rank_on: self.rank_on,
            police_type: self.police_type.clone(),
            establishment: self.establishment.clone(),
            aux_kind: self.aux_kind.clone(),
            employer_kind: self.employer_kind.clone(),
            employer_name: self.employer_name.clone(),
            contract_start: self.contract_start,
            contract_end: self.contract_end,
        })
    }
}

/// Validated fields as text, the way a form (or an import row over a record) holds them.
pub fn input_of(v: &ValidPolice) -> PoliceInput {
    let t = |o: &Option<String>| o.clone().unwrap_or_default();
    let d = |o: Option<NaiveDate>| o.map(|d| d.to_string()).unwrap_or_default();
    PoliceInput {
        leader_post: t(&v.leader_post),
        grade: t(&v.grade),
        police_rank: t(&v.police_rank),
        rank_on: d(v.rank_on),
        police_type: t(&v.police_type),
        establishment: t(&v.establishment),
        aux_kind: t(&v.aux_kind),
        employer_kind: t(&v.employer_kind),
        employer_name: t(&v.employer_name),
        contract_start: d(v.contract_start),
        contract_end: d(v.contract_end),
    }
}

pub fn valid_of(m: &row::Model) -> ValidPolice {
    ValidPolice {
        leader_post: m.leader_post.clone(),
        grade: m.grade.clone(),
        police_rank: m.police_rank.clone(),
        rank_on: m.rank_on,
        police_type: m.police_type.clone(),
        establishment: m.establishment.clone(),
        aux_kind: m.aux_kind.clone(),
        employer_kind: m.employer_kind.clone(),
        employer_name: m.employer_name.clone(),
        contract_start: m.contract_start,
        contract_end: m.contract_end,
    }
}

/// The person as the police pages need them: the profile's subject and the person's kind.
pub struct Person {
    pub subject: Subject,
    pub kind: String,
}

fn target(s: &Subject) -> Target<'_> {
    Target { kind: "person", id: i64::from(s.id), org_path: &s.org_path }
}

/// Read access: the person themself or `PersonRead` in scope (404 and `access.denied` outside).
pub async fn readable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Person> {
    let h = crate::people::service::heading(state, actor, person_id).await?;
    Ok(Person { subject: h.subject, kind: h.kind })
}

/// Write access: `PersonWrite` over the person (403 without it, 404 and `access.denied` outside).
pub async fn writable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Person> {
    actor.require(Permission::PersonWrite)?;
    let p = readable(state, actor, person_id).await?;
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target(&p.subject)).await?;
    Ok(p)
}

/// The stored row of a person, if any.
pub async fn stored<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<row::Model>> {
    Ok(row::Entity::find().filter(row::Column::PersonId.eq(person_id)).one(db).await?)
}

/// What is recorded of the person (no access check: for the profile part and the import).
pub async fn current<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<ValidPolice> {
    Ok(stored(db, person_id).await?.as_ref().map(valid_of).unwrap_or_default())
}

/// A person's police fields.
pub async fn get(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<(Person, Police)> {
    let p = readable(state, actor, person_id).await?;
    let v = current(&state.db, person_id).await?;
    let police = Police::of(person_id, &p.kind, &v);
    Ok((p, police))
}

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())
}

/// The labels of the fields that differ, for the audit entry and the import's report.
pub fn changed(before: &ValidPolice, after: &ValidPolice) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut cmp = |label, differs: bool| {
        if differs {
            out.push(label);
        }
    };
    cmp("领导职务", before.leader_post != after.leader_post);
    cmp("职级", before.grade != after.grade);
    cmp("警衔", before.police_rank != after.police_rank);
    cmp("授衔时间", before.rank_on != after.rank_on);
    cmp("警种", before.police_type != after.police_type);
    cmp("编制", before.establishment != after.establishment);
    cmp("辅警类别", before.aux_kind != after.aux_kind);
    cmp("用工单位", before.employer_kind != after.employer_kind || before.employer_name != after.employer_name);
    cmp("合同开始", before.contract_start != after.contract_start);
    cmp("合同结束", before.contract_end != after.contract_end);
    out
}

/// Writes a person's police fields in the caller's transaction (insert or replace); returns the
/// labels of what changed.
pub async fn write_in<C: ConnectionTrait>(
    txn: &C,
    now: chrono::NaiveDateTime,
    person_id: i32,
    v: &ValidPolice,
) -> AppResult<Vec<&'static str>> {
    let existing = stored(txn, person_id).await?;
    let before = existing.as_ref().map(valid_of).unwrap_or_default();
    let changes = changed(&before, v);
    if changes.is_empty() {
        return Ok(changes);
    }
    let mut active: row::ActiveModel = match existing {
        Some(m) => m.into(),
        None => row::ActiveModel { person_id: Set(person_id), ..Default::default() },
    };
    active.leader_post = Set(v.leader_post.clone());
    active.grade = Set(v.grade.clone());
    active.police_rank = Set(v.police_rank.clone());
    active.rank_on = Set(v.rank_on);
    active.police_type = Set(v.police_type.clone());
    active.establishment = Set(v.establishment.clone());
    active.aux_kind = Set(v.aux_kind.clone());
    active.employer_kind = Set(v.employer_kind.clone());
    active.employer_name = Set(v.employer_name.clone());
    active.contract_start = Set(v.contract_start);
    active.contract_end = Set(v.contract_end);
    active.updated_at = Set(now);
    active.save(txn).await?;
    Ok(changes)
}

/// Replaces a person's police fields: `PersonWrite` over the person, every field checked against
/// its list and the person's kind; one `police.update` entry naming what changed.
pub async fn put(state: &AppState, actor: &Actor, person_id: i32, input: &PoliceInput) -> AppResult<Police> {
    let p = writable(state, actor, person_id).await?;
    let v = validate(input, &p.kind, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let changes = write_in(&txn, state.clock.now_db(), person_id, &v).await?;
    if !changes.is_empty() {
        let event = Event::by(actor, "police.update")
            .object("person", person_id)
            .org(p.subject.org_path.clone())
            .summary(json!({"changed": changes}));
        audit::record(&txn, state.clock.as_ref(), event).await?;
    }
    txn.commit().await?;
    Ok(Police::of(person_id, &p.kind, &v))
}
