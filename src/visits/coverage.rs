//! Coverage, derived (never typed in): per organization subtree and 全员访 cycle, the share of people
//! visited, must-visits overdue and follow-ups not done — each measured by one grouped query over
//! the path indexes and rolled up to the organization's direct subordinates — with drill-down to
//! names (paged) and the Excel export of exactly what a page shows.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use serde::{Deserialize, Serialize};

use super::entity::{followup, task, visit};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::entity as org;
use crate::state::AppState;

/// The coverage request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CoverageQuery {
    /// The organization (default: the caller's first scope root).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub org: Option<i32>,
    /// The cycle (`2026`; `2026-2` when cycles are shorter than a year). Default: the current one.
    pub cycle: String,
}

/// One line: an organization's subtree (or the organization's own people, `own`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageLine {
    pub org_id: i32,
    pub org_name: String,
    /// The organization's own people, not its subordinates'.
    pub own: bool,
    pub people: i64,
    pub visited: i64,
    /// Visited share in per cent, one decimal.
    pub share: f64,
    pub tasks_overdue: i64,
    pub follow_ups_open: i64,
}

/// Coverage of a subtree in a cycle.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "家访覆盖情况（由记录计算）：本组织子树合计及直接下级逐行")]
pub struct Coverage {
    pub org_id: i32,
    pub org_name: String,
    pub cycle: String,
    pub from: String,
    pub to: String,
    pub total: CoverageLine,
    pub lines: Vec<CoverageLine>,
}

/// The cycle asked for, or the current one, by the bureau's 全员访 cycle (`settings`).
pub async fn cycle(state: &AppState, name: &str) -> AppResult<(String, NaiveDate, NaiveDate)> {
    let months = super::settings::cycle_months(state).await?;
    if name.trim().is_empty() {
        return Ok(super::cycle_of(state.clock.today(), months));
    }
    super::parse_cycle(name, months).ok_or_else(|| {
        AppError::validation(
            "cycle",
            format!("周期“{}”无效：应为年份（如 2026）或“年份-序号”（如 2026-2）", name.trim()),
        )
    })
}

/// The organization asked for, in the actor's read scope (404 and `access.denied` outside).
pub async fn readable_org(state: &AppState, actor: &Actor, id: Option<i32>) -> AppResult<org::Model> {
    actor.require(Permission::PersonRead)?;
    let id = match id {
        Some(id) => id,
        None => actor
            .grants
            .iter()
            .find(|g| g.role.has(Permission::PersonRead))
            .map(|g| g.org_id)
            .ok_or(AppError::NotFound)?,
    };
    let o = crate::orgs::store::find(&state.db, id)
        .await?
        .filter(|o| o.dissolved_at.is_none())
        .ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
    Ok(o)
}

/// People visited in the cycle, as a `person_id` query.
pub fn visited_in(path: &str, from: NaiveDate, to: NaiveDate) -> SelectStatement {
    visit::Entity::find()
        .filter(crate::db::scope::subtree(visit::Column::OrgPath, path))
        .filter(visit::Column::VisitedOn.gte(from))
        .filter(visit::Column::VisitedOn.lte(to))
        .select_only()
        .column(visit::Column::PersonId)
        .into_query()
}

async fn grouped<E: EntityTrait, C: ColumnTrait>(
    state: &AppState,
    q: sea_orm::Select<E>,
    path_col: C,
    count_col: C,
) -> AppResult<Vec<(String, i64)>> {
    Ok(q.select_only()
        .column(path_col)
        .column_as(count_col.count(), "n")
        .group_by(path_col)
        .into_tuple::<(String, i64)>()
        .all(&state.db)
        .await?)
}

fn share(visited: i64, people: i64) -> f64 {
    if people == 0 { 0.0 } else { (visited as f64 * 1000.0 / people as f64).round() / 10.0 }
}

/// Coverage of an organization's subtree in a cycle.
pub async fn coverage(state: &AppState, actor: &Actor, q: &CoverageQuery) -> AppResult<Coverage> {
    let (name, from, to) = cycle(state, &q.cycle).await?;
    let o = readable_org(state, actor, q.org).await?;
    let path = o.path.clone();
    let today = state.clock.today();
    let people = crate::people::store::counts_by_path(&state.db, &path, None).await?;
    let visited = crate::people::store::counts_by_path(&state.db, &path, Some(visited_in(&path, from, to))).await?;
    let overdue = grouped(
        state,
        task::Entity::find()
            .filter(crate::db::scope::subtree(task::Column::OrgPath, &path))
            .filter(task::Column::ClosedOn.is_null())
            .filter(task::Column::DueOn.lt(today)),
        task::Column::OrgPath,
        task::Column::Id,
    )
    .await?;
    let open = grouped(
        state,
        followup::Entity::find()
            .filter(crate::db::scope::subtree(followup::Column::OrgPath, &path))
            .filter(followup::Column::DoneOn.is_null()),
        followup::Column::OrgPath,
        followup::Column::Id,
    )
    .await?;
    let children = crate::orgs::store::children(&state.db, o.id).await?;
    let line = |id: i32, name: &str, own: bool, matches: &dyn Fn(&str) -> bool| {
        let sum = |rows: &[(String, i64)]| rows.iter().filter(|(p, _)| matches(p)).map(|(_, n)| n).sum::<i64>();
        let (p, v) = (sum(&people), sum(&visited));
        CoverageLine {
            org_id: id,
            org_name: name.to_owned(),
            own,
            people: p,
            visited: v,
            share: share(v, p),
            tasks_overdue: sum(&overdue),
            follow_ups_open: sum(&open),
        }
    };
    let total = line(o.id, &o.name, false, &|p: &str| p.starts_with(path.as_str()));
    let mut lines = Vec::new();
    if !children.is_empty() {
        let own = line(o.id, &format!("{}（本级）", o.name), true, &|p: &str| p == path);
        if own.people > 0 || own.tasks_overdue > 0 {
            lines.push(own);
        }
        for c in &children {
            lines.push(line(c.id, &c.name, false, &|p: &str| p.starts_with(c.path.as_str())));
        }
    }
    Ok(Coverage {
        org_id: o.id,
        org_name: o.name,
        cycle: name,
        from: from.to_string(),
        to: to.to_string(),
        total,
        lines,
    })
}

/// Drill-down: who in the subtree was (not) visited in the cycle.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PeopleQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub org: Option<i32>,
    pub cycle: String,
    /// `unvisited` (default) or `visited`.
    pub status: String,
    #[serde(deserialize_with = "crate::ui::params::page_num")]
    pub page: u64,
}

/// One person of a drill-down.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoveragePerson {
    pub person_id: i32,
    pub name: String,
    pub org_name: String,
    /// The last visit in the cycle, if any.
    pub last_visit: Option<String>,
}

/// Rows per page of the drill-down (a page never shows more than 500).
pub const PEOPLE_PAGE: u64 = 100;

/// A page of the people of the subtree (not) visited in the cycle, with the total.
pub async fn people(
    state: &AppState,
    actor: &Actor,
    q: &PeopleQuery,
) -> AppResult<(Coverage, Vec<CoveragePerson>, u64)> {
    people_page(state, actor, q, PEOPLE_PAGE).await
}

/// As [`people`], `size` rows per page (the export asks for everything, up to a bound).
pub async fn people_page(
    state: &AppState,
    actor: &Actor,
    q: &PeopleQuery,
    size: u64,
) -> AppResult<(Coverage, Vec<CoveragePerson>, u64)> {
    let cov = coverage(state, actor, &CoverageQuery { org: q.org, cycle: q.cycle.clone() }).await?;
    let (_, from, to) = cycle(state, &cov.cycle).await?;
    let o = readable_org(state, actor, Some(cov.org_id)).await?;
    let visited = q.status == "visited";
    let offset = q.page.max(1).saturating_sub(1).saturating_mul(size);
    let (rows, total) = crate::people::store::page_in_subtree(
        &state.db,
        &o.path,
        Some((visited_in(&o.path, from, to), visited)),
        offset,
        size,
    )
    .await?;
    let ids: Vec<i32> = rows.iter().map(|p| p.id).collect();
    let mut last: HashMap<i32, NaiveDate> = HashMap::new();
    if visited {
        for chunk in ids.chunks(500) {
            let found: Vec<(i32, NaiveDate)> = visit::Entity::find()
                .filter(visit::Column::PersonId.is_in(chunk.to_vec()))
                .filter(visit::Column::VisitedOn.gte(from))
                .filter(visit::Column::VisitedOn.lte(to))
                .select_only()
                .column(visit::Column::PersonId)
                .column(visit::Column::VisitedOn)
                .into_tuple()
                .all(&state.db)
                .await?;
            for (p, d) in found {
                let e = last.entry(p).or_insert(d);
                if d > *e {
                    *e = d;
                }
            }
        }
    }
    let org_ids: Vec<i32> = rows.iter().filter_map(|p| p.org_id).collect();
    let orgs = crate::orgs::store::names(&state.db, &org_ids).await?;
    let out = rows
        .into_iter()
        .map(|p| CoveragePerson {
            person_id: p.id,
            org_name: p.org_id.and_then(|o| orgs.get(&o).cloned()).unwrap_or_default(),
            name: p.name,
            last_visit: last.get(&p.id).map(|d| d.to_string()),
        })
        .collect();
    Ok((cov, out, total))
}
