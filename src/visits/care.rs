//! 人文关怀: care items — 困难帮扶, 慰问, 心理疏导, 待遇落实, 就医就学协调 — with an owner, a status
//! and a closure, linked to the visit that found the need. Lists show kind, owner and status; the
//! description is a care note, read on its own page (family-and-care permission, audited).

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{care, visit};
use super::{CARE_CLOSED, CARE_KINDS, CARE_OPEN, CareInput};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;

/// A care item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "关怀事项。`description`、`closure` 只在单条读取（记审计）时给出")]
pub struct CareItem {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub visit_id: Option<i32>,
    #[schema(example = "困难帮扶")]
    pub kind: String,
    pub owner_id: i32,
    pub owner: String,
    #[schema(example = "进行中")]
    pub status: String,
    pub closed_on: Option<String>,
    pub description: Option<String>,
    pub closure: Option<String>,
}

impl CareItem {
    pub fn of(c: care::Model, names: &HashMap<i32, String>, person_name: String, shown: bool) -> Self {
        Self {
            id: c.id,
            person_id: c.person_id,
            person_name: if person_name.is_empty() {
                names.get(&c.person_id).cloned().unwrap_or_default()
            } else {
                person_name
            },
            visit_id: c.visit_id,
            kind: c.kind,
            owner: names.get(&c.owner_id).cloned().unwrap_or_default(),
            owner_id: c.owner_id,
            status: c.status,
            closed_on: c.closed_on.map(|d| d.to_string()),
            description: shown.then_some(c.description),
            closure: if shown { c.closure } else { None },
        }
    }
}

async fn named(state: &AppState, rows: Vec<care::Model>, shown: bool) -> AppResult<Vec<CareItem>> {
    let ids: Vec<i32> = rows.iter().flat_map(|c| [c.person_id, c.owner_id]).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    Ok(rows.into_iter().map(|c| CareItem::of(c, &names, String::new(), shown)).collect())
}

/// Filter of the care list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CareFilter {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub person: Option<i32>,
    /// 进行中 or 已办结.
    pub status: String,
}

/// Care items in the actor's read scope, open first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: &CareFilter,
    page: PageParams,
) -> AppResult<(Vec<CareItem>, u64)> {
    actor.require(Permission::PersonRead)?;
    let mut q = care::Entity::find()
        .filter(crate::db::scope::in_scope(care::Column::OrgPath, &actor.scope(Permission::PersonRead)));
    if let Some(p) = f.person {
        q = q.filter(care::Column::PersonId.eq(p));
    }
    if [CARE_OPEN, CARE_CLOSED].contains(&f.status.as_str()) {
        q = q.filter(care::Column::Status.eq(f.status.clone()));
    }
    let total = q.clone().count(&state.db).await?;
    let page = page.normalized();
    let rows = q
        .order_by_desc(care::Column::Status)
        .order_by_desc(care::Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(&state.db)
        .await?;
    Ok((named(state, rows, false).await?, total))
}

/// A person's care items as the person themself sees them (kinds and states, no descriptions).
pub async fn of_person(state: &AppState, person_id: i32) -> AppResult<Vec<CareItem>> {
    let rows = care::Entity::find()
        .filter(care::Column::PersonId.eq(person_id))
        .order_by_desc(care::Column::Id)
        .limit(50)
        .all(&state.db)
        .await?;
    named(state, rows, false).await
}

async fn find(state: &AppState, id: i32) -> AppResult<care::Model> {
    care::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)
}

/// One care item in full: family-and-care permission over the person (audited), not the person.
pub async fn get(state: &AppState, actor: &Actor, id: i32) -> AppResult<CareItem> {
    let c = find(state, id).await?;
    let target = Target { kind: "care_item", id: i64::from(c.id), org_path: &c.org_path };
    guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
    guard::check(state, actor, Permission::FamilyCareRead, Sensitivity::Sensitive, target).await?;
    Ok(named(state, vec![c], true).await?.remove(0))
}

/// A care item on its own (or for a visit already recorded).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewCare {
    pub person_id: i32,
    pub visit_id: Option<i32>,
    #[serde(flatten)]
    pub item: CareInput,
}

/// Adds a care item: who may record visits to the person.
pub async fn create(state: &AppState, actor: &Actor, input: &NewCare) -> AppResult<CareItem> {
    let s = super::record::recordable(state, actor, input.person_id).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    if !CARE_KINDS.contains(&input.item.kind.trim()) {
        errors.push(("kind".into(), format!("关怀的类别应为：{}", CARE_KINDS.join("、"))));
    }
    if let Some(m) = super::record::care_description(&input.item.description) {
        errors.push(("description".into(), m));
    }
    match input.item.owner_id {
        None => errors.push(("owner_id".into(), "关怀事项须指定负责人".into())),
        Some(id) => {
            super::record::check_people(state, actor, &[("owner_id".into(), "负责人".into(), id)], &mut errors).await?;
        }
    }
    if let Some(v) = input.visit_id {
        let ok = visit::Entity::find_by_id(v).one(&state.db).await?.is_some_and(|v| v.person_id == s.id);
        if !ok {
            errors.push(("visit_id".into(), format!("家访 {v} 不是对此人的走访")));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = care::ActiveModel {
        person_id: Set(s.id),
        org_id: Set(s.org_id),
        org_path: Set(s.org_path.clone()),
        visit_id: Set(input.visit_id),
        kind: Set(input.item.kind.trim().to_owned()),
        description: Set(input.item.description.trim().to_owned()),
        owner_id: Set(input.item.owner_id.unwrap_or_default()),
        status: Set(CARE_OPEN.to_owned()),
        closed_on: Set(None),
        closure: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "care.create")
        .object("care_item", saved.id)
        .org(s.org_path.clone())
        .summary(json!({"person": s.id, "kind": saved.kind, "visit": saved.visit_id}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(named(state, vec![saved], true).await?.remove(0))
}

/// The closure of a care item.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "办结关怀事项：办结情况（必填，不超过 500 字）、办结日期（不晚于今天，不填为今天）")]
pub struct CloseCare {
    #[schema(schema_with = crate::visits::schema::closure)]
    pub closure: String,
    #[schema(schema_with = crate::visits::schema::date_or_empty)]
    pub closed_on: String,
}

/// Closes a care item: who may record visits to the person.
pub async fn close(state: &AppState, actor: &Actor, id: i32, input: &CloseCare) -> AppResult<CareItem> {
    let c = find(state, id).await?;
    super::record::recordable(state, actor, c.person_id).await?;
    if c.status == CARE_CLOSED {
        return Err(AppError::Conflict { message: "该关怀事项已办结".into(), field: None });
    }
    let mut errors: Vec<(String, String)> = Vec::new();
    let closure = input.closure.trim();
    if closure.is_empty() {
        errors.push(("closure".into(), "请写明办结情况".into()));
    } else if let Some(m) = crate::text::check_multiline("办结情况", closure)
        .err()
        .or_else(|| (closure.chars().count() > 500).then(|| "办结情况不能超过 500 个字".to_owned()))
    {
        errors.push(("closure".into(), m));
    }
    let today = state.clock.today();
    let closed_on = if input.closed_on.trim().is_empty() {
        Some(today)
    } else {
        match super::parse_date(&input.closed_on, "办结日期") {
            Ok(d) if d > today => {
                errors.push(("closed_on".into(), "办结日期不能晚于今天".into()));
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                errors.push(("closed_on".into(), m));
                None
            }
        }
    };
    let (Some(closed_on), true) = (closed_on, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let path = c.org_path.clone();
    let mut active: care::ActiveModel = c.into();
    active.status = Set(CARE_CLOSED.to_owned());
    active.closed_on = Set(Some(closed_on));
    active.closure = Set(Some(closure.to_owned()));
    active.updated_at = Set(state.clock.now_db());
    let saved = active.update(&txn).await?;
    let event = Event::by(actor, "care.close")
        .object("care_item", saved.id)
        .org(path)
        .summary(json!({"closed_on": closed_on.to_string()}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(named(state, vec![saved], true).await?.remove(0))
}
