//! Keeping the unit list: list (paged, searchable), create, change name, aliases and covering
//! organization. Writes need `OrgWrite`; the covering organization must be in the writer's scope,
//! and a unit covered by an organization outside it is not theirs to change (404, audited).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{alias, unit};
use super::key;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::OrgRef;
use crate::error::{AppError, AppResult};
use crate::orgs::{entity as org, store};
use crate::state::AppState;

/// Units per page.
pub const PAGE_SIZE: u64 = 100;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "单位：`name` 名称 1–100 字（全角字符和空格不计差别）；`aliases` 其他叫法，用顿号、逗号或换行分隔\
    （如“中山路所”），名称和叫法在全部单位中不能重复；`org_id` 覆盖它的党组织，可省略（未指定时，此单位的人员导入时须另选党组织）；\
    `move_people` 只在修改时有意义：为 true 且覆盖的党组织改变时，本单位现由原覆盖党组织管理的人员在同一事务中一并转到新的覆盖党组织\
    （党员的组织关系按本局内转接随之转入，新的覆盖党组织须是党支部或联合支部），省略或 false 时人员不动",
    example = json!({"name": "中山路派出所", "aliases": "中山路所、中山所", "org_id": 10})
)]
pub struct UnitInput {
    #[schema(required = true, max_length = 100)]
    pub name: String,
    #[schema(max_length = 1000)]
    pub aliases: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>)]
    pub org_id: Option<i32>,
    #[serde(deserialize_with = "crate::ui::params::flag")]
    #[schema(value_type = bool, default = false)]
    pub move_people: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "单位：名称、其他叫法、覆盖它的党组织（未指定时为 null）；修改时一并移动了人员的，\
    `people_moved` 为转到新覆盖党组织的人数、`members_moved` 为其中组织关系随之转接的党员人数（其他时候没有这两项）")]
pub struct UnitView {
    pub id: i32,
    pub name: String,
    pub aliases: Vec<String>,
    pub org_id: Option<i32>,
    pub org_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_moved: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_moved: Option<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "单位的人员在哪些党组织：`org_id`/`org_name` 为现在覆盖它的党组织，`movable` 为本单位由它管理的人数\
    （改换覆盖党组织并选择一并移动时转走的就是这些人），`members` 为其中的党员人数（组织关系随之转接），\
    `elsewhere` 为本单位在其他党组织的人（不随之移动）"
)]
pub struct UnitPlacement {
    pub unit_id: i32,
    pub org_id: Option<i32>,
    pub org_name: Option<String>,
    pub movable: u64,
    pub members: u64,
    pub elsewhere: Vec<PlacedElsewhere>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlacedElsewhere {
    /// Null: people with no organization.
    pub org_id: Option<i32>,
    pub org_name: Option<String>,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitList {
    pub items: Vec<UnitView>,
    pub total: u64,
    pub page: u64,
}

/// Units the actor may see: covered by an organization in their read scope, or not covered yet.
fn visible(actor: &Actor) -> Condition {
    Condition::any()
        .add(store::in_scope(unit::Column::OrgPath, &actor.scope(Permission::OrgRead)))
        .add(unit::Column::OrgPath.is_null())
}

async fn views<C: ConnectionTrait>(db: &C, units: Vec<unit::Model>) -> AppResult<Vec<UnitView>> {
    let ids: Vec<i32> = units.iter().map(|u| u.id).collect();
    let aliases = if ids.is_empty() {
        Vec::new()
    } else {
        alias::Entity::find().filter(alias::Column::UnitId.is_in(ids)).order_by_asc(alias::Column::Id).all(db).await?
    };
    let org_ids: Vec<i32> = units.iter().filter_map(|u| u.org_id).collect();
    let names = store::names(db, &org_ids).await?;
    Ok(units
        .into_iter()
        .map(|u| UnitView {
            aliases: aliases.iter().filter(|a| a.unit_id == u.id).map(|a| a.alias.clone()).collect(),
            org_name: u.org_id.and_then(|id| names.get(&id).cloned()),
            id: u.id,
            name: u.name,
            org_id: u.org_id,
            people_moved: None,
            members_moved: None,
        })
        .collect())
}

/// One page of the units the actor may see, by name; `q` matches names and aliases.
pub async fn list(state: &AppState, actor: &Actor, q: &str, page: u64) -> AppResult<UnitList> {
    actor.require(Permission::OrgRead)?;
    let mut cond = visible(actor);
    let q = key(q);
    if !q.is_empty() {
        let by_alias = sea_orm::sea_query::Query::select()
            .column(alias::Column::UnitId)
            .from(alias::Entity)
            .and_where(alias::Column::Alias.contains(q.as_str()))
            .to_owned();
        cond = Condition::all().add(cond).add(
            Condition::any().add(unit::Column::Name.contains(q.as_str())).add(unit::Column::Id.in_subquery(by_alias)),
        );
    }
    let total = unit::Entity::find().filter(cond.clone()).count(&state.db).await?;
    let page = page.clamp(1, total.div_ceil(PAGE_SIZE).max(1));
    let units = unit::Entity::find()
        .filter(cond)
        .order_by_asc(unit::Column::Name)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(&state.db)
        .await?;
    Ok(UnitList { items: views(&state.db, units).await?, total, page })
}

/// A unit the actor may change: covered in their write scope, or not covered at all.
async fn writable_unit(state: &AppState, actor: &Actor, id: i32) -> AppResult<unit::Model> {
    actor.require(Permission::OrgWrite)?;
    let u = unit::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if let Some(path) = &u.org_path {
        let target = Target { kind: "unit", id: i64::from(u.id), org_path: path };
        guard::check(state, actor, Permission::OrgWrite, Sensitivity::Normal, target).await?;
    }
    Ok(u)
}

pub async fn get(state: &AppState, actor: &Actor, id: i32) -> AppResult<UnitView> {
    let u = writable_unit(state, actor, id).await?;
    Ok(views(&state.db, vec![u]).await?.remove(0))
}

/// The names of a form or request: the name and its aliases, cleaned and checked, each once.
fn names(input: &UnitInput) -> AppResult<(String, Vec<String>)> {
    let mut errors = Vec::new();
    let name = key(&input.name);
    if name.is_empty() {
        errors.push(("name".to_owned(), "请填写单位名称".to_owned()));
    } else if name.chars().count() > 100 {
        errors.push(("name".to_owned(), "单位名称不能超过 100 个字".to_owned()));
    } else if let Err(e) = crate::text::check_line("单位名称", &name) {
        errors.push(("name".to_owned(), e));
    }
    let mut aliases: Vec<String> = Vec::new();
    if input.aliases.chars().count() > 1000 {
        errors.push(("aliases".to_owned(), "其他叫法合计不能超过 1000 个字".to_owned()));
    }
    for a in input.aliases.split(['、', ',', '，', ';', '；', '\n']).map(key).filter(|a| !a.is_empty()) {
        if a.chars().count() > 100 {
            errors.push(("aliases".to_owned(), format!("叫法“{a}”超过 100 个字")));
        } else if let Err(e) = crate::text::check_line("其他叫法", &a) {
            errors.push(("aliases".to_owned(), e));
        } else if a != name && !aliases.contains(&a) {
            aliases.push(a);
        }
    }
    if errors.is_empty() { Ok((name, aliases)) } else { Err(AppError::Fields(errors)) }
}

/// Refuses a name or alias another unit already has.
async fn check_free<C: ConnectionTrait>(db: &C, id: Option<i32>, texts: &[&str]) -> AppResult<()> {
    for t in texts {
        let taken = match super::find(db, t).await? {
            Some(u) if Some(u.id) != id => Some(u.name),
            _ => None,
        };
        if let Some(other) = taken {
            let field = if *t == texts[0] { "name" } else { "aliases" };
            return Err(AppError::conflict(field, format!("“{t}”已是单位“{other}”的名称或叫法")));
        }
    }
    Ok(())
}

/// Writes the unit's name, aliases and cover in `txn`.
async fn write_in(
    txn: &DatabaseTransaction,
    existing: Option<unit::Model>,
    name: &str,
    aliases: &[String],
    cover: Option<&org::Model>,
) -> AppResult<unit::Model> {
    let mut texts = vec![name];
    texts.extend(aliases.iter().map(String::as_str));
    check_free(txn, existing.as_ref().map(|u| u.id), &texts).await?;
    let saved = match existing {
        Some(u) => {
            let mut active: unit::ActiveModel = u.into();
            active.name = Set(name.to_owned());
            active.org_id = Set(cover.map(|o| o.id));
            active.org_path = Set(cover.map(|o| o.path.clone()));
            active.update(txn).await?
        }
        None => {
            unit::ActiveModel {
                name: Set(name.to_owned()),
                org_id: Set(cover.map(|o| o.id)),
                org_path: Set(cover.map(|o| o.path.clone())),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    alias::Entity::delete_many().filter(alias::Column::UnitId.eq(saved.id)).exec(txn).await?;
    if !aliases.is_empty() {
        let rows = aliases.iter().map(|a| alias::ActiveModel {
            unit_id: Set(saved.id),
            alias: Set(a.clone()),
            ..Default::default()
        });
        alias::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(saved)
}

async fn cover_of(state: &AppState, actor: &Actor, org_id: Option<i32>) -> AppResult<Option<org::Model>> {
    match org_id {
        Some(id) => {
            // One outside the actor's scope looks missing like any out-of-scope id (404, the
            // refusal audited); so does a number that names none (`orgs::service::missing`).
            if store::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()).is_none() {
                return Err(crate::orgs::service::missing(state, actor, "org_id", "找不到这个党组织").await);
            }
            crate::orgs::service::writable(state, actor, id).await.map(Some)
        }
        None => Ok(None),
    }
}

/// Adds a unit to the list.
pub async fn create(state: &AppState, actor: &Actor, input: &UnitInput) -> AppResult<UnitView> {
    actor.require(Permission::OrgWrite)?;
    let (name, aliases) = names(input)?;
    let cover = cover_of(state, actor, input.org_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = write_in(&txn, None, &name, &aliases, cover.as_ref()).await?;
    let mut event = Event::by(actor, "unit.create").object("unit", saved.id);
    if let Some(o) = &cover {
        event = event.org(o.path.clone());
    }
    audit::record(&txn, state.clock.as_ref(), event.summary(json!({"name": name, "aliases": aliases}))).await?;
    txn.commit().await?;
    Ok(views(&state.db, vec![saved]).await?.remove(0))
}

/// Where the people of a unit are placed: the preview of moving them with a new covering
/// organization (how many, how many members, and who stays because another organization holds
/// them). Counts only; the unit must be the actor's to change.
pub async fn placement(state: &AppState, actor: &Actor, id: i32) -> AppResult<UnitPlacement> {
    let u = writable_unit(state, actor, id).await?;
    let rows = (crate::module::unit_people()?.placement)(&state.db, u.id).await?;
    let org_ids: Vec<i32> = rows.iter().filter_map(|(o, _, _)| *o).chain(u.org_id).collect();
    let names = store::names(&state.db, &org_ids).await?;
    let (mut movable, mut members, mut elsewhere) = (0, 0, Vec::new());
    for (org_id, count, m) in rows {
        if org_id.is_some() && org_id == u.org_id {
            (movable, members) = (count, m);
        } else {
            elsewhere.push(PlacedElsewhere { org_id, org_name: org_id.and_then(|o| names.get(&o).cloned()), count });
        }
    }
    let org_name = u.org_id.and_then(|o| names.get(&o).cloned());
    Ok(UnitPlacement { unit_id: u.id, org_id: u.org_id, org_name, movable, members, elsewhere })
}

/// Changes a unit's name, aliases and covering organization. With `move_people`, when the cover
/// changes, the unit's people placed under the old cover move to the new one in the same
/// transaction (members' memberships as internal transfers, through the roster's rules), which
/// needs person-write scope over both organizations; otherwise people keep their organization
/// and follow at their next edit or import.
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &UnitInput) -> AppResult<UnitView> {
    let before = writable_unit(state, actor, id).await?;
    let (name, aliases) = names(input)?;
    let cover = cover_of(state, actor, input.org_id).await?;
    let from = match (input.move_people, before.org_id, &cover) {
        (true, Some(old), Some(new)) if old != new.id => {
            let old = store::find(&state.db, old).await?.ok_or(AppError::NotFound)?;
            for o in [&old, new] {
                let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
                guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
            }
            Some(old)
        }
        (true, Some(_), None) => {
            return Err(AppError::validation("move_people", "一并移动人员时须指定新的覆盖党组织"));
        }
        _ => None,
    };
    let people = if from.is_some() { Some(crate::module::unit_people()?) } else { None };
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = write_in(&txn, Some(before.clone()), &name, &aliases, cover.as_ref()).await?;
    let moved = match (&from, &cover, people) {
        (Some(old), Some(new), Some(people)) => {
            let r = |o: &org::Model| OrgRef { id: o.id, path: o.path.clone(), name: o.name.clone() };
            let (old, new) = (r(old), r(new));
            Some((people.follow)(&txn, state, actor, (saved.id, &saved.name), &old, &new).await?)
        }
        _ => None,
    };
    let mut event = Event::by(actor, "unit.update").object("unit", saved.id);
    if let Some(path) = cover.as_ref().map(|o| o.path.clone()).or(before.org_path.clone()) {
        event = event.org(path);
    }
    let mut summary = json!({"name": name, "aliases": aliases, "org_id": cover.as_ref().map(|o| o.id),
        "before": {"name": before.name, "org_id": before.org_id}});
    if let Some((people, members)) = moved {
        summary["people_moved"] = json!(people);
        summary["members_moved"] = json!(members);
    }
    audit::record(&txn, state.clock.as_ref(), event.summary(summary)).await?;
    txn.commit().await?;
    let mut view = views(&state.db, vec![saved]).await?.remove(0);
    if let Some((people, members)) = moved {
        view.people_moved = Some(people);
        view.members_moved = Some(members);
    }
    Ok(view)
}

/// The organization import's 覆盖单位: each name becomes a unit covered by `o` (created when the
/// list does not know it), in the import's transaction. Names another organization covers move
/// to `o`.
pub async fn cover_in(txn: &DatabaseTransaction, o: &org::Model, texts: &[String]) -> AppResult<()> {
    for t in texts {
        let name = key(t);
        if name.is_empty() {
            continue;
        }
        match super::find(txn, &name).await? {
            Some(u) => {
                let mut active: unit::ActiveModel = u.into();
                active.org_id = Set(Some(o.id));
                active.org_path = Set(Some(o.path.clone()));
                active.update(txn).await?;
            }
            None => {
                unit::ActiveModel {
                    name: Set(name),
                    org_id: Set(Some(o.id)),
                    org_path: Set(Some(o.path.clone())),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}
