//! 五个一律、五个零容忍 (item 4): the bureau's public commitments as an editable list (its own
//! wording; the shipped items are labelled examples, research/domain.md §7 found no source), the
//! violations recorded against an item (a sanction's `commitment_id`), and a report per item,
//! unit and year. The list is public wording: anyone signed in with `OrgRead` reads it; only a
//! bureau-wide `DisciplineWrite` grant edits it. The report gives counts (`DashboardRead`).

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::commitment::{self, Column};
use super::entity::sanction;
use super::rules::Status;
use super::service::year_range;
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const GROUPS: [&str; 2] = ["五个一律", "五个零容忍"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条承诺条目")]
pub struct Commitment {
    pub id: i32,
    #[schema(example = "五个一律")]
    pub group: String,
    pub title: String,
    pub body: Option<String>,
    /// A shipped example still awaiting the bureau's own wording.
    pub example: bool,
    pub sort_order: i32,
    pub retired: bool,
}

impl From<commitment::Model> for Commitment {
    fn from(m: commitment::Model) -> Self {
        Self {
            id: m.id,
            group: m.group_name,
            title: m.title,
            body: m.body,
            example: m.example,
            sort_order: m.sort_order,
            retired: m.retired,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "承诺条目：`group` 为 五个一律 或 五个零容忍；`title` 条目文字（必填，不超过 200 字）；`body` 说明（不超过 500 字）；\
    `sort_order` 排序；`retired` 停用（已登记的违反记录保留）"
)]
pub struct CommitmentInput {
    #[schema(required = true, schema_with = group_schema)]
    pub group: String,
    #[schema(required = true, schema_with = title_schema)]
    pub title: String,
    #[schema(schema_with = body_schema)]
    pub body: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>)]
    pub sort_order: Option<i32>,
    pub retired: Option<bool>,
}

fn group_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::one_of(&GROUPS, false)
}

fn title_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(200, true)
}

fn body_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(500, false)
}

/// Every item, active first, in order.
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Commitment>> {
    actor.require(Permission::OrgRead)?;
    let rows = commitment::Entity::find()
        .order_by_asc(Column::Retired)
        .order_by_asc(Column::GroupName)
        .order_by_asc(Column::SortOrder)
        .order_by_asc(Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(Commitment::from).collect())
}

/// Whether the actor may edit the list: `DisciplineWrite` over the whole bureau.
pub fn may_edit(actor: &Actor) -> bool {
    actor.grants.iter().any(|g| g.role.has(Permission::DisciplineWrite) && g.org_path.matches('/').count() == 2)
}

fn validate(input: &CommitmentInput) -> AppResult<(String, String, Option<String>)> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let group = input.group.trim().to_owned();
    if !GROUPS.contains(&group.as_str()) {
        errors.push(("group".into(), format!("分组应为：{}", GROUPS.join("、"))));
    }
    let title = input.title.trim().to_owned();
    if title.is_empty() {
        errors.push(("title".into(), "请填写条目文字".into()));
    } else if title.chars().count() > 200 {
        errors.push(("title".into(), "条目文字不能超过 200 字".into()));
    } else if let Err(m) = crate::text::check_line("条目文字", &title) {
        errors.push(("title".into(), m));
    }
    let body = input.body.trim().to_owned();
    if body.chars().count() > 500 {
        errors.push(("body".into(), "说明不能超过 500 字".into()));
    } else if let Err(m) = crate::text::check_multiline("说明", &body) {
        errors.push(("body".into(), m));
    }
    if errors.is_empty() {
        Ok((group, title, Some(body).filter(|b| !b.is_empty())))
    } else {
        Err(AppError::Fields(errors))
    }
}

fn require_edit(actor: &Actor) -> AppResult<()> {
    actor.require(Permission::DisciplineWrite)?;
    if may_edit(actor) {
        Ok(())
    } else {
        Err(AppError::forbidden("承诺条目是全局的，只有全局范围的纪检监察或党务管理员可以维护"))
    }
}

pub async fn create(state: &AppState, actor: &Actor, input: &CommitmentInput) -> AppResult<Commitment> {
    require_edit(actor)?;
    let (group, title, body) = validate(input)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = commitment::ActiveModel {
        group_name: Set(group),
        title: Set(title),
        body: Set(body),
        example: Set(false),
        sort_order: Set(input.sort_order.unwrap_or(100)),
        retired: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event =
        Event::by(actor, "commitment.create").object("commitment", saved.id).summary(json!({"title": saved.title}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// Replaces an item's wording (it is then the bureau's own, no longer an example) or retires it.
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &CommitmentInput) -> AppResult<Commitment> {
    require_edit(actor)?;
    let m = commitment::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let (group, title, body) = validate(input)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let before = m.title.clone();
    let mut active: commitment::ActiveModel = m.into();
    active.group_name = Set(group);
    active.title = Set(title);
    active.body = Set(body);
    active.example = Set(false);
    if let Some(order) = input.sort_order {
        active.sort_order = Set(order);
    }
    if let Some(retired) = input.retired {
        active.retired = Set(retired);
    }
    active.updated_at = Set(state.clock.now_db());
    let saved = active.update(&txn).await?;
    let event = Event::by(actor, "commitment.update")
        .object("commitment", saved.id)
        .summary(json!({"before": before, "title": saved.title, "retired": saved.retired}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// One line of the report: an item, a unit, the violations of the year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub commitment_id: i32,
    pub title: String,
    pub org_id: i32,
    pub org_name: String,
    pub count: u64,
}

/// Violations recorded against each item in a year, per unit where they were recorded, within
/// the caller's `DashboardRead` scope (counts only; standing records).
pub async fn report(state: &AppState, actor: &Actor, year: i32) -> AppResult<Vec<ReportRow>> {
    actor.require(Permission::DashboardRead)?;
    let (from, to) = year_range(year);
    let scope = actor.scope(Permission::DashboardRead);
    let rows: Vec<(i32, i32, String)> = sanction::Entity::find()
        .select_only()
        .column(sanction::Column::CommitmentId)
        .column(sanction::Column::OrgId)
        .column(sanction::Column::OrgPath)
        .filter(sanction::Column::CommitmentId.is_not_null())
        .filter(sanction::Column::DecidedOn.gte(from))
        .filter(sanction::Column::DecidedOn.lt(to))
        .filter(sanction::Column::Status.eq(Status::Standing))
        .filter(crate::db::scope::in_scope(sanction::Column::OrgPath, &scope))
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut counts: HashMap<(i32, i32), u64> = HashMap::new();
    for (c, org, _) in &rows {
        *counts.entry((*c, *org)).or_default() += 1;
    }
    let titles: HashMap<i32, String> =
        commitment::Entity::find().all(&state.db).await?.into_iter().map(|c| (c.id, c.title)).collect();
    let org_ids: Vec<i32> = counts.keys().map(|(_, o)| *o).collect();
    let org_names = crate::orgs::store::names(&state.db, &org_ids).await?;
    let mut out: Vec<ReportRow> = counts
        .into_iter()
        .map(|((c, org), count)| ReportRow {
            commitment_id: c,
            title: titles.get(&c).cloned().unwrap_or_default(),
            org_id: org,
            org_name: org_names.get(&org).cloned().unwrap_or_default(),
            count,
        })
        .collect();
    out.sort_by(|a, b| (a.commitment_id, &a.org_name).cmp(&(b.commitment_id, &b.org_name)));
    Ok(out)
}
