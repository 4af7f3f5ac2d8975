//! Compliance, derived from records and the editable frequency rules: for an organization's
//! subtree and a period (month, quarter, year), per kind of meeting, how many rule units were due,
//! held (approved records) and missed (the unit ended without one). One grouped query by
//! organization, type and month over the subtree's path range — never a loop over records — then
//! a pass over the subtree's organizations (≈1,500 in a city). No ranking of branches: rows come
//! in tree order, and nothing counts beyond what the rules ask (国办函〔2026〕12号).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::Status;
use super::attendance::held_by_kind;
use super::entity::{kind, meeting};
use super::rules::{Period, Span};
use super::talks;
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{entity as org, store as orgs};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一类会议的规则：`code` 类型代码，`rule` 如“每月 1 次”")]
pub struct RuleColumn {
    pub code: String,
    pub name: String,
    pub rule: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(description = "应开 `due`、已开 `held`（上级已审阅通过）、缺开 `missing`（期限已过仍未召开）、未到期 `open`")]
pub struct Cell {
    pub due: u32,
    pub held: u32,
    pub missing: u32,
    pub open: u32,
}

impl Cell {
    fn add(&mut self, o: &Cell) {
        self.due += o.due;
        self.held += o.held;
        self.missing += o.missing;
        self.open += o.open;
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一行：一个下级党组织（及其全部下级）或本组织自身；`cells` 与 `rules` 一一对应")]
pub struct Row {
    pub org_id: i32,
    pub name: String,
    /// Whether the row has organizations below it to drill into.
    pub drill: bool,
    pub cells: Vec<Cell>,
    pub total: Cell,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "本组织自身的一个规则期限：`unit` 如“2026年11月”，`held` 已通过的记录数，`state` 为已开、缺开或未到期"
)]
pub struct UnitLine {
    #[serde(rename = "type")]
    pub kind: String,
    pub type_name: String,
    pub unit: String,
    pub unit_code: String,
    pub held: u32,
    /// For 谈心谈话: the talks due (held is then the talks held).
    pub due: Option<u32>,
    pub state: &'static str,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "组织生活落实情况：`rows` 每个直接下级一行（按组织树顺序，不排名），`total` 合计，`units` 本组织自身的各期限"
)]
pub struct Compliance {
    pub org_id: i32,
    pub org_name: String,
    pub parent_id: Option<i32>,
    pub period: String,
    pub period_label: String,
    pub rules: Vec<RuleColumn>,
    pub rows: Vec<Row>,
    pub total: Row,
    pub units: Vec<UnitLine>,
    /// 谈心谈话 not yet held in this organization itself (a branch): who, with whom.
    pub talk_gaps: Vec<talks::TalkGap>,
}

fn rule_of(k: &kind::Model) -> Option<Span> {
    k.period.as_deref().and_then(Span::parse)
}

/// Subtrees of at most this many organizations (a branch and its groups, a small general
/// branch) read their few records through the path index instead (see `held_counts`).
const NARROW: usize = 50;

/// Approved records per (organization, kind, month) in the subtree at `path`. `wanted` gives,
/// per kind index, its type code and the months of its units: each kind is read over its own
/// months only (a monthly rule in a quarter: three months, not the year a yearly rule needs).
/// A wide subtree asks one query per type: with the type an equality, every backend serves it
/// from the index on (status, type, month, path, organization) alone, where a long IN list of
/// types makes SQLite's planner visit every approved record of five years. A narrow subtree
/// (`orgs` at most `NARROW`) asks one query without the type, served by the path index: the
/// per-type index would scan the whole bureau's entries of each type.
async fn held_counts(
    state: &AppState,
    path: &str,
    orgs: usize,
    wanted: &[(usize, &str, (i32, i32))],
) -> AppResult<HashMap<(i32, usize), Vec<(i32, i64)>>> {
    let mut out: HashMap<(i32, usize), Vec<(i32, i64)>> = HashMap::new();
    let (Some(from), Some(to)) = (wanted.iter().map(|(_, _, r)| r.0).min(), wanted.iter().map(|(_, _, r)| r.1).max())
    else {
        return Ok(out);
    };
    if orgs <= NARROW {
        let rows: Vec<(i32, String, i32, i64)> = meeting::Entity::find()
            .select_only()
            .column(meeting::Column::OrgId)
            .column(meeting::Column::TypeCode)
            .column(meeting::Column::HeldMonth)
            .column_as(Expr::from(Func::count(Expr::col(meeting::Column::OrgId))), "n")
            .filter(meeting::Column::Status.is_in([Status::Approved, Status::Archived]))
            .filter(meeting::Column::HeldMonth.between(from, to))
            .filter(crate::db::scope::subtree(meeting::Column::OrgPath, path))
            .group_by(meeting::Column::OrgId)
            .group_by(meeting::Column::TypeCode)
            .group_by(meeting::Column::HeldMonth)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (o, t, m, n) in rows {
            // Only the wanted types, each within its own months.
            if let Some((j, _, _)) = wanted.iter().find(|(_, code, (a, b))| *code == t && (*a..=*b).contains(&m)) {
                out.entry((o, *j)).or_default().push((m, n));
            }
        }
        return Ok(out);
    }
    for (j, code, (from, to)) in wanted {
        let rows: Vec<(i32, i32, i64)> = meeting::Entity::find()
            .select_only()
            .column(meeting::Column::OrgId)
            .column(meeting::Column::HeldMonth)
            .column_as(Expr::from(Func::count(Expr::col(meeting::Column::OrgId))), "n")
            .filter(meeting::Column::Status.is_in([Status::Approved, Status::Archived]))
            .filter(meeting::Column::TypeCode.eq(*code))
            .filter(meeting::Column::HeldMonth.between(*from, *to))
            .filter(crate::db::scope::subtree(meeting::Column::OrgPath, path))
            .group_by(meeting::Column::OrgId)
            .group_by(meeting::Column::HeldMonth)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (o, m, n) in rows {
            out.entry((o, *j)).or_default().push((m, n));
        }
    }
    Ok(out)
}

/// The first and last months the units cover.
fn month_range(units: &[Period]) -> Option<(i32, i32)> {
    let from = units.iter().map(|u| u.months().0).min()?;
    let to = units.iter().map(|u| u.months().1).max()?;
    Some((from, to))
}

/// The state of each of `units` (of kind `k`) for one organization.
fn units_of(
    k: &kind::Model,
    units: &[Period],
    counts: Option<&Vec<(i32, i64)>>,
    today: NaiveDate,
) -> Vec<(Period, u32, &'static str)> {
    let times = u32::try_from(k.times.max(1)).unwrap_or(1);
    units
        .iter()
        .map(|u| {
            let (a, b) = u.months();
            let n: i64 = counts.map_or(0, |c| c.iter().filter(|(m, _)| (a..=b).contains(m)).map(|(_, n)| n).sum());
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            let state = if n >= times {
                "已开"
            } else if u.last_day() < today {
                "缺开"
            } else {
                "未到期"
            };
            (*u, n, state)
        })
        .collect()
}

fn cell_of(units: &[(Period, u32, &'static str, u32)]) -> Cell {
    let mut c = Cell { due: units.len() as u32, ..Cell::default() };
    for (_, _, s, _) in units {
        match *s {
            "已开" => c.held += 1,
            "缺开" => c.missing += 1,
            _ => c.open += 1,
        }
    }
    c
}

/// A paired type's cell: the talks due, held, and not held (missing once the unit ended).
fn pair_cell(units: &[(Period, u32, &'static str, u32)]) -> Cell {
    let mut c = Cell::default();
    for (_, held, s, due) in units {
        c.due += due;
        c.held += held;
        let short = due.saturating_sub(*held);
        if *s == "缺开" {
            c.missing += short;
        } else {
            c.open += short;
        }
    }
    c
}

/// The table for organization `org_id` and `period` (default: the current quarter).
pub async fn compute(
    state: &AppState,
    actor: &Actor,
    org_id: Option<i32>,
    period: Option<&str>,
) -> AppResult<Compliance> {
    actor.require(Permission::OrgRead)?;
    let today = state.clock.today();
    let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p)
            .ok_or_else(|| AppError::validation("period", format!("期间“{p}”应写成 2026-11、2026-Q4 或 2026")))?,
        None => Span::Quarter.unit_of(today),
    };
    let root = match org_id {
        Some(id) => orgs::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()).ok_or(AppError::NotFound)?,
        None => default_org(state, actor).await?,
    };
    let t = Target { kind: "org", id: i64::from(root.id), org_path: &root.path };
    guard::check(state, actor, Permission::OrgRead, Sensitivity::Normal, t).await?;
    let kinds: Vec<(kind::Model, Span)> = super::service::types(&state.db)
        .await?
        .into_iter()
        .filter(|k| k.active)
        .filter_map(|k| rule_of(&k).map(|s| (k, s)))
        .collect();
    // The units of each rule overlapping the period, computed once for every organization.
    let units_by_kind: Vec<Vec<Period>> = kinds.iter().map(|(_, span)| period.units(*span)).collect();
    let wanted: Vec<(usize, &str, (i32, i32))> = kinds
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| !k.paired)
        .filter_map(|(j, (k, _))| month_range(&units_by_kind[j]).map(|r| (j, k.code.as_str(), r)))
        .collect();
    let started = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(took_ms = started.elapsed().as_secs_f64() * 1000.0, "compliance {what}");
    let tree = orgs::live_briefs_in_subtree(&state.db, &root.path).await?;
    lap("tree");
    let counts = held_counts(state, &root.path, tree.len(), &wanted).await?;
    lap("held_counts");
    // 谈心谈话 is counted by pairing, not by record (see `talks`).
    let paired: Vec<(&kind::Model, Vec<Period>)> =
        kinds.iter().zip(&units_by_kind).filter(|((k, _), _)| k.paired).map(|((k, _), us)| (k, us.clone())).collect();
    let tree_ids: Vec<i32> = tree.iter().map(|o| o.id).collect();
    let talk_data = talks::load(state, &root.path, &tree_ids, &paired).await?;
    lap("talks");
    let mut own_gaps: Vec<(Period, Vec<talks::Gap>)> = Vec::new();
    // The names of who has not talked only to those who read the branch's people.
    let names_shown = actor.scope(Permission::PersonRead).contains(&root.path);
    let mut rows: Vec<Row> = Vec::new();
    // The child row each organization counts under; the tree comes in path order, so a parent
    // is placed before its children.
    let mut row_of: HashMap<i32, usize> = HashMap::with_capacity(tree.len());
    let mut child_at: HashMap<&str, usize> = HashMap::new();
    let depth = root.path.matches('/').count();
    let mut own = Row {
        org_id: root.id,
        name: format!("{}（本级）", root.name),
        drill: false,
        cells: vec![Cell::default(); kinds.len()],
        total: Cell::default(),
    };
    let mut units = Vec::new();
    for o in &tree {
        let row = if o.id == root.id {
            None
        } else if o.parent_id == Some(root.id) {
            rows.push(Row {
                org_id: o.id,
                name: o.name.clone(),
                drill: false,
                cells: vec![Cell::default(); kinds.len()],
                total: Cell::default(),
            });
            child_at.insert(o.path.as_str(), rows.len() - 1);
            Some(rows.len() - 1)
        } else {
            o.parent_id.and_then(|p| row_of.get(&p).copied()).or_else(|| {
                // A parent not in the live tree: the path cut one level below the root.
                let cut: String = o.path.split_inclusive('/').take(depth + 1).collect();
                child_at.get(cut.as_str()).copied()
            })
        };
        if let Some(i) = row {
            row_of.insert(o.id, i);
            if o.parent_id != Some(root.id) {
                rows[i].drill = true;
            }
        }
        for (j, (k, _)) in kinds.iter().enumerate() {
            if !held_by_kind(k, &o.kind) {
                continue;
            }
            let us = if k.paired {
                let mut us = Vec::new();
                for u in &units_by_kind[j] {
                    let (due, gaps) = talk_data.unit(o.id, k, u);
                    let held = u32::try_from(due - gaps.len()).unwrap_or(0);
                    let st = if gaps.is_empty() {
                        "已开"
                    } else if u.last_day() < today {
                        "缺开"
                    } else {
                        "未到期"
                    };
                    us.push((*u, held, st, u32::try_from(due).unwrap_or(0)));
                    if row.is_none() && !gaps.is_empty() && names_shown {
                        own_gaps.push((*u, gaps));
                    }
                }
                us
            } else {
                units_of(k, &units_by_kind[j], counts.get(&(o.id, j)), today)
                    .into_iter()
                    .map(|(u, n, s)| (u, n, s, 1))
                    .collect()
            };
            let cell = if k.paired { pair_cell(&us) } else { cell_of(&us) };
            match row {
                Some(i) => rows[i].cells[j].add(&cell),
                None => {
                    own.cells[j].add(&cell);
                    units.extend(us.iter().map(|(u, n, s, due)| UnitLine {
                        kind: k.code.clone(),
                        type_name: k.name.clone(),
                        unit: u.label(),
                        unit_code: u.code(),
                        held: *n,
                        due: k.paired.then_some(*due),
                        state: s,
                    }));
                }
            }
        }
    }
    let talk_gaps = talks::lines(state, &own_gaps).await?;
    lap("rows");
    let has_own = own.cells.iter().any(|c| c.due > 0);
    if has_own {
        rows.insert(0, own);
    }
    let mut total = Row {
        org_id: root.id,
        name: "合计".into(),
        drill: false,
        cells: vec![Cell::default(); kinds.len()],
        total: Cell::default(),
    };
    for r in &mut rows {
        for c in &r.cells {
            r.total.add(c);
        }
        for (j, c) in r.cells.iter().enumerate() {
            total.cells[j].add(c);
        }
        total.total.add(&r.total);
    }
    rows.retain(|r| r.total.due > 0 || r.drill);
    Ok(Compliance {
        org_id: root.id,
        org_name: root.name.clone(),
        parent_id: root.parent_id.filter(|_| root.path != actor_root(actor)),
        period: period.code(),
        period_label: period.label(),
        rules: kinds
            .iter()
            .map(|(k, s)| RuleColumn {
                code: k.code.clone(),
                name: k.name.clone(),
                rule: if k.paired {
                    format!("{}支委之间、每名党员与支委谈心谈话不少于 {} 次（按人/对计）", s.label(), k.times)
                } else {
                    format!("{}{} 次", s.label(), k.times)
                },
            })
            .collect(),
        rows,
        total,
        units,
        talk_gaps,
    })
}

fn actor_root(actor: &Actor) -> String {
    match actor.scope(Permission::OrgRead) {
        crate::auth::Scope::Subtrees(r) if r.len() == 1 => r[0].clone(),
        _ => "/".into(),
    }
}

/// The organization of the actor's first read grant (the whole bureau for officers).
async fn default_org(state: &AppState, actor: &Actor) -> AppResult<org::Model> {
    let id = match actor.scope(Permission::OrgRead) {
        crate::auth::Scope::Subtrees(_) => actor
            .grants
            .iter()
            .filter(|g| g.role.has(Permission::OrgRead))
            .min_by_key(|g| g.org_path.len())
            .map(|g| g.org_id),
        _ => None,
    };
    let found = match id {
        Some(id) => orgs::find(&state.db, id).await?,
        None => orgs::live_in_subtree(&state.db, "/").await?.into_iter().next(),
    };
    found.ok_or(AppError::NotFound)
}

/// The table as an .xlsx: a row per line, held/due and missing per kind.
pub fn workbook(c: &Compliance) -> AppResult<Vec<u8>> {
    let mut headers: Vec<String> = vec!["党组织".into()];
    for r in &c.rules {
        headers.push(format!("{}（已开/应开）", r.name));
        headers.push(format!("{}缺开", r.name));
    }
    headers.extend(["合计已开".into(), "合计应开".into(), "合计缺开".into()]);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for r in c.rows.iter().chain(std::iter::once(&c.total)) {
        let mut line = vec![r.name.clone()];
        for cell in &r.cells {
            line.push(if cell.due == 0 { "—".into() } else { format!("{}/{}", cell.held, cell.due) });
            line.push(cell.missing.to_string());
        }
        line.extend([r.total.held.to_string(), r.total.due.to_string(), r.total.missing.to_string()]);
        rows.push(line);
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    crate::io::xlsx::table(
        "组织生活落实情况",
        &format!("{} {} 组织生活落实情况", c.org_name, c.period_label),
        &headers,
        &rows,
    )
}

/// Reminders before a rule's unit closes with something missing: units ending within 15 days,
/// for the organizations the actor records meetings of (at most the first 500). A record-counted
/// rule reminds while fewer records than it asks are approved; 谈心谈话 reminds while talks are
/// missing by the same pairing as the table (`talks::gaps`), with how many.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<crate::ui::blocks::Todo>> {
    use crate::orgs::summary::Pending;
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let today = state.clock.today();
    let scope = actor.scope(Permission::PersonWrite);
    let roots: Vec<String> = match &scope {
        crate::auth::Scope::Subtrees(r) => r.clone(),
        crate::auth::Scope::All => vec!["/".into()],
        crate::auth::Scope::Nothing => return Ok(Vec::new()),
    };
    let kinds: Vec<(kind::Model, Span)> = super::service::types(&state.db)
        .await?
        .into_iter()
        .filter(|k| k.active)
        .filter_map(|k| rule_of(&k).map(|s| (k, s)))
        .collect();
    // Only rules whose current unit ends within 15 days give to-dos: on most days none or only the
    // monthly ones, so the counts are read for those units' months alone, or not at all; the
    // talks only in the last 15 days of a yearly rule's year.
    let closing: Vec<(usize, &kind::Model, Period)> = kinds
        .iter()
        .enumerate()
        .filter_map(|(j, (k, span))| {
            let unit = span.unit_of(today);
            ((unit.last_day() - today).num_days() <= 15).then_some((j, k, unit))
        })
        .collect();
    if closing.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<(usize, &str, (i32, i32))> =
        closing.iter().filter(|(_, k, _)| !k.paired).map(|(j, k, u)| (*j, k.code.as_str(), u.months())).collect();
    let paired: Vec<(&kind::Model, Vec<Period>)> =
        closing.iter().filter(|(_, k, _)| k.paired).map(|(_, k, u)| (*k, vec![*u])).collect();
    let mut items = Vec::new();
    'roots: for root in roots {
        let tree = orgs::live_briefs_in_subtree(&state.db, &root).await?;
        let counts = held_counts(state, &root, tree.len(), &wanted).await?;
        let talk_data = if paired.is_empty() {
            talks::TalkData::default()
        } else {
            let ids: Vec<i32> =
                tree.iter().filter(|o| paired.iter().any(|(k, _)| held_by_kind(k, &o.kind))).map(|o| o.id).collect();
            talks::load(state, &root, &ids, &paired).await?
        };
        for o in &tree {
            for (j, k, unit) in &closing {
                if !held_by_kind(k, &o.kind) {
                    continue;
                }
                let days = (unit.last_day() - today).num_days();
                let title = if k.paired {
                    let (_, gaps) = talk_data.unit(o.id, k, unit);
                    if gaps.is_empty() {
                        continue;
                    }
                    format!("{}{}{}尚缺 {} 次（还剩 {} 天）", o.name, unit.label(), k.name, gaps.len(), days + 1)
                } else {
                    let us = units_of(k, std::slice::from_ref(unit), counts.get(&(o.id, *j)), today);
                    if !us.iter().any(|(_, _, s)| *s == "未到期") {
                        continue;
                    }
                    format!("{}{}尚未召开{}（还剩 {} 天）", o.name, unit.label(), k.name, days + 1)
                };
                let href = if k.paired {
                    format!("/meetings/compliance?org={}&period={}", o.id, unit.code())
                } else {
                    format!("/meetings/new?org={}&type={}", o.id, k.code)
                };
                items.push(Pending {
                    todo: crate::ui::blocks::Todo {
                        title,
                        href,
                        due: Some(unit.last_day().to_string()),
                        urgency: if days <= 5 { "high" } else { "normal" },
                    },
                    path: o.path.clone(),
                });
                if items.len() >= 500 {
                    break 'roots;
                }
            }
        }
    }
    crate::orgs::summary::by_unit(state, &scope, items, |n| format!("{n} 项组织生活在本期结束前尚未落实")).await
}
