//! Queries over `persons` that other domains need (they read the table only through these),
//! and the roster changes another domain decides (they write it only through these).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::{self as person, Column, history};
use crate::auth::Actor;
use crate::db::org_paths::OrgRef;
use crate::error::AppResult;
use crate::state::AppState;

/// The person with this id, deleted or not.
pub async fn find<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find_by_id(id).one(db).await
}

/// The person with this id, unless deleted.
pub async fn find_live<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<person::Model>, DbErr> {
    Ok(find(db, id).await?.filter(|p| p.deleted_at.is_none()))
}

/// Names of people by id, deleted or not (for other domains' lists of their records).
pub async fn names_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, String>, DbErr> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, String)> = person::Entity::find()
            .select_only()
            .column(Column::Id)
            .column(Column::Name)
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Up to `limit` live (not deleted) persons with this police number (警号).
pub async fn live_with_police_no<C: ConnectionTrait>(
    db: &C,
    no: &str,
    limit: u64,
) -> Result<Vec<person::Model>, DbErr> {
    live().filter(Column::PoliceNo.eq(no)).limit(limit).all(db).await
}

/// Up to `limit` live persons with this (normalized) ID number.
pub async fn live_with_id_number<C: ConnectionTrait>(
    db: &C,
    id: &str,
    limit: u64,
) -> Result<Vec<person::Model>, DbErr> {
    live().filter(Column::IdNumber.eq(id)).limit(limit).all(db).await
}

/// Up to `limit` live persons named exactly `name` placed in the subtree at `path` (the
/// organization import's 书记).
pub async fn live_named_under<C: ConnectionTrait>(
    db: &C,
    name: &str,
    path: &str,
    limit: u64,
) -> Result<Vec<person::Model>, DbErr> {
    live()
        .filter(Column::Name.eq(name))
        .filter(crate::db::scope::subtree(Column::OrgPath, path))
        .limit(limit)
        .all(db)
        .await
}

/// Names of the given persons by id (see [`super::names`]).
pub use super::names;

/// About how many people a picker's pool must hold (see [`pick_among`]) for the typed text,
/// rather than the pool, to lead the query to the rows.
pub const MANY_PEOPLE: u64 = 3_000;

/// A picker's suggestions among people: up to `limit` live persons whom `among` selects (a query
/// of another domain's table with a `person_id` column, e.g. the members of a branch) and whom the
/// typed text `q` finds as the roster search would (name, pinyin initials, police number, or the
/// id of a chosen suggestion), by name. One bounded query, however many people `among` holds.
///
/// `many` says the pool holds more than [`MANY_PEOPLE`] (a whole bureau's members). A small pool
/// is read first and its people looked up; a large one is probed per person instead, so that the
/// name index or the typed text reaches the first matches without reading the whole pool (SQLite
/// would otherwise list every member of the bureau before sorting: 18 ms at city scale, against
/// 2–4 ms).
pub async fn pick_among<C: ConnectionTrait>(
    db: &C,
    among: sea_orm::sea_query::SelectStatement,
    many: bool,
    q: &str,
    limit: u64,
) -> Result<Vec<person::Model>, DbErr> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let in_pool = if many {
        let pool = Alias::new("pool");
        let probe = Query::select()
            .expr(Expr::val(1))
            .from_subquery(among, pool.clone())
            .and_where(Expr::col((pool, Alias::new("person_id"))).equals((person::Entity, Column::Id)))
            .to_owned();
        Expr::exists(probe)
    } else {
        Column::Id.in_subquery(among)
    };
    let mut query = live().filter(in_pool);
    if let Some(cond) = super::search::picker_condition(db.get_database_backend(), q) {
        query = query.filter(cond);
    }
    query.order_by_asc(Column::Name).order_by_asc(Column::Id).limit(limit).all(db).await
}

/// The people (deleted ones too: records outlive them) whom typed text finds as a picker would
/// (name, pinyin initials, police number), as an `id` query for another domain's name search;
/// `None` for empty text.
pub fn ids_matching(backend: sea_orm::DatabaseBackend, q: &str) -> Option<sea_orm::sea_query::SelectStatement> {
    use sea_orm::QueryTrait;
    let cond = super::search::picker_condition(backend, q)?;
    Some(person::Entity::find().filter(cond).select_only().column(Column::Id).into_query())
}

/// The ids of the live persons in `scope`, as a subquery with which another domain reads only
/// its records of them (a branch's reminders without reading the whole bureau's).
pub fn live_ids_in(scope: &crate::auth::Scope) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    live().filter(crate::db::scope::in_scope(Column::OrgPath, scope)).select_only().column(Column::Id).into_query()
}

/// Where the given live persons are, for another domain's scoped lists and reminders: by id,
/// the name, the organization path and the employment status (deleted persons left out). A few
/// queries however many ids.
pub async fn placed<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, (String, String, String)>, DbErr> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        // Only the four columns: a whole-bureau warning list asks for hundreds of people, and a
        // person's row is wide (ciphertexts, contact, history fields).
        let rows: Vec<(i32, String, Option<String>, String)> = live()
            .select_only()
            .columns([Column::Id, Column::Name, Column::OrgPath, Column::EmploymentStatus])
            .filter(Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for (id, name, path, status) in rows {
            out.insert(id, (name, path.unwrap_or_else(|| "/".to_owned()), status));
        }
    }
    Ok(out)
}

/// A page of the live persons in `scope` whom `among` selects (a query of another domain's table
/// with a `person_id` column, e.g. police records with a given 警衔), in roster order, and how many
/// there are in all. `limit` none: every one (an export).
pub async fn page_among<C: ConnectionTrait>(
    db: &C,
    scope: &crate::auth::Scope,
    among: sea_orm::sea_query::SelectStatement,
    offset: u64,
    limit: Option<u64>,
) -> Result<(u64, Vec<person::Model>), DbErr> {
    let query = live()
        .filter(crate::db::scope::in_scope(Column::OrgPath, scope))
        .filter(Column::Id.in_subquery(among))
        .order_by_asc(Column::OrgPath)
        .order_by_asc(Column::Id);
    let total = query.clone().count(db).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    Ok((total, rows))
}

/// How many people (not deleted) the organization at `path` and its subtree hold.
pub async fn count_in_subtree<C: ConnectionTrait>(db: &C, path: &str) -> Result<u64, DbErr> {
    live().filter(crate::db::scope::subtree(Column::OrgPath, path)).count(db).await
}

/// How many people (not deleted) are placed in the organization itself.
pub async fn count_in_org<C: ConnectionTrait>(db: &C, org_id: i32) -> Result<u64, DbErr> {
    live().filter(Column::OrgId.eq(org_id)).count(db).await
}

/// Live people in the subtree at `path`, counted per organization path: all of them, or only
/// those another domain's query `among` selects (a query with a `person_id` column, e.g. the
/// people visited in a cycle). One grouped query over the path index.
pub async fn counts_by_path<C: ConnectionTrait>(
    db: &C,
    path: &str,
    among: Option<sea_orm::sea_query::SelectStatement>,
) -> Result<Vec<(String, i64)>, DbErr> {
    let mut q = live().filter(crate::db::scope::subtree(Column::OrgPath, path));
    if let Some(among) = among {
        q = q.filter(Column::Id.in_subquery(among));
    }
    q.select_only()
        .column(Column::OrgPath)
        .column_as(Column::Id.count(), "n")
        .group_by(Column::OrgPath)
        .into_tuple::<(Option<String>, i64)>()
        .all(db)
        .await
        .map(|rows| rows.into_iter().filter_map(|(p, n)| p.map(|p| (p, n))).collect())
}

/// A page of live people in the subtree at `path`, by organization and name: all, or those
/// another domain's query `among` selects (`Some((query, true))`) or does not (`false`). With the
/// total.
pub async fn page_in_subtree<C: ConnectionTrait>(
    db: &C,
    path: &str,
    among: Option<(sea_orm::sea_query::SelectStatement, bool)>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<person::Model>, u64), DbErr> {
    let mut q = live().filter(crate::db::scope::subtree(Column::OrgPath, path));
    match among {
        Some((among, true)) => q = q.filter(Column::Id.in_subquery(among)),
        Some((among, false)) => q = q.filter(Column::Id.not_in_subquery(among)),
        None => {}
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_asc(Column::OrgPath)
        .order_by_asc(Column::Name)
        .order_by_asc(Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Live people in the subtree at `path` who joined the police on or after `since` (new recruits).
pub fn joined_police_since(path: &str, since: chrono::NaiveDate) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    live()
        .filter(crate::db::scope::subtree(Column::OrgPath, path))
        .filter(Column::JoinedPoliceOn.gte(since))
        .select_only()
        .column_as(Column::Id, "person_id")
        .into_query()
}

/// Every live person in the subtree at `path` (as a `person_id` query).
pub fn everyone_in(path: &str) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    live()
        .filter(crate::db::scope::subtree(Column::OrgPath, path))
        .select_only()
        .column_as(Column::Id, "person_id")
        .into_query()
}

/// The people in the subtree at `path` recorded as 因公牺牲 (whose families the bureau visits),
/// of one kind (民警, 辅警 …) or of any, as a `person_id` query.
pub fn died_on_duty_in(path: &str, kind: Option<super::PersonKind>) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    let mut q = live()
        .filter(crate::db::scope::subtree(Column::OrgPath, path))
        .filter(Column::EmploymentStatus.eq(super::EmploymentStatus::DiedOnDuty.as_str()));
    if let Some(k) = kind {
        q = q.filter(Column::Kind.eq(k.as_str()));
    }
    q.select_only().column_as(Column::Id, "person_id").into_query()
}

/// The live people in the subtree at `path` among `ids` (as a `person_id` query), for target
/// lists another domain has narrowed (e.g. people with a sanction in effect).
pub fn among_in(path: &str, ids: &[i32]) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    live()
        .filter(crate::db::scope::subtree(Column::OrgPath, path))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .select_only()
        .column_as(Column::Id, "person_id")
        .into_query()
}

fn live() -> sea_orm::Select<person::Entity> {
    person::Entity::find().filter(Column::DeletedAt.is_null())
}

/// Sets the political status another domain decides (a membership's), with its history row.
pub async fn set_political_status(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    p: &person::Model,
    status: &str,
) -> AppResult<()> {
    let change = ("political_status", p.political_status.clone(), status.to_owned());
    set_with_history(txn, state, actor, p, change, |a| a.political_status = Set(status.to_owned())).await
}

/// Sets the employment status another domain records (a member's death), with the date and the
/// history row.
pub async fn set_employment_status(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    p: &person::Model,
    status: &str,
    since: chrono::NaiveDate,
) -> AppResult<()> {
    let change = ("employment_status", p.employment_status.clone(), status.to_owned());
    set_with_history(txn, state, actor, p, change, |a| {
        a.employment_status = Set(status.to_owned());
        a.status_since = Set(Some(since));
    })
    .await
}

/// Moves a person to the organization another domain decides (a transfer's receiving branch);
/// the history names the organizations.
pub async fn move_to_org(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    p: &person::Model,
    from_name: &str,
    to: &OrgRef,
) -> AppResult<()> {
    set_with_history(txn, state, actor, p, ("org_id", from_name.to_owned(), to.name.clone()), |a| {
        a.org_id = Set(Some(to.id));
        a.org_path = Set(Some(to.path.clone()));
    })
    .await
}

/// Changes one field, keeping the person's history; nothing when the shown value stays.
async fn set_with_history(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    p: &person::Model,
    (field, old, new): (&'static str, String, String),
    apply: impl FnOnce(&mut person::ActiveModel),
) -> AppResult<()> {
    if old == new {
        return Ok(());
    }
    let now = state.clock.now_db();
    let mut active: person::ActiveModel = p.clone().into();
    apply(&mut active);
    active.updated_at = Set(now);
    active.update(txn).await?;
    history::ActiveModel {
        person_id: Set(p.id),
        at: Set(now),
        actor_id: Set((actor.user_id > 0).then_some(actor.user_id)),
        actor_name: Set(actor.username.clone()),
        field: Set(field.to_owned()),
        old_value: Set(Some(old)),
        new_value: Set(Some(new)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Replaces the pinyin spellings of these persons' names (id, name) with those of
/// `text::initials_variants`, in a few statements however many persons.
pub async fn set_initials<C: ConnectionTrait>(db: &C, people: &[(i32, String)]) -> Result<(), DbErr> {
    use super::entity::initials;
    for chunk in people.chunks(500) {
        let ids: Vec<i32> = chunk.iter().map(|(id, _)| *id).collect();
        initials::Entity::delete_many().filter(initials::Column::PersonId.is_in(ids)).exec(db).await?;
    }
    add_initials(db, people).await
}

/// Spells the names of persons who have no spelling yet (just inserted): no delete. The rows
/// go in sorted by spelling, so that the index takes them in order.
pub async fn add_initials<C: ConnectionTrait>(db: &C, people: &[(i32, String)]) -> Result<(), DbErr> {
    use super::entity::initials;
    let mut keys: Vec<(String, i32)> = people
        .iter()
        .flat_map(|(id, name)| {
            // A name without any letter still gets its (empty) row, so it counts as spelt.
            let mut spellings = crate::text::initials_variants(name);
            if spellings.is_empty() {
                spellings.push(String::new());
            }
            spellings.into_iter().map(move |v| (v, *id))
        })
        .collect();
    keys.sort_unstable();
    for chunk in keys.chunks(5_000) {
        let rows = chunk.iter().map(|(v, id)| initials::ActiveModel {
            person_id: Set(*id),
            initials: Set(v.clone()),
            ..Default::default()
        });
        initials::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Spells the names of every person who has no spelling yet: after a bulk insert, and at
/// start-up for persons written before spellings were kept. Returns how many were spelt.
pub async fn fill_missing_initials<C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    use super::entity::initials;
    let mut done = 0;
    loop {
        // NOT EXISTS, not NOT IN: PostgreSQL runs `NOT IN (subquery)` as a scan of the whole
        // subquery per person once it outgrows work_mem (minutes at province scale).
        let spelt = Query::select()
            .expr(Expr::val(1))
            .from(initials::Entity)
            .and_where(Expr::col((initials::Entity, initials::Column::PersonId)).equals((person::Entity, Column::Id)))
            .to_owned();
        let batch: Vec<(i32, String)> = person::Entity::find()
            .select_only()
            .column(Column::Id)
            .column(Column::Name)
            .filter(Expr::exists(spelt).not())
            .order_by_asc(Column::Id)
            .limit(5_000)
            .into_tuple()
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(done);
        }
        done += batch.len();
        set_initials(db, &batch).await?;
    }
}

/// Replaces the search grams (`text::search_grams`) of these persons' names and units
/// (id, name, unit), in a few statements however many persons; called wherever a name or a unit
/// is written, in the same transaction.
pub async fn set_grams<C: ConnectionTrait>(db: &C, people: &[(i32, String, Option<String>)]) -> Result<(), DbErr> {
    use super::entity::grams;
    for chunk in people.chunks(1_000) {
        let ids: Vec<i32> = chunk.iter().map(|(id, _, _)| *id).collect();
        grams::Entity::delete_many().filter(grams::Column::PersonId.is_in(ids)).exec(db).await?;
    }
    add_grams(db, people).await
}

/// Writes the search grams of persons who have none yet (just inserted, or kept before the grams
/// were): no delete, and as few statements as the databases' parameter limits allow.
pub async fn add_grams<C: ConnectionTrait>(db: &C, people: &[(i32, String, Option<String>)]) -> Result<(), DbErr> {
    use super::entity::grams;
    let mut keys: Vec<(String, i32)> = people
        .iter()
        .flat_map(|(id, name, unit)| {
            let mut all = crate::text::search_grams(name);
            all.extend(unit.as_deref().map(crate::text::search_grams).unwrap_or_default());
            all.sort_unstable();
            all.dedup();
            all.into_iter().map(move |gram| (gram, *id))
        })
        .collect();
    // In (gram, person) order the rows meet the index's pages in order, not scattered over them.
    keys.sort_unstable();
    // Two parameters a row: 5,000 rows stay under SQLite's 32,766 and PostgreSQL's 65,535.
    for chunk in keys.chunks(5_000) {
        let rows = chunk.iter().map(|(gram, id)| grams::ActiveModel {
            person_id: Set(*id),
            gram: Set(gram.clone()),
            ..Default::default()
        });
        grams::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Writes the search grams of every person who has none yet: after a bulk insert (the demo),
/// and at start-up for persons written before the grams were kept. Returns how many persons were done.
pub async fn fill_missing_grams<C: ConnectionTrait>(db: &C) -> Result<usize, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    use super::entity::grams;
    let mut done = 0;
    let mut after = 0;
    loop {
        let kept = Query::select()
            .expr(Expr::val(1))
            .from(grams::Entity)
            .and_where(Expr::col((grams::Entity, grams::Column::PersonId)).equals((person::Entity, Column::Id)))
            .to_owned();
        let batch: Vec<(i32, String, Option<String>)> = person::Entity::find()
            .select_only()
            .column(Column::Id)
            .column(Column::Name)
            .column(Column::Unit)
            .filter(Column::Id.gt(after))
            .filter(Expr::exists(kept).not())
            .order_by_asc(Column::Id)
            .limit(5_000)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.0;
        done += batch.len();
        add_grams(db, &batch).await?;
    }
}

/// This domain's answers about a unit's people, installed for the units page
/// (`crate::module::UnitPeople`).
pub fn unit_people() -> crate::module::UnitPeople {
    crate::module::UnitPeople { placement: unit_placement, follow: unit_follow }
}

fn unit_placement(
    db: &sea_orm::DatabaseConnection,
    unit_id: i32,
) -> crate::module::BoxFuture<'_, AppResult<crate::module::Placement>> {
    Box::pin(async move { Ok(placement_in_unit(db, unit_id).await?) })
}

fn unit_follow<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    unit: (i32, &'a str),
    from: &'a OrgRef,
    to: &'a OrgRef,
) -> crate::module::BoxFuture<'a, AppResult<(u64, u64)>> {
    Box::pin(follow_unit(txn, state, actor, unit, from, to))
}

/// The live people of a unit, counted per organization they are placed in: (organization, how
/// many, how many of them are Party members by their political status), by organization id.
pub async fn placement_in_unit<C: ConnectionTrait>(
    db: &C,
    unit_id: i32,
) -> Result<Vec<(Option<i32>, u64, u64)>, DbErr> {
    let rows: Vec<(Option<i32>, String)> = live()
        .select_only()
        .column(Column::OrgId)
        .column(Column::PoliticalStatus)
        .filter(Column::UnitId.eq(unit_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut out: std::collections::BTreeMap<Option<i32>, (u64, u64)> = std::collections::BTreeMap::new();
    for (org, status) in rows {
        let entry = out.entry(org).or_default();
        entry.0 += 1;
        if matches!(
            super::PoliticalStatus::parse(&status),
            Some(super::PoliticalStatus::Member | super::PoliticalStatus::Probationary)
        ) {
            entry.1 += 1;
        }
    }
    Ok(out.into_iter().map(|(org, (n, m))| (org, n, m)).collect())
}

/// Moves the live people of unit `unit` (id, name) placed in `from` to `to`, the unit's new
/// covering organization, in the caller's transaction: for each, the domains that keep records
/// of the person move theirs first (a member's membership, `RosterRules::follow_unit`, which may
/// refuse), then the person's organization changes with a history row. Returns how many people
/// moved and how many of them were members whose membership moved.
pub async fn follow_unit(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    (unit_id, unit_name): (i32, &str),
    from: &OrgRef,
    to: &OrgRef,
) -> AppResult<(u64, u64)> {
    let people = live()
        .filter(Column::UnitId.eq(unit_id))
        .filter(Column::OrgId.eq(from.id))
        .order_by_asc(Column::Id)
        .all(txn)
        .await?;
    let rules = crate::module::roster_rules()?;
    let (mut moved, mut members) = (0, 0);
    for p in people {
        if let Some(rules) = rules {
            let follow = crate::module::FollowUnit { person_id: p.id, person_name: &p.name, unit: unit_name, from, to };
            if (rules.follow_unit)(txn, state, actor, follow).await? {
                members += 1;
            }
        }
        move_to_org(txn, state, actor, &p, &from.name, to).await?;
        moved += 1;
    }
    Ok((moved, members))
}
