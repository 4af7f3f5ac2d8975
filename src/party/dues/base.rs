//! A member's dues base (党费基数): from a month on, until a later month's base replaces it.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::base;
use super::{DuesCategory, base_for, first_of_month, monthly_fen, parse_month, parse_yuan, yuan};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::party::MemberStatus;
use crate::party::entity::member;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "党费基数：`effective_month` 为从哪个月起适用（`YYYY-MM`，不早于入党当月）；`base` 为税后月工资（元），\
    字符串，最多两位小数，不超过 100 万；`category` 为 normal 在职（默认）、retired 离退休、exempt 困难免交；\
    `note` 不超过 200 字，exempt 时必填",
    example = json!({"effective_month": "2026-01", "base": "5400", "category": "normal", "note": ""})
)]
pub struct BaseInput {
    /// `YYYY-MM`: the month from which the new base applies (wages changed that month).
    #[schema(required = true, pattern = r"^\d{4}-(0[1-9]|1[0-2])$")]
    pub effective_month: String,
    /// After-tax monthly base in yuan (at most two decimals, at most 1,000,000).
    #[schema(required = true, pattern = r"^\d+(\.\d{0,2})?$")]
    pub base: String,
    /// Empty or absent for `normal`.
    #[schema(value_type = DuesCategory, default = "normal")]
    pub category: String,
    /// Required for an exemption: who approved it.
    #[schema(max_length = 200)]
    pub note: String,
}

/// Records a member's dues base from a month on (a later month's base replaces it from then).
pub async fn set_base(state: &AppState, actor: &Actor, person_id: i32, input: &BaseInput) -> AppResult<base::Model> {
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.require(Permission::PersonWrite)?;
    let target = Target { kind: "person", id: i64::from(person_id), org_path: &m.branch_path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let month = parse_month(&input.effective_month);
    match month {
        None => errors.push(("effective_month".into(), "请填写起始月份，如 2026-07".into())),
        Some(mo) if mo < first_of_month(m.joined_on) => errors
            .push(("effective_month".into(), format!("起始月份不能早于入党当月（{}）", m.joined_on.format("%Y-%m")))),
        _ => {}
    }
    let base_fen = parse_yuan(&input.base);
    if base_fen.is_none_or(|b| b > 100_000_000) {
        errors.push(("base".into(), "请填写税后月工资基数（元），如 5400 或 5400.50".into()));
    }
    let category =
        if input.category.is_empty() { Some(DuesCategory::DEFAULT) } else { DuesCategory::parse(&input.category) };
    if category.is_none() {
        errors.push(("category".into(), "党费类别无效".into()));
    }
    let note = input.note.trim();
    if category == Some(DuesCategory::Exempt) && note.is_empty() {
        errors.push(("note".into(), "免交须写明批准机关和文号".into()));
    }
    if note.chars().count() > 200 {
        errors.push(("note".into(), "说明不能超过 200 个字".into()));
    }
    if let Err(reason) = crate::text::check_multiline("说明", note) {
        errors.push(("note".into(), reason));
    }
    let (Some(month), Some(base_fen), Some(category)) = (month, base_fen.filter(|_| errors.is_empty()), category)
    else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let existing = base::Entity::find()
        .filter(base::Column::PersonId.eq(person_id))
        .filter(base::Column::EffectiveMonth.eq(month))
        .one(&txn)
        .await?;
    let mut row: base::ActiveModel = match existing {
        Some(e) => e.into(),
        None => base::ActiveModel { person_id: Set(person_id), effective_month: Set(month), ..Default::default() },
    };
    row.base_fen = Set(base_fen);
    row.category = Set(category);
    row.note = Set(note.to_owned());
    row.recorded_by = Set(actor.username.clone());
    row.recorded_at = Set(state.clock.now_db());
    let saved = row.save(&txn).await?;
    let saved = sea_orm::TryIntoModel::try_into_model(saved)?;
    let event = Event::by(actor, "dues.base").object("person", person_id).org(m.branch_path.clone()).summary(json!({
        "from": month.format("%Y-%m").to_string(), "category": category, "monthly": yuan(monthly_fen(base_fen, category)),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The base in force this month, for the profile.
pub async fn current(state: &AppState, person_id: i32) -> AppResult<Option<(String, String, String)>> {
    let bases = base::Entity::find().filter(base::Column::PersonId.eq(person_id)).all(&state.db).await?;
    let month = first_of_month(state.clock.today());
    Ok(base_for(&bases, month)
        .map(|b| (yuan(b.base_fen), b.category.label().to_owned(), yuan(monthly_fen(b.base_fen, b.category)))))
}
