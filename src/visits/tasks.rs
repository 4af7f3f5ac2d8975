//! 十必访: the situations dictionary (kept by the system administrator), must-visit tasks raised by hand
//! or by other domains' events, their list and the home page's to-do items (the branch secretary's
//! own, and the overdue ones escalated to the party admin above).

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{situation, task};
use super::store;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::blocks::Todo;

/// One 十必访 situation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "十必访情形（字典，系统管理员维护：新增、改名、改期限、停用；随程序提供的是标注为示例的清单）")]
pub struct Situation {
    pub id: i32,
    #[schema(example = "bereavement")]
    pub code: String,
    #[schema(example = "直系亲属亡故")]
    pub label: String,
    /// Days from the event to the visit's deadline.
    pub deadline_days: i32,
    pub active: bool,
}

impl From<situation::Model> for Situation {
    fn from(s: situation::Model) -> Self {
        Self { id: s.id, code: s.code, label: s.label, deadline_days: s.deadline_days, active: s.active }
    }
}

pub async fn situations(state: &AppState) -> AppResult<Vec<Situation>> {
    let rows = situation::Entity::find().order_by_asc(situation::Column::Sort).all(&state.db).await?;
    Ok(rows.into_iter().map(Situation::from).collect())
}

/// A situation as typed, new or changed: label, deadline, in use.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "新增或修改十必访情形：名称（不超过 50 字，不与其他情形重名）、期限天数（1–90）、是否启用（停用后不能再登记，已登记的任务不受影响）"
)]
pub struct SituationInput {
    #[schema(schema_with = crate::visits::schema::label)]
    pub label: String,
    pub deadline_days: Option<i32>,
    pub active: Option<bool>,
}

/// The checked label and deadline; `id` is the situation being changed (its own label is no clash).
async fn check_situation(
    state: &AppState,
    input: &SituationInput,
    id: Option<i32>,
    default_days: Option<i32>,
) -> AppResult<(String, i32)> {
    let mut errors = Vec::new();
    let label = input.label.trim().to_owned();
    if label.is_empty() {
        errors.push(("label".to_owned(), "请填写情形名称".to_owned()));
    } else if let Err(m) = crate::text::check_line("情形名称", &label) {
        errors.push(("label".to_owned(), m));
    } else if label.chars().count() > 50 {
        errors.push(("label".to_owned(), "情形名称不能超过 50 个字".to_owned()));
    } else {
        let clash = situation::Entity::find()
            .filter(situation::Column::Label.eq(label.clone()))
            .one(&state.db)
            .await?
            .is_some_and(|s| Some(s.id) != id);
        if clash {
            errors.push(("label".to_owned(), format!("已有名为“{label}”的情形")));
        }
    }
    let days = input.deadline_days.or(default_days);
    match days {
        Some(d) if (1..=90).contains(&d) => {}
        None => errors.push(("deadline_days".to_owned(), "请填写走访期限天数".to_owned())),
        Some(_) => errors.push(("deadline_days".to_owned(), "期限应为 1 至 90 天".to_owned())),
    }
    match (days, errors.is_empty()) {
        (Some(d), true) => Ok((label, d)),
        _ => Err(AppError::Fields(errors)),
    }
}

/// Changes a situation: rename, deadline, retire or restore. A dictionary of the bureau's own
/// words, kept by the system administrator (`DictionaryManage`, DESIGN.md §2). Codes stay:
/// other domains report by code.
pub async fn update_situation(
    state: &AppState,
    actor: &Actor,
    id: i32,
    input: &SituationInput,
) -> AppResult<Situation> {
    actor.require(Permission::DictionaryManage)?;
    let s = situation::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let (label, days) = check_situation(state, input, Some(s.id), Some(s.deadline_days)).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: situation::ActiveModel = s.clone().into();
    active.label = Set(label);
    active.deadline_days = Set(days);
    active.active = Set(input.active.unwrap_or(s.active));
    let saved = active.update(&txn).await?;
    let event = Event::by(actor, "visit.situation").object("visit_situation", saved.id).summary(json!({
        "code": saved.code, "label": saved.label, "deadline_days": saved.deadline_days, "active": saved.active
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// Adds a situation of the bureau's own (`DictionaryManage`). It gets a generated code
/// (`custom_N`): only hand-raised tasks use it, since no other domain reports it.
pub async fn create_situation(state: &AppState, actor: &Actor, input: &SituationInput) -> AppResult<Situation> {
    actor.require(Permission::DictionaryManage)?;
    let (label, days) = check_situation(state, input, None, None).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let last = situation::Entity::find().order_by_desc(situation::Column::Sort).one(&txn).await?;
    let sort = last.map_or(1, |s| s.sort + 1);
    let saved = situation::ActiveModel {
        code: Set(format!("custom_{sort}")),
        label: Set(label),
        deadline_days: Set(days),
        active: Set(input.active.unwrap_or(true)),
        sort: Set(sort),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "visit.situation_add").object("visit_situation", saved.id).summary(json!({
        "code": saved.code, "label": saved.label, "deadline_days": saved.deadline_days, "active": saved.active
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.into())
}

/// A situation raised by hand on a person.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "登记必访情形：人员编号、情形代码、发生日期（不晚于今天）、说明（可空，不超过 200 字）")]
pub struct RaiseInput {
    pub person_id: i32,
    #[schema(schema_with = crate::visits::schema::code)]
    pub situation: String,
    #[schema(schema_with = crate::visits::schema::date)]
    pub on: String,
    #[schema(schema_with = crate::visits::schema::note)]
    pub note: String,
}

/// Raises a situation on a person by hand: whoever may change the person's record (`PersonWrite`
/// in scope; 404 and `access.denied` outside).
pub async fn raise(state: &AppState, actor: &Actor, input: &RaiseInput) -> AppResult<MustVisit> {
    let subject = crate::people::service::heading(state, actor, input.person_id).await?.subject;
    let target = Target { kind: "person", id: i64::from(subject.id), org_path: &subject.org_path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
    let mut errors = Vec::new();
    let s = store::situation_by_code(&state.db, input.situation.trim()).await?.filter(|s| s.active);
    if s.is_none() {
        errors.push(("situation".to_owned(), "请选择一项启用中的十必访情形".to_owned()));
    }
    let on = match super::parse_date(&input.on, "发生日期") {
        Ok(d) if d > state.clock.today() => {
            errors.push(("on".to_owned(), "发生日期不能晚于今天".to_owned()));
            None
        }
        Ok(d) => Some(d),
        Err(m) => {
            errors.push(("on".to_owned(), m));
            None
        }
    };
    let note = input.note.trim();
    if let Some(m) = crate::text::check_line("说明", note)
        .err()
        .or_else(|| (note.chars().count() > 200).then(|| "说明不能超过 200 个字".to_owned()))
    {
        errors.push(("note".to_owned(), m));
    }
    let (Some(s), Some(on), true) = (s, on, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    // A hand-raised situation is its own source: the same person and situation may recur.
    let n = task::Entity::find().filter(task::Column::PersonId.eq(subject.id)).count(&txn).await?;
    let source = format!("manual#{}:{}", actor.user_id, n + 1);
    let note = (!note.is_empty()).then(|| note.to_owned());
    let saved = store::raise_must_visit(
        &txn,
        state,
        store::Raise { person_id: subject.id, situation: &s.code, source: &source, on },
        Some(actor),
        note,
    )
    .await?
    .ok_or_else(|| AppError::conflict("situation", "该情形已登记"))?;
    txn.commit().await?;
    let names = crate::people::names(&state.db, &[subject.id]).await?;
    Ok(MustVisit::of(saved, &s, &names, state.clock.today()))
}

/// A must-visit task.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "必访任务：情形、发生日期、期限；由一次家访完成")]
pub struct MustVisit {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub situation: String,
    pub situation_label: String,
    pub source: String,
    pub raised_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub visit_id: Option<i32>,
    pub closed_on: Option<String>,
    pub raised_by: String,
}

impl MustVisit {
    fn of(
        t: task::Model,
        s: &situation::Model,
        names: &std::collections::HashMap<i32, String>,
        today: chrono::NaiveDate,
    ) -> Self {
        Self {
            id: t.id,
            person_id: t.person_id,
            person_name: names.get(&t.person_id).cloned().unwrap_or_default(),
            situation: s.code.clone(),
            situation_label: s.label.clone(),
            source: t.source,
            raised_on: t.raised_on.to_string(),
            due_on: t.due_on.to_string(),
            overdue: t.closed_on.is_none() && t.due_on < today,
            visit_id: t.visit_id,
            closed_on: t.closed_on.map(|d| d.to_string()),
            raised_by: t.raised_by_name,
        }
    }
}

/// Filter of the task list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TaskFilter {
    /// A person's tasks.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub person: Option<i32>,
    /// `open` (default), `overdue`, `closed` or `all`.
    pub status: String,
}

async fn with_situations(state: &AppState, rows: Vec<task::Model>) -> AppResult<Vec<MustVisit>> {
    let all = situation::Entity::find().all(&state.db).await?;
    let ids: Vec<i32> = rows.iter().map(|t| t.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let today = state.clock.today();
    Ok(rows
        .into_iter()
        .filter_map(|t| {
            let s = all.iter().find(|s| s.id == t.situation_id)?;
            Some(MustVisit::of(t, s, &names, today))
        })
        .collect())
}

/// Must-visit tasks in the actor's read scope (`PersonRead`), deadline first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: &TaskFilter,
    page: PageParams,
) -> AppResult<(Vec<MustVisit>, u64)> {
    actor.require(Permission::PersonRead)?;
    let mut q = task::Entity::find()
        .filter(crate::db::scope::in_scope(task::Column::OrgPath, &actor.scope(Permission::PersonRead)));
    if let Some(p) = f.person {
        q = q.filter(task::Column::PersonId.eq(p));
    }
    let today = state.clock.today();
    q = match f.status.as_str() {
        "all" => q,
        "closed" => q.filter(task::Column::ClosedOn.is_not_null()),
        "overdue" => q.filter(task::Column::ClosedOn.is_null()).filter(task::Column::DueOn.lt(today)),
        _ => q.filter(task::Column::ClosedOn.is_null()),
    };
    let total = q.clone().count(&state.db).await?;
    let page = page.normalized();
    let rows = q
        .order_by_asc(task::Column::DueOn)
        .order_by_asc(task::Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(&state.db)
        .await?;
    Ok((with_situations(state, rows).await?, total))
}

/// A person's open tasks (what a visit may answer).
pub async fn open_of(state: &AppState, person_id: i32) -> AppResult<Vec<MustVisit>> {
    let rows = task::Entity::find()
        .filter(task::Column::PersonId.eq(person_id))
        .filter(task::Column::ClosedOn.is_null())
        .order_by_asc(task::Column::DueOn)
        .all(&state.db)
        .await?;
    with_situations(state, rows).await
}

/// Home page: open must-visits for the branch's secretary (any grant as `secretary` over the
/// person), and overdue ones escalated to party admins whose scope holds them. Counted per unit
/// when many.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let scope = actor.scope(Permission::PersonWrite);
    let today = state.clock.today();
    let secretary_paths: Vec<String> =
        actor.grants.iter().filter(|g| g.role == Role::Secretary).map(|g| g.org_path.clone()).collect();
    let mut q = task::Entity::find()
        .filter(crate::db::scope::in_scope(task::Column::OrgPath, &scope))
        .filter(task::Column::ClosedOn.is_null());
    if secretary_paths.is_empty() {
        q = q.filter(task::Column::DueOn.lt(today));
    }
    let rows: Vec<task::Model> = q
        .order_by_asc(task::Column::DueOn)
        .limit(5_000)
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|t| t.due_on < today || secretary_paths.iter().any(|p| t.org_path.starts_with(p.as_str())))
        .collect();
    let tasks = with_situations(state, rows.clone()).await?;
    let items = rows
        .into_iter()
        .zip(tasks)
        .map(|(t, m)| {
            let title = if m.overdue {
                format!("{} 的必访（{}）已逾期，期限 {}", m.person_name, m.situation_label, m.due_on)
            } else {
                format!("{} 须走访：{}", m.person_name, m.situation_label)
            };
            let todo = Todo {
                title,
                href: format!("/people/{}/visits/new?task={}", m.person_id, m.id),
                due: Some(m.due_on.clone()),
                urgency: if m.overdue { "high" } else { "normal" },
            };
            crate::orgs::summary::Pending { path: t.org_path, todo }
        })
        .collect();
    crate::orgs::summary::by_unit(state, &scope, items, |n| format!("{n} 项必访任务未完成（含逾期）")).await
}
