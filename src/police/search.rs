//! 警务信息查询: people in the actor's read scope by 警衔, 职级, 警种, 辅警类别 and contracts due,
//! with their police fields; one page, or every row for the Excel export (audited like the
//! roster's export).

use std::collections::HashMap;

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::profile as row;
use super::reminders::CONTRACT_NOTICE_DAYS;
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::PageParams;

/// Largest export in one file (the roster's bound).
const EXPORT_LIMIT: u64 = 200_000;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PoliceFilter {
    /// 警衔, one of the 13 grades.
    pub police_rank: String,
    /// 职级.
    pub grade: String,
    /// 警种.
    pub police_type: String,
    /// 辅警类别: 勤务辅警 or 文职辅警.
    pub aux_kind: String,
    /// `1`: only 辅警 whose contract ends within 60 days or has ended.
    pub contract_due: String,
}

impl PoliceFilter {
    pub fn query(&self) -> String {
        crate::ui::query_string(&[
            ("police_rank", &self.police_rank),
            ("grade", &self.grade),
            ("police_type", &self.police_type),
            ("aux_kind", &self.aux_kind),
            ("contract_due", &self.contract_due),
        ])
    }
}

/// One person of the list with their police fields.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "警务信息查询的一行：人员及其警务信息（无敏感字段）")]
pub struct PoliceRow {
    pub person_id: i32,
    pub name: String,
    pub kind: String,
    pub police_no: Option<String>,
    pub unit: Option<String>,
    pub leader_post: Option<String>,
    pub grade: Option<String>,
    pub police_rank: Option<String>,
    pub police_type: Option<String>,
    pub aux_kind: Option<String>,
    pub employer_kind: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub contract_end: Option<chrono::NaiveDate>,
}

/// The police records the filter selects, as a query of person ids.
fn among(filter: &PoliceFilter, today: chrono::NaiveDate) -> sea_orm::sea_query::SelectStatement {
    let mut q = row::Entity::find();
    for (column, value) in [
        (row::Column::PoliceRank, &filter.police_rank),
        (row::Column::Grade, &filter.grade),
        (row::Column::PoliceType, &filter.police_type),
        (row::Column::AuxKind, &filter.aux_kind),
    ] {
        if !value.trim().is_empty() {
            q = q.filter(column.eq(value.trim()));
        }
    }
    if !filter.contract_due.trim().is_empty() {
        q = q.filter(row::Column::ContractEnd.lte(today + Duration::days(CONTRACT_NOTICE_DAYS)));
    }
    q.select_only().column(row::Column::PersonId).into_query()
}

async fn rows(
    state: &AppState,
    actor: &Actor,
    filter: &PoliceFilter,
    offset: u64,
    limit: Option<u64>,
) -> AppResult<(u64, Vec<PoliceRow>)> {
    actor.require(Permission::PersonRead)?;
    let scope = actor.scope(Permission::PersonRead);
    let (total, people) =
        crate::people::store::page_among(&state.db, &scope, among(filter, state.clock.today()), offset, limit).await?;
    let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
    let mut police: HashMap<i32, row::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in row::Entity::find().filter(row::Column::PersonId.is_in(chunk.to_vec())).all(&state.db).await? {
            police.insert(m.person_id, m);
        }
    }
    let rows = people
        .into_iter()
        .map(|p| {
            let m = police.remove(&p.id);
            let get = |f: fn(&row::Model) -> Option<String>| m.as_ref().and_then(f);
            PoliceRow {
                person_id: p.id,
                name: p.name,
                kind: p.kind,
                police_no: p.police_no,
                unit: p.unit,
                leader_post: get(|m| m.leader_post.clone()),
                grade: get(|m| m.grade.clone()),
                police_rank: get(|m| m.police_rank.clone()),
                police_type: get(|m| m.police_type.clone()),
                aux_kind: get(|m| m.aux_kind.clone()),
                employer_kind: get(|m| m.employer_kind.clone()),
                contract_end: m.as_ref().and_then(|m| m.contract_end),
            }
        })
        .collect();
    Ok((total, rows))
}

/// One page of the list and how many rows the filter gives.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &PoliceFilter,
    page: PageParams,
) -> AppResult<(u64, Vec<PoliceRow>)> {
    let page = page.normalized();
    rows(state, actor, filter, page.offset(), Some(page.page_size)).await
}

/// Every row the filter gives, for the Excel export: one `police.export` entry (filter, rows).
pub async fn list_all(state: &AppState, actor: &Actor, filter: &PoliceFilter) -> AppResult<Vec<PoliceRow>> {
    let (_, rows) = rows(state, actor, filter, 0, Some(EXPORT_LIMIT)).await?;
    let event = Event::by(actor, "police.export").summary(json!({"filter": filter, "rows": rows.len()}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok(rows)
}
