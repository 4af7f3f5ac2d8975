//! The list of records: filters (words of the topic, organization subtree, type, period,
//! status), latest versions only, newest first, a page at a time.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::Status;
use super::entity::meeting;
use super::rules::Period;
use super::service::types;
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::store as orgs;
use crate::state::AppState;

/// The list filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// Words of the topic.
    pub q: Option<String>,
    /// An organization: its subtree.
    pub org: Option<i32>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// `2026-11`, `2026-Q4` or `2026`.
    pub period: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "crate::ui::params::page_num")]
    pub page: u64,
    #[serde(deserialize_with = "crate::ui::params::page_num")]
    pub page_size: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListItem {
    pub id: i32,
    pub org_id: i32,
    pub org_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_name: String,
    pub held_on: NaiveDate,
    pub topic: String,
    pub status: Status,
    pub version: i32,
    pub similarity: Option<i32>,
}

/// The page size asked for: 50 unless given, at most 200.
pub fn page_size(q: &ListQuery) -> u64 {
    if q.page_size == 0 { 50 } else { q.page_size.clamp(1, 200) }
}

/// The filters as a query string (without `page`), for the pager's links and the export.
pub fn query(q: &ListQuery) -> String {
    let org = q.org.map(|o| o.to_string()).unwrap_or_default();
    let size = if q.page_size == 0 { String::new() } else { page_size(q).to_string() };
    crate::ui::query_string(&[
        ("q", q.q.as_deref().unwrap_or_default().trim()),
        ("org", org.as_str()),
        ("type", q.kind.as_deref().unwrap_or_default().trim()),
        ("period", q.period.as_deref().unwrap_or_default().trim()),
        ("status", q.status.as_deref().unwrap_or_default().trim()),
        ("page_size", size.as_str()),
    ])
}

/// Records in the actor's read scope (latest versions), newest first, a page at a time.
pub async fn list(state: &AppState, actor: &Actor, q: &ListQuery) -> AppResult<(Vec<ListItem>, u64)> {
    actor.require(Permission::PersonRead)?;
    let mut cond = Condition::all()
        .add(crate::db::scope::in_scope(meeting::Column::OrgPath, &actor.scope(Permission::PersonRead)))
        .add(meeting::Column::ReplacedBy.is_null());
    if let Some(id) = q.org {
        let o = orgs::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
        let t = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
        guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, t).await?;
        cond = cond.add(crate::db::scope::subtree(meeting::Column::OrgPath, &o.path));
    }
    if let Some(k) = q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        cond = cond.add(meeting::Column::TypeCode.eq(k));
    }
    if let Some(p) = q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        let period = Period::parse(p)
            .ok_or_else(|| AppError::validation("period", format!("期间“{p}”应写成 2026-11、2026-Q4 或 2026")))?;
        let (from, to) = period.months();
        cond = cond.add(meeting::Column::HeldMonth.between(from, to));
    }
    if let Some(s) = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let status = Status::parse(s).ok_or_else(|| AppError::validation("status", format!("状态“{s}”无效")))?;
        cond = cond.add(meeting::Column::Status.eq(status));
    }
    if let Some(words) = q.q.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        cond = cond.add(crate::db::scope::containing(state.db.get_database_backend(), meeting::Column::Topic, words));
    }
    let size = page_size(q);
    let page = q.page.clamp(1, 1_000_000);
    let query = meeting::Entity::find().filter(cond);
    // The same filter asked again while paging is counted once (until the next write): a whole
    // city's five years are ≈150,000 records.
    let key = format!(
        "meetings|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        actor.scope(Permission::PersonRead),
        q.org,
        q.kind.as_deref().map(str::trim),
        q.period.as_deref().map(str::trim),
        q.status.as_deref().map(str::trim),
        q.q.as_deref().map(str::trim)
    );
    let total = state.cached_count(key, query.clone().count(&state.db)).await?;
    // Past the end: the last page, as the pager shows it.
    let page = page.min(total.div_ceil(size).max(1));
    let rows = query
        .order_by_desc(meeting::Column::HeldOn)
        .order_by_desc(meeting::Column::Id)
        .offset((page - 1) * size)
        .limit(size)
        .all(&state.db)
        .await?;
    let type_names: HashMap<String, String> = types(&state.db).await?.into_iter().map(|k| (k.code, k.name)).collect();
    let org_ids: Vec<i32> = rows.iter().map(|m| m.org_id).collect();
    let org_names = orgs::names(&state.db, &org_ids).await?;
    let items = rows
        .into_iter()
        .map(|m| ListItem {
            id: m.id,
            org_id: m.org_id,
            org_name: org_names.get(&m.org_id).cloned().unwrap_or_default(),
            type_name: type_names.get(&m.type_code).cloned().unwrap_or_else(|| m.type_code.clone()),
            kind: m.type_code,
            held_on: m.held_on,
            topic: m.topic,
            status: m.status,
            version: m.version,
            similarity: m.similarity,
        })
        .collect();
    Ok((items, total))
}
