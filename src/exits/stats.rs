//! Statistics of exit cases (issue 14 item 6): by status, by outcome and by unit, aggregated in
//! SQL, with the Excel export of the same tables. Counts are for anyone with `DashboardRead` in
//! scope (leaders included); the names behind them (the drill-down to the list) only for
//! `DisciplineWrite` (discipline, party_admin).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::case::{self, Column};
use super::{Outcome, Status};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::db::scope::subtree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Which unit and year.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The organization whose subtree is counted (default: the top of the caller's scope).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
    /// Cases opened in this year (default: every year).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    pub status: Status,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub count: u64,
    /// Of them, executed.
    pub executed: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitCount {
    pub org_id: i32,
    pub name: String,
    pub total: u64,
    /// Still being worked (拟议 to 执行与交接).
    pub open: u64,
    /// Executed outcomes that ended the person's service.
    pub left: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "出口案件统计（由案件汇总，只有件数）")]
pub struct Stats {
    pub org_id: i32,
    pub org_name: String,
    pub year: Option<i32>,
    pub total: u64,
    pub statuses: Vec<StatusCount>,
    pub outcomes: Vec<OutcomeCount>,
    /// The organization itself (本级) and each direct subordinate with its subtree.
    pub units: Vec<UnitCount>,
    /// Whether the caller may drill down to names.
    pub names: bool,
}

/// One group of cases: path, status, outcome, execution date, count.
type GroupRow = (String, String, Option<String>, Option<chrono::NaiveDate>, i64);

/// The organization counted: `org` if in the caller's `DashboardRead` scope (404, audited,
/// otherwise), else the top of the scope. 403 (audited) without the permission.
async fn root(state: &AppState, actor: &Actor, org: Option<i32>) -> AppResult<crate::orgs::entity::Model> {
    if !actor.can(Permission::DashboardRead) {
        let event = Event::by(actor, "access.denied").object("exit_case", "stats");
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        actor.require(Permission::DashboardRead)?;
    }
    let id = match org {
        Some(id) => id,
        None => match actor.scope(Permission::DashboardRead) {
            Scope::Subtrees(roots) => actor
                .grants
                .iter()
                .find(|g| roots.first().is_some_and(|r| *r == g.org_path))
                .map(|g| g.org_id)
                .ok_or(AppError::NotFound)?,
            _ => return Err(AppError::NotFound),
        },
    };
    let o = crate::orgs::store::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::DashboardRead, Sensitivity::Normal, target).await?;
    Ok(o)
}

/// The statistics of an organization's subtree.
pub async fn stats(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<Stats> {
    let o = root(state, actor, q.org).await?;
    let mut query = case::Entity::find()
        .select_only()
        .column(Column::OrgPath)
        .column(Column::Status)
        .column(Column::Outcome)
        .column(Column::ExecutedOn)
        .column_as(Column::Id.count(), "n")
        .filter(subtree(Column::OrgPath, &o.path))
        .group_by(Column::OrgPath)
        .group_by(Column::Status)
        .group_by(Column::Outcome)
        .group_by(Column::ExecutedOn);
    if let Some(y) = q.year {
        let (from, to) = crate::discipline::service::year_range(y);
        query = query.filter(Column::OpenedOn.gte(from)).filter(Column::OpenedOn.lt(to));
    }
    // Read as text: the enum columns are parsed below (an unknown value fails loudly).
    let rows: Vec<GroupRow> = query.into_tuple().all(&state.db).await?;
    let children = crate::orgs::store::children(&state.db, o.id).await?;
    let mut units: Vec<UnitCount> = std::iter::once((o.id, format!("{}（本级）", o.name)))
        .chain(children.iter().map(|c| (c.id, c.name.clone())))
        .map(|(org_id, name)| UnitCount { org_id, name, total: 0, open: 0, left: 0 })
        .collect();
    let mut statuses: Vec<StatusCount> = Status::ALL.iter().map(|s| StatusCount { status: *s, count: 0 }).collect();
    let mut outcomes: Vec<OutcomeCount> =
        Outcome::ALL.iter().map(|o| OutcomeCount { outcome: *o, count: 0, executed: 0 }).collect();
    let mut total = 0;
    for (path, status, outcome, executed, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        let status = Status::parse(&status)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("exit_cases.status has an unknown value: {status}")))?;
        let outcome =
            match outcome {
                Some(o) => Some(Outcome::parse(&o).ok_or_else(|| {
                    AppError::Internal(anyhow::anyhow!("exit_cases.outcome has an unknown value: {o}"))
                })?),
                None => None,
            };
        total += n;
        if let Some(s) = statuses.iter_mut().find(|s| s.status == status) {
            s.count += n;
        }
        if let Some(oc) = outcome.and_then(|x| outcomes.iter_mut().find(|o| o.outcome == x)) {
            oc.count += n;
            if executed.is_some() {
                oc.executed += n;
            }
        }
        let unit = children.iter().position(|c| path.starts_with(c.path.as_str())).map_or(0, |i| i + 1);
        units[unit].total += n;
        if status.open() {
            units[unit].open += n;
        }
        if executed.is_some() && outcome.and_then(Outcome::ends_service).is_some() {
            units[unit].left += n;
        }
    }
    outcomes.retain(|o| o.count > 0);
    units.retain(|u| u.org_id == o.id || u.total > 0 || children.len() <= 60);
    let names = actor.scope(Permission::DisciplineWrite).contains(&o.path);
    Ok(Stats { org_id: o.id, org_name: o.name, year: q.year, total, statuses, outcomes, units, names })
}

/// The statistics as a spreadsheet (audited: `exit_case.export`).
pub async fn export(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<(String, Vec<u8>)> {
    let s = stats(state, actor, q).await?;
    let headers = ["单位", "案件数", "办理中", "已离开队伍"];
    let mut rows: Vec<Vec<String>> = s
        .units
        .iter()
        .map(|u| vec![u.name.clone(), u.total.to_string(), u.open.to_string(), u.left.to_string()])
        .collect();
    rows.push(vec![String::new()]);
    rows.push(vec!["状态".into(), "案件数".into()]);
    rows.extend(s.statuses.iter().map(|x| vec![x.status.as_str().to_owned(), x.count.to_string()]));
    rows.push(vec![String::new()]);
    rows.push(vec!["处理结果".into(), "案件数".into(), "已执行".into()]);
    rows.extend(
        s.outcomes.iter().map(|x| vec![x.outcome.as_str().to_owned(), x.count.to_string(), x.executed.to_string()]),
    );
    let period = s.year.map_or("历年".to_owned(), |y| format!("{y} 年"));
    let title = format!("{} {period}出口案件统计", s.org_name);
    let bytes = crate::io::xlsx::table("出口案件统计", &title, &headers, &rows)?;
    let event =
        Event::by(actor, "exit_case.export").object("org", s.org_id).summary(json!({"year": s.year, "total": s.total}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((format!("{title}.xlsx"), bytes))
}
