//! Risk flags: opened on a person in a category with a level, facts, source and a responsible
//! cadre; followed up with dated measures and reviews; closed as 已化解 or 已升级 with a reason.
//! Every step is a line of the flag's history. Opening a flag reports the category's 十必访
//! situation (a must-visit for the branch), in the same transaction.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{category, event, flag, screening};
use super::{
    ESCALATED, FOLLOWING, LEVELS, MAX_FACTS, MAX_NOTE, MEASURES, OPEN, RESOLVED, SOURCES, check_line, check_text,
    is_open, next_statuses, parse_date,
};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::db::scope::in_scope;
use crate::error::{AppError, AppResult};
use crate::module::PersonSituation;
use crate::state::AppState;
use crate::ui::PageParams;

/// The 十必访 codes a category may report (visits' dictionary, research/domain.md §2.3): the
/// listener takes a `'static` code.
const SITUATIONS: [&str; 10] = [
    "long_task",
    "illness",
    "injury",
    "bereavement",
    "hardship",
    "sanction",
    "post_change",
    "mood",
    "family_conflict",
    "request",
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "风险提示处置记录中的一行：登记、措施、复查或状态变化")]
pub struct HistoryLine {
    /// `opened`, `measure`, `review` or `status`.
    pub kind: String,
    pub on: NaiveDate,
    pub measure: Option<String>,
    pub status: Option<String>,
    pub note: Option<String>,
    pub by: String,
}

/// One flag as a permitted reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条风险提示（纪律与风险类敏感信息，读取记审计）")]
pub struct Flag {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub org_id: i32,
    pub org_name: String,
    pub category_id: i32,
    pub category: String,
    /// 黄, 橙 or 红.
    pub level: String,
    pub facts: String,
    pub source: String,
    pub screening_id: Option<i32>,
    /// The responsible cadre.
    pub cadre: String,
    /// 待跟进, 跟进中, 已化解 or 已升级.
    pub status: String,
    pub opened_on: NaiveDate,
    pub next_review_on: Option<NaiveDate>,
    /// The review date has passed while the flag is open.
    pub review_due: bool,
    pub closed_on: Option<NaiveDate>,
    pub closure: Option<String>,
    /// The statuses it may move to.
    pub next: Vec<String>,
    /// Full history, oldest first (detail only; empty in lists).
    pub history: Vec<HistoryLine>,
}

/// Refuses (403, audited) a caller without the discipline-and-risk class at all.
pub async fn require_class(state: &AppState, actor: &Actor, object: &str) -> AppResult<()> {
    if actor.can(Permission::DisciplineRiskRead) {
        return Ok(());
    }
    let event =
        Event::by(actor, "access.denied").object("risk_flag", object).summary(json!({"missing": "DisciplineRiskRead"}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    actor.require(Permission::DisciplineRiskRead)
}

/// Flag `id` if the actor may work it (403 audited without the class; 404 audited out of scope).
/// Not audited as a read: the caller does.
pub async fn reachable(state: &AppState, actor: &Actor, id: i32) -> AppResult<flag::Model> {
    require_class(state, actor, &id.to_string()).await?;
    let f = flag::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "risk_flag", id: id.into(), org_path: &f.org_path };
    guard::check(state, actor, Permission::DisciplineRiskRead, Sensitivity::Normal, target).await?;
    Ok(f)
}

/// Builds the readers' view: names of people, organizations and categories in three queries.
pub async fn present(state: &AppState, rows: Vec<flag::Model>) -> AppResult<Vec<Flag>> {
    let mut people: Vec<i32> = rows.iter().map(|f| f.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let mut orgs: Vec<i32> = rows.iter().map(|f| f.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let names = crate::people::store::names_by_id(&state.db, &people).await?;
    let org_names = crate::orgs::store::names(&state.db, &orgs).await?;
    let cats: std::collections::HashMap<i32, String> =
        category::Entity::find().all(&state.db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let today = state.clock.today();
    Ok(rows
        .into_iter()
        .map(|f| Flag {
            person_name: names.get(&f.person_id).cloned().unwrap_or_default(),
            org_name: org_names.get(&f.org_id).cloned().unwrap_or_default(),
            category: cats.get(&f.category_id).cloned().unwrap_or_default(),
            review_due: is_open(&f.status) && f.next_review_on.is_some_and(|d| d <= today),
            next: next_statuses(&f.status).iter().map(|s| (*s).to_owned()).collect(),
            history: Vec::new(),
            id: f.id,
            person_id: f.person_id,
            org_id: f.org_id,
            category_id: f.category_id,
            level: f.level,
            facts: f.facts,
            source: f.source,
            screening_id: f.screening_id,
            cadre: f.cadre,
            status: f.status,
            opened_on: f.opened_on,
            next_review_on: f.next_review_on,
            closed_on: f.closed_on,
            closure: f.closure,
        })
        .collect())
}

async fn history(state: &AppState, id: i32) -> AppResult<Vec<HistoryLine>> {
    let rows = event::Entity::find()
        .filter(event::Column::FlagId.eq(id))
        .order_by_asc(event::Column::OnDate)
        .order_by_asc(event::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| HistoryLine {
            kind: e.kind,
            on: e.on_date,
            measure: e.measure,
            status: e.status,
            note: e.note,
            by: e.by_name,
        })
        .collect())
}

/// One flag with its history, read in full: one `sensitive.read` entry.
pub async fn detail(state: &AppState, actor: &Actor, id: i32) -> AppResult<Flag> {
    let f = reachable(state, actor, id).await?;
    let event = Event::by(actor, "sensitive.read").object("risk_flag", id).org(f.org_path.clone());
    audit::record_alone(&state.db, state.clock.as_ref(), event.summary(json!({"person": f.person_id}))).await?;
    let mut out = present(state, vec![f]).await?.remove(0);
    out.history = history(state, id).await?;
    Ok(out)
}

/// A list's filter (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub person_id: Option<i32>,
    /// Flags of this organization's subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub category_id: Option<i32>,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub screening_id: Option<i32>,
    /// 黄, 橙 or 红.
    pub level: String,
    /// 待跟进, 跟进中, 已化解, 已升级, or `open` for the first two.
    pub status: String,
    /// `due`: open flags whose review date has come.
    pub review: String,
}

impl Filter {
    pub fn query(&self) -> String {
        let n = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
        let (p, o, c, s) = (n(self.person_id), n(self.org), n(self.category_id), n(self.screening_id));
        crate::ui::query_string(&[
            ("person_id", &p),
            ("org", &o),
            ("category_id", &c),
            ("screening_id", &s),
            ("level", &self.level),
            ("status", &self.status),
            ("review", &self.review),
        ])
    }

    async fn condition(&self, state: &AppState) -> AppResult<Condition> {
        let mut c = Condition::all();
        if self.review.trim() == "due" {
            c = c
                .add(flag::Column::Status.is_in([OPEN, FOLLOWING]))
                .add(flag::Column::NextReviewOn.lte(state.clock.today()));
        }
        if let Some(p) = self.person_id {
            c = c.add(flag::Column::PersonId.eq(p));
        }
        if let Some(org) = self.org {
            c = match crate::orgs::store::find(&state.db, org).await? {
                Some(o) => c.add(crate::db::scope::subtree(flag::Column::OrgPath, &o.path)),
                None => c.add(flag::Column::Id.eq(-1)),
            };
        }
        if let Some(id) = self.category_id {
            c = c.add(flag::Column::CategoryId.eq(id));
        }
        if let Some(id) = self.screening_id {
            c = c.add(flag::Column::ScreeningId.eq(id));
        }
        let level = self.level.trim();
        if !level.is_empty() {
            c = c.add(flag::Column::Level.eq(level));
        }
        match self.status.trim() {
            "" => {}
            "open" => c = c.add(flag::Column::Status.is_in([OPEN, FOLLOWING])),
            s => c = c.add(flag::Column::Status.eq(s)),
        }
        Ok(c)
    }
}

/// A page of flags in the actor's scope, newest first; one `sensitive.read` entry.
pub async fn list(state: &AppState, actor: &Actor, filter: &Filter, page: PageParams) -> AppResult<(Vec<Flag>, u64)> {
    require_class(state, actor, "list").await?;
    let page = page.normalized();
    let query = flag::Entity::find()
        .filter(in_scope(flag::Column::OrgPath, &actor.scope(Permission::DisciplineRiskRead)))
        .filter(filter.condition(state).await?);
    let total = query.clone().count(&state.db).await?;
    let rows = query
        .order_by_desc(flag::Column::OpenedOn)
        .order_by_desc(flag::Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|f| f.id).collect();
    let event = Event::by(actor, "sensitive.read")
        .object("risk_flag", "list")
        .summary(json!({"filter": filter.query(), "total": total, "shown": ids}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((present(state, rows).await?, total))
}

/// A new flag.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "登记风险提示：人员、类别（不能是已停用的）、等级（黄/橙/红，空则取类别默认等级；红色必须写明事实）、事实（不超过 2000 字）、\
    来源（排查、家访、投诉、案件评查、处分、本人报告）、所属排查活动（可空）、责任人、登记日期（空则今天）、下次复查日期（空则按类别的复查间隔）"
)]
pub struct FlagInput {
    pub person_id: i32,
    pub category_id: i32,
    #[schema(max_length = 10)]
    pub level: String,
    #[schema(max_length = 2000)]
    pub facts: String,
    #[schema(max_length = 20)]
    pub source: String,
    pub screening_id: Option<i32>,
    #[schema(max_length = 50)]
    pub cadre: String,
    #[schema(max_length = 10)]
    pub opened_on: String,
    #[schema(max_length = 10)]
    pub next_review_on: String,
}

fn optional_date(text: &str, label: &str, field: &str, errors: &mut Vec<(String, String)>) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        return None;
    }
    parse_date(text, label).map_err(|m| errors.push((field.to_owned(), m))).ok()
}

/// A flag checked and ready to be written.
pub struct Prepared {
    person_id: i32,
    org_id: i32,
    path: String,
    category: category::Model,
    level: String,
    facts: String,
    source: String,
    screening_id: Option<i32>,
    cadre: String,
    opened_on: NaiveDate,
    next_review_on: NaiveDate,
}

/// Checks a new flag on a person in the actor's scope (`DisciplineRiskRead`: party admin,
/// discipline, the person's secretary): 404 and `access.denied` out of scope; every problem
/// named (a retired category, one that does not apply to the person's kind, 红 without facts).
pub async fn prepare(state: &AppState, actor: &Actor, input: &FlagInput) -> AppResult<Prepared> {
    require_class(state, actor, "create").await?;
    let p = crate::people::store::find_live(&state.db, input.person_id).await?.ok_or(AppError::NotFound)?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".to_owned());
    let target = Target { kind: "person", id: p.id.into(), org_path: &path };
    guard::check(state, actor, Permission::DisciplineRiskRead, Sensitivity::Normal, target).await?;
    let Some(org_id) = p.org_id else {
        return Err(AppError::validation("person_id", format!("{}没有所在党组织，不能登记风险提示", p.name)));
    };
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let cat = category::Entity::find_by_id(input.category_id).one(&state.db).await?;
    match &cat {
        None => errors.push(("category_id".into(), "请选择风险人员类别".into())),
        Some(c) if c.retired => {
            errors.push(("category_id".into(), format!("类别“{}”已停用，不能再登记风险提示", c.name)));
        }
        Some(c) if c.applies_to != "全部" && c.applies_to != p.kind => errors
            .push(("category_id".into(), format!("类别“{}”只适用于{}，{}是{}", c.name, c.applies_to, p.name, p.kind))),
        Some(_) => {}
    }
    let level = match input.level.trim() {
        "" => cat.as_ref().map_or_else(|| "黄".to_owned(), |c| c.default_level.clone()),
        l if LEVELS.contains(&l) => l.to_owned(),
        l => {
            errors.push(("level".into(), format!("等级“{l}”应为 黄、橙 或 红")));
            String::new()
        }
    };
    let facts = input.facts.trim().to_owned();
    if level == "红" && facts.is_empty() {
        errors.push(("facts".into(), "红色风险提示必须写明事实依据".into()));
    }
    if let Some(m) = check_text("事实", &facts, MAX_FACTS) {
        errors.push(("facts".into(), m));
    }
    let source = input.source.trim();
    if !SOURCES.contains(&source) {
        errors.push(("source".into(), format!("请选择来源：{}", SOURCES.join("、"))));
    }
    let cadre = input.cadre.trim().to_owned();
    if cadre.is_empty() {
        errors.push(("cadre".into(), "请填写责任人".into()));
    } else if let Some(m) = check_line("责任人", &cadre, 50) {
        errors.push(("cadre".into(), m));
    }
    if let Some(sid) = input.screening_id {
        let s = screening::Entity::find_by_id(sid).one(&state.db).await?;
        match s {
            Some(s) if path.starts_with(&s.org_path) => {}
            _ => errors.push(("screening_id".into(), "此人不在该排查活动的范围内".into())),
        }
    }
    let opened_on = optional_date(&input.opened_on, "登记日期", "opened_on", &mut errors).unwrap_or(today);
    if opened_on > today {
        errors.push(("opened_on".into(), "登记日期不能晚于今天".into()));
    }
    let review = optional_date(&input.next_review_on, "下次复查日期", "next_review_on", &mut errors);
    if review.is_some_and(|r| r < opened_on) {
        errors.push(("next_review_on".into(), "下次复查日期不能早于登记日期".into()));
    }
    let Some(cat) = cat.filter(|_| errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let next_review_on = review.unwrap_or(opened_on + chrono::Duration::days(i64::from(cat.review_days.max(1))));
    Ok(Prepared {
        person_id: p.id,
        org_id,
        path,
        category: cat,
        level,
        facts,
        source: source.to_owned(),
        screening_id: input.screening_id,
        cadre,
        opened_on,
        next_review_on,
    })
}

/// Writes a prepared flag in the caller's transaction: its first history line, the category's
/// 十必访 situation reported (a must-visit), audited `risk.flag_create`.
pub async fn insert(txn: &DatabaseTransaction, state: &AppState, actor: &Actor, p: Prepared) -> AppResult<flag::Model> {
    let now = state.clock.now_db();
    let by: String = actor.display_name.chars().take(50).collect();
    let saved = flag::ActiveModel {
        person_id: Set(p.person_id),
        org_id: Set(p.org_id),
        org_path: Set(p.path.clone()),
        category_id: Set(p.category.id),
        level: Set(p.level.clone()),
        facts: Set(p.facts),
        source: Set(p.source.clone()),
        screening_id: Set(p.screening_id),
        cadre: Set(p.cadre),
        status: Set(OPEN.to_owned()),
        opened_on: Set(p.opened_on),
        next_review_on: Set(Some(p.next_review_on)),
        closed_on: Set(None),
        closure: Set(None),
        created_by_name: Set(by.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    add_event(txn, state, saved.id, "opened", p.opened_on, None, Some(OPEN), None, &by).await?;
    let situation = p.category.visit_situation.as_deref().and_then(|c| SITUATIONS.iter().find(|s| **s == c));
    if let Some(code) = situation {
        let s = PersonSituation {
            person_id: p.person_id,
            situation: code,
            source: format!("risk_flag#{}", saved.id),
            on: p.opened_on,
        };
        crate::module::report_situation(txn, state, s).await?;
    }
    let from_screening = p.screening_id.is_some() || p.source == "排查";
    let exit = tell_exit(txn, state, actor, &saved, &p.category, (from_screening, false), p.opened_on).await?;
    let event = Event::by(actor, "risk.flag_create").object("risk_flag", saved.id).org(p.path).summary(json!({
        "person": p.person_id, "category": p.category.code, "level": p.level, "source": p.source,
        "must_visit": situation, "exit": exit
    }));
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(saved)
}

/// Tells the exit mechanism (through [`crate::module::flag_listeners`], in `txn`) of a flag
/// opened or escalated in a category that proposes exit cases; what the listeners did.
async fn tell_exit(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    f: &flag::Model,
    cat: &category::Model,
    (from_screening, escalated): (bool, bool),
    on: NaiveDate,
) -> AppResult<Vec<String>> {
    let Some(ground) = super::exit_ground(cat.exit_ground.as_deref(), from_screening, escalated) else {
        return Ok(Vec::new());
    };
    let raised = crate::module::FlagRaised {
        flag_id: f.id,
        person_id: f.person_id,
        category: cat.name.clone(),
        level: f.level.clone(),
        ground,
        escalated,
        on,
    };
    let mut done = Vec::new();
    for listener in crate::module::flag_listeners() {
        done.extend(listener(txn, state, actor, &raised).await?);
    }
    Ok(done)
}

/// Opens a flag (see [`prepare`] and [`insert`]).
pub async fn create(state: &AppState, actor: &Actor, input: &FlagInput) -> AppResult<Flag> {
    let prepared = prepare(state, actor, input).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = insert(&txn, state, actor, prepared).await?;
    txn.commit().await?;
    present(state, vec![saved]).await.map(|mut v| v.remove(0))
}

#[allow(clippy::too_many_arguments)]
async fn add_event(
    txn: &DatabaseTransaction,
    state: &AppState,
    flag_id: i32,
    kind: &str,
    on: NaiveDate,
    measure: Option<&str>,
    status: Option<&str>,
    note: Option<String>,
    by: &str,
) -> AppResult<()> {
    event::ActiveModel {
        flag_id: Set(flag_id),
        kind: Set(kind.to_owned()),
        on_date: Set(on),
        measure: Set(measure.map(str::to_owned)),
        status: Set(status.map(str::to_owned)),
        note: Set(note),
        by_name: Set(by.to_owned()),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// A step of the follow-up: a measure taken, a review, or a change of status.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "风险提示的跟进：措施（谈心谈话、帮教、调整岗位、心理疏导、家访、警示教育、其他）及日期，或只做复查；\
    可同时改变状态（跟进中、已化解、已升级；结案须写明理由）和下次复查日期。“其他”措施须写说明"
)]
pub struct StepInput {
    /// A measure from the list, or empty for a review or a status change only.
    #[schema(max_length = 30)]
    pub measure: String,
    /// The day it was done (default today, not in the future).
    #[schema(max_length = 10)]
    pub on: String,
    #[schema(max_length = 500)]
    pub note: String,
    /// The new status, or empty to keep it (a measure moves 待跟进 to 跟进中).
    #[schema(max_length = 20)]
    pub status: String,
    /// Required when closing (已化解, 已升级).
    #[schema(max_length = 500)]
    pub closure: String,
    #[schema(max_length = 10)]
    pub next_review_on: String,
}

/// Records a follow-up step on a flag in scope; audited `risk.flag_step`.
pub async fn step(state: &AppState, actor: &Actor, id: i32, input: &StepInput) -> AppResult<Flag> {
    let f = reachable(state, actor, id).await?;
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    if !is_open(&f.status) {
        return Err(AppError::conflict("status", format!("该风险提示已{}，不能再跟进", f.status)));
    }
    let measure = input.measure.trim();
    if !measure.is_empty() && !MEASURES.contains(&measure) {
        errors.push(("measure".into(), format!("措施“{measure}”应为：{}", MEASURES.join("、"))));
    }
    let note = input.note.trim().to_owned();
    if measure == "其他" && note.is_empty() {
        errors.push(("note".into(), "“其他”措施请写明做了什么".into()));
    }
    if let Some(m) = check_text("说明", &note, MAX_NOTE) {
        errors.push(("note".into(), m));
    }
    let on = optional_date(&input.on, "日期", "on", &mut errors).unwrap_or(today);
    if on > today {
        errors.push(("on".into(), "日期不能晚于今天".into()));
    }
    if on < f.opened_on {
        errors.push(("on".into(), format!("日期不能早于登记日期 {}", f.opened_on)));
    }
    let wanted = input.status.trim();
    let status = if wanted.is_empty() || wanted == f.status {
        if !measure.is_empty() && f.status == OPEN { FOLLOWING } else { "" }
    } else if let Some(s) = next_statuses(&f.status).iter().find(|s| **s == wanted) {
        s
    } else {
        errors.push(("status".into(), format!("“{}”的风险提示不能改为“{wanted}”", f.status)));
        ""
    };
    let closure = input.closure.trim().to_owned();
    let closing = status == RESOLVED || status == ESCALATED;
    if closing && closure.is_empty() {
        errors.push(("closure".into(), format!("改为“{status}”须写明理由")));
    }
    if let Some(m) = check_text("理由", &closure, MAX_NOTE) {
        errors.push(("closure".into(), m));
    }
    let review = optional_date(&input.next_review_on, "下次复查日期", "next_review_on", &mut errors);
    if review.is_some_and(|r| r < on) {
        errors.push(("next_review_on".into(), "下次复查日期不能早于本次日期".into()));
    }
    if measure.is_empty() && status.is_empty() && review.is_none() && note.is_empty() {
        errors.push(("measure".into(), "请填写措施、复查说明或新的状态".into()));
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let cat = category::Entity::find_by_id(f.category_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let by: String = actor.display_name.chars().take(50).collect();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a: flag::ActiveModel = f.clone().into();
    if closing {
        a.status = Set(status.to_owned());
        a.closed_on = Set(Some(on));
        a.closure = Set(Some(closure.clone()));
        a.next_review_on = Set(None);
    } else {
        if !status.is_empty() {
            a.status = Set(status.to_owned());
        }
        a.next_review_on = Set(Some(review.unwrap_or(on + chrono::Duration::days(i64::from(cat.review_days.max(1))))));
    }
    a.updated_at = Set(state.clock.now_db());
    let saved = a.update(&txn).await?;
    let kind = if !measure.is_empty() {
        "measure"
    } else if !status.is_empty() {
        "status"
    } else {
        "review"
    };
    let line_note = if closing { Some(closure) } else { Some(note).filter(|n| !n.is_empty()) };
    let status_opt = (!status.is_empty()).then_some(status);
    add_event(&txn, state, f.id, kind, on, (!measure.is_empty()).then_some(measure), status_opt, line_note, &by)
        .await?;
    let exit = if status == ESCALATED {
        tell_exit(&txn, state, actor, &saved, &cat, (saved.screening_id.is_some(), true), on).await?
    } else {
        Vec::new()
    };
    let event = Event::by(actor, "risk.flag_step").object("risk_flag", f.id).org(f.org_path.clone()).summary(json!({
        "measure": measure, "status": saved.status, "next_review_on": saved.next_review_on.map(|d| d.to_string()),
        "exit": exit
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    let mut out = present(state, vec![saved]).await?.remove(0);
    out.history = history(state, id).await?;
    Ok(out)
}
