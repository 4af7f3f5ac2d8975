//! Early warning, explained. The rules are rows the bureau switches on and off and tunes; each
//! rule is one set-based query over the caller's scope (never a query per person), and each
//! person it finds gets a reason that states the exact fact. The review list is for discipline
//! and party admins (`DisciplineWrite`); each entry is decided by a person — "reviewed, no action"
//! or "open a flag" — and the decision is recorded with the reasons it saw. A decision holds
//! until the reasons change. Nothing happens to a person automatically; there is no score, and
//! the list is in the order of the organization tree, not ranked.

use std::collections::{BTreeMap, HashMap};

use chrono::{Months, NaiveDate};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{category, decision, flag, rule};
use super::flags::{self, FlagInput};
use super::{COMPLAINT, FOLLOWING, LEVELS, MAX_NOTE, OPEN, check_text, level_rank};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::db::scope::in_scope;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条预警规则（可启停、可调阈值）")]
pub struct Rule {
    pub id: i32,
    #[schema(example = "org_life")]
    pub code: String,
    pub name: String,
    /// The warning level a match gives (黄, 橙, 红).
    pub level: String,
    /// Months without organizational life (`org_life`), complaints in 12 months (`complaints`),
    /// days before a 辅警 contract ends (`contract_flag`); unused by the other rules.
    pub threshold: i32,
    pub enabled: bool,
}

impl From<rule::Model> for Rule {
    fn from(r: rule::Model) -> Self {
        Self { id: r.id, code: r.code, name: r.name, level: r.level, threshold: r.threshold, enabled: r.enabled }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "修改预警规则：是否启用、等级（黄/橙/红）、阈值（组织生活的月数 1–24；投诉次数 1–20；辅警合同到期提前天数 1–365）"
)]
pub struct RuleInput {
    pub enabled: Option<bool>,
    #[schema(max_length = 10)]
    pub level: String,
    pub threshold: Option<i32>,
}

pub async fn rules(state: &AppState, actor: &Actor) -> AppResult<Vec<Rule>> {
    actor.require(Permission::DisciplineWrite)?;
    Ok(rule::Entity::find()
        .order_by_asc(rule::Column::Sort)
        .all(&state.db)
        .await?
        .into_iter()
        .map(Rule::from)
        .collect())
}

/// What a rule's threshold means and the values it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    pub label: &'static str,
    pub unit: &'static str,
    pub min: i32,
    pub max: i32,
}

/// The threshold of rule `code`, or `None` when the rule has none.
pub fn threshold_of(code: &str) -> Option<Threshold> {
    let (label, unit, min, max) = match code {
        "org_life" => ("月数", "个月", 1, 24),
        "complaints" => ("投诉次数", "次", 1, 20),
        "contract_flag" => ("提前提示的天数", "天", 1, super::facts::MAX_CONTRACT_DAYS),
        _ => return None,
    };
    Some(Threshold { label, unit, min, max })
}

/// Changes a rule (`DisciplineWrite`); audited `risk.rule`.
pub async fn update_rule(state: &AppState, actor: &Actor, id: i32, input: &RuleInput) -> AppResult<Rule> {
    actor.require(Permission::DisciplineWrite)?;
    let r = rule::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let level = input.level.trim();
    if !level.is_empty() && !LEVELS.contains(&level) {
        errors.push(("level".to_owned(), format!("等级“{level}”应为 黄、橙 或 红")));
    }
    if let Some(t) = input.threshold {
        match threshold_of(&r.code) {
            Some(th) if !(th.min..=th.max).contains(&t) => {
                errors.push(("threshold".to_owned(), format!("{}应为 {} 至 {}", th.label, th.min, th.max)));
            }
            None if t != r.threshold => errors.push(("threshold".to_owned(), "这条规则没有阈值".to_owned())),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a: rule::ActiveModel = r.clone().into();
    a.enabled = Set(input.enabled.unwrap_or(r.enabled));
    if !level.is_empty() {
        a.level = Set(level.to_owned());
    }
    a.threshold = Set(input.threshold.unwrap_or(r.threshold));
    let saved = a.update(&txn).await?;
    let event = Event::by(actor, "risk.rule").object("risk_rule", saved.id).summary(json!({
        "code": saved.code, "enabled": saved.enabled, "level": saved.level, "threshold": saved.threshold
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// One fact that put a person on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "列入预警的一条理由：规则代码、该规则给出的等级、具体事实")]
pub struct Reason {
    pub rule: String,
    pub level: String,
    #[schema(
        example = "处分仍在影响期内：记过（政务处分），2026-05-01 生效，影响期至 2027-11-01：不得评为优秀、晋升、表彰"
    )]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "已作出的审看决定")]
pub struct Decision {
    pub id: i32,
    pub person_id: i32,
    /// `no_action` (已审看，暂不处置) or `flag` (登记风险提示).
    pub decision: String,
    pub flag_id: Option<i32>,
    /// The reasons as they stood when decided.
    pub reasons: Vec<String>,
    pub note: Option<String>,
    pub decided_by: String,
    pub decided_on: NaiveDate,
}

impl From<decision::Model> for Decision {
    fn from(d: decision::Model) -> Self {
        Self {
            id: d.id,
            person_id: d.person_id,
            decision: d.decision,
            flag_id: d.flag_id,
            reasons: d.reasons.lines().map(str::to_owned).collect(),
            note: d.note,
            decided_by: d.decided_by_name,
            decided_on: d.decided_on,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "预警审看名单中的一人：等级和产生它的全部事实（不向本人展示，不跨单位排名）")]
pub struct Warning {
    pub person_id: i32,
    pub person_name: String,
    pub org_id: i32,
    pub org_name: String,
    /// The highest level among the reasons.
    pub level: String,
    pub reasons: Vec<Reason>,
    /// The last decision, if any.
    pub decision: Option<Decision>,
    /// Decided with exactly these reasons: nothing new since.
    pub reviewed: bool,
}

/// The list's filter.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// People of this organization's subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
    /// 黄, 橙 or 红.
    pub level: String,
    /// `true`: only entries not yet decided with their current reasons.
    pub pending: String,
    /// One person.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub person_id: Option<i32>,
}

impl Filter {
    pub fn query(&self) -> String {
        let o = self.org.map(|x| x.to_string()).unwrap_or_default();
        let p = self.person_id.map(|x| x.to_string()).unwrap_or_default();
        crate::ui::query_string(&[("org", &o), ("level", &self.level), ("pending", &self.pending), ("person_id", &p)])
    }
}

/// Refuses (403, audited) a caller who may not see the review list.
async fn require_reviewer(state: &AppState, actor: &Actor, object: &str) -> AppResult<()> {
    if actor.can(Permission::DisciplineWrite) {
        return Ok(());
    }
    let event =
        Event::by(actor, "access.denied").object("risk_warning", object).summary(json!({"missing": "DisciplineWrite"}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    actor.require(Permission::DisciplineWrite)
}

fn push(out: &mut HashMap<i32, Vec<Reason>>, person: i32, rule: &rule::Model, text: String) {
    out.entry(person).or_default().push(Reason { rule: rule.code.clone(), level: rule.level.clone(), text });
}

/// Every enabled rule over `scope`: person → reasons, one query (or a few) per rule.
pub async fn reasons_in(state: &AppState, scope: &Scope) -> AppResult<HashMap<i32, Vec<Reason>>> {
    let today = state.clock.today();
    let rules = rule::Entity::find()
        .filter(rule::Column::Enabled.eq(true))
        .order_by_asc(rule::Column::Sort)
        .all(&state.db)
        .await?;
    let mut out: HashMap<i32, Vec<Reason>> = HashMap::new();
    for r in &rules {
        // Each rule timed on its own: the list is as slow as its slowest rule at city scale.
        let started = std::time::Instant::now();
        match r.code.as_str() {
            "open_flag" => {
                let rows = flag::Entity::find()
                    .filter(in_scope(flag::Column::OrgPath, scope))
                    .filter(flag::Column::Status.is_in([OPEN, FOLLOWING]))
                    .order_by_asc(flag::Column::OpenedOn)
                    .order_by_asc(flag::Column::Id)
                    .all(&state.db)
                    .await?;
                let cats: HashMap<i32, String> =
                    category::Entity::find().all(&state.db).await?.into_iter().map(|c| (c.id, c.name)).collect();
                for f in rows {
                    let cat = cats.get(&f.category_id).map_or("", String::as_str);
                    let text = format!("未结的{}色风险提示：{cat}（{}，{} 登记）", f.level, f.status, f.opened_on);
                    // An open flag warns at its own level when that is higher than the rule's.
                    let level =
                        if level_rank(&f.level) > level_rank(&r.level) { f.level.clone() } else { r.level.clone() };
                    out.entry(f.person_id).or_default().push(Reason { rule: r.code.clone(), level, text });
                }
            }
            "sanction" => {
                let effects = crate::discipline::store::in_effect_in(&state.db, scope, today).await?;
                for (person, list) in effects {
                    for e in list {
                        let line = crate::discipline::module::effect_line(&e, today);
                        push(&mut out, person, r, format!("处分仍在影响期内：{line}"));
                    }
                }
            }
            "org_life" => {
                if let Some(life) = crate::module::org_life() {
                    let months = u32::try_from(r.threshold.max(1)).unwrap_or(6);
                    let since = today.checked_sub_months(Months::new(months)).unwrap_or(today);
                    for person in (life.absent_since)(state, scope, since).await? {
                        push(
                            &mut out,
                            person,
                            r,
                            format!("自 {since} 起 {months} 个月内有缺席记录，未参加任何一次组织生活"),
                        );
                    }
                }
            }
            "complaints" => {
                let since = today - chrono::Duration::days(365);
                let rows: Vec<(i32, i64)> = flag::Entity::find()
                    .select_only()
                    .column(flag::Column::PersonId)
                    .column_as(Expr::from(Func::count(Expr::col(flag::Column::Id))), "n")
                    .filter(in_scope(flag::Column::OrgPath, scope))
                    .filter(flag::Column::Source.eq(COMPLAINT))
                    .filter(flag::Column::OpenedOn.gte(since))
                    .group_by(flag::Column::PersonId)
                    .into_tuple()
                    .all(&state.db)
                    .await?;
                for (person, n) in rows.into_iter().filter(|(_, n)| *n >= i64::from(r.threshold.max(1))) {
                    push(&mut out, person, r, format!("自 {since} 起一年内被投诉 {n} 次"));
                }
            }
            "dues_lapse" => super::facts::dues_lapse(state, scope, r, &mut out).await?,
            "appraisal" => super::facts::appraisal(state, scope, r, &mut out).await?,
            "contract_flag" => super::facts::contract_flag(state, scope, r, &mut out).await?,
            "visit_overdue" => {
                for (person, label, due) in crate::visits::store::overdue_in(&state.db, scope, today).await? {
                    push(&mut out, person, r, format!("必访任务（{label}）已逾期，期限 {due}"));
                }
            }
            _ => {}
        }
        tracing::debug!(rule = %r.code, elapsed_ms = started.elapsed().as_secs_f64() * 1000.0, "预警规则计算");
    }
    Ok(out)
}

/// The organization id at the end of a path (`/1/6/10/` → 10).
fn org_of(path: &str) -> i32 {
    path.trim_end_matches('/').rsplit('/').next().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// The last decision of each of `ids`.
async fn last_decisions(state: &AppState, ids: &[i32]) -> AppResult<HashMap<i32, decision::Model>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = decision::Entity::find()
            .filter(decision::Column::PersonId.is_in(chunk.iter().copied()))
            .order_by_asc(decision::Column::Id)
            .all(&state.db)
            .await?;
        for d in rows {
            out.insert(d.person_id, d);
        }
    }
    Ok(out)
}

fn joined(reasons: &[Reason]) -> String {
    reasons.iter().map(|r| r.text.replace('\n', " ")).collect::<Vec<_>>().join("\n")
}

/// An entry's place in the list: the person's organization path, name and id (tree order).
type EntryKey = (String, String, i32);
/// An entry's level, reasons and whether the last decision saw exactly these reasons.
type Entry = (String, Vec<Reason>, bool);

/// A page of the review list in the caller's scope, in the order of the organization tree; one
/// `sensitive.read` entry naming the people shown.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &Filter,
    page: PageParams,
) -> AppResult<(Vec<Warning>, u64)> {
    require_reviewer(state, actor, "list").await?;
    let page = page.normalized();
    let mut scope = actor.scope(Permission::DisciplineWrite);
    if let Some(org) = filter.org {
        let o = crate::orgs::store::find(&state.db, org).await?.ok_or(AppError::NotFound)?;
        let target = Target { kind: "org", id: org.into(), org_path: &o.path };
        guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
        scope = Scope::Subtrees(vec![o.path]);
    }
    let started = std::time::Instant::now();
    let mut reasons = reasons_in(state, &scope).await?;
    let ruled = started.elapsed();
    if let Some(p) = filter.person_id {
        reasons.retain(|id, _| *id == p);
    }
    let ids: Vec<i32> = reasons.keys().copied().collect();
    // Where each person is now: a fact recorded elsewhere in the tree counts where they are.
    let placed = crate::people::store::placed(&state.db, &ids).await?;
    let decisions = last_decisions(state, &ids).await?;
    let placed_at = started.elapsed();
    let level_filter = filter.level.trim();
    let pending = matches!(filter.pending.trim(), "true" | "1" | "on");
    let mut entries: BTreeMap<EntryKey, Entry> = BTreeMap::new();
    for (id, list) in reasons {
        let Some((name, path, _)) = placed.get(&id) else { continue };
        if !scope.contains(path) {
            continue;
        }
        let level = list.iter().map(|r| r.level.as_str()).max_by_key(|l| level_rank(l)).unwrap_or("黄").to_owned();
        if !level_filter.is_empty() && level != level_filter {
            continue;
        }
        let reviewed = decisions.get(&id).is_some_and(|d| d.reasons == joined(&list));
        if pending && reviewed {
            continue;
        }
        entries.insert((path.clone(), name.clone(), id), (level, list, reviewed));
    }
    let total = entries.len() as u64;
    let shown: Vec<(EntryKey, Entry)> = entries
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(page.page_size).unwrap_or(20))
        .collect();
    let mut org_ids: Vec<i32> = shown.iter().map(|((p, _, _), _)| org_of(p)).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let org_names = crate::orgs::store::names(&state.db, &org_ids).await?;
    let items: Vec<Warning> = shown
        .into_iter()
        .map(|((path, name, id), (level, reasons, reviewed))| {
            let org_id = org_of(&path);
            Warning {
                person_id: id,
                person_name: name,
                org_id,
                org_name: org_names.get(&org_id).cloned().unwrap_or_default(),
                level,
                reasons,
                decision: decisions.get(&id).cloned().map(Decision::from),
                reviewed,
            }
        })
        .collect();
    let event = Event::by(actor, "sensitive.read").object("risk_warning", "list").summary(json!({
        "filter": filter.query(), "total": total, "shown": items.iter().map(|w| w.person_id).collect::<Vec<_>>()
    }));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    tracing::debug!(
        rules_ms = ruled.as_secs_f64() * 1000.0,
        placed_ms = (placed_at - ruled).as_secs_f64() * 1000.0,
        total_ms = started.elapsed().as_secs_f64() * 1000.0,
        people = total,
        "预警名单"
    );
    Ok((items, total))
}

/// A decision on an entry of the review list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "对预警名单中一人的审看决定：`no_action`（已审看，暂不处置，须写说明）或 `flag`（同时登记风险提示，`flag` 为登记内容，人员取本条的人员）"
)]
pub struct DecisionInput {
    pub person_id: i32,
    #[schema(max_length = 20)]
    pub decision: String,
    #[schema(max_length = 500)]
    pub note: String,
    pub flag: Option<FlagInput>,
}

/// Records a decision on a person who is on the caller's review list (404 and audited when not
/// in scope; refused when the person has no reason to be listed). "open a flag" opens it in the
/// same transaction; audited `risk.warning_decide`.
pub async fn decide(state: &AppState, actor: &Actor, input: &DecisionInput) -> AppResult<Decision> {
    require_reviewer(state, actor, "decide").await?;
    let p = crate::people::store::find_live(&state.db, input.person_id).await?.ok_or(AppError::NotFound)?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".to_owned());
    let target = Target { kind: "person", id: p.id.into(), org_path: &path };
    guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
    let scope = actor.scope(Permission::DisciplineWrite);
    let mut errors: Vec<(String, String)> = Vec::new();
    let note = input.note.trim().to_owned();
    if let Some(m) = check_text("说明", &note, MAX_NOTE) {
        errors.push(("note".into(), m));
    }
    let kind = input.decision.trim();
    match kind {
        "no_action" if note.is_empty() => errors.push(("note".into(), "“已审看，暂不处置”请写明审看意见".into())),
        "no_action" => {}
        "flag" if input.flag.is_none() => errors.push(("flag".into(), "“登记风险提示”请填写风险提示的内容".into())),
        "flag" => {}
        _ => errors.push(("decision".into(), "决定应为“已审看，暂不处置”（no_action）或“登记风险提示”（flag）".into())),
    }
    // The same facts the list showed: computed over the reviewer's scope (a record may sit where
    // the person was when it was made).
    let reasons = reasons_in(state, &scope).await?.remove(&p.id).unwrap_or_default();
    if reasons.is_empty() {
        errors.push(("person_id".into(), format!("{}目前不在预警名单中，无需审看", p.name)));
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let prepared = match (&input.flag, kind) {
        (Some(f), "flag") => {
            let mut f = f.clone();
            f.person_id = p.id;
            Some(flags::prepare(state, actor, &f).await?)
        }
        _ => None,
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let flag_id = match prepared {
        Some(prepared) => Some(flags::insert(&txn, state, actor, prepared).await?.id),
        None => None,
    };
    let saved = decision::ActiveModel {
        person_id: Set(p.id),
        org_path: Set(path.clone()),
        decision: Set(kind.to_owned()),
        flag_id: Set(flag_id),
        reasons: Set(joined(&reasons)),
        note: Set(Some(note).filter(|n| !n.is_empty())),
        decided_by_name: Set(actor.display_name.chars().take(50).collect()),
        decided_on: Set(state.clock.today()),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "risk.warning_decide").object("person", p.id).org(path).summary(json!({
        "decision": kind, "flag": flag_id, "reasons": reasons.len()
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}
