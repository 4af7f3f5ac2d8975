//! Use cases of 家庭成员: read (audited), add, change, remove.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;

use super::entity::{self as member, Column};
use super::{FamilyInput, MAX_PER_PERSON, ValidMember, validate};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::blocks::Subject;

/// One family member as shown to someone who may read them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一名家庭成员（完整内容，读取记审计）")]
pub struct Member {
    pub id: i32,
    #[schema(example = "配偶")]
    pub relation: String,
    pub name: String,
    pub birth_year: Option<i16>,
    pub work_unit: Option<String>,
    pub post: Option<String>,
    pub political_status: Option<String>,
    pub phone: Option<String>,
}

impl From<member::Model> for Member {
    fn from(m: member::Model) -> Self {
        Self {
            id: m.id,
            relation: m.relation,
            name: m.name,
            birth_year: m.birth_year,
            work_unit: m.work_unit,
            post: m.post,
            political_status: m.political_status,
            phone: m.phone,
        }
    }
}

impl Member {
    /// One line for the profile's revealed value: "配偶：李梅，1986年生，市第一人民医院 护士，群众，13800001111".
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = self.birth_year {
            parts.push(format!("{y}年生"));
        }
        let work: Vec<&str> = [self.work_unit.as_deref(), self.post.as_deref()].into_iter().flatten().collect();
        if !work.is_empty() {
            parts.push(work.join(" "));
        }
        parts.extend(self.political_status.clone());
        parts.extend(self.phone.clone());
        if parts.is_empty() {
            format!("{}：{}", self.relation, self.name)
        } else {
            format!("{}：{}，{}", self.relation, self.name, parts.join("，"))
        }
    }
}

fn target(s: &Subject) -> Target<'_> {
    Target { kind: "person", id: i64::from(s.id), org_path: &s.org_path }
}

/// The person, if the actor may read their family: the person themself, or `FamilyCareRead`
/// over them (403 naming it without the permission, 404 and `access.denied` out of scope).
async fn readable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Subject> {
    let subject = crate::people::service::heading(state, actor, person_id).await?.subject;
    if !subject.own {
        guard::check(state, actor, Permission::FamilyCareRead, Sensitivity::Normal, target(&subject)).await?;
    }
    Ok(subject)
}

/// Whether the actor may change this person's family (what `writable` checks, without the
/// audit of a refusal): for pages deciding whether to offer the forms.
pub fn may_change(actor: &Actor, s: &Subject) -> bool {
    s.can_edit && actor.scope(Permission::FamilyCareRead).contains(&s.org_path)
}

/// The person, if the actor may change their family: the person's record and their family
/// data both in the actor's scope.
async fn writable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Subject> {
    let subject = crate::people::service::heading(state, actor, person_id).await?.subject;
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target(&subject)).await?;
    guard::check(state, actor, Permission::FamilyCareRead, Sensitivity::Normal, target(&subject)).await?;
    Ok(subject)
}

/// How many family members a person has registered (what the masked profile shows).
pub async fn count<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<u64> {
    Ok(member::Entity::find().filter(Column::PersonId.eq(person_id)).count(db).await?)
}

/// Every family member of a person, in the order they were registered.
pub async fn of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<Member>> {
    let rows = member::Entity::find().filter(Column::PersonId.eq(person_id)).order_by_asc(Column::Id).all(db).await?;
    Ok(rows.into_iter().map(Member::from).collect())
}

/// A person's family, read in full: one `sensitive.read` entry naming the class.
pub async fn list(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<(Subject, Vec<Member>)> {
    let subject = readable(state, actor, person_id).await?;
    let members = of(&state.db, person_id).await?;
    let mut summary = json!({"fields": ["family_members"], "count": members.len()});
    if subject.own {
        summary["self"] = json!(true);
    }
    let event = Event::by(actor, "sensitive.read").object("person", subject.id).org(subject.org_path.clone());
    audit::record_alone(&state.db, state.clock.as_ref(), event.summary(summary)).await?;
    Ok((subject, members))
}

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())
}

fn apply(active: &mut member::ActiveModel, v: ValidMember) {
    active.relation = Set(v.relation.as_str().to_owned());
    active.name = Set(v.name);
    active.birth_year = Set(v.birth_year);
    active.work_unit = Set(v.work_unit);
    active.post = Set(v.post);
    active.political_status = Set(v.political_status);
    active.phone = Set(v.phone);
}

/// The audit entry of a change: which record of whose family, never the names or numbers
/// (the security auditor reads the log and may not see family data).
fn event(actor: &Actor, action: &'static str, subject: &Subject, member_id: i32) -> Event {
    Event::by(actor, action)
        .object("family_member", member_id)
        .org(subject.org_path.clone())
        .summary(json!({"person": subject.id}))
}

pub async fn create(state: &AppState, actor: &Actor, person_id: i32, input: &FamilyInput) -> AppResult<Member> {
    let subject = writable(state, actor, person_id).await?;
    let valid = validate(input, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = insert_in(&txn, state, actor, &subject, valid).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Adds a validated family member inside the caller's transaction, with its audit entry: for
/// [`create`] and for the family members met at a home visit. The caller has checked that the
/// actor may change this person's family ([`may_change`]).
pub async fn insert_in(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    subject: &Subject,
    valid: ValidMember,
) -> AppResult<Member> {
    if count(txn, subject.id).await? >= MAX_PER_PERSON {
        return Err(AppError::validation("relation", format!("每人最多登记 {MAX_PER_PERSON} 名家庭成员")));
    }
    let now = state.clock.now_db();
    let mut active = member::ActiveModel {
        person_id: Set(subject.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut active, valid);
    let saved = active.insert(txn).await?;
    audit::record(txn, state.clock.as_ref(), event(actor, "family.create", subject, saved.id)).await?;
    Ok(saved.into())
}

async fn find(state: &AppState, member_id: i32) -> AppResult<member::Model> {
    member::Entity::find_by_id(member_id).one(&state.db).await?.ok_or(AppError::NotFound)
}

/// The person a family member belongs to, when the actor may change that family.
pub async fn person_of(state: &AppState, actor: &Actor, member_id: i32) -> AppResult<i32> {
    let m = find(state, member_id).await?;
    writable(state, actor, m.person_id).await?;
    Ok(m.person_id)
}

/// Replaces a family member; returns the person they belong to and the member as saved.
pub async fn update(state: &AppState, actor: &Actor, member_id: i32, input: &FamilyInput) -> AppResult<(i32, Member)> {
    let m = find(state, member_id).await?;
    let subject = writable(state, actor, m.person_id).await?;
    let valid = validate(input, state.clock.today()).map_err(invalid)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: member::ActiveModel = m.into();
    apply(&mut active, valid);
    active.updated_at = Set(state.clock.now_db());
    let saved = active.update(&txn).await?;
    audit::record(&txn, state.clock.as_ref(), event(actor, "family.update", &subject, saved.id)).await?;
    txn.commit().await?;
    Ok((subject.id, saved.into()))
}

/// Removes a family member; returns the person they belonged to.
pub async fn delete(state: &AppState, actor: &Actor, member_id: i32) -> AppResult<i32> {
    let m = find(state, member_id).await?;
    let subject = writable(state, actor, m.person_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    member::Entity::delete_by_id(m.id).exec(&txn).await?;
    audit::record(&txn, state.clock.as_ref(), event(actor, "family.delete", &subject, m.id)).await?;
    txn.commit().await?;
    Ok(subject.id)
}
