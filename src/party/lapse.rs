//! 党章第九条: a member who, without proper reason, for six months in a row takes no part in
//! organizational life, pays no dues or does no work the Party assigned is considered to have
//! left the Party (自行脱党), which the branch meeting decides and the higher committee approves.
//! The system puts the facts of each condition before the secretary and records the secretary's
//! review; it never changes a membership by itself. A 除名 the branch decides is recorded as an
//! ending (`party::ending`, kind 自行脱党).
//!
//! The facts: dues from the ledger; organizational life from the meeting records (through the
//! provider `meetings` installs, [`crate::module::org_life`]): each member's last attendance, and
//! members absent without leave from every approved meeting of the window are flagged too.
//! Assigned work is not recorded in the system yet, and the review says so rather than presuming.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{lapse_review, member};
use super::membership::{add_event, authorize_write, live_person};
use super::store::membership_of;
use super::{EventKind, MemberStatus};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::db::stored_text;
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::state::AppState;
use crate::text::parse_date;
use crate::ui::blocks::Todo;

stored_text! {
    /// The secretary's conclusion (`lapse_reviews.conclusion`).
    #[schema(description = "核查结论：有正当理由（如长期外派、患病）、已恢复正常（已补交党费、参加组织生活）、提请支部大会讨论（是否按自行脱党除名）")]
    Conclusion {
        Justified = "有正当理由" => "有正当理由",
        Resumed = "已恢复正常" => "已恢复正常",
        Referred = "提请支部大会讨论" => "提请支部大会讨论",
    }
}

pub const MAX_NOTE: usize = 200;
/// Rows of the list per page: a city's flags can run to hundreds.
pub const PAGE_SIZE: usize = 100;

/// What the system knows of the three conditions for one member.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一名党员的三项事实：`dues` 党费（最后交纳月份及其后连续未交的月数），`org_life` 组织生活，\
    `assigned_work` 党组织分配的工作；系统尚无记录的写明“无记录”")]
pub struct LapseRow {
    pub person_id: i32,
    pub name: String,
    pub branch: String,
    /// The latest month paid, `YYYY-MM`; null when none was ever recorded.
    pub last_paid: Option<String>,
    pub dues: String,
    pub org_life: String,
    pub assigned_work: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "已核查：`reviewed_on` 核查日期，`conclusion` 结论，`note` 说明")]
pub struct ReviewRow {
    pub person_id: i32,
    pub name: String,
    pub reviewed_on: NaiveDate,
    pub conclusion: Conclusion,
    pub note: String,
    pub actor_name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "党章第九条核查清单：`window_start` 起连续六个月的第一个月；`items` 待核查的党员（每页 100 名，\
    `total` 为总数），`reviewed` 本期已核查的（最近 100 条）"
)]
pub struct LapseList {
    pub window_start: String,
    pub total: usize,
    pub page: usize,
    pub items: Vec<LapseRow>,
    pub reviewed: Vec<ReviewRow>,
}

const NOT_RECORDED_LIFE: &str = "系统中无组织生活参加记录，请书记据实了解";
const NOT_RECORDED_WORK: &str = "系统中无党组织分配工作的记录，请书记据实了解";

/// People reviewed on or after `since`, among `ids`.
async fn reviewed_since(state: &AppState, ids: &[i32], since: NaiveDate) -> AppResult<Vec<i32>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<i32> = lapse_review::Entity::find()
            .select_only()
            .column(lapse_review::Column::PersonId)
            .filter(lapse_review::Column::PersonId.is_in(chunk.to_vec()))
            .filter(lapse_review::Column::ReviewedOn.gte(since))
            .into_tuple()
            .all(&state.db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The members of the actor's branches the rule flags and no review of this window settled.
async fn pending(
    state: &AppState,
    actor: &Actor,
) -> AppResult<(NaiveDate, Vec<member::Model>, std::collections::HashSet<i32>)> {
    let scope = actor.scope(Permission::PersonWrite);
    let (window_start, mut flagged) = super::dues::unpaid_six_months(state, &scope).await?;
    // Members absent without leave from every approved meeting of the window (not only dues).
    let mut absent_only = std::collections::HashSet::new();
    if let Some(life) = crate::module::org_life() {
        for id in (life.absent_since)(state, &scope, window_start).await? {
            if !flagged.contains(&id) {
                flagged.push(id);
                absent_only.insert(id);
            }
        }
    }
    let settled = reviewed_since(state, &flagged, window_start).await?;
    let open: Vec<i32> = flagged.into_iter().filter(|id| !settled.contains(id)).collect();
    let mut members = Vec::new();
    for chunk in open.chunks(500) {
        members.extend(
            member::Entity::find().filter(member::Column::PersonId.is_in(chunk.to_vec())).all(&state.db).await?,
        );
    }
    members.sort_by(|a, b| (&a.branch_path, a.person_id).cmp(&(&b.branch_path, b.person_id)));
    Ok((window_start, members, absent_only))
}

fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    use chrono::Datelike;
    (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32
}

/// The list for the review page and the API: one page of members to review, with the facts.
pub async fn list(state: &AppState, actor: &Actor, page: usize) -> AppResult<LapseList> {
    actor.require(Permission::PersonWrite)?;
    let (window_start, members, _) = pending(state, actor).await?;
    let total = members.len();
    let page = page.max(1);
    let shown: Vec<&member::Model> = members.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    let ids: Vec<i32> = shown.iter().map(|m| m.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let branch_ids: Vec<i32> = shown.iter().map(|m| m.branch_id).collect();
    let branches = store::names(&state.db, &branch_ids).await?;
    let this_month = crate::text::first_of_month(state.clock.today());
    let attended = match crate::module::org_life() {
        Some(life) => Some((life.last_attended)(state, &ids).await?),
        None => None,
    };
    let items = shown
        .iter()
        .map(|m| {
            let (last_paid, dues) = match m.dues_paid_to {
                Some(to) => (
                    Some(to.format("%Y-%m").to_string()),
                    format!(
                        "最后交纳 {} 的党费，此后连续 {} 个月未交",
                        to.format("%Y-%m"),
                        months_between(to, this_month) - 1
                    ),
                ),
                None => (None, format!("自 {} 起连续六个月以上未交党费，从未登记交纳", window_start.format("%Y-%m"))),
            };
            LapseRow {
                person_id: m.person_id,
                name: names.get(&m.person_id).cloned().unwrap_or_default(),
                branch: branches.get(&m.branch_id).cloned().unwrap_or_default(),
                last_paid,
                dues,
                org_life: match &attended {
                    None => NOT_RECORDED_LIFE.to_owned(),
                    Some(last) => match last.get(&m.person_id) {
                        Some(d) if *d >= window_start => format!("最近一次参加组织生活：{d}"),
                        Some(d) => format!("最近一次参加组织生活：{d}，此后六个月以上未参加"),
                        None => "系统中无组织生活参加记录".to_owned(),
                    },
                },
                assigned_work: NOT_RECORDED_WORK.to_owned(),
            }
        })
        .collect();
    Ok(LapseList {
        window_start: window_start.format("%Y-%m").to_string(),
        total,
        page,
        items,
        reviewed: reviewed(state, actor, window_start).await?,
    })
}

/// This window's reviews of members in the actor's branches, newest first.
async fn reviewed(state: &AppState, actor: &Actor, since: NaiveDate) -> AppResult<Vec<ReviewRow>> {
    let scope = actor.scope(Permission::PersonWrite);
    let in_scope = sea_orm::sea_query::Query::select()
        .column(member::Column::PersonId)
        .from(member::Entity)
        .cond_where(store::in_scope(member::Column::BranchPath, &scope))
        .to_owned();
    let rows = lapse_review::Entity::find()
        .filter(lapse_review::Column::ReviewedOn.gte(since))
        .filter(lapse_review::Column::PersonId.in_subquery(in_scope))
        .order_by_desc(lapse_review::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| ReviewRow {
            name: names.get(&r.person_id).cloned().unwrap_or_default(),
            person_id: r.person_id,
            reviewed_on: r.reviewed_on,
            conclusion: r.conclusion,
            note: r.note,
            actor_name: r.actor_name,
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "核查结论：`conclusion` 为有正当理由、已恢复正常、提请支部大会讨论之一；`reviewed_on` 核查日期，不晚于今天，\
    省略为今天；`note` 了解到的情况，1–200 字",
    example = json!({"conclusion": "有正当理由", "note": "援疆工作，党费已委托所在地党组织收取"})
)]
pub struct ReviewInput {
    #[schema(required = true, schema_with = conclusion_schema, example = "有正当理由")]
    pub conclusion: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-11-30")]
    pub reviewed_on: String,
    #[schema(required = true, schema_with = note_schema)]
    pub note: String,
}

fn conclusion_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let all: Vec<&str> = Conclusion::ALL.iter().map(|c| c.as_str()).collect();
    crate::openapi::schema::one_of(&all, false)
}

fn note_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(MAX_NOTE, true)
}

/// Records the secretary's review of a member in good standing of their branches.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &ReviewInput,
) -> AppResult<lapse_review::Model> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if m.status != MemberStatus::Active {
        return Err(AppError::conflict("conclusion", "只核查组织关系在本局、党籍正常的党员"));
    }
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let conclusion = Conclusion::parse(input.conclusion.trim());
    if conclusion.is_none() {
        let all: Vec<&str> = Conclusion::ALL.iter().map(|c| c.as_str()).collect();
        errors.push(("conclusion".into(), format!("核查结论应为：{}", all.join("、"))));
    }
    let reviewed_on = match parse_date(&input.reviewed_on) {
        Ok(Some(d)) if d > today => {
            errors.push(("reviewed_on".into(), "核查日期不能晚于今天".into()));
            today
        }
        Ok(d) => d.unwrap_or(today),
        Err(e) => {
            errors.push(("reviewed_on".into(), e));
            today
        }
    };
    let note = input.note.trim();
    if note.is_empty() {
        errors.push(("note".into(), "请写明了解到的情况".into()));
    } else if note.chars().count() > MAX_NOTE {
        errors.push(("note".into(), format!("情况说明不能超过 {MAX_NOTE} 字")));
    } else if let Err(message) = crate::text::check_multiline("情况说明", note) {
        errors.push(("note".into(), message));
    }
    let (Some(conclusion), true) = (conclusion, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let row = lapse_review::ActiveModel {
        person_id: Set(p.id),
        reviewed_on: Set(reviewed_on),
        conclusion: Set(conclusion),
        note: Set(note.to_owned()),
        actor_name: Set(actor.username.clone()),
        at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let detail = format!("{}（{note}）", conclusion.label());
    add_event(&txn, state, actor, p.id, EventKind::LapseReviewed, reviewed_on, detail).await?;
    let event = Event::by(actor, "party.lapse_review")
        .object("person", p.id)
        .org(m.branch_path.clone())
        .summary(json!({"conclusion": conclusion, "reviewed_on": reviewed_on.to_string(), "note": note}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(row)
}

/// The secretary's reminders: members the rule flags and nobody reviewed in this window.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let (_, members, absent_only) = pending(state, actor).await?;
    let ids: Vec<i32> = members.iter().map(|m| m.person_id).collect();
    let names: HashMap<i32, String> = crate::people::names(&state.db, &ids).await?;
    let items = members
        .into_iter()
        .map(|m| crate::orgs::summary::Pending {
            todo: Todo {
                title: format!(
                    "{} 已连续 6 个月{}，请按党章第九条了解情况（系统不会自动处理）",
                    names.get(&m.person_id).cloned().unwrap_or_default(),
                    if absent_only.contains(&m.person_id) {
                        "未参加组织生活（缺席且未请假）"
                    } else {
                        "未交纳党费"
                    }
                ),
                href: "/party/lapse".into(),
                due: None,
                urgency: "high",
            },
            path: m.branch_path,
        })
        .collect();
    crate::orgs::summary::by_unit(state, &actor.scope(Permission::PersonWrite), items, |n| {
        format!("{n} 名党员已连续 6 个月未交纳党费或未参加组织生活，请按党章第九条了解情况")
    })
    .await
}
