//! 重要节点联合访: a party admin defines a campaign around a key date (春节, 中国人民警察节 on 1月10日 …)
//! for a subtree, with a target segment chosen by a rule; the system lists the targets per branch
//! and derives completion from the visits recorded for the campaign.

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{campaign, situation, task, visit};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The target rules: (code, label). Kept small and real: each is computed from records that
/// exist.
pub const RULES: &[(&str, &str)] = &[
    ("all", "范围内全体人员"),
    ("new_recruits", "新入警人员（活动开始前一年内参加公安工作）"),
    ("injured", "本年度因公负伤人员（登记过“因公负伤、伤亡”必访情形）"),
    ("sanctioned", "受处分人员（活动开始日处分仍在影响期内）"),
    // 公安部政治部's 春节前走访慰问 names "烈士/因公牺牲民警家属" (research/domain.md §2.4): 民警
    // only. 辅警 die on duty too (§9.3: 2022, 308 民警 and 179 辅警); whether their families
    // are visited in the same campaign is the bureau's choice, so it is a rule of its own.
    ("fallen_families", "因公牺牲民警家属（人员类别为民警、在职状态登记为因公牺牲的人员，走访其家属）"),
    ("fallen_families_all", "因公牺牲民辅警家属（民警和辅警中在职状态登记为因公牺牲的人员，走访其家属）"),
];

pub const OCCASIONS: &[&str] = &["春节", "中国人民警察节", "中秋节", "重大安保任务前后", "其他"];

/// A campaign as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "联合访活动：名称、节点（春节、中国人民警察节…）、起止日期、党组织（范围）、对象规则（all、new_recruits、injured、sanctioned、fallen_families 因公牺牲民警家属、fallen_families_all 因公牺牲民辅警家属）"
)]
pub struct CampaignInput {
    #[schema(schema_with = crate::visits::schema::name)]
    pub name: String,
    #[schema(schema_with = crate::visits::schema::occasion)]
    pub occasion: String,
    #[schema(schema_with = crate::visits::schema::date)]
    pub starts_on: String,
    #[schema(schema_with = crate::visits::schema::date)]
    pub ends_on: String,
    pub org_id: Option<i32>,
    #[schema(schema_with = crate::visits::schema::rule)]
    pub rule: String,
}

/// A campaign.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i32,
    pub name: String,
    pub occasion: String,
    pub starts_on: String,
    pub ends_on: String,
    pub org_id: i32,
    pub rule: String,
    pub rule_label: String,
}

impl From<campaign::Model> for Campaign {
    fn from(c: campaign::Model) -> Self {
        let rule_label = RULES.iter().find(|(r, _)| *r == c.rule).map(|(_, l)| (*l).to_owned()).unwrap_or_default();
        Self {
            id: c.id,
            name: c.name,
            occasion: c.occasion,
            starts_on: c.starts_on.to_string(),
            ends_on: c.ends_on.to_string(),
            org_id: c.org_id,
            rule: c.rule,
            rule_label,
        }
    }
}

/// Defines a campaign: `OrgWrite` over the organization (party admin).
pub async fn create(state: &AppState, actor: &Actor, input: &CampaignInput) -> AppResult<Campaign> {
    actor.require(Permission::OrgWrite)?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(("name".into(), "请填写活动名称".into()));
    } else if let Some(m) = crate::text::check_line("活动名称", name)
        .err()
        .or_else(|| (name.chars().count() > 100).then(|| "活动名称不能超过 100 个字".into()))
    {
        errors.push(("name".into(), m));
    }
    if !OCCASIONS.contains(&input.occasion.trim()) {
        errors.push(("occasion".into(), format!("请选择节点：{}", OCCASIONS.join("、"))));
    }
    let date =
        |text: &str, field: &str, label: &str, errors: &mut Vec<(String, String)>| match super::parse_date(text, label)
        {
            Ok(d) => Some(d),
            Err(m) => {
                errors.push((field.into(), m));
                None
            }
        };
    let starts = date(&input.starts_on, "starts_on", "开始日期", &mut errors);
    let ends = date(&input.ends_on, "ends_on", "结束日期", &mut errors);
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errors.push(("ends_on".into(), "结束日期不能早于开始日期".into()));
    }
    if !RULES.iter().any(|(r, _)| *r == input.rule.trim()) {
        let list: Vec<String> = RULES.iter().map(|(r, l)| format!("{r}（{l}）")).collect();
        errors.push(("rule".into(), format!("请选择对象规则：{}", list.join("、"))));
    }
    let org = match input.org_id {
        None => {
            errors.push(("org_id".into(), "请选择党组织".into()));
            None
        }
        Some(id) => crate::orgs::store::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()),
    };
    if input.org_id.is_some() && org.is_none() {
        errors.push(("org_id".into(), "党组织不存在".into()));
    }
    if let Some(o) = &org {
        let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
        guard::check(state, actor, Permission::OrgWrite, Sensitivity::Normal, target).await?;
        // Who is under a sanction is discipline-class data: only one who may read it there picks it.
        if input.rule.trim() == "sanctioned" && !actor.scope(Permission::DisciplineRiskRead).contains(&o.path) {
            errors.push(("rule".into(), "按“受处分人员”选对象须有该党组织的纪律与风险信息查阅权限".into()));
        }
    }
    let (Some(o), Some(starts), Some(ends), true) = (org, starts, ends, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = campaign::ActiveModel {
        name: Set(name.to_owned()),
        occasion: Set(input.occasion.trim().to_owned()),
        starts_on: Set(starts),
        ends_on: Set(ends),
        rule: Set(input.rule.trim().to_owned()),
        org_id: Set(o.id),
        org_path: Set(o.path.clone()),
        created_by_name: Set(actor.display_name.chars().take(50).collect()),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "visit.campaign").object("visit_campaign", saved.id).org(o.path).summary(json!({
        "name": saved.name, "rule": saved.rule, "starts_on": starts.to_string(), "ends_on": ends.to_string()
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// Campaigns whose organization lies in the actor's read scope, or above a part of it.
pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Campaign>> {
    actor.require(Permission::PersonRead)?;
    let scope = actor.scope(Permission::PersonRead);
    let rows = campaign::Entity::find().order_by_desc(campaign::Column::StartsOn).all(&state.db).await?;
    Ok(rows
        .into_iter()
        .filter(|c| {
            scope.contains(&c.org_path) || scope_roots(actor).iter().any(|r| r.starts_with(c.org_path.as_str()))
        })
        .take(200)
        .map(Campaign::from)
        .collect())
}

fn scope_roots(actor: &Actor) -> Vec<String> {
    actor.grants.iter().filter(|g| g.role.has(Permission::PersonRead)).map(|g| g.org_path.clone()).collect()
}

/// The campaign's target people under `path`, as a `person_id` query.
pub async fn targets(state: &AppState, c: &campaign::Model, path: &str) -> AppResult<SelectStatement> {
    Ok(match c.rule.as_str() {
        "new_recruits" => {
            let since = c.starts_on.checked_sub_months(chrono::Months::new(12)).unwrap_or(c.starts_on);
            crate::people::store::joined_police_since(path, since)
        }
        "injured" => {
            let injury = situation::Entity::find().filter(situation::Column::Code.eq("injury")).one(&state.db).await?;
            let year_start = NaiveDate::from_ymd_opt(c.starts_on.year(), 1, 1).unwrap_or(c.starts_on);
            task::Entity::find()
                .filter(task::Column::SituationId.eq(injury.map_or(0, |s| s.id)))
                .filter(task::Column::RaisedOn.gte(year_start))
                .filter(task::Column::RaisedOn.lte(c.ends_on))
                .filter(crate::db::scope::subtree(task::Column::OrgPath, path))
                .select_only()
                .column(task::Column::PersonId)
                .into_query()
        }
        // The one query of the discipline domain decides who is under a sanction that day.
        "sanctioned" => {
            let ids = crate::discipline::store::people_in_effect(&state.db, c.starts_on).await?;
            crate::people::store::among_in(path, &ids)
        }
        "fallen_families" => crate::people::store::died_on_duty_in(path, Some(crate::people::PersonKind::Police)),
        "fallen_families_all" => crate::people::store::died_on_duty_in(path, None),
        _ => crate::people::store::everyone_in(path),
    })
}

/// One branch's completion.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BranchProgress {
    pub org_id: Option<i32>,
    pub org_name: String,
    pub targets: i64,
    pub visited: i64,
}

/// A campaign with its completion per branch (the organization of the targets).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub targets: i64,
    pub visited: i64,
    pub branches: Vec<BranchProgress>,
}

/// Most branch lines a campaign page shows (a city's branches fit).
pub const MAX_BRANCHES: usize = 500;

/// A campaign's targets and completion, within the actor's read scope.
pub async fn detail(state: &AppState, actor: &Actor, id: i32) -> AppResult<CampaignDetail> {
    actor.require(Permission::PersonRead)?;
    let c = campaign::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    // The part of the campaign the actor sees: the campaign's subtree, or the actor's root inside it.
    let path = if actor.scope(Permission::PersonRead).contains(&c.org_path) {
        c.org_path.clone()
    } else if let Some(root) = scope_roots(actor).into_iter().find(|r| r.starts_with(c.org_path.as_str())) {
        root
    } else {
        let target = Target { kind: "visit_campaign", id: i64::from(c.id), org_path: &c.org_path };
        guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
        return Err(AppError::NotFound);
    };
    // The targets once (for `sanctioned`, one read of the discipline records), used twice.
    let target_q = targets(state, &c, &path).await?;
    let all = crate::people::store::counts_by_path(&state.db, &path, Some(target_q.clone())).await?;
    let done_q = visit::Entity::find()
        .filter(visit::Column::CampaignId.eq(c.id))
        .filter(visit::Column::PersonId.in_subquery(target_q))
        .select_only()
        .column(visit::Column::PersonId)
        .into_query();
    let done = crate::people::store::counts_by_path(&state.db, &path, Some(done_q)).await?;
    let ids: Vec<i32> = all.iter().filter_map(|(p, _)| last_id(p)).collect();
    let names = crate::orgs::store::names(&state.db, &ids).await?;
    let mut branches: Vec<BranchProgress> = all
        .iter()
        .map(|(p, n)| BranchProgress {
            org_id: last_id(p),
            org_name: last_id(p).and_then(|i| names.get(&i).cloned()).unwrap_or_else(|| p.clone()),
            targets: *n,
            visited: done.iter().find(|(q, _)| q == p).map_or(0, |(_, n)| *n),
        })
        .collect();
    branches.sort_by(|a, b| a.org_name.cmp(&b.org_name));
    branches.truncate(MAX_BRANCHES);
    Ok(CampaignDetail {
        targets: all.iter().map(|(_, n)| n).sum(),
        visited: done.iter().map(|(_, n)| n).sum(),
        campaign: c.into(),
        branches,
    })
}

fn last_id(path: &str) -> Option<i32> {
    path.trim_end_matches('/').rsplit('/').next().and_then(|s| s.parse().ok())
}
