//! Dues payments (党费交纳): recording a month's payments of several members, and cancelling
//! one recorded by mistake. A payment is the amount due unless another amount is given (自愿多交,
//! an adjustment), which then needs a note; one that pays 1000 元 or more beyond what is due goes
//! wholly to the Central Committee, which the answer and the ledger say.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;

use super::entity::{base, payment, relief};
use super::{MAX_AMOUNT_FEN, TO_CENTRE_RULE, base_for, due_fen, relief_for, to_centre, yuan};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::party::entity::member;
use crate::state::AppState;

/// A recorded payment, for the page that confirms its cancellation.
pub struct PaymentView {
    pub person_id: i32,
    pub name: String,
    pub month: NaiveDate,
    pub amount: String,
    pub due: String,
    pub note: String,
    pub paid_on: NaiveDate,
    pub recorded_by: String,
}

/// The member's membership and payment of `month`, both checked against the actor's scope.
async fn payment_in_scope(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    month: NaiveDate,
) -> AppResult<(member::Model, payment::Model)> {
    actor.require(Permission::PersonWrite)?;
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = Target { kind: "person", id: i64::from(person_id), org_path: &m.branch_path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
    let paid = payment::Entity::find()
        .filter(payment::Column::PersonId.eq(person_id))
        .filter(payment::Column::Month.eq(month))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::validation("month", format!("{} 没有登记交纳记录", month.format("%Y-%m"))))?;
    Ok((m, paid))
}

pub async fn payment(state: &AppState, actor: &Actor, person_id: i32, month: NaiveDate) -> AppResult<PaymentView> {
    let (_, p) = payment_in_scope(state, actor, person_id, month).await?;
    let name = crate::people::names(&state.db, &[person_id]).await?.remove(&person_id).unwrap_or_default();
    Ok(PaymentView {
        person_id,
        name,
        month: p.month,
        amount: yuan(p.amount_fen),
        due: yuan(p.due_fen),
        note: p.note,
        paid_on: p.paid_on,
        recorded_by: p.recorded_by,
    })
}

/// Undoes a payment recorded by mistake (wrong member or month). The reason is required and
/// the audit entry keeps what was removed, so the ledger's history stays explainable.
pub async fn cancel_payment(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    month: NaiveDate,
    reason: &str,
) -> AppResult<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "请填写撤销原因"));
    }
    crate::text::multiline("reason", "撤销原因", reason)?;
    if reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "撤销原因不能超过 200 字"));
    }
    let (m, paid) = payment_in_scope(state, actor, person_id, month).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    // Someone else may have cancelled it since it was read.
    if payment::Entity::delete_by_id(paid.id).exec(&txn).await?.rows_affected != 1 {
        return Err(AppError::conflict("month", "这条交纳登记刚刚已被撤销，请刷新台账"));
    }
    let latest = payment::Entity::find()
        .filter(payment::Column::PersonId.eq(person_id))
        .order_by_desc(payment::Column::Month)
        .one(&txn)
        .await?
        .map(|p| p.month);
    // What a letter of a transfer in said was paid before arriving still holds.
    let stated = crate::party::transfer_in::stated_paid_to(&txn, person_id).await?;
    let latest = latest.max(stated);
    let mut active: member::ActiveModel = m.clone().into();
    active.dues_paid_to = Set(latest);
    active.update(&txn).await?;
    let event = Event::by(actor, "dues.cancel").object("person", person_id).org(m.branch_path.clone()).summary(json!({
        "month": month.format("%Y-%m").to_string(), "amount": yuan(paid.amount_fen), "due": yuan(paid.due_fen),
        "note": paid.note, "paid_on": paid.paid_on, "recorded_by": paid.recorded_by, "reason": reason,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// Most people one payment registration may name: a branch ledger is far smaller, and a list
/// beyond it would otherwise reach the database as one oversized `IN (…)`.
pub const MAX_PAYMENT_IDS: usize = 1_000;

fn check_id_count(field: &str, what: &str, ids: &[i32]) -> AppResult<()> {
    if ids.len() > MAX_PAYMENT_IDS {
        return Err(AppError::validation(
            field,
            format!("一次最多登记 {MAX_PAYMENT_IDS} 名{what}的交纳（本次 {} 名），请分批登记", ids.len()),
        ));
    }
    Ok(())
}

/// One member's payment of a month: the amount due unless `amount` (fen) says otherwise, with
/// the note that explains a difference.
#[derive(Debug, Clone, Default)]
pub struct PaymentLine {
    pub person_id: i32,
    pub amount: Option<i64>,
    pub note: String,
}

impl PaymentLine {
    /// The amount due, no note.
    pub fn due(person_id: i32) -> Self {
        Self { person_id, amount: None, note: String::new() }
    }
}

/// What a registration did: how many payments it wrote, and the rules to point out (a payment
/// that goes to the Central Committee).
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    pub recorded: usize,
    pub warnings: Vec<String>,
}

async fn name_of<C: sea_orm::ConnectionTrait>(db: &C, id: i32) -> AppResult<String> {
    Ok(crate::people::store::find(db, id).await?.map(|p| p.name).unwrap_or_default())
}

/// Parses a typed amount in yuan for `field`: empty is `None` (the amount due).
pub fn parse_amount(field: &str, text: &str) -> AppResult<Option<i64>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match super::parse_yuan(t) {
        Some(0) => Err(AppError::validation(field, "交纳金额须大于 0")),
        Some(f) if f > MAX_AMOUNT_FEN => Err(AppError::validation(field, "交纳金额过大，请核对")),
        Some(f) => Ok(Some(f)),
        None => Err(AppError::validation(field, format!("交纳金额“{t}”无效，应为元，如 81 或 81.50"))),
    }
}

/// Records that members paid the month's dues, all in one transaction: the amount due from
/// their base and any approved relief, or the amount given with a note. Already recorded
/// payments stay as they are. Nothing is written when any line is refused.
pub async fn record_payments(
    state: &AppState,
    actor: &Actor,
    month: NaiveDate,
    lines: &[PaymentLine],
    paid_on: NaiveDate,
) -> AppResult<Recorded> {
    actor.require(Permission::PersonWrite)?;
    if lines.is_empty() {
        return Err(AppError::validation("person_ids", "请勾选已交纳党费的党员"));
    }
    let person_ids: Vec<i32> = lines.iter().map(|l| l.person_id).collect();
    check_id_count("person_ids", "党员", &person_ids)?;
    if paid_on > state.clock.today() {
        return Err(AppError::validation("paid_on", "交纳日期不能晚于今天"));
    }
    for l in lines {
        let note = l.note.trim();
        if note.chars().count() > 200 {
            return Err(AppError::validation("note", "说明不能超过 200 字"));
        }
        crate::text::multiline("note", "说明", note)?;
    }
    let scope = actor.scope(Permission::PersonWrite);
    let members =
        member::Entity::find().filter(member::Column::PersonId.is_in(person_ids.clone())).all(&state.db).await?;
    // Every member in reach before the transaction starts: a refusal writes its own audit entry,
    // which on SQLite could not wait behind an open write transaction of the same request.
    for id in &person_ids {
        let Some(m) = members.iter().find(|m| m.person_id == *id) else { return Err(AppError::NotFound) };
        if !scope.contains(&m.branch_path) {
            let target = Target { kind: "person", id: i64::from(*id), org_path: &m.branch_path };
            guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
        }
    }
    // Dues are owed for the months a person belonged to a branch: not before admission, not
    // after a transfer out or the end of the membership.
    let outside = crate::party::stints::not_counted(&state.db, &person_ids, month).await?;
    if !outside.is_empty() {
        let names = crate::people::names(&state.db, &outside).await?;
        let mut listed: Vec<String> = outside.iter().filter_map(|id| names.get(id).cloned()).take(5).collect();
        if outside.len() > listed.len() {
            listed.push(format!("等 {} 人", outside.len()));
        }
        return Err(AppError::validation(
            "person_ids",
            format!(
                "{} 在 {} 不在本局党组织（入党之前，或组织关系转出、党籍终止之后），不能登记该月党费",
                listed.join("、"),
                month.format("%Y-%m")
            ),
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut out = Recorded::default();
    let mut total = 0i64;
    let mut differing = 0usize;
    let mut to_centre_total = 0i64;
    for line in lines {
        let id = line.person_id;
        let Some(m) = members.iter().find(|m| m.person_id == id) else { return Err(AppError::NotFound) };
        let already = payment::Entity::find()
            .filter(payment::Column::PersonId.eq(id))
            .filter(payment::Column::Month.eq(month))
            .one(&txn)
            .await?;
        if already.is_some() {
            continue;
        }
        let bases = base::Entity::find()
            .filter(base::Column::PersonId.eq(id))
            .order_by_asc(base::Column::EffectiveMonth)
            .all(&txn)
            .await?;
        let Some(b) = base_for(&bases, month) else {
            return Err(AppError::validation(
                "person_id",
                format!("{} 尚未登记 {} 适用的党费基数", name_of(&txn, id).await?, month.format("%Y-%m")),
            ));
        };
        let reliefs = relief::Entity::find()
            .filter(relief::Column::PersonId.eq(id))
            .filter(relief::Column::FromMonth.lte(month))
            .filter(relief::Column::ToMonth.gte(month))
            .all(&txn)
            .await?;
        let due = due_fen(b, relief_for(&reliefs, month));
        let note = line.note.trim();
        let amount = match line.amount {
            Some(a) => a,
            None if due == 0 => {
                return Err(AppError::validation(
                    "person_ids",
                    format!(
                        "{} {} 经批准免交，无需登记交纳；自愿交纳请填写金额和说明",
                        name_of(&txn, id).await?,
                        month.format("%Y-%m")
                    ),
                ));
            }
            None => due,
        };
        if amount != due {
            if note.is_empty() {
                return Err(AppError::validation(
                    "note",
                    format!(
                        "{} 交纳 {} 元，与 {} 应交的 {} 元不同，请在说明中写明原因（如自愿多交、补交差额）",
                        name_of(&txn, id).await?,
                        yuan(amount),
                        month.format("%Y-%m"),
                        yuan(due)
                    ),
                ));
            }
            differing += 1;
        }
        if to_centre(amount, due) {
            to_centre_total += amount - due;
            out.warnings.push(format!(
                "{} 多交 {} 元：{}，请单独上缴",
                name_of(&txn, id).await?,
                yuan(amount - due),
                TO_CENTRE_RULE
            ));
        }
        payment::ActiveModel {
            person_id: Set(id),
            month: Set(month),
            amount_fen: Set(amount),
            due_fen: Set(due),
            note: Set(note.to_owned()),
            paid_on: Set(paid_on),
            recorded_by: Set(actor.username.clone()),
            recorded_at: Set(state.clock.now_db()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if m.dues_paid_to.is_none_or(|to| to < month) {
            let mut active: member::ActiveModel = m.clone().into();
            active.dues_paid_to = Set(Some(month));
            active.update(&txn).await?;
        }
        out.recorded += 1;
        total += amount;
    }
    let mut event = Event::by(actor, "dues.pay");
    if let Some(path) = store::common_path(members.iter().map(|m| m.branch_path.as_str())) {
        event = event.org(path);
    }
    let mut summary = json!({
        "month": month.format("%Y-%m").to_string(), "members": out.recorded, "total": yuan(total),
    });
    if differing > 0 {
        summary["differing"] = json!(differing);
    }
    if to_centre_total > 0 {
        summary["to_centre"] = json!(yuan(to_centre_total));
    }
    audit::record(&txn, state.clock.as_ref(), event.summary(summary)).await?;
    txn.commit().await?;
    Ok(out)
}
