//! 党费: the monthly dues follow from the member's after-tax base with the tiers of the
//! Central Organization Department's rules (the rate applies to the whole base: 5400 元 → 81 元);
//! retired members pay by their own tiers, and a hardship exemption approved above sets 0. A
//! branch ledger shows who paid each month; six unpaid months in a row become a reminder for
//! the secretary, never a change of status.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::member;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::people::entity as person;
use crate::state::AppState;
use crate::ui::blocks::Todo;

pub mod entity {
    pub mod base {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "dues_bases")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub person_id: i32,
            pub effective_month: Date,
            pub base_fen: i64,
            pub category: String,
            pub note: String,
            pub recorded_by: String,
            pub recorded_at: DateTime,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod payment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "dues_payments")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub person_id: i32,
            pub month: Date,
            pub amount_fen: i64,
            pub paid_on: Date,
            pub recorded_by: String,
            pub recorded_at: DateTime,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{base, payment};

/// `normal` (在职), `retired` (离退休), `exempt` (困难党员经批准免交).
pub const CATEGORIES: &[(&str, &str)] = &[("normal", "在职"), ("retired", "离退休"), ("exempt", "困难免交（经批准）")];

pub fn category_label(code: &str) -> &str {
    CATEGORIES.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l)
}

/// The rate in per mille for a base in fen.
pub fn rate_per_mille(base_fen: i64, category: &str) -> i64 {
    match category {
        "exempt" => 0,
        "retired" => {
            if base_fen <= 500_000 {
                5
            } else {
                10
            }
        }
        _ => match base_fen {
            ..=300_000 => 5,
            300_001..=500_000 => 10,
            500_001..=1_000_000 => 15,
            _ => 20,
        },
    }
}

/// Monthly dues in fen: the rate applies to the whole base, rounded half up to the fen.
pub fn monthly_fen(base_fen: i64, category: &str) -> i64 {
    (base_fen * rate_per_mille(base_fen, category) + 500) / 1000
}

pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Parses an amount in yuan ("5400", "5400.5", "5,400.50") into fen.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let t: String = crate::io::cells::half_width(text).chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac_fen: i64 = format!("{frac:0<2}").parse().ok()?;
    int.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac_fen)
}

/// `YYYY-MM` (or a full date) as the first day of that month.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let (y, m) = t.get(..7).unwrap_or(t).split_once('-')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

pub fn first_of_month(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

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
    #[schema(required = true)]
    pub effective_month: String,
    /// After-tax monthly base in yuan.
    #[schema(required = true)]
    pub base: String,
    pub category: String,
    /// Required for an exemption: who approved it.
    pub note: String,
}

/// Records a member's dues base from a month on (a later month's base replaces it from then).
pub async fn set_base(state: &AppState, actor: &Actor, person_id: i32, input: &BaseInput) -> AppResult<base::Model> {
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq("正常"))
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
    let category = if input.category.is_empty() { "normal" } else { input.category.as_str() };
    if !CATEGORIES.iter().any(|(c, _)| *c == category) {
        errors.push(("category".into(), "党费类别无效".into()));
    }
    let note = input.note.trim();
    if category == "exempt" && note.is_empty() {
        errors.push(("note".into(), "免交须写明批准机关和文号".into()));
    }
    if note.chars().count() > 200 {
        errors.push(("note".into(), "说明不能超过 200 个字".into()));
    }
    if let Err(reason) = crate::text::check_multiline("说明", note) {
        errors.push(("note".into(), reason));
    }
    let (Some(month), Some(base_fen)) = (month, base_fen.filter(|_| errors.is_empty())) else {
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
    row.category = Set(category.to_owned());
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

/// The base in force for a month: the latest one that starts on or before it.
fn base_for(bases: &[base::Model], month: NaiveDate) -> Option<&base::Model> {
    bases.iter().filter(|b| b.effective_month <= month).max_by_key(|b| b.effective_month)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "台账的一行：`base`、`category`（中文名）、`due` 为该月适用的基数和应交额，未登记基数时为 null（`category` 为空串）；\
        `paid`、`paid_on` 为该月的交纳记录。金额为两位小数的字符串"
)]
pub struct LedgerRow {
    pub person_id: i32,
    pub name: String,
    pub base: Option<String>,
    pub category: String,
    pub due: Option<String>,
    pub paid: Option<String>,
    pub paid_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "党费台账：未交的在前，再按姓名；`without_base` 为未登记基数的人数。金额为两位小数的字符串")]
pub struct Ledger {
    pub month: String,
    pub rows: Vec<LedgerRow>,
    pub members: usize,
    pub paid_count: usize,
    pub due_total: String,
    pub paid_total: String,
    pub without_base: usize,
}

/// The month's ledger of one organization's subtree: every member in good standing who had
/// joined by then (and those who transferred out of the bureau that month or later), the dues
/// due, and what was paid.
pub async fn ledger(state: &AppState, actor: &Actor, org_id: i32, month: NaiveDate) -> AppResult<Ledger> {
    Ok(ledger_of(state, actor, org_id, month).await?.1)
}

/// [`ledger`] with the organization it was checked against, for pages that go on to decide
/// what the viewer may do there.
pub async fn ledger_of(
    state: &AppState,
    actor: &Actor,
    org_id: i32,
    month: NaiveDate,
) -> AppResult<(crate::orgs::entity::Model, Ledger)> {
    actor.require(Permission::PersonRead)?;
    let o = store::find(&state.db, org_id).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
    let month_end = month.checked_add_months(Months::new(1)).unwrap_or(month);
    // Who transferred out of the bureau still owes the months up to the transfer: the letter
    // states the last month paid, so those months stay on the ledger.
    let in_good_standing = sea_orm::Condition::any()
        .add(member::Column::Status.eq("正常"))
        .add(sea_orm::Condition::all().add(member::Column::Status.eq("转出")).add(member::Column::StatusOn.gte(month)));
    let members = member::Entity::find()
        .filter(store::subtree(member::Column::BranchPath, &o.path))
        .filter(in_good_standing)
        .filter(member::Column::JoinedOn.lt(month_end))
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = members.iter().map(|m| m.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let mut bases: HashMap<i32, Vec<base::Model>> = HashMap::new();
    let mut payments: HashMap<i32, payment::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for b in base::Entity::find().filter(base::Column::PersonId.is_in(chunk.to_vec())).all(&state.db).await? {
            bases.entry(b.person_id).or_default().push(b);
        }
        let paid = payment::Entity::find()
            .filter(payment::Column::PersonId.is_in(chunk.to_vec()))
            .filter(payment::Column::Month.eq(month))
            .all(&state.db)
            .await?;
        for p in paid {
            payments.insert(p.person_id, p);
        }
    }
    let (mut due_total, mut paid_total, mut paid_count, mut without_base) = (0i64, 0i64, 0usize, 0usize);
    let mut rows: Vec<LedgerRow> = members
        .iter()
        .map(|m| {
            let b = bases.get(&m.person_id).and_then(|list| base_for(list, month));
            let due = b.map(|b| monthly_fen(b.base_fen, &b.category));
            let paid = payments.get(&m.person_id);
            due_total += due.unwrap_or(0);
            if let Some(p) = paid {
                paid_total += p.amount_fen;
                paid_count += 1;
            }
            if b.is_none() {
                without_base += 1;
            }
            LedgerRow {
                person_id: m.person_id,
                name: names.get(&m.person_id).cloned().unwrap_or_default(),
                base: b.map(|b| yuan(b.base_fen)),
                category: b.map(|b| category_label(&b.category).to_owned()).unwrap_or_default(),
                due: due.map(yuan),
                paid: paid.map(|p| yuan(p.amount_fen)),
                paid_on: paid.map(|p| p.paid_on),
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.paid.is_some(), &a.name).cmp(&(b.paid.is_some(), &b.name)));
    let ledger = Ledger {
        month: month.format("%Y-%m").to_string(),
        members: rows.len(),
        rows,
        paid_count,
        due_total: yuan(due_total),
        paid_total: yuan(paid_total),
        without_base,
    };
    Ok((o, ledger))
}

/// A recorded payment, for the page that confirms its cancellation.
pub struct PaymentView {
    pub person_id: i32,
    pub name: String,
    pub month: NaiveDate,
    pub amount: String,
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
    let mut active: member::ActiveModel = m.clone().into();
    active.dues_paid_to = Set(latest);
    active.update(&txn).await?;
    let event = Event::by(actor, "dues.cancel").object("person", person_id).org(m.branch_path.clone()).summary(json!({
        "month": month.format("%Y-%m").to_string(), "amount": yuan(paid.amount_fen), "paid_on": paid.paid_on,
        "recorded_by": paid.recorded_by, "reason": reason,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets every member's latest month paid from the payments, after payments were written in bulk.
pub async fn refresh_paid_to<C: sea_orm::ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    db.execute_unprepared(
        "UPDATE party_members SET dues_paid_to = \
         (SELECT MAX(p.month) FROM dues_payments p WHERE p.person_id = party_members.person_id)",
    )
    .await?;
    Ok(())
}

/// A branch ledger leaves the system as a file: who paid what is recorded like a roster export.
pub async fn audit_export(
    state: &AppState,
    actor: &Actor,
    o: &crate::orgs::entity::Model,
    month: NaiveDate,
    rows: usize,
) -> AppResult<()> {
    let event = Event::by(actor, "dues.export")
        .object("org", o.id)
        .org(o.path.clone())
        .summary(json!({"month": month.format("%Y-%m").to_string(), "rows": rows}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok(())
}

/// Records that members paid the month's dues (the amount due from their base), all in one
/// transaction. Already recorded payments stay as they are.
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

pub async fn record_payments(
    state: &AppState,
    actor: &Actor,
    month: NaiveDate,
    person_ids: &[i32],
    paid_on: NaiveDate,
) -> AppResult<usize> {
    actor.require(Permission::PersonWrite)?;
    if person_ids.is_empty() {
        return Err(AppError::validation("person_ids", "请勾选已交纳党费的党员"));
    }
    check_id_count("person_ids", "党员", person_ids)?;
    if paid_on > state.clock.today() {
        return Err(AppError::validation("paid_on", "交纳日期不能晚于今天"));
    }
    let scope = actor.scope(Permission::PersonWrite);
    let members =
        member::Entity::find().filter(member::Column::PersonId.is_in(person_ids.to_vec())).all(&state.db).await?;
    // Every member in reach before the transaction starts: a refusal writes its own audit entry,
    // which on SQLite could not wait behind an open write transaction of the same request.
    for id in person_ids {
        let Some(m) = members.iter().find(|m| m.person_id == *id) else { return Err(AppError::NotFound) };
        if !scope.contains(&m.branch_path) {
            let target = Target { kind: "person", id: i64::from(*id), org_path: &m.branch_path };
            guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
        }
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut recorded = 0usize;
    let mut total = 0i64;
    for id in person_ids {
        let Some(m) = members.iter().find(|m| m.person_id == *id) else { return Err(AppError::NotFound) };
        let already = payment::Entity::find()
            .filter(payment::Column::PersonId.eq(*id))
            .filter(payment::Column::Month.eq(month))
            .one(&txn)
            .await?;
        if already.is_some() {
            continue;
        }
        let bases = base::Entity::find()
            .filter(base::Column::PersonId.eq(*id))
            .order_by_asc(base::Column::EffectiveMonth)
            .all(&txn)
            .await?;
        let Some(b) = base_for(&bases, month) else {
            let name = person::Entity::find_by_id(*id).one(&txn).await?.map(|p| p.name).unwrap_or_default();
            return Err(AppError::validation(
                "person_id",
                format!("{name} 尚未登记 {} 适用的党费基数", month.format("%Y-%m")),
            ));
        };
        let amount = monthly_fen(b.base_fen, &b.category);
        payment::ActiveModel {
            person_id: Set(*id),
            month: Set(month),
            amount_fen: Set(amount),
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
        recorded += 1;
        total += amount;
    }
    let mut event = Event::by(actor, "dues.pay");
    if let Some(path) = store::common_path(members.iter().map(|m| m.branch_path.as_str())) {
        event = event.org(path);
    }
    let event = event.summary(json!({
        "month": month.format("%Y-%m").to_string(), "members": recorded, "total": yuan(total),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(recorded)
}

/// Reminders: members in the secretary's branches with dues due and nothing paid in each of
/// the last six months.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let this_month = first_of_month(state.clock.today());
    let Some(window_start) = this_month.checked_sub_months(Months::new(6)) else { return Ok(Vec::new()) };
    // Only members with a base in force before the window and no payment inside it can be
    // flagged. The latest month paid (kept on the membership) rules out nearly everyone at
    // once; the few left are confirmed against the payments themselves.
    let has_base = Query::select()
        .expr(Expr::val(1))
        .from(base::Entity)
        .and_where(Expr::col((base::Entity, base::Column::PersonId)).equals((member::Entity, member::Column::PersonId)))
        .and_where(Expr::col((base::Entity, base::Column::EffectiveMonth)).lte(window_start))
        .to_owned();
    let paid_in_window = Query::select()
        .expr(Expr::val(1))
        .from(payment::Entity)
        .and_where(
            Expr::col((payment::Entity, payment::Column::PersonId)).equals((member::Entity, member::Column::PersonId)),
        )
        .and_where(Expr::col((payment::Entity, payment::Column::Month)).gte(window_start))
        .and_where(Expr::col((payment::Entity, payment::Column::Month)).lt(this_month))
        .to_owned();
    let maybe_unpaid = sea_orm::Condition::any()
        .add(member::Column::DuesPaidTo.is_null())
        .add(member::Column::DuesPaidTo.lt(window_start))
        .add(member::Column::DuesPaidTo.gte(this_month));
    let candidates: Vec<i32> = member::Entity::find()
        .select_only()
        .column(member::Column::PersonId)
        .filter(store::in_scope(member::Column::BranchPath, &actor.scope(Permission::PersonWrite)))
        .filter(member::Column::Status.eq("正常"))
        .filter(member::Column::JoinedOn.lt(window_start))
        .filter(maybe_unpaid)
        .filter(Expr::exists(has_base))
        .filter(Expr::exists(paid_in_window).not())
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut flagged = Vec::new();
    for chunk in candidates.chunks(500) {
        let with_base: Vec<base::Model> = base::Entity::find()
            .filter(base::Column::PersonId.is_in(chunk.to_vec()))
            .filter(base::Column::EffectiveMonth.lte(window_start))
            .all(&state.db)
            .await?;
        let mut bases: HashMap<i32, Vec<base::Model>> = HashMap::new();
        for b in with_base {
            bases.entry(b.person_id).or_default().push(b);
        }
        // An exemption in force at the window's start means nothing was due.
        flagged.extend(chunk.iter().copied().filter(|id| {
            bases
                .get(id)
                .and_then(|list| base_for(list, window_start))
                .is_some_and(|b| monthly_fen(b.base_fen, &b.category) > 0)
        }));
    }
    let names = crate::people::names(&state.db, &flagged).await?;
    let mut paths: HashMap<i32, String> = HashMap::new();
    for chunk in flagged.chunks(500) {
        let rows: Vec<(i32, String)> = member::Entity::find()
            .select_only()
            .column(member::Column::PersonId)
            .column(member::Column::BranchPath)
            .filter(member::Column::PersonId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&state.db)
            .await?;
        paths.extend(rows);
    }
    let pending = flagged
        .into_iter()
        .map(|id| crate::orgs::summary::Pending {
            path: paths.get(&id).cloned().unwrap_or_default(),
            todo: Todo {
                title: format!(
                    "{} 已连续 6 个月未交纳党费，请了解情况（系统不会自动处理）",
                    names.get(&id).cloned().unwrap_or_default()
                ),
                href: format!("/people/{id}#section-party"),
                due: None,
                urgency: "high",
            },
        })
        .collect();
    crate::orgs::summary::by_unit(state, &actor.scope(Permission::PersonWrite), pending, |n| {
        format!("{n} 名党员已连续 6 个月未交纳党费，请了解情况")
    })
    .await
}

/// The base in force this month, for the profile.
pub async fn current(state: &AppState, person_id: i32) -> AppResult<Option<(String, String, String)>> {
    let bases = base::Entity::find().filter(base::Column::PersonId.eq(person_id)).all(&state.db).await?;
    let month = first_of_month(state.clock.today());
    Ok(base_for(&bases, month).map(|b| {
        (yuan(b.base_fen), category_label(&b.category).to_owned(), yuan(monthly_fen(b.base_fen, &b.category)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dues_follow_the_tiers_on_the_whole_base() {
        let cases = [
            (300_000, "normal", 1500),
            (320_000, "normal", 3200),
            (500_000, "normal", 5000),
            (540_000, "normal", 8100),
            (1_000_000, "normal", 15000),
            (1_150_000, "normal", 23000),
            (450_000, "retired", 2250),
            (600_000, "retired", 6000),
            (800_000, "exempt", 0),
            (300_050, "normal", 3001),
        ];
        for (base, cat, due) in cases {
            assert_eq!(monthly_fen(base, cat), due, "{base} {cat}");
        }
    }

    #[test]
    fn amounts_and_months_parse() {
        assert_eq!(parse_yuan("5400"), Some(540_000));
        assert_eq!(parse_yuan("5,400.5"), Some(540_050));
        assert_eq!(parse_yuan("５４００"), Some(540_000));
        assert_eq!(parse_yuan("54a"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_month("2026-07"), NaiveDate::from_ymd_opt(2026, 7, 1));
        assert_eq!(yuan(8100), "81.00");
    }
}
