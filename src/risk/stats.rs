//! Statistics derived from the flags (item 6): by category, level, unit and status, and the
//! campaigns' completion. Counts only, for anyone with `DashboardRead` in scope (leaders
//! included); the drill-down to names is the flag list, for `DisciplineRiskRead` only. Excel export.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{category, flag};
use super::{LEVELS, STATUSES};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::db::scope::subtree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The organization whose subtree is counted (default: the top of the caller's scope).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一个单位的风险提示件数：合计、未结、红色")]
pub struct UnitCount {
    pub org_id: i32,
    pub name: String,
    pub total: u64,
    pub open: u64,
    pub red: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "排查活动的完成情况：范围内支部数、已完成数")]
pub struct CampaignCount {
    pub name: String,
    pub branches: u64,
    pub done: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "队伍隐患排查统计（由风险提示和排查确认汇总，只有件数，不含姓名）")]
pub struct Stats {
    pub org_id: i32,
    pub org_name: String,
    pub total: u64,
    pub by_category: Vec<Count>,
    pub by_level: Vec<Count>,
    pub by_status: Vec<Count>,
    /// The organization itself (本级) and each direct subordinate with its subtree.
    pub units: Vec<UnitCount>,
    pub campaigns: Vec<CampaignCount>,
    /// Whether the caller may drill down to names (the flag list).
    pub names: bool,
}

async fn root(state: &AppState, actor: &Actor, org: Option<i32>) -> AppResult<crate::orgs::entity::Model> {
    if !actor.can(Permission::DashboardRead) {
        let event = Event::by(actor, "access.denied").object("risk_flag", "stats");
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

/// The counts of an organization's subtree: one grouped query over the flags.
pub async fn stats(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<Stats> {
    let o = root(state, actor, q.org).await?;
    let rows: Vec<(String, i32, String, String, i64)> = flag::Entity::find()
        .select_only()
        .column(flag::Column::OrgPath)
        .column(flag::Column::CategoryId)
        .column(flag::Column::Level)
        .column(flag::Column::Status)
        .column_as(Expr::from(Func::count(Expr::col(flag::Column::Id))), "n")
        .filter(subtree(flag::Column::OrgPath, &o.path))
        .group_by(flag::Column::OrgPath)
        .group_by(flag::Column::CategoryId)
        .group_by(flag::Column::Level)
        .group_by(flag::Column::Status)
        .into_tuple()
        .all(&state.db)
        .await?;
    let cats = category::Entity::find().all(&state.db).await?;
    let children: Vec<crate::orgs::entity::Model> =
        crate::orgs::store::children(&state.db, o.id).await?.into_iter().filter(|c| c.dissolved_at.is_none()).collect();
    let mut units: Vec<UnitCount> =
        std::iter::once(UnitCount { org_id: o.id, name: format!("{}（本级）", o.name), total: 0, open: 0, red: 0 })
            .chain(children.iter().map(|c| UnitCount { org_id: c.id, name: c.name.clone(), total: 0, open: 0, red: 0 }))
            .collect();
    let mut by_cat: BTreeMap<i32, u64> = BTreeMap::new();
    let mut by_level: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0;
    for (path, cat, level, status, n) in &rows {
        let n = u64::try_from(*n).unwrap_or(0);
        total += n;
        *by_cat.entry(*cat).or_default() += n;
        *by_level.entry(level.clone()).or_default() += n;
        *by_status.entry(status.clone()).or_default() += n;
        let unit = children.iter().position(|c| path.starts_with(c.path.as_str())).map_or(0, |i| i + 1);
        units[unit].total += n;
        if super::is_open(status) {
            units[unit].open += n;
        }
        if level == "红" {
            units[unit].red += n;
        }
    }
    let by_category =
        cats.iter().filter_map(|c| by_cat.get(&c.id).map(|n| Count { label: c.name.clone(), count: *n })).collect();
    let ordered = |map: &BTreeMap<String, u64>, order: &[&str]| -> Vec<Count> {
        order.iter().map(|l| Count { label: (*l).to_owned(), count: map.get(*l).copied().unwrap_or(0) }).collect()
    };
    units.retain(|u| u.org_id == o.id || u.total > 0 || children.len() <= 60);
    let campaigns = if actor.can(Permission::DisciplineRiskRead) || actor.can(Permission::DashboardRead) {
        super::screenings::completion(state, actor)
            .await?
            .into_iter()
            .map(|(name, branches, done)| CampaignCount { name, branches, done })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Stats {
        org_id: o.id,
        names: actor.scope(Permission::DisciplineRiskRead).contains(&o.path),
        org_name: o.name,
        total,
        by_category,
        by_level: ordered(&by_level, &LEVELS),
        by_status: ordered(&by_status, &STATUSES),
        units,
        campaigns,
    })
}

/// The statistics as a spreadsheet (audited `risk.export`).
pub async fn export(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<(String, Vec<u8>)> {
    let s = stats(state, actor, q).await?;
    let headers = ["单位", "合计", "未结", "红色"];
    let mut rows: Vec<Vec<String>> = s
        .units
        .iter()
        .map(|u| vec![u.name.clone(), u.total.to_string(), u.open.to_string(), u.red.to_string()])
        .collect();
    let section = |rows: &mut Vec<Vec<String>>, title: &str, items: &[Count]| {
        rows.push(vec![String::new()]);
        rows.push(vec![title.to_owned(), "件数".to_owned()]);
        rows.extend(items.iter().map(|c| vec![c.label.clone(), c.count.to_string()]));
    };
    section(&mut rows, "类别", &s.by_category);
    section(&mut rows, "等级", &s.by_level);
    section(&mut rows, "状态", &s.by_status);
    if !s.campaigns.is_empty() {
        rows.push(vec![String::new()]);
        rows.push(vec!["排查活动".into(), "支部数".into(), "已完成".into()]);
        rows.extend(s.campaigns.iter().map(|c| vec![c.name.clone(), c.branches.to_string(), c.done.to_string()]));
    }
    let title = format!("{} 队伍隐患排查统计", s.org_name);
    let bytes = crate::io::xlsx::table("隐患排查统计", &title, &headers, &rows)?;
    let event = Event::by(actor, "risk.export").object("org", s.org_id).summary(json!({"total": s.total}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((format!("{title}.xlsx"), bytes))
}

/// Open 红 flags in the actor's `DisciplineWrite` scope, for the home page of the sub-bureau's
/// party admin and discipline staff (a count and a link; names behind the audited list).
pub async fn red_todo(state: &AppState, actor: &Actor) -> AppResult<Vec<crate::ui::blocks::Todo>> {
    use sea_orm::PaginatorTrait;
    if !actor.can(Permission::DisciplineWrite) {
        return Ok(Vec::new());
    }
    let n = flag::Entity::find()
        .filter(crate::db::scope::in_scope(flag::Column::OrgPath, &actor.scope(Permission::DisciplineWrite)))
        .filter(flag::Column::Level.eq("红"))
        .filter(flag::Column::Status.is_in([super::OPEN, super::FOLLOWING]))
        .count(&state.db)
        .await?;
    Ok((n > 0)
        .then(|| crate::ui::blocks::Todo {
            title: format!("红色风险提示 {n} 条未结，请及时跟进"),
            href: "/risk?level=红&status=open".to_owned(),
            due: None,
            urgency: "high",
        })
        .into_iter()
        .collect())
}

/// Open flags whose review date has come, in the actor's scope (secretaries: their own members).
pub async fn review_todo(state: &AppState, actor: &Actor) -> AppResult<Vec<crate::ui::blocks::Todo>> {
    use sea_orm::PaginatorTrait;
    if !actor.can(Permission::DisciplineRiskRead) {
        return Ok(Vec::new());
    }
    let today = state.clock.today();
    let n = flag::Entity::find()
        .filter(crate::db::scope::in_scope(flag::Column::OrgPath, &actor.scope(Permission::DisciplineRiskRead)))
        .filter(flag::Column::Status.is_in([super::OPEN, super::FOLLOWING]))
        .filter(flag::Column::NextReviewOn.lte(today))
        .count(&state.db)
        .await?;
    Ok((n > 0)
        .then(|| crate::ui::blocks::Todo {
            title: format!("{n} 条风险提示已到复查日期"),
            href: "/risk?status=open&review=due".to_owned(),
            due: Some(today.to_string()),
            urgency: "normal",
        })
        .into_iter()
        .collect())
}
