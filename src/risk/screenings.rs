//! Screening campaigns (排查): a party admin launches one for a period, a subtree and focus areas;
//! each branch goes through its people, flags whoever needs it (flags carry the campaign's id) and
//! confirms "no finding" for everyone else in one action. Completion per branch and unit is derived
//! from the confirmations, never typed; open campaigns are to-do items for unfinished branches.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{branch, flag, screening};
use super::{FOCUS, MAX_NOTE, check_line, check_text, parse_date};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::db::scope::in_scope;
use crate::error::{AppError, AppResult};
use crate::orgs::OrgKind;
use crate::orgs::entity as org;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::blocks::Todo;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一次队伍隐患排查活动及其完成情况（由各支部的确认汇总）")]
pub struct Screening {
    pub id: i32,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub focus: Vec<String>,
    pub org_id: i32,
    pub org_name: String,
    pub created_by: String,
    /// Branches (党支部, 联合支部) in its scope, and how many finished.
    pub branches: u64,
    pub done: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一个支部在排查活动中的完成情况")]
pub struct BranchStatus {
    pub org_id: i32,
    pub name: String,
    pub done: bool,
    pub confirmed_on: Option<NaiveDate>,
    pub confirmed_by: Option<String>,
    /// People flagged in the campaign and people confirmed without finding, as confirmed.
    pub flagged: i32,
    pub no_finding: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一个单位（排查范围的直接下级及其下属）的完成情况")]
pub struct UnitCompletion {
    pub org_id: i32,
    pub name: String,
    pub branches: u64,
    pub done: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "排查活动详情：按单位汇总的完成情况和一页支部")]
pub struct ScreeningDetail {
    pub screening: Screening,
    pub units: Vec<UnitCompletion>,
    pub branch_list: Vec<BranchStatus>,
    pub branch_total: u64,
    /// A leader's view: completion per unit only, no branch list (whoever confirmed it).
    pub counts_only: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "发起排查：名称（不超过 100 字）、起止日期、范围（党组织编号，含下级）、重点（执法办案、矛盾纠纷、八小时以外、思想状况、身心健康、家庭状况，至少一项）"
)]
pub struct ScreeningInput {
    #[schema(max_length = 100)]
    pub name: String,
    #[schema(max_length = 10)]
    pub starts_on: String,
    #[schema(max_length = 10)]
    pub ends_on: String,
    pub org_id: i32,
    #[schema(max_items = 6)]
    pub focus: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "支部确认完成排查：除本次已登记风险提示的人员外，其余人员均“未发现问题”；说明可空（不超过 500 字）"
)]
pub struct ConfirmInput {
    #[schema(max_length = 500)]
    pub note: String,
}

fn is_branch(o: &org::Model) -> bool {
    o.kind == OrgKind::Branch.as_str() || o.kind == OrgKind::JointBranch.as_str()
}

/// The live branches of the subtree at `path`, in tree order (one query).
async fn branches_under(state: &AppState, path: &str) -> AppResult<Vec<org::Model>> {
    Ok(crate::orgs::store::live_in_subtree(&state.db, path).await?.into_iter().filter(is_branch).collect())
}

async fn confirmations(state: &AppState, id: i32) -> AppResult<HashMap<i32, branch::Model>> {
    let rows = branch::Entity::find().filter(branch::Column::ScreeningId.eq(id)).all(&state.db).await?;
    Ok(rows.into_iter().map(|b| (b.org_id, b)).collect())
}

async fn summary(state: &AppState, s: screening::Model) -> AppResult<Screening> {
    let branches = branches_under(state, &s.org_path).await?;
    let done_ids: HashSet<i32> = confirmations(state, s.id).await?.into_keys().collect();
    let done = branches.iter().filter(|b| done_ids.contains(&b.id)).count() as u64;
    let org_name = crate::orgs::store::find(&state.db, s.org_id).await?.map(|o| o.name).unwrap_or_default();
    Ok(Screening {
        id: s.id,
        name: s.name,
        starts_on: s.starts_on,
        ends_on: s.ends_on,
        focus: s.focus.split('、').filter(|x| !x.is_empty()).map(str::to_owned).collect(),
        org_id: s.org_id,
        org_name,
        created_by: s.created_by_name,
        branches: branches.len() as u64,
        done,
    })
}

/// Whoever works flags sees the campaigns by their `DisciplineRiskRead` scope; a leader, who sees
/// counts only (`DashboardRead`), by theirs.
fn viewer_scope(actor: &Actor) -> crate::auth::Scope {
    if actor.can(Permission::DisciplineRiskRead) {
        actor.scope(Permission::DisciplineRiskRead)
    } else {
        actor.scope(Permission::DashboardRead)
    }
}

/// Refuses (403) whoever neither works flags nor reads counts.
fn require_viewer(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::DisciplineRiskRead) { Ok(()) } else { actor.require(Permission::DashboardRead) }
}

/// The campaigns that cover the viewer's scope or lie in it.
fn visible(actor: &Actor, s: &screening::Model) -> bool {
    match viewer_scope(actor) {
        crate::auth::Scope::All => true,
        crate::auth::Scope::Nothing => false,
        crate::auth::Scope::Subtrees(roots) => {
            roots.iter().any(|r| r.starts_with(&s.org_path) || s.org_path.starts_with(r.as_str()))
        }
    }
}

/// The campaigns the actor sees, newest first (few: a bureau runs a handful a year).
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Screening>> {
    require_viewer(actor)?;
    let rows = screening::Entity::find()
        .order_by_desc(screening::Column::StartsOn)
        .order_by_desc(screening::Column::Id)
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for s in rows.into_iter().filter(|s| visible(actor, s)) {
        out.push(summary(state, s).await?);
    }
    Ok(out)
}

async fn reachable(state: &AppState, actor: &Actor, id: i32) -> AppResult<screening::Model> {
    require_viewer(actor)?;
    let s = screening::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if !visible(actor, &s) {
        let event = Event::by(actor, "access.denied").object("risk_screening", id).org(s.org_path.clone());
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// A campaign with completion per unit (the scope's direct subordinates) and a page of its
/// branches within the actor's scope.
pub async fn detail(state: &AppState, actor: &Actor, id: i32, page: PageParams) -> AppResult<ScreeningDetail> {
    let s = reachable(state, actor, id).await?;
    let all = branches_under(state, &s.org_path).await?;
    let done = confirmations(state, s.id).await?;
    let children = crate::orgs::store::children(&state.db, s.org_id).await?;
    let mut units: Vec<UnitCompletion> = children
        .iter()
        .filter(|c| c.dissolved_at.is_none())
        .map(|c| UnitCompletion { org_id: c.id, name: c.name.clone(), branches: 0, done: 0 })
        .collect();
    let paths: Vec<String> = children.iter().filter(|c| c.dissolved_at.is_none()).map(|c| c.path.clone()).collect();
    for b in &all {
        if let Some(i) = paths.iter().position(|p| b.path.starts_with(p.as_str())) {
            units[i].branches += 1;
            units[i].done += u64::from(done.contains_key(&b.id));
        }
    }
    units.retain(|u| u.branches > 0);
    let scope = actor.scope(Permission::DisciplineRiskRead);
    let mine: Vec<&org::Model> = all.iter().filter(|b| scope.contains(&b.path)).collect();
    let page = page.normalized();
    let branch_list = mine
        .iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.page_size).unwrap_or(20))
        .map(|b| {
            let c = done.get(&b.id);
            BranchStatus {
                org_id: b.id,
                name: b.name.clone(),
                done: c.is_some(),
                confirmed_on: c.map(|c| c.confirmed_on),
                confirmed_by: c.map(|c| c.confirmed_by_name.clone()),
                flagged: c.map_or(0, |c| c.flagged),
                no_finding: c.map_or(0, |c| c.no_finding),
            }
        })
        .collect();
    let branch_total = mine.len() as u64;
    let counts_only = !actor.can(Permission::DisciplineRiskRead);
    Ok(ScreeningDetail { screening: summary(state, s).await?, units, branch_list, branch_total, counts_only })
}

/// Launches a campaign over an organization in the actor's `DisciplineWrite` scope (404 and
/// audited outside); audited `risk.screening`.
pub async fn create(state: &AppState, actor: &Actor, input: &ScreeningInput) -> AppResult<Screening> {
    actor.require(Permission::DisciplineWrite)?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let o = crate::orgs::store::find(&state.db, input.org_id).await?;
    let Some(o) = o.filter(|o| o.dissolved_at.is_none()) else {
        return Err(AppError::validation("org_id", "请选择排查范围（党组织）"));
    };
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        errors.push(("name".into(), "请填写排查活动名称".into()));
    } else if let Some(m) = check_line("名称", &name, 100) {
        errors.push(("name".into(), m));
    }
    let starts = parse_date(&input.starts_on, "开始日期").map_err(|m| errors.push(("starts_on".into(), m))).ok();
    let ends = parse_date(&input.ends_on, "结束日期").map_err(|m| errors.push(("ends_on".into(), m))).ok();
    if let (Some(a), Some(b)) = (starts, ends)
        && b < a
    {
        errors.push(("ends_on".into(), "结束日期不能早于开始日期".into()));
    }
    let mut focus: Vec<&str> = Vec::new();
    for f in input.focus.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        if !FOCUS.contains(&f) {
            errors.push(("focus".into(), format!("排查重点“{f}”应为：{}", FOCUS.join("、"))));
        } else if !focus.contains(&f) {
            focus.push(f);
        }
    }
    if focus.is_empty() && !errors.iter().any(|(f, _)| f == "focus") {
        errors.push(("focus".into(), "请至少选择一项排查重点".into()));
    }
    let (Some(starts), Some(ends)) = (starts, ends) else {
        return Err(AppError::Fields(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = screening::ActiveModel {
        name: Set(name),
        starts_on: Set(starts),
        ends_on: Set(ends),
        focus: Set(focus.join("、")),
        org_id: Set(o.id),
        org_path: Set(o.path.clone()),
        created_by_name: Set(actor.display_name.chars().take(50).collect()),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "risk.screening").object("risk_screening", saved.id).org(o.path).summary(json!({
        "name": saved.name, "starts_on": starts.to_string(), "ends_on": ends.to_string(), "focus": saved.focus
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    summary(state, saved).await
}

/// A branch finishes the campaign: the people flagged in it stay flagged, everyone else in the
/// branch is confirmed "no finding" in this one action. For whoever works the branch's flags
/// (404 and audited outside); refused before the start, for an organization that is not a branch
/// in the campaign's scope, or a second time. Audited `risk.screening_confirm`.
pub async fn confirm(
    state: &AppState,
    actor: &Actor,
    id: i32,
    branch_id: i32,
    input: &ConfirmInput,
) -> AppResult<BranchStatus> {
    let s = reachable(state, actor, id).await?;
    let b = crate::orgs::store::find(&state.db, branch_id).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(b.id), org_path: &b.path };
    guard::check(state, actor, Permission::DisciplineRiskRead, Sensitivity::Normal, target).await?;
    if !is_branch(&b) || b.dissolved_at.is_some() || !b.path.starts_with(&s.org_path) {
        return Err(AppError::validation("org_id", format!("{}不是本次排查范围内的党支部", b.name)));
    }
    let today = state.clock.today();
    if today < s.starts_on {
        return Err(AppError::validation("org_id", format!("排查活动自 {} 开始，尚不能确认", s.starts_on)));
    }
    let note = input.note.trim().to_owned();
    if let Some(m) = check_text("说明", &note, MAX_NOTE) {
        return Err(AppError::validation("note", m));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let exists = branch::Entity::find()
        .filter(branch::Column::ScreeningId.eq(s.id))
        .filter(branch::Column::OrgId.eq(b.id))
        .one(&txn)
        .await?;
    if let Some(c) = exists {
        return Err(AppError::conflict(
            "org_id",
            format!("{}已于 {} 确认完成本次排查（{}）", b.name, c.confirmed_on, c.confirmed_by_name),
        ));
    }
    let flagged: Vec<i32> = flag::Entity::find()
        .select_only()
        .column(flag::Column::PersonId)
        .distinct()
        .filter(flag::Column::ScreeningId.eq(s.id))
        .filter(crate::db::scope::subtree(flag::Column::OrgPath, &b.path))
        .into_tuple()
        .all(&txn)
        .await?;
    let people = crate::people::store::count_in_org(&txn, b.id).await?;
    let flagged_n = i32::try_from(flagged.len()).unwrap_or(i32::MAX);
    let no_finding = i32::try_from(people).unwrap_or(i32::MAX).saturating_sub(flagged_n).max(0);
    let saved = branch::ActiveModel {
        screening_id: Set(s.id),
        org_id: Set(b.id),
        org_path: Set(b.path.clone()),
        flagged: Set(flagged_n),
        no_finding: Set(no_finding),
        note: Set(Some(note).filter(|n| !n.is_empty())),
        confirmed_by_name: Set(actor.display_name.chars().take(50).collect()),
        confirmed_on: Set(today),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "risk.screening_confirm")
        .object("risk_screening", s.id)
        .org(b.path.clone())
        .summary(json!({"branch": b.id, "flagged": flagged_n, "no_finding": no_finding}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(BranchStatus {
        org_id: b.id,
        name: b.name,
        done: true,
        confirmed_on: Some(saved.confirmed_on),
        confirmed_by: Some(saved.confirmed_by_name),
        flagged: saved.flagged,
        no_finding: saved.no_finding,
    })
}

/// To-do items: an open campaign's unfinished branches in the actor's scope — the branch itself
/// for its secretary, a count for those above.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::DisciplineRiskRead) {
        return Ok(Vec::new());
    }
    let today = state.clock.today();
    let open = screening::Entity::find()
        .filter(screening::Column::StartsOn.lte(today))
        .filter(screening::Column::EndsOn.gte(today))
        .order_by_asc(screening::Column::EndsOn)
        .all(&state.db)
        .await?;
    let scope = actor.scope(Permission::DisciplineRiskRead);
    let mut out = Vec::new();
    for s in open.into_iter().filter(|s| visible(actor, s)) {
        let done: HashSet<i32> = branch::Entity::find()
            .select_only()
            .column(branch::Column::OrgId)
            .filter(branch::Column::ScreeningId.eq(s.id))
            .filter(in_scope(branch::Column::OrgPath, &scope))
            .into_tuple::<i32>()
            .all(&state.db)
            .await?
            .into_iter()
            .collect();
        let roots: Vec<String> = match &scope {
            crate::auth::Scope::Subtrees(r) => r.clone(),
            _ => vec![s.org_path.clone()],
        };
        let mut pending: Vec<org::Model> = Vec::new();
        for r in roots {
            let under = if r.starts_with(&s.org_path) {
                r
            } else if s.org_path.starts_with(&r) {
                s.org_path.clone()
            } else {
                continue;
            };
            pending.extend(branches_under(state, &under).await?.into_iter().filter(|b| !done.contains(&b.id)));
        }
        pending.sort_by(|a, b| a.path.cmp(&b.path));
        pending.dedup_by_key(|b| b.id);
        let href = format!("/risk/screenings/{}", s.id);
        match pending.as_slice() {
            [] => {}
            [one] => out.push(Todo {
                title: format!("排查活动“{}”：{}尚未完成排查", s.name, one.name),
                href,
                due: Some(s.ends_on.to_string()),
                urgency: if s.ends_on <= today + chrono::Duration::days(3) { "high" } else { "normal" },
            }),
            many => out.push(Todo {
                title: format!("排查活动“{}”：{} 个支部尚未完成排查", s.name, many.len()),
                href,
                due: Some(s.ends_on.to_string()),
                urgency: "normal",
            }),
        }
    }
    Ok(out)
}

/// How many branches finished each campaign (for the statistics).
pub async fn completion(state: &AppState, actor: &Actor) -> AppResult<Vec<(String, u64, u64)>> {
    Ok(list(state, actor).await?.into_iter().map(|s| (s.name, s.branches, s.done)).collect())
}

/// Flags raised in a campaign, for its page.
pub async fn flagged_count(state: &AppState, id: i32) -> AppResult<u64> {
    Ok(flag::Entity::find().filter(flag::Column::ScreeningId.eq(id)).count(&state.db).await?)
}
