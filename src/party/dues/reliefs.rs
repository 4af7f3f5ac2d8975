//! Reductions and exemptions (少交、免交): 对经济确有困难的党员，经党支部研究，报上一级党委批准，
//! 可以少交或免交党费. Each is a record of its own with the first and last month (both required),
//! the approving committee and, for a reduction, the monthly amount; the ledger and payments
//! use it for the months inside the period. A member's periods never overlap. One recorded by
//! mistake is cancelled with a reason, which the audit log keeps with what was removed.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::{base, relief};
use super::{MAX_AMOUNT_FEN, ReliefKind, base_for, first_of_month, parse_month, parse_yuan, standard_fen, yuan};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::party::MemberStatus;
use crate::party::entity::member;
use crate::state::AppState;

/// Most characters of the approving organization's name.
pub const MAX_APPROVED_BY: usize = 100;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "经批准少交或免交党费（困难党员经支部研究、报上一级党委批准）：`kind` 为 reduce 少交或 exempt 免交；\
    `from_month`、`to_month` 为起止月份（`YYYY-MM`，都必填，含两端，截止不早于起始，起始不早于入党当月），与此人已登记的期间不能重叠；\
    `approved_by` 为批准的党委（必填，不超过 100 字）；`amount` 为少交时每月交纳的数额（元，必填，大于 0 且少于按基数应交的数额），\
    免交时不填；`note` 为文号或说明（不超过 200 字）",
    example = json!({"kind": "reduce", "from_month": "2026-01", "to_month": "2026-12",
        "approved_by": "中共东港分局委员会", "amount": "5", "note": "东分党〔2026〕3号"})
)]
pub struct ReliefInput {
    #[schema(required = true, schema_with = kind_schema)]
    pub kind: String,
    #[schema(required = true, pattern = r"^\d{4}-(0[1-9]|1[0-2])$")]
    pub from_month: String,
    #[schema(required = true, pattern = r"^\d{4}-(0[1-9]|1[0-2])$")]
    pub to_month: String,
    #[schema(required = true, schema_with = approved_by_schema)]
    pub approved_by: String,
    /// The reduced monthly amount in yuan (reduce only).
    #[schema(pattern = r"^(\d+(\.\d{0,2})?)?$", example = "5")]
    pub amount: String,
    #[schema(schema_with = note_schema)]
    pub note: String,
}

fn kind_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let codes: Vec<&str> = ReliefKind::ALL.iter().map(|k| k.as_str()).collect();
    crate::openapi::schema::one_of(&codes, false)
}

fn approved_by_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(MAX_APPROVED_BY, true)
}

fn note_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(200, false)
}

/// The active membership of `person_id`, checked for `perm` in the actor's scope.
async fn member_in_scope(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    perm: Permission,
) -> AppResult<member::Model> {
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.require(perm)?;
    let target = Target { kind: "person", id: i64::from(person_id), org_path: &m.branch_path };
    guard::check(state, actor, perm, Sensitivity::Normal, target).await?;
    Ok(m)
}

/// A member's reliefs, latest first.
pub async fn reliefs_of(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Vec<relief::Model>> {
    member_in_scope(state, actor, person_id, Permission::PersonRead).await?;
    list(state, person_id).await
}

/// A member's reliefs without a check, for the profile panel (which checked already).
pub async fn list(state: &AppState, person_id: i32) -> AppResult<Vec<relief::Model>> {
    Ok(relief::Entity::find()
        .filter(relief::Column::PersonId.eq(person_id))
        .order_by_desc(relief::Column::FromMonth)
        .all(&state.db)
        .await?)
}

/// Records an approved reduction or exemption. Every field is checked at once (`Fields`).
pub async fn add_relief(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &ReliefInput,
) -> AppResult<relief::Model> {
    let m = member_in_scope(state, actor, person_id, Permission::PersonWrite).await?;
    if m.status != MemberStatus::Active {
        return Err(AppError::validation("kind", "组织关系不在本局的党员不能登记少交或免交"));
    }
    let mut errors: Vec<(String, String)> = Vec::new();
    let kind = ReliefKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(("kind".into(), "请选择少交（reduce）或免交（exempt）".into()));
    }
    let from = parse_month(&input.from_month);
    match from {
        None => errors.push(("from_month".into(), "请填写起始月份，如 2026-01".into())),
        Some(f) if f < first_of_month(m.joined_on) => {
            errors.push(("from_month".into(), format!("起始月份不能早于入党当月（{}）", m.joined_on.format("%Y-%m"))))
        }
        _ => {}
    }
    let to = parse_month(&input.to_month);
    match (from, to) {
        (_, None) if input.to_month.trim().is_empty() => {
            errors.push(("to_month".into(), "请填写截止月份：少交、免交都须写明批准的期限".into()))
        }
        (_, None) => errors.push(("to_month".into(), "截止月份应为 YYYY-MM，如 2026-12".into())),
        (Some(f), Some(t)) if t < f => errors.push(("to_month".into(), "截止月份不能早于起始月份".into())),
        _ => {}
    }
    let approved_by = input.approved_by.trim();
    if approved_by.is_empty() {
        errors.push(("approved_by".into(), "请填写批准的党委（报上一级党委批准）".into()));
    } else if approved_by.chars().count() > MAX_APPROVED_BY {
        errors.push(("approved_by".into(), format!("批准的党委不能超过 {MAX_APPROVED_BY} 个字")));
    } else if let Err(reason) = crate::text::check_line("批准的党委", approved_by) {
        errors.push(("approved_by".into(), reason));
    }
    let note = input.note.trim();
    if note.chars().count() > 200 {
        errors.push(("note".into(), "说明不能超过 200 个字".into()));
    } else if let Err(reason) = crate::text::check_multiline("说明", note) {
        errors.push(("note".into(), reason));
    }
    let amount_text = input.amount.trim();
    let mut reduced_fen = None;
    match kind {
        Some(ReliefKind::Exempt) if !amount_text.is_empty() => {
            errors.push(("amount".into(), "免交不填数额；要每月交一部分请选少交".into()))
        }
        Some(ReliefKind::Reduce) => match parse_yuan(amount_text) {
            None if amount_text.is_empty() => errors.push(("amount".into(), "少交须填写每月交纳的数额（元）".into())),
            None => errors.push(("amount".into(), "每月交纳的数额应为元，如 5 或 5.50".into())),
            Some(0) => errors.push(("amount".into(), "少交的数额须大于 0；一分不交请选免交".into())),
            Some(f) if f > MAX_AMOUNT_FEN => errors.push(("amount".into(), "每月交纳的数额过大".into())),
            Some(f) => reduced_fen = Some(f),
        },
        _ => {}
    }
    // A reduction asks less than the base's standard amount at its start.
    if let (Some(f), Some(amount)) = (from, reduced_fen) {
        let bases = base::Entity::find().filter(base::Column::PersonId.eq(person_id)).all(&state.db).await?;
        if let Some(b) = base_for(&bases, f) {
            let standard = standard_fen(b);
            if amount >= standard {
                errors.push((
                    "amount".into(),
                    format!("少交的数额应少于按基数应交的 {} 元（{} 起）", yuan(standard), f.format("%Y-%m")),
                ));
            }
        }
    }
    let (Some(kind), Some(from), Some(to)) = (kind, from, to) else {
        return Err(AppError::Fields(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    // One relief per month: a new period may not overlap one already recorded.
    let overlapping = relief::Entity::find()
        .filter(relief::Column::PersonId.eq(person_id))
        .filter(relief::Column::FromMonth.lte(to))
        .filter(relief::Column::ToMonth.gte(from))
        .one(&txn)
        .await?;
    if let Some(o) = overlapping {
        return Err(AppError::validation(
            "from_month",
            format!(
                "与已登记的{}期间（{} 至 {}）重叠；期间有变，请先撤销原登记",
                o.kind.label(),
                o.from_month.format("%Y-%m"),
                o.to_month.format("%Y-%m")
            ),
        ));
    }
    let saved = relief::ActiveModel {
        person_id: Set(person_id),
        kind: Set(kind),
        from_month: Set(from),
        to_month: Set(to),
        approved_by: Set(approved_by.to_owned()),
        reduced_fen: Set(reduced_fen),
        note: Set(note.to_owned()),
        recorded_by: Set(actor.username.clone()),
        recorded_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "dues.relief").object("person", person_id).org(m.branch_path.clone()).summary(json!({
        "kind": kind, "from": from.format("%Y-%m").to_string(), "to": to.format("%Y-%m").to_string(),
        "approved_by": approved_by, "monthly": reduced_fen.map(yuan),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Cancels a relief recorded by mistake; the months it covered are due in full again. The
/// reason is required and the audit entry keeps what was removed.
pub async fn cancel_relief(state: &AppState, actor: &Actor, relief_id: i32, reason: &str) -> AppResult<relief::Model> {
    actor.require(Permission::PersonWrite)?;
    let r = relief::Entity::find_by_id(relief_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let m = member_in_scope(state, actor, r.person_id, Permission::PersonWrite).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "请填写撤销原因"));
    }
    crate::text::multiline("reason", "撤销原因", reason)?;
    if reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "撤销原因不能超过 200 字"));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    if relief::Entity::delete_by_id(r.id).exec(&txn).await?.rows_affected != 1 {
        return Err(AppError::conflict("reason", "这条少交、免交登记刚刚已被撤销"));
    }
    let event =
        Event::by(actor, "dues.relief_cancel").object("person", r.person_id).org(m.branch_path.clone()).summary(json!({
            "kind": r.kind, "from": r.from_month.format("%Y-%m").to_string(), "to": r.to_month.format("%Y-%m").to_string(),
            "approved_by": r.approved_by, "monthly": r.reduced_fen.map(yuan), "recorded_by": r.recorded_by,
            "reason": reason,
        }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(r)
}
