//! Use cases of the roster: search, profile, create, update (with history), soft delete.

use chrono::NaiveDateTime;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::entity::{self as person, Column, history};
use super::profile::{self, Section};
use super::{PersonInput, ValidPerson, field_label, initials, mask_id, validate};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{entity as org, store};
use crate::state::AppState;
use crate::ui::PageParams;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PersonFilter {
    /// Name, pinyin initials (`zs`), police number, last digits of the ID number, or unit.
    pub q: String,
    pub kind: String,
    pub employment_status: String,
    pub political_status: String,
    /// Only this organization's subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
}

/// A list row: no sensitive field, the ID number masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "名册中的一行：身份证号只显示末四位，不含电话")]
pub struct PersonRow {
    pub id: i32,
    pub name: String,
    pub kind: String,
    pub police_no: Option<String>,
    pub id_number_masked: String,
    pub gender: String,
    pub birth_date: String,
    pub org_id: Option<i32>,
    pub org_name: String,
    pub unit: Option<String>,
    pub position: Option<String>,
    pub political_status: String,
    pub employment_status: String,
}

async fn rows(state: &AppState, people: Vec<person::Model>) -> AppResult<Vec<PersonRow>> {
    let ids: Vec<i32> = people.iter().filter_map(|p| p.org_id).collect();
    let names = store::names(&state.db, &ids).await?;
    Ok(people
        .into_iter()
        .map(|p| PersonRow {
            id: p.id,
            org_name: p.org_id.and_then(|o| names.get(&o).cloned()).unwrap_or_default(),
            id_number_masked: mask_id(&p.id_number),
            birth_date: p.birth_date.to_string(),
            name: p.name,
            kind: p.kind,
            police_no: p.police_no,
            gender: p.gender,
            org_id: p.org_id,
            unit: p.unit,
            position: p.position,
            political_status: p.political_status,
            employment_status: p.employment_status,
        })
        .collect())
}

/// The search text decides what it matches: latin letters are pinyin initials, digits a
/// police number or the end of an ID number, anything else the name or the unit.
fn search_condition(backend: sea_orm::DatabaseBackend, q: &str) -> Option<Condition> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    if q.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(store::prefix(Column::NameInitials, &q.to_ascii_lowercase()));
    }
    let digits = q.trim_end_matches(['x', 'X']);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let mut cond = Condition::any().add(store::prefix(Column::PoliceNo, q));
        if q.len() >= 4 {
            cond = cond.add(store::prefix(Column::IdNumberRev, &person::reversed_id(&q.to_ascii_uppercase())));
        }
        return Some(cond);
    }
    Some(Condition::any().add(store::containing(backend, Column::Name, q)).add(store::containing(
        backend,
        Column::Unit,
        q,
    )))
}

/// Above this many people in reach, a search lets its own index find the rows and only filters
/// them by organization; below it, the organization's range is the narrower way in.
const SEARCH_DRIVES_ABOVE: u64 = 3_000;

async fn filtered(
    state: &AppState,
    actor: &Actor,
    filter: &PersonFilter,
) -> AppResult<sea_orm::Select<person::Entity>> {
    actor.require(Permission::PersonRead)?;
    let scope = actor.scope(Permission::PersonRead);
    let within = match filter.org {
        Some(org_id) => {
            let o = store::find(&state.db, org_id).await?.ok_or(AppError::NotFound)?;
            let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
            guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
            Some(o.path)
        }
        None => None,
    };
    let search = search_condition(state.db.get_database_backend(), &filter.q);
    // Which condition should reach the rows through its index: the planners cannot tell how
    // many people a subtree holds, the (cached) count can.
    let search_drives = match &search {
        Some(_) => {
            let reach = person::Entity::find()
                .filter(match &within {
                    Some(path) => store::subtree(Column::OrgPath, path),
                    None => store::in_scope(Column::OrgPath, &scope),
                })
                .filter(Column::DeletedAt.is_null());
            let key = format!("persons-reach:{scope:?}:{within:?}");
            state.cached_count(key, reach.count(&state.db)).await? > SEARCH_DRIVES_ABOVE
        }
        None => false,
    };
    let (in_scope, subtree): (Condition, Option<Condition>) = if search_drives {
        (store::in_scope_filter(Column::OrgPath, &scope), within.map(|p| store::subtree_filter(Column::OrgPath, &p)))
    } else {
        (store::in_scope(Column::OrgPath, &scope), within.map(|p| store::subtree(Column::OrgPath, &p)))
    };
    let mut q = person::Entity::find().filter(in_scope).filter(Column::DeletedAt.is_null());
    if let Some(cond) = subtree {
        q = q.filter(cond);
    }
    if let Some(cond) = search {
        q = q.filter(cond);
    }
    for (column, value) in [
        (Column::Kind, &filter.kind),
        (Column::EmploymentStatus, &filter.employment_status),
        (Column::PoliticalStatus, &filter.political_status),
    ] {
        if !value.trim().is_empty() {
            q = q.filter(column.eq(value.trim()));
        }
    }
    Ok(q.order_by_asc(Column::OrgPath).order_by_asc(Column::Id))
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &PersonFilter,
    page: PageParams,
) -> AppResult<(Vec<PersonRow>, u64)> {
    let page = page.normalized();
    let q = filtered(state, actor, filter).await?;
    // The filter and the scope decide the rows, so together they name the count.
    let key = format!(
        "persons:{:?}:{}",
        actor.scope(Permission::PersonRead),
        serde_json::to_string(filter).unwrap_or_default()
    );
    let total = state.cached_count(key, q.clone().count(&state.db)).await?;
    let people = q.offset(page.offset()).limit(page.page_size).all(&state.db).await?;
    Ok((rows(state, people).await?, total))
}

/// Largest export in one file.
pub const EXPORT_LIMIT: u64 = 200_000;

/// Every row the filter shows, for the Excel export; an export of the roster is audited.
pub async fn list_all(state: &AppState, actor: &Actor, filter: &PersonFilter) -> AppResult<Vec<PersonRow>> {
    let people = filtered(state, actor, filter).await?.limit(EXPORT_LIMIT).all(&state.db).await?;
    let mut event = Event::by(actor, "person.export");
    if let Some(path) = store::common_path(people.iter().filter_map(|p| p.org_path.as_deref())) {
        event = event.org(path);
    }
    let event = event.summary(json!({"filter": filter, "rows": people.len()}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    rows(state, people).await
}

async fn find_live(state: &AppState, id: i32) -> AppResult<person::Model> {
    person::Entity::find_by_id(id).one(&state.db).await?.filter(|p| p.deleted_at.is_none()).ok_or(AppError::NotFound)
}

/// Read access to one person: the person themself, or `perm` in scope.
async fn authorize_person(state: &AppState, actor: &Actor, perm: Permission, p: &person::Model) -> AppResult<()> {
    if perm == Permission::PersonRead && actor.person_id == Some(p.id) {
        return Ok(());
    }
    let target = Target { kind: "person", id: i64::from(p.id), org_path: p.org_path.as_deref().unwrap_or("/") };
    guard::check(state, actor, perm, Sensitivity::Normal, target).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条变更记录：`at` 为北京时间，`field` 为字段的中文名称")]
pub struct HistoryRow {
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-28 02:43:12")]
    pub at: NaiveDateTime,
    pub actor: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

impl HistoryRow {
    pub fn at_local(&self) -> String {
        crate::clock::display_local(self.at)
    }
}

pub struct Profile {
    pub person: person::Model,
    pub org_name: String,
    pub sections: Vec<Section>,
    pub can_edit: bool,
}

/// Everything about a person that the viewer may see (一人一档).
pub async fn profile(state: &AppState, actor: &Actor, id: i32) -> AppResult<Profile> {
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonRead, &p).await?;
    let org_name = match p.org_id {
        Some(o) => store::find(&state.db, o).await?.map(|o| o.name).unwrap_or_default(),
        None => String::new(),
    };
    let sections = profile::sections(state, actor, &p, &org_name).await?;
    let can_edit = p.org_path.as_deref().is_some_and(|path| actor.scope(Permission::PersonWrite).contains(path));
    Ok(Profile { person: p, org_name, sections, can_edit })
}

/// The raw record for an edit form: write permission in scope, and the form shows the ID and
/// phone numbers in full, so it counts as a sensitive read.
pub async fn for_edit(state: &AppState, actor: &Actor, id: i32) -> AppResult<person::Model> {
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &p).await?;
    let target = Target { kind: "person", id: i64::from(p.id), org_path: p.org_path.as_deref().unwrap_or("/") };
    guard::check(state, actor, Permission::PersonSensitiveRead, Sensitivity::Sensitive, target).await?;
    Ok(p)
}

/// The change history of a record. Old and new ID and phone numbers are shown only to a
/// viewer who may read them, and that read is audited; others see them masked.
pub async fn history(state: &AppState, actor: &Actor, id: i32) -> AppResult<Vec<HistoryRow>> {
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &p).await?;
    let rows = history::Entity::find()
        .filter(history::Column::PersonId.eq(id))
        .order_by_desc(history::Column::Id)
        .all(&state.db)
        .await?;
    let has_sensitive = rows.iter().any(|h| matches!(h.field.as_str(), "id_number" | "phone"));
    let clear = has_sensitive && profile::may_see_sensitive(state, actor, &p).await?;
    let shown = |field: &str, value: Option<String>| {
        let value = value.unwrap_or_default();
        match field {
            "id_number" if !clear => mask_id(&value),
            "phone" if !clear && !value.is_empty() => "***".to_owned(),
            _ => value,
        }
    };
    Ok(rows
        .into_iter()
        .map(|h| HistoryRow {
            at: h.at,
            actor: h.actor_name,
            old_value: shown(&h.field, h.old_value),
            new_value: shown(&h.field, h.new_value),
            field: field_label(&h.field).to_owned(),
        })
        .collect())
}

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())
}

/// The organization a person is placed in: must exist and be in the actor's write scope.
async fn target_org(state: &AppState, actor: &Actor, org_id: i32) -> AppResult<org::Model> {
    let o = store::find(&state.db, org_id)
        .await?
        .filter(|o| o.dissolved_at.is_none())
        .ok_or_else(|| AppError::validation("org_id", "所在党组织不存在"))?;
    if !actor.scope(Permission::PersonWrite).contains(&o.path) {
        return Err(AppError::validation("org_id", "您无权在该党组织登记人员"));
    }
    Ok(o)
}

/// Who holds a number, as far as the actor may know: the name inside the actor's read scope,
/// only the fact of a registration outside it.
pub(super) fn holder(actor: &Actor, other: &person::Model) -> String {
    let visible = other.org_path.as_deref().is_some_and(|p| actor.scope(Permission::PersonRead).contains(p));
    match (visible, other.deleted_at.is_some()) {
        (true, false) => format!("{} 的档案", other.name),
        (true, true) => format!("{} 已删除的档案", other.name),
        (false, _) => "本局其他单位的档案（请联系其所在单位核实）".to_owned(),
    }
}

/// Uniqueness of the ID number (all records, deleted ones too) and of the police number.
async fn check_unique<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    v: &ValidPerson,
    except: Option<i32>,
) -> AppResult<()> {
    let mut q = person::Entity::find().filter(Column::IdNumber.eq(&v.id_number));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if let Some(other) = q.one(db).await? {
        return Err(AppError::conflict("id_number", format!("身份证号已登记在{}中", holder(actor, &other))));
    }
    if let Some(no) = &v.police_no {
        let mut q = person::Entity::find().filter(Column::PoliceNo.eq(no)).filter(Column::DeletedAt.is_null());
        if let Some(id) = except {
            q = q.filter(Column::Id.ne(id));
        }
        if let Some(other) = q.one(db).await? {
            return Err(AppError::conflict("police_no", format!("警号 {no} 已用于{}", holder(actor, &other))));
        }
    }
    Ok(())
}

fn apply(active: &mut person::ActiveModel, v: &ValidPerson, o: &org::Model) {
    active.name = Set(v.name.clone());
    active.name_initials = Set(initials(&v.name));
    active.kind = Set(v.kind.clone());
    active.police_no = Set(v.police_no.clone());
    active.id_number = Set(v.id_number.clone());
    active.gender = Set(v.gender.clone());
    active.birth_date = Set(v.birth_date);
    active.ethnicity = Set(v.ethnicity.clone());
    active.education = Set(v.education.clone());
    active.phone = Set(v.phone.clone());
    active.org_id = Set(Some(o.id));
    active.org_path = Set(Some(o.path.clone()));
    active.unit = Set(v.unit.clone());
    active.position = Set(v.position.clone());
    active.rank = Set(v.rank.clone());
    active.political_status = Set(v.political_status.clone());
    active.employment_status = Set(v.employment_status.clone());
    active.status_since = Set(v.status_since);
    active.joined_police_on = Set(v.joined_police_on);
}

/// Comparable text of each field, for history and the audit summary.
fn field_values(p: &person::Model) -> Vec<(&'static str, String)> {
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let t = |t: &Option<String>| t.clone().unwrap_or_default();
    vec![
        ("name", p.name.clone()),
        ("kind", p.kind.clone()),
        ("police_no", t(&p.police_no)),
        ("id_number", p.id_number.clone()),
        ("ethnicity", t(&p.ethnicity)),
        ("education", t(&p.education)),
        ("phone", t(&p.phone)),
        ("org_id", p.org_id.map(|o| o.to_string()).unwrap_or_default()),
        ("unit", t(&p.unit)),
        ("position", t(&p.position)),
        ("rank", t(&p.rank)),
        ("political_status", p.political_status.clone()),
        ("employment_status", p.employment_status.clone()),
        ("status_since", d(p.status_since)),
        ("joined_police_on", d(p.joined_police_on)),
    ]
}

/// The audit log keeps what changed, but never an ID or phone number in clear.
fn audit_value(field: &str, value: &str) -> Value {
    match field {
        "id_number" => json!(mask_id(value)),
        "phone" if !value.is_empty() => json!("***"),
        _ => json!(value),
    }
}

pub async fn create(state: &AppState, actor: &Actor, input: &PersonInput) -> AppResult<person::Model> {
    actor.require(Permission::PersonWrite)?;
    let v = validate(input, state.clock.today()).map_err(invalid)?;
    let o = target_org(state, actor, v.org_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    check_unique(&txn, actor, &v, None).await?;
    let created = insert_in(&txn, state, &v, &o).await?;
    let summary: Map<String, Value> =
        field_values(&created).into_iter().map(|(f, val)| (f.to_owned(), audit_value(f, &val))).collect();
    let event =
        Event::by(actor, "person.create").object("person", created.id).org(o.path.clone()).summary(json!(summary));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(created)
}

/// Inserts a validated person (checks done by the caller).
pub(super) async fn insert_in<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    v: &ValidPerson,
    o: &org::Model,
) -> AppResult<person::Model> {
    let now = state.clock.now_db();
    let mut active = person::ActiveModel { created_at: Set(now), updated_at: Set(now), ..Default::default() };
    apply(&mut active, v, o);
    Ok(active.insert(db).await?)
}

/// Replaces a person's record; each changed field goes into the history (who, when, old → new).
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &PersonInput) -> AppResult<person::Model> {
    actor.require(Permission::PersonWrite)?;
    let before = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &before).await?;
    let v = validate(input, state.clock.today()).map_err(invalid)?;
    let member_errors =
        crate::party::service::check_roster_change(&state.db, id, &v.political_status, v.org_id).await?;
    if !member_errors.is_empty() {
        return Err(invalid(member_errors));
    }
    let o = target_org(state, actor, v.org_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    check_unique(&txn, actor, &v, Some(id)).await?;
    // Compare with the record as it is now, not as it was before the transaction.
    let before =
        person::Entity::find_by_id(id).one(&txn).await?.filter(|p| p.deleted_at.is_none()).ok_or(AppError::NotFound)?;
    let (after, changes) = update_in(&txn, state, actor, &before, &v, &o).await?;
    if !changes.is_empty() {
        let event = Event::by(actor, "person.update")
            .object("person", id)
            .org(o.path.clone())
            .summary(json!({"changes": changes}));
        audit::record(&txn, state.clock.as_ref(), event).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// Field names whose value would change, with their Chinese labels (for previews).
pub(super) fn changed_fields(before: &person::Model, v: &ValidPerson, o: &org::Model) -> Vec<&'static str> {
    let mut after = before.clone();
    let mut active: person::ActiveModel = after.clone().into();
    apply(&mut active, v, o);
    if let Ok(model) = sea_orm::TryIntoModel::try_into_model(active) {
        after = model;
    }
    field_values(before)
        .into_iter()
        .zip(field_values(&after))
        .filter(|((_, old), (_, new))| old != new)
        .map(|((f, _), _)| f)
        .collect()
}

/// Writes a validated change and its history rows; returns the new record and the changes
/// (for the audit summary, ID and phone numbers masked).
pub(super) async fn update_in<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    actor: &Actor,
    before: &person::Model,
    v: &ValidPerson,
    o: &org::Model,
) -> AppResult<(person::Model, Map<String, Value>)> {
    let now = state.clock.now_db();
    let mut active: person::ActiveModel = before.clone().into();
    apply(&mut active, v, o);
    active.updated_at = Set(now);
    let after = active.update(db).await?;
    let mut changes = Map::new();
    for ((field, old), (_, new)) in field_values(before).into_iter().zip(field_values(&after)) {
        if old == new {
            continue;
        }
        changes.insert(field.to_owned(), json!([audit_value(field, &old), audit_value(field, &new)]));
        let (old_shown, new_shown) = if field == "org_id" {
            let ids: Vec<i32> = [&old, &new].iter().filter_map(|v| v.parse().ok()).collect();
            let names = store::names(db, &ids).await?;
            let name = |v: &str| v.parse().ok().and_then(|i: i32| names.get(&i).cloned()).unwrap_or_default();
            (name(&old), name(&new))
        } else {
            (old, new)
        };
        history::ActiveModel {
            person_id: Set(before.id),
            at: Set(now),
            actor_id: Set((actor.user_id > 0).then_some(actor.user_id)),
            actor_name: Set(actor.username.clone()),
            field: Set(field.to_owned()),
            old_value: Set(Some(old_shown)),
            new_value: Set(Some(new_shown)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok((after, changes))
}

/// Hides a record (it is kept, and stays in the audit log and history).
pub async fn delete(state: &AppState, actor: &Actor, id: i32, reason: &str) -> AppResult<()> {
    actor.require(Permission::PersonWrite)?;
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &p).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "请填写删除原因"));
    }
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let path = p.org_path.clone().unwrap_or_default();
    let name = p.name.clone();
    let mut active: person::ActiveModel = p.into();
    active.deleted_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    // A deleted record holds no committee post.
    let released = crate::orgs::governance::release_posts(&txn, state, actor, id, None, "档案删除").await?;
    let event = Event::by(actor, "person.delete")
        .object("person", id)
        .org(path)
        .summary(json!({"name": name, "reason": reason, "released_posts": released}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// The form values of an existing record (to prefill the edit form).
pub fn input_of(p: &person::Model) -> PersonInput {
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let t = |t: &Option<String>| t.clone().unwrap_or_default();
    PersonInput {
        name: p.name.clone(),
        kind: p.kind.clone(),
        police_no: t(&p.police_no),
        id_number: p.id_number.clone(),
        gender: p.gender.clone(),
        birth_date: p.birth_date.to_string(),
        ethnicity: t(&p.ethnicity),
        education: t(&p.education),
        phone: t(&p.phone),
        org_id: p.org_id,
        unit: t(&p.unit),
        position: t(&p.position),
        rank: t(&p.rank),
        political_status: p.political_status.clone(),
        employment_status: p.employment_status.clone(),
        status_since: d(p.status_since),
        joined_police_on: d(p.joined_police_on),
    }
}
