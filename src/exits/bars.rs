//! The statutory bars of a case (research/domain.md §6.2, 不得辞退: 因公致残丧失或部分丧失工作
//! 能力的; 患病或者负伤在规定的医疗期内的; 女性在孕期、产假、哺乳期内的): recorded while the case
//! is before its decision, and lifted with the day the bar ended (the medical period ended, the
//! nursing period ended) and the ground for saying so. A standing bar blocks a dismissal-type
//! outcome unless an override reason is written; a lifted one no longer does. Both writes are
//! audited (`exit_case.bar`, `exit_case.bar_lift`) and leave a line in the case's history.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::Bar;
use super::entity::{bar, case};
use super::service::{self, ExitCase};
use super::steps::{Errors, add_step, date, push, schema, text};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::auth::guard::Sensitivity;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A statutory bar to record on a case.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "登记不得辞退的法定情形：`kind` 为 因公致残、医疗期内、孕期、产假、哺乳期；`note` 依据（如诊断证明、医疗期起止）；`noted_on` 日期（省略为今天）",
    example = json!({"kind": "医疗期内", "note": "2026-04-01 起病休，医疗期六个月"})
)]
pub struct BarInput {
    #[schema(required = true, schema_with = schema::bar, example = "医疗期内")]
    pub kind: String,
    #[schema(required = true, schema_with = schema::bar_note)]
    pub note: String,
    #[schema(schema_with = schema::optional_date)]
    pub noted_on: String,
}

/// The end of a statutory bar.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "解除（结束）已登记的法定情形：`lifted_on` 情形结束之日（必填，不晚于今天，不早于登记日期）；`note` 依据（必填，如“哺乳期满”“医疗期届满，已复工”）",
    example = json!({"lifted_on": "2026-06-30", "note": "婴儿已满一周岁，哺乳期结束"})
)]
pub struct LiftInput {
    #[schema(required = true, schema_with = schema::optional_date)]
    pub lifted_on: String,
    #[schema(required = true, schema_with = schema::bar_note)]
    pub note: String,
}

/// Whether a case may still have its bars recorded or lifted: before the 党委集体研究 decision.
fn before_decision(c: &case::Model) -> bool {
    use super::Status;
    matches!(c.status, Status::Proposed | Status::Investigating | Status::Hearing | Status::Committee)
}

/// The bars that apply to case `id` (not lifted).
pub async fn standing(state: &AppState, id: i32) -> AppResult<Vec<bar::Model>> {
    Ok(bar::Entity::find()
        .filter(bar::Column::CaseId.eq(id))
        .filter(bar::Column::LiftedOn.is_null())
        .all(&state.db)
        .await?)
}

/// Records a statutory bar on an open case, before its decision.
pub async fn add(state: &AppState, actor: &Actor, id: i32, input: &BarInput) -> AppResult<ExitCase> {
    let c = service::reachable(state, actor, id, Sensitivity::Normal).await?;
    if !before_decision(&c) {
        return Err(AppError::Conflict {
            message: format!("案件已{}，法定情形须在党委集体研究前登记", c.status.as_str()),
            field: Some("kind".into()),
        });
    }
    let today = state.clock.today();
    let mut errors = Errors::new();
    let kind = match input.kind.trim() {
        "" => {
            push(&mut errors, "kind", "请选择法定情形");
            None
        }
        k => Bar::parse(k).or_else(|| {
            let all: Vec<&str> = Bar::ALL.iter().map(|x| x.as_str()).collect();
            push(&mut errors, "kind", format!("法定情形“{k}”无效，可选：{}", all.join("、")));
            None
        }),
    };
    if matches!(kind, Some(Bar::Pregnancy | Bar::Maternity | Bar::Nursing)) {
        let p = crate::people::store::find(&state.db, c.person_id).await?;
        if p.is_some_and(|p| p.gender == "男") {
            push(&mut errors, "kind", "孕期、产假、哺乳期只适用于女性");
        }
    }
    let note = text(&mut errors, "note", "依据", &input.note, 500, true);
    let noted_on = if input.noted_on.trim().is_empty() {
        Some(today)
    } else {
        date(&mut errors, "noted_on", "日期", &input.noted_on, today, None)
    };
    let (Some(kind), Some(note), Some(noted_on), true) = (kind, note, noted_on, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    bar::ActiveModel {
        case_id: Set(c.id),
        kind: Set(kind),
        note: Set(note.clone()),
        noted_on: Set(noted_on),
        lifted_on: Set(None),
        recorded_by_name: Set(actor.display_name.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    add_step(&txn, state, actor, c.id, ("法定情形", noted_on), format!("{}：{note}", kind.label())).await?;
    let event = Event::by(actor, "exit_case.bar")
        .object("exit_case", c.id)
        .org(c.org_path.clone())
        .summary(json!({"person": c.person_id, "kind": kind}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    service::detail_unaudited(state, c.id).await
}

/// Records that bar `bar_id` of case `id` ended on a day (before the decision): it no longer
/// blocks a dismissal-type outcome. Audited `exit_case.bar_lift`.
pub async fn lift(state: &AppState, actor: &Actor, id: i32, bar_id: i32, input: &LiftInput) -> AppResult<ExitCase> {
    let c = service::reachable(state, actor, id, Sensitivity::Normal).await?;
    let b = bar::Entity::find_by_id(bar_id).one(&state.db).await?.filter(|b| b.case_id == c.id);
    let b = b.ok_or(AppError::NotFound)?;
    if let Some(on) = b.lifted_on {
        return Err(AppError::Conflict {
            message: format!("该法定情形已于 {on} 解除"),
            field: Some("lifted_on".into()),
        });
    }
    if !before_decision(&c) {
        return Err(AppError::Conflict {
            message: format!("案件已{}，法定情形的解除须在党委集体研究前登记", c.status.as_str()),
            field: Some("lifted_on".into()),
        });
    }
    let today = state.clock.today();
    let mut errors = Errors::new();
    let on = date(&mut errors, "lifted_on", "情形结束日期", &input.lifted_on, today, Some((b.noted_on, "登记日期")));
    let note = text(&mut errors, "note", "解除依据", &input.note, 500, true);
    let (Some(on), Some(note), true) = (on, note, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: bar::ActiveModel = b.clone().into();
    active.lifted_on = Set(Some(on));
    active.update(&txn).await?;
    let detail = format!("{}已于 {on} 结束：{note}（登记于 {}：{}）", b.kind.label(), b.noted_on, b.note);
    add_step(&txn, state, actor, c.id, ("法定情形解除", on), detail).await?;
    let event = Event::by(actor, "exit_case.bar_lift").object("exit_case", c.id).org(c.org_path.clone()).summary(
        json!({"person": c.person_id, "bar": b.id, "kind": b.kind, "lifted_on": on.to_string(), "note": note}),
    );
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    service::detail_unaudited(state, c.id).await
}
