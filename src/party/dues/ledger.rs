//! A branch's dues ledger for a month (党费台账): who owes what and who paid, and its export.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement};
use serde::Serialize;
use serde_json::json;

use super::entity::{base, payment};
use super::{DuesCategory, ReliefKind, base_for, describe_relief, due_fen, reliefs_in_month, to_centre, yuan};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::party::stints;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "台账的一行：`base`、`category`（中文名）、`due` 为该月适用的基数和应交额，未登记基数时为 null（`category` 为空串）；\
        `paid`、`paid_on` 为该月的交纳记录。金额为两位小数的字符串。`due` 已计入经批准的少交、免交（`relief` 说明期间和批准的党委，\
        免交时 `due` 为 0.00）；`paid_note` 为交纳金额与应交不同时的说明；`to_centre` 为一次多交 1000 元以上（按规定全部上缴中央）"
)]
pub struct LedgerRow {
    pub person_id: i32,
    pub name: String,
    pub base: Option<String>,
    pub category: String,
    pub due: Option<String>,
    pub paid: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub relief: Option<String>,
    pub paid_note: Option<String>,
    pub to_centre: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "党费台账：未交的在前，再按姓名；`without_base` 为未登记基数的人数。金额为两位小数的字符串。\
    `units` 按直接下级党组织汇总（党支部的台账为空数组），网页上级党组织的台账只显示汇总、逐级下钻；\
    `exempt_count` 为该月经批准免交、未交纳的人数（不算未交）")]
pub struct Ledger {
    pub month: String,
    pub rows: Vec<LedgerRow>,
    pub members: usize,
    pub paid_count: usize,
    pub due_total: String,
    pub paid_total: String,
    pub without_base: usize,
    pub exempt_count: usize,
    pub units: Vec<LedgerUnit>,
}

/// One direct child organization's part of a ledger above branch level.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "下级党组织的汇总：党员人数、已交和未交人数（经批准免交的不算未交，另计 `exempt`）、未登记基数的人数、\
        应交和已交金额（两位小数的字符串）"
)]
pub struct LedgerUnit {
    pub org_id: i32,
    pub name: String,
    pub members: usize,
    pub paid_count: usize,
    pub unpaid: usize,
    pub without_base: usize,
    pub exempt: usize,
    pub due_total: String,
    pub paid_total: String,
}

/// The month's ledger of one organization's subtree: every member who belonged to one of its
/// branches in that month (from the month of admission or arrival, up to the month they left
/// or their membership ended), the dues due, and what was paid.
pub async fn ledger(state: &AppState, actor: &Actor, org_id: i32, month: NaiveDate) -> AppResult<Ledger> {
    Ok(ledger_of(state, actor, org_id, month, true).await?.1)
}

/// [`ledger`] with the organization it was checked against, for pages that go on to decide
/// what the viewer may do there.
pub async fn ledger_of(
    state: &AppState,
    actor: &Actor,
    org_id: i32,
    month: NaiveDate,
    // Whether the rows need the members' names even when the ledger rolls up by unit (the
    // API and the export do; a page above branch level shows only the units).
    named: bool,
) -> AppResult<(crate::orgs::entity::Model, Ledger)> {
    actor.require(Permission::PersonRead)?;
    let o = store::find(&state.db, org_id).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
    if !named {
        // Above branch level the page shows only the units: summed in SQL, no member read.
        let children = store::children(&state.db, o.id).await?;
        if !children.is_empty() {
            let started = std::time::Instant::now();
            let sums = sums_by_branch(&state.db, &o.path, month).await?;
            let ledger = rolled_up(month, &children, &sums);
            tracing::debug!(elapsed_ms = started.elapsed().as_secs_f64() * 1000.0, "党费台账汇总");
            if !ledger.units.is_empty() {
                return Ok((o, ledger));
            }
        }
    }
    // Who belonged to the subtree's branches in that month (membership history by month): an
    // internal transfer, an ending or a late registration leaves past months as they were.
    let members = stints::in_month(&state.db, &o.path, month).await?;
    let ids: Vec<i32> = members.iter().map(|m| m.person_id).collect();
    let mut bases: HashMap<i32, Vec<base::Model>> = HashMap::new();
    let mut payments: HashMap<i32, payment::Model> = HashMap::new();
    // The bases and the month's payments of the people listed, in one query each (a whole
    // bureau's 14,000 members would otherwise be 56 round trips of 500 ids).
    let listed_query = stints::people_counted(&o.path, month);
    let listed: std::collections::HashSet<i32> = ids.iter().copied().collect();
    for b in
        base::Entity::find().filter(base::Column::PersonId.in_subquery(listed_query.clone())).all(&state.db).await?
    {
        if listed.contains(&b.person_id) {
            bases.entry(b.person_id).or_default().push(b);
        }
    }
    let paid = payment::Entity::find()
        .filter(payment::Column::PersonId.in_subquery(listed_query))
        .filter(payment::Column::Month.eq(month))
        .all(&state.db)
        .await?;
    for p in paid.into_iter().filter(|p| listed.contains(&p.person_id)) {
        payments.insert(p.person_id, p);
    }
    let reliefs = reliefs_in_month(&state.db, month, &listed).await?;
    let (mut due_total, mut paid_total, mut paid_count, mut without_base) = (0i64, 0i64, 0usize, 0usize);
    let mut exempt_count = 0usize;
    // Above branch level, each member also counts for the direct child their branch lies in.
    let children = store::children(&state.db, o.id).await?;
    let mut tallies: Vec<BranchSums> = children.iter().map(|_| BranchSums::default()).collect();
    let mut rows: Vec<LedgerRow> = members
        .iter()
        .map(|m| {
            let b = bases.get(&m.person_id).and_then(|list| base_for(list, month));
            let relief = b.and(reliefs.get(&m.person_id));
            let due = b.map(|b| due_fen(b, relief));
            let paid = payments.get(&m.person_id);
            let exempt = due == Some(0) && paid.is_none();
            exempt_count += usize::from(exempt);
            due_total += due.unwrap_or(0);
            if let Some(p) = paid {
                paid_total += p.amount_fen;
                paid_count += 1;
            }
            if b.is_none() {
                without_base += 1;
            }
            if let Some(t) = children.iter().position(|c| m.branch_path.starts_with(&c.path)).map(|i| &mut tallies[i]) {
                t.members += 1;
                t.due_fen += due.unwrap_or(0);
                if let Some(p) = paid {
                    t.paid_count += 1;
                    t.paid_fen += p.amount_fen;
                }
                if b.is_none() {
                    t.without_base += 1;
                }
                t.exempt += i64::from(exempt);
            }
            LedgerRow {
                person_id: m.person_id,
                name: String::new(),
                base: b.map(|b| yuan(b.base_fen)),
                category: b.map(|b| b.category.label().to_owned()).unwrap_or_default(),
                due: due.map(yuan),
                paid: paid.map(|p| yuan(p.amount_fen)),
                paid_on: paid.map(|p| p.paid_on),
                relief: relief.map(describe_relief),
                paid_note: paid.map(|p| p.note.clone()).filter(|n| !n.is_empty()),
                to_centre: paid.is_some_and(|p| to_centre(p.amount_fen, p.due_fen)),
            }
        })
        .collect();
    let units = units_of(&children, tallies);
    if named || units.is_empty() {
        let names = crate::people::names(&state.db, &ids).await?;
        for r in &mut rows {
            r.name = names.get(&r.person_id).cloned().unwrap_or_default();
        }
        rows.sort_by(|a, b| (a.paid.is_some(), &a.name).cmp(&(b.paid.is_some(), &b.name)));
    }
    let ledger = Ledger {
        units,
        month: month.format("%Y-%m").to_string(),
        members: rows.len(),
        rows,
        paid_count,
        due_total: yuan(due_total),
        paid_total: yuan(paid_total),
        without_base,
        exempt_count,
    };
    Ok((o, ledger))
}

/// One branch's part of a month's ledger, summed by the database; also a unit's running totals.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct BranchSums {
    path: String,
    members: i64,
    paid_count: i64,
    paid_fen: i64,
    without_base: i64,
    exempt: i64,
    due_fen: i64,
}

/// What is due in SQL, as [`super::due_fen`] has it for the base `b` and the relief `r` joined
/// to a member: the rates come from the same table ([`super::tiers`]).
fn due_sql(backend: DatabaseBackend) -> String {
    let div = if backend == DatabaseBackend::MySql { "DIV" } else { "/" };
    let rate = |category: DuesCategory| {
        let tiers = super::tiers(category);
        let mut arms = String::from("CASE");
        for (upto, rate) in &tiers[..tiers.len().saturating_sub(1)] {
            arms.push_str(&format!(" WHEN b.base_fen <= {upto} THEN {rate}"));
        }
        let last = tiers.last().map_or(0, |(_, rate)| *rate);
        format!("{arms} ELSE {last} END")
    };
    let standard = format!(
        "(CASE b.category WHEN '{other}' THEN COALESCE(b.fixed_fen, 0) \
         WHEN '{retired}' THEN (b.base_fen * ({retired_rate}) + 500) {div} 1000 \
         ELSE (b.base_fen * ({normal_rate}) + 500) {div} 1000 END)",
        other = DuesCategory::Other.as_str(),
        retired = DuesCategory::Retired.as_str(),
        retired_rate = rate(DuesCategory::Retired),
        normal_rate = rate(DuesCategory::Normal),
    );
    format!(
        "CASE WHEN b.id IS NULL THEN NULL WHEN r.kind = '{exempt}' THEN 0 \
         WHEN r.id IS NOT NULL AND r.reduced_fen IS NOT NULL AND r.reduced_fen < {standard} THEN r.reduced_fen \
         ELSE {standard} END",
        exempt = ReliefKind::Exempt.as_str(),
    )
}

/// The month's sums of each branch in the subtree at `path`: the members counted that month,
/// their payments, the base in force (the latest from on or before the month) and the relief
/// covering it, grouped in one statement.
async fn sums_by_branch<C: ConnectionTrait>(db: &C, path: &str, month: NaiveDate) -> AppResult<Vec<BranchSums>> {
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mut bind = |v: sea_orm::Value| {
        values.push(v);
        if backend == DatabaseBackend::Postgres { format!("${}", values.len()) } else { "?".to_owned() }
    };
    let m = |bind: &mut dyn FnMut(sea_orm::Value) -> String| bind(month.into());
    let (p_month, b_month, r_from, r_to) = (m(&mut bind), m(&mut bind), m(&mut bind), m(&mut bind));
    let (low, high) = (bind(path.into()), bind(crate::db::path_upper_bound(path).into()));
    let (s_from, s_to) = (m(&mut bind), m(&mut bind));
    // SUM is NUMERIC on PostgreSQL and DECIMAL on MySQL: read back as integers.
    let int = |x: &str| match backend {
        DatabaseBackend::Postgres => format!("CAST({x} AS BIGINT)"),
        DatabaseBackend::MySql => format!("CAST({x} AS SIGNED)"),
        _ => x.to_owned(),
    };
    let sql = format!(
        "SELECT x.branch_path, {members}, {paid_count}, {paid_fen}, {without_base}, {exempt}, {due} \
         FROM (SELECT s.branch_path, p.id AS pid, p.amount_fen, b.id AS bid, {due_sql} AS due \
           FROM member_stints s \
           LEFT JOIN dues_payments p ON p.person_id = s.person_id AND p.month = {p_month} \
           LEFT JOIN dues_bases b ON b.person_id = s.person_id AND b.effective_month = \
             (SELECT MAX(b2.effective_month) FROM dues_bases b2 \
              WHERE b2.person_id = s.person_id AND b2.effective_month <= {b_month}) \
           LEFT JOIN dues_reliefs r ON r.person_id = s.person_id AND r.from_month <= {r_from} AND r.to_month >= {r_to} \
           WHERE s.branch_path >= {low} AND s.branch_path < {high} \
             AND s.from_month <= {s_from} AND (s.to_month IS NULL OR s.to_month >= {s_to})) x \
         GROUP BY x.branch_path",
        members = int("COUNT(*)"),
        paid_count = int("SUM(CASE WHEN x.pid IS NULL THEN 0 ELSE 1 END)"),
        paid_fen = int("SUM(COALESCE(x.amount_fen, 0))"),
        without_base = int("SUM(CASE WHEN x.bid IS NULL THEN 1 ELSE 0 END)"),
        exempt = int("SUM(CASE WHEN x.bid IS NOT NULL AND x.pid IS NULL AND x.due = 0 THEN 1 ELSE 0 END)"),
        due = int("SUM(COALESCE(x.due, 0))"),
        due_sql = due_sql(backend),
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(BranchSums {
            path: row.try_get_by_index(0)?,
            members: row.try_get_by_index(1)?,
            paid_count: row.try_get_by_index(2)?,
            paid_fen: row.try_get_by_index(3)?,
            without_base: row.try_get_by_index(4)?,
            exempt: row.try_get_by_index(5)?,
            due_fen: row.try_get_by_index(6)?,
        });
    }
    Ok(out)
}

/// The direct children's lines of a ledger, from their totals (children without members left out).
fn units_of(children: &[crate::orgs::entity::Model], tallies: Vec<BranchSums>) -> Vec<LedgerUnit> {
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    children
        .iter()
        .zip(tallies)
        .filter(|(_, t)| t.members > 0)
        .map(|(c, t)| LedgerUnit {
            org_id: c.id,
            name: c.name.clone(),
            members: count(t.members),
            paid_count: count(t.paid_count),
            unpaid: count(t.members - t.paid_count - t.exempt),
            without_base: count(t.without_base),
            exempt: count(t.exempt),
            due_total: yuan(t.due_fen),
            paid_total: yuan(t.paid_fen),
        })
        .collect()
}

/// The ledger above branch level from the sums of its branches: totals of all, units of the
/// direct children (a branch counts for the child whose subtree holds it), no member rows.
fn rolled_up(month: NaiveDate, children: &[crate::orgs::entity::Model], sums: &[BranchSums]) -> Ledger {
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    let mut total = BranchSums::default();
    let mut tallies: Vec<BranchSums> = children.iter().map(|_| BranchSums::default()).collect();
    for b in sums {
        let unit = children.iter().position(|c| b.path.starts_with(&c.path)).map(|i| &mut tallies[i]);
        for t in std::iter::once(&mut total).chain(unit) {
            t.members += b.members;
            t.paid_count += b.paid_count;
            t.paid_fen += b.paid_fen;
            t.without_base += b.without_base;
            t.exempt += b.exempt;
            t.due_fen += b.due_fen;
        }
    }
    let units = units_of(children, tallies);
    Ledger {
        month: month.format("%Y-%m").to_string(),
        rows: Vec::new(),
        members: count(total.members),
        paid_count: count(total.paid_count),
        due_total: yuan(total.due_fen),
        paid_total: yuan(total.paid_fen),
        without_base: count(total.without_base),
        exempt_count: count(total.exempt),
        units,
    }
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
