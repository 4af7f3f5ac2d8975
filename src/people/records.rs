//! Keeping the roster: create, change (with history), soft delete, the uniqueness of numbers,
//! and the roster's reaction to changes of the organization tree.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::{Map, Value, json};

use super::entity::{self as person, Column, history};
use super::{PersonInput, ValidPerson, initials, mask_id, validate};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{entity as org, store};
use crate::state::AppState;

use super::service::{authorize_person, find_live};

fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())
}

/// The organization a person is placed in: must exist and be in the actor's write scope. One
/// the actor cannot even read looks missing (404, the refusal audited), and so does an id that
/// names none (`orgs::service::missing`): the answer must not tell which exist beyond the scope.
async fn target_org(state: &AppState, actor: &Actor, org_id: i32) -> AppResult<org::Model> {
    let Some(o) = store::find(&state.db, org_id).await?.filter(|o| o.dissolved_at.is_none()) else {
        return Err(crate::orgs::service::missing(state, actor, "org_id", "所在党组织不存在").await);
    };
    if !actor.scope(Permission::PersonWrite).contains(&o.path) {
        let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
        guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
        return Err(AppError::validation("org_id", "您无权在该党组织登记人员"));
    }
    Ok(o)
}

/// Who holds a number, as far as the actor may know: the name where the actor may see identity
/// data, only the fact of a registration elsewhere. (Naming the holder of a typed ID number
/// tells whose number it is, so the read scope alone is not enough: an account that reads a
/// sub-bureau's list but sees identity data only in its own branch learns no more here than
/// its list shows.)
pub(super) fn holder(actor: &Actor, other: &person::Model) -> String {
    let visible = other.org_path.as_deref().is_some_and(|p| actor.scope(Permission::IdentityRead).contains(p));
    match (visible, other.deleted_at.is_some()) {
        (true, false) => format!("{} 的档案", other.name),
        (true, true) => format!("{} 已删除的档案", other.name),
        (false, _) => "本局其他单位的档案（请联系其所在单位核实）".to_owned(),
    }
}

/// A number that is already taken: the refusal, and the record holding it.
struct Taken {
    error: AppError,
    holder: person::Model,
    id_number: bool,
}

/// Uniqueness of the ID number (all records, deleted ones too) and of the police number.
async fn taken<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    v: &ValidPerson,
    except: Option<i32>,
) -> AppResult<Option<Taken>> {
    let mut q = person::Entity::find().filter(Column::IdNumber.eq(&v.id_number));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if let Some(other) = q.one(db).await? {
        let error = AppError::conflict("id_number", format!("身份证号已登记在{}中", holder(actor, &other)));
        return Ok(Some(Taken { error, holder: other, id_number: true }));
    }
    if let Some(no) = &v.police_no {
        let mut q = person::Entity::find().filter(Column::PoliceNo.eq(no)).filter(Column::DeletedAt.is_null());
        if let Some(id) = except {
            q = q.filter(Column::Id.ne(id));
        }
        if let Some(other) = q.one(db).await? {
            let error = AppError::conflict("police_no", format!("警号 {no} 已用于{}", holder(actor, &other)));
            return Ok(Some(Taken { error, holder: other, id_number: false }));
        }
    }
    Ok(None)
}

/// Refuses a number that is taken, after the write transaction has been rolled back. An ID
/// number that belongs to a record whose identity data the actor may not see is recorded as an
/// `access.denied` on that record: trying numbers against the registry is how one would learn
/// a number the list masks, and the auditor should see it.
async fn refuse_taken(state: &AppState, actor: &Actor, txn: sea_orm::DatabaseTransaction, taken: Taken) -> AppError {
    if let Err(err) = txn.rollback().await {
        return err.into();
    }
    let path = taken.holder.org_path.as_deref().unwrap_or("/");
    if taken.id_number && !actor.scope(Permission::IdentityRead).contains(path) {
        let event = Event::by(actor, "access.denied")
            .object("person", taken.holder.id)
            .org(path)
            .summary(json!({"id_number_taken": mask_id(&taken.holder.id_number)}));
        if let Err(err) = audit::record_alone(&state.db, state.clock.as_ref(), event).await {
            return err.into();
        }
    }
    taken.error
}

/// Points the record at the listed unit its 所在单位 names (by name or alias), keeping the
/// list's own name; a name the list does not know stays as typed.
async fn link_unit(state: &AppState, v: &mut ValidPerson) -> AppResult<()> {
    let found = match &v.unit {
        Some(text) => crate::orgs::units::find(&state.db, text).await?,
        None => None,
    };
    if let Some(u) = &found {
        v.unit = Some(u.name.clone());
    }
    v.unit_id = found.map(|u| u.id);
    Ok(())
}

/// The warning a saved record's 所在单位 deserves: typed, but not on the unit list (see
/// [`super::unknown_unit`]); none when it is linked or empty.
pub async fn unit_warning(state: &AppState, p: &person::Model) -> AppResult<Option<String>> {
    let Some(typed) = p.unit.as_deref().filter(|u| p.unit_id.is_none() && !u.trim().is_empty()) else {
        return Ok(None);
    };
    let units = crate::orgs::units::UnitIndex::load(&state.db).await?;
    Ok(super::unknown_unit(typed, &units).map(|w| {
        format!("{w}，已按填写保存、未关联到单位名单：请改选名单中的单位，或请党务管理员在单位名单中添加这个叫法")
    }))
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
    active.unit_id = Set(v.unit_id);
    active.position = Set(v.position.clone());
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
    let mut v = validate(input, state.clock.today()).map_err(invalid)?;
    link_unit(state, &mut v).await?;
    let o = target_org(state, actor, v.org_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(t) = taken(&txn, actor, &v, None).await? {
        return Err(refuse_taken(state, actor, txn, t).await);
    }
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
    let created = active.insert(db).await?;
    super::store::add_initials(db, &[(created.id, created.name.clone())]).await?;
    super::store::add_grams(db, &[(created.id, created.name.clone(), created.unit.clone())]).await?;
    Ok(created)
}

/// Inserts many validated people in one statement (an import's new records): far less time
/// holding the write lock than one statement per person. The caller has done the checks, and
/// writes the returned people's search keys ([`write_search_keys`]).
pub(super) async fn insert_many_in<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    rows: &[(&ValidPerson, &org::Model)],
) -> AppResult<Vec<(i32, String, Option<String>)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let now = state.clock.now_db();
    let models = rows.iter().map(|(v, o)| {
        let mut active = person::ActiveModel { created_at: Set(now), updated_at: Set(now), ..Default::default() };
        apply(&mut active, v, o);
        // `insert_many` skips `before_save`, which keeps this column in step elsewhere.
        active.id_number_rev = Set(person::reversed_id(&v.id_number));
        active
    });
    person::Entity::insert_many(models).exec(db).await?;
    // Their ids by the (unique, indexed) ID numbers just inserted.
    let numbers: Vec<&str> = rows.iter().map(|(v, _)| v.id_number.as_str()).collect();
    Ok(person::Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::Name)
        .column(Column::Unit)
        .filter(Column::IdNumber.is_in(numbers))
        .into_tuple()
        .all(db)
        .await?)
}

/// The spellings and search grams of people just inserted. A batch at a time (500 people): one
/// sorted run over the whole import was 3× slower at city scale, its index pages no longer fitting
/// SQLite's cache.
pub(super) async fn write_search_keys<C: ConnectionTrait>(
    db: &C,
    people: &[(i32, String, Option<String>)],
) -> AppResult<()> {
    let started = std::time::Instant::now();
    let named: Vec<(i32, String)> = people.iter().map(|(id, name, _)| (*id, name.clone())).collect();
    super::store::add_initials(db, &named).await?;
    let spelt = started.elapsed();
    super::store::add_grams(db, people).await?;
    tracing::debug!(
        people = people.len(),
        initials_ms = spelt.as_secs_f64() * 1000.0,
        grams_ms = started.elapsed().as_secs_f64() * 1000.0,
        "import: search keys written"
    );
    Ok(())
}

/// Replaces a person's record; each changed field goes into the history (who, when, old → new).
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &PersonInput) -> AppResult<person::Model> {
    actor.require(Permission::PersonWrite)?;
    let before = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &before).await?;
    let mut v = validate(input, state.clock.today()).map_err(invalid)?;
    link_unit(state, &mut v).await?;
    // What a member's record may not change is the Party rules' to say (`Module::roster`).
    let member_errors = match crate::module::roster_rules()? {
        Some(rules) => (rules.check_change)(state, id, v.roster_change()).await?,
        None => Vec::new(),
    };
    if !member_errors.is_empty() {
        return Err(invalid(member_errors));
    }
    let o = target_org(state, actor, v.org_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(t) = taken(&txn, actor, &v, Some(id)).await? {
        return Err(refuse_taken(state, actor, txn, t).await);
    }
    // Compare with the record as it is now, not as it was before the transaction.
    let before =
        person::Entity::find_by_id(id).one(&txn).await?.filter(|p| p.deleted_at.is_none()).ok_or(AppError::NotFound)?;
    let (after, changes) = update_in(&txn, state, actor, &before, &v, &o).await?;
    status_followers(&txn, state, actor, &before, &after).await?;
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

/// What other domains keep in step with a changed employment status (`RosterRules::status_changed`).
pub(super) async fn status_followers(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    before: &person::Model,
    after: &person::Model,
) -> AppResult<()> {
    if before.employment_status == after.employment_status {
        return Ok(());
    }
    if let Some(rules) = crate::module::roster_rules()? {
        let statuses = (before.employment_status.as_str(), after.employment_status.as_str());
        (rules.status_changed)(txn, state, actor, after.id, statuses).await?;
    }
    Ok(())
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
pub(super) async fn update_in(
    db: &sea_orm::DatabaseTransaction,
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
    if after.name != before.name {
        super::store::set_initials(db, &[(after.id, after.name.clone())]).await?;
    }
    if after.name != before.name || after.unit != before.unit {
        super::store::set_grams(db, &[(after.id, after.name.clone(), after.unit.clone())]).await?;
    }
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
    // A new post or unit is a change of post (十必访: 岗位重大调整): reported to whoever listens
    // (the visits), who raises a must-visit. Filling in an empty post is no change.
    let moved = |f: &str| changes.get(f).and_then(|v| v[0].as_str()).is_some_and(|old| !old.is_empty());
    if moved("position") || moved("org_id") {
        let situation = crate::module::PersonSituation {
            person_id: before.id,
            situation: "post_change",
            source: format!("roster#{}@{}", before.id, now.format("%Y%m%d%H%M%S")),
            on: state.clock.today(),
        };
        crate::module::report_situation(db, state, situation).await?;
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
    if reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "删除原因不能超过 200 字"));
    }
    crate::text::multiline("reason", "删除原因", reason)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let path = p.org_path.clone().unwrap_or_default();
    let name = p.name.clone();
    let mut active: person::ActiveModel = p.into();
    active.deleted_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    // A deleted record holds no committee post (Party's rule, through the roster rules).
    let released = match crate::module::roster_rules()? {
        Some(rules) => (rules.person_left)(&txn, state, actor, id, "档案删除").await?,
        None => Vec::new(),
    };
    let event = Event::by(actor, "person.delete")
        .object("person", id)
        .org(path)
        .summary(json!({"name": name, "reason": reason, "released_posts": released}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// The roster's reaction to a change of the organization tree (listed in
/// `crate::db::org_paths::hooks`). On a merge, everyone placed in the dissolved organization gets
/// a history line "所在党组织: old → new" and a new update time, in two statements however many
/// people; the hook runs before the path columns are rewritten, so `org_id` still names the
/// dissolved organization. Moves change no one's organization, only its path: nothing to record.
pub async fn on_org_change(
    txn: &sea_orm::DatabaseTransaction,
    change: &crate::db::org_paths::OrgChange,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::{Expr, Query};
    let crate::db::org_paths::ChangeKind::Merged { from, into } = &change.kind else {
        return Ok(());
    };
    let moved = Query::select()
        .column(Column::Id)
        .expr(Expr::val(change.at))
        .expr(Expr::val(change.actor_id))
        .expr(Expr::val(change.actor_name.clone()))
        .expr(Expr::val("org_id"))
        .expr(Expr::val(from.name.clone()))
        .expr(Expr::val(into.name.clone()))
        .from(person::Entity)
        .and_where(Column::OrgId.eq(from.id))
        .to_owned();
    let insert = Query::insert()
        .into_table(history::Entity)
        .columns([
            history::Column::PersonId,
            history::Column::At,
            history::Column::ActorId,
            history::Column::ActorName,
            history::Column::Field,
            history::Column::OldValue,
            history::Column::NewValue,
        ])
        .select_from(moved)
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?
        .to_owned();
    txn.execute(&insert).await?;
    person::Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(change.at))
        .filter(Column::OrgId.eq(from.id))
        .exec(txn)
        .await?;
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
        political_status: p.political_status.clone(),
        employment_status: p.employment_status.clone(),
        status_since: d(p.status_since),
        joined_police_on: d(p.joined_police_on),
    }
}

/// Ends a person's service as another domain decided it (an executed exit case: 调离, 辞退,
/// 开除 …), in the caller's transaction: the roster's rules for Party members are asked first (a
/// member still on the books cannot be 辞退 or 开除 before the membership is settled), then the
/// status and its date are written with the history row, the domains that follow the status are
/// told, and the change is audited. `reason` names the decision for the audit entry.
pub async fn end_service(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    (status, since): (super::EmploymentStatus, chrono::NaiveDate),
    reason: &str,
) -> AppResult<()> {
    let before = super::store::find_live(txn, person_id).await?.ok_or(AppError::NotFound)?;
    if let Some(rules) = crate::module::roster_rules()? {
        let change = crate::module::RosterChange {
            political_status: &before.political_status,
            org_id: before.org_id.unwrap_or_default(),
            employment_status: status.as_str(),
        };
        let problems = (rules.check_change)(state, person_id, change).await?;
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
    }
    super::store::set_employment_status(txn, state, actor, &before, status.as_str(), since).await?;
    let after = super::store::find(txn, person_id).await?.ok_or(AppError::NotFound)?;
    status_followers(txn, state, actor, &before, &after).await?;
    let event = Event::by(actor, "person.update")
        .object("person", person_id)
        .org(before.org_path.clone().unwrap_or_default())
        .summary(json!({"changes": {"employment_status": [before.employment_status, status.as_str()]},
            "since": since.to_string(), "reason": reason}));
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(())
}
