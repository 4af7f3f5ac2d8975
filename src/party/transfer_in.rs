//! Transfer in from outside the bureau (从局外转入): a person already on the roster — a new
//! officer from police college, say — brings an introduction letter from the organization that
//! held their relationship. The receiving branch records the letter (its number and issuer, the
//! admission and 转正 dates it states, the month the dues were paid to, the day it arrived), and
//! the membership starts here: counted in this bureau's dues ledgers from the month of arrival,
//! with a 转入 step in the history, the roster's political status and branch following, audited.
//!
//! A member who once transferred out and comes back takes up their membership again; a
//! membership that ended or was stopped does not come back this way.

use chrono::{Months, NaiveDate};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::member;
use super::membership::{
    Joining, NewMembership, add_event, authorize_write, check_dates, insert_new, live_person, parse_category,
};
use super::store::membership_of;
use super::{EventKind, MemberCategory, MemberStatus, extension_for, political_status};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::OrgRef;
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::people;
use crate::state::AppState;
use crate::text::{first_of_month, parse_date, parse_month};

pub mod entity {
    use sea_orm::entity::prelude::*;

    /// An incoming letter and the branch that received it (`transfers_in`).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "transfers_in")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub branch_id: i32,
        pub branch_path: String,
        pub letter_no: String,
        pub issuer: String,
        pub joined_on: Date,
        pub full_on: Option<Date>,
        /// First of the month the letter says the dues were paid to.
        pub dues_paid_to: Date,
        pub arrived_on: Date,
        pub recorded_by: String,
        pub recorded_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity as incoming;

/// Longest letter number and issuing organization, in characters.
pub const MAX_LETTER_NO: usize = 50;
pub const MAX_ISSUER: usize = 100;
/// How far past the month of arrival a letter may say the dues were paid (预交 of a year at most).
const MAX_PREPAID_MONTHS: u32 = 12;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "从局外转入：按转入介绍信填写。`letter_no` 介绍信编号（1–50 字），`issuer` 开具介绍信的党组织（1–100 字），\
    `joined_on` 入党日期、`full_on` 转正日期（正式党员才填，规则同登记入党，且不晚于转入日期），`dues_paid_to` 党费交至月份\
    （YYYY-MM，不早于入党当月，不晚于转入当月之后 12 个月），`arrived_on` 收到介绍信、办理转入之日（不早于入党日期，不晚于今天），\
    `to_org_id` 接收党支部（须在调用者范围内），`category` 党员类别（默认在职党员）",
    example = json!({"letter_no": "〔2026〕第 0035 号", "issuer": "中共某省公安厅警察学院委员会", "joined_on": "2024-05-20",
        "full_on": "2025-05-20", "dues_paid_to": "2026-07", "arrived_on": "2026-08-03", "to_org_id": 10})
)]
pub struct TransferInInput {
    #[schema(required = true, schema_with = letter_no_schema, example = "〔2026〕第 0035 号")]
    pub letter_no: String,
    #[schema(required = true, schema_with = issuer_schema, example = "中共某省公安厅警察学院委员会")]
    pub issuer: String,
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2024-05-20")]
    pub joined_on: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2025-05-20")]
    pub full_on: String,
    #[schema(required = true, schema_with = month_schema, example = "2026-07")]
    pub dues_paid_to: String,
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2026-08-03")]
    pub arrived_on: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(required = true, value_type = i32, minimum = 1, example = 10)]
    pub to_org_id: Option<i32>,
    #[schema(value_type = MemberCategory, default = "在职党员")]
    pub category: String,
}

fn letter_no_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(MAX_LETTER_NO, true)
}

fn issuer_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(MAX_ISSUER, true)
}

fn month_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::matching_max(r"^\d{4}-\d{2}$", 7)
}

/// The person a transfer in is for, when the actor may change them and they have no live
/// membership: nobody yet, or a member who once transferred out of the bureau.
pub async fn receivable(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
) -> AppResult<(people::entity::Model, Option<member::Model>)> {
    let p = live_person(state, person_id).await?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".into());
    authorize_write(state, actor, "person", p.id, &path).await?;
    let m = membership_of(&state.db, p.id).await?;
    match m.as_ref().map(|m| m.status) {
        None | Some(MemberStatus::TransferredOut) => Ok((p, m)),
        Some(MemberStatus::Active) => Err(AppError::conflict("membership", "此人的组织关系已在本局，不能再办理转入")),
        Some(status) => Err(AppError::conflict(
            "membership",
            format!("此人的党员档案为「{}」，不能以转入方式恢复；请按党内规定办理", status.label()),
        )),
    }
}

/// What the letter states, as validated.
struct Letter {
    letter_no: String,
    issuer: String,
    joined: NaiveDate,
    full: Option<NaiveDate>,
    dues_paid_to: NaiveDate,
    arrived: NaiveDate,
    category: MemberCategory,
}

fn required_line(errors: &mut Vec<(String, String)>, field: &str, label: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push((field.to_owned(), format!("请填写{label}")));
    } else if value.chars().count() > max {
        errors.push((field.to_owned(), format!("{label}不能超过 {max} 字")));
    } else if let Err(m) = crate::text::check_line(label, value) {
        errors.push((field.to_owned(), m));
    }
    value.to_owned()
}

fn required_date(errors: &mut Vec<(String, String)>, field: &str, text: &str, missing: &str) -> Option<NaiveDate> {
    match parse_date(text) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push((field.to_owned(), missing.to_owned()));
            None
        }
        Err(e) => {
            errors.push((field.to_owned(), e));
            None
        }
    }
}

fn validate(
    input: &TransferInInput,
    p: &people::entity::Model,
    before: Option<&member::Model>,
    today: NaiveDate,
    errors: &mut Vec<(String, String)>,
) -> Option<Letter> {
    let letter_no = required_line(errors, "letter_no", "介绍信编号", &input.letter_no, MAX_LETTER_NO);
    let issuer = required_line(errors, "issuer", "开具介绍信的党组织", &input.issuer, MAX_ISSUER);
    let joined = required_date(errors, "joined_on", &input.joined_on, "请填写介绍信载明的入党日期");
    let full = parse_date(&input.full_on).unwrap_or_else(|e| {
        errors.push(("full_on".into(), e));
        None
    });
    if let Some(j) = joined {
        errors.extend(check_dates(p.birth_date, j, full, today).into_iter().map(|(f, m)| (f.to_owned(), m)));
    }
    let arrived = required_date(errors, "arrived_on", &input.arrived_on, "请填写收到介绍信、办理转入的日期");
    match (arrived, joined) {
        (Some(a), _) if a > today => errors.push(("arrived_on".into(), "转入日期不能晚于今天".into())),
        (Some(a), Some(j)) if a < j => errors.push(("arrived_on".into(), format!("转入日期不能早于入党日期 {j}"))),
        (Some(a), _) => {
            if let Some(left) = before.and_then(|m| m.status_on).filter(|left| a < *left) {
                errors.push(("arrived_on".into(), format!("转入日期不能早于此人转出本局之日 {left}")));
            }
            if let Some(f) = full.filter(|f| *f > a) {
                errors.push((
                    "full_on".into(),
                    format!("转正日期 {f} 晚于转入日期：转入时是预备党员的，转入后由本局党支部办理转正，此处不填"),
                ));
            }
        }
        _ => {}
    }
    let dues_paid_to = match parse_month(&input.dues_paid_to).filter(|_| input.dues_paid_to.trim().len() == 7) {
        None if input.dues_paid_to.trim().is_empty() => {
            errors.push(("dues_paid_to".into(), "请填写介绍信载明的党费交至月份".into()));
            None
        }
        None => {
            errors.push(("dues_paid_to".into(), "党费交至月份应为 YYYY-MM，如 2026-07".into()));
            None
        }
        Some(m) if joined.is_some_and(|j| m < first_of_month(j)) => {
            errors.push(("dues_paid_to".into(), "党费交至月份不能早于入党当月".into()));
            None
        }
        Some(m)
            if arrived.is_some_and(|a| {
                first_of_month(a).checked_add_months(Months::new(MAX_PREPAID_MONTHS)).is_some_and(|last| m > last)
            }) =>
        {
            errors.push(("dues_paid_to".into(), "党费交至月份不能晚于转入当月之后 12 个月".into()));
            None
        }
        Some(m) => Some(m),
    };
    let category = parse_category(&input.category);
    if category.is_none() {
        let all: Vec<&str> = MemberCategory::ALL.iter().map(|c| c.as_str()).collect();
        errors.push(("category".into(), format!("党员类别应为：{}", all.join("、"))));
    }
    match (joined, dues_paid_to, arrived, category) {
        (Some(joined), Some(dues_paid_to), Some(arrived), Some(category)) if errors.is_empty() => {
            Some(Letter { letter_no, issuer, joined, full, dues_paid_to, arrived, category })
        }
        _ => None,
    }
}

/// The receiving branch: a live branch of the bureau, in the actor's scope (404 and audited
/// outside it).
async fn receiving_branch(
    state: &AppState,
    actor: &Actor,
    id: Option<i32>,
    errors: &mut Vec<(String, String)>,
) -> AppResult<Option<OrgRef>> {
    let Some(id) = id else {
        errors.push(("to_org_id".into(), "请选择接收的党支部".into()));
        return Ok(None);
    };
    let found = store::find(&state.db, id)
        .await?
        .filter(|o| o.dissolved_at.is_none())
        .filter(|o| super::is_branch_kind(&o.kind));
    let Some(branch) = found else {
        errors.push(("to_org_id".into(), "接收的党支部不存在".into()));
        return Ok(None);
    };
    authorize_write(state, actor, "org", branch.id, &branch.path).await?;
    Ok(Some(OrgRef { id: branch.id, path: branch.path, name: branch.name }))
}

/// Records a transfer in from outside the bureau and starts (or takes up again) the membership.
pub async fn transfer_in(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &TransferInInput,
) -> AppResult<member::Model> {
    let (p, before) = receivable(state, actor, person_id).await?;
    let mut errors = Vec::new();
    // The branch's scope first: a refusal there is a 404, whatever else is wrong.
    let branch = receiving_branch(state, actor, input.to_org_id, &mut errors).await?;
    let letter = validate(input, &p, before.as_ref(), state.clock.today(), &mut errors);
    let (Some(branch), Some(l), true) = (branch, letter, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let m = match &before {
        None => {
            let joining = Joining::Arrived { issuer: &l.issuer, arrived: l.arrived };
            let new = NewMembership {
                person_id: p.id,
                branch: &branch,
                joined: l.joined,
                full: l.full,
                full_unknown: false,
                category: l.category,
                joining,
            };
            let m = insert_new(&txn, state, actor, new).await?;
            let mut active: member::ActiveModel = m.into();
            active.dues_paid_to = Set(Some(l.dues_paid_to));
            active.update(&txn).await?
        }
        Some(old) => {
            let same_dates = old.joined_on == l.joined && old.full_on == l.full;
            let mut active: member::ActiveModel = old.clone().into();
            active.branch_id = Set(branch.id);
            active.branch_path = Set(branch.path.clone());
            active.status = Set(MemberStatus::Active);
            active.status_on = Set(None);
            active.category = Set(l.category);
            active.dues_paid_to = Set(Some(old.dues_paid_to.map_or(l.dues_paid_to, |d| d.max(l.dues_paid_to))));
            if !same_dates {
                // The letter's dates stand; what was recorded of the probation goes with the old ones.
                let extended = l.full.and_then(|f| extension_for(l.joined, f).ok().flatten());
                active.joined_on = Set(l.joined);
                active.full_on = Set(l.full);
                active.extended_months = Set(extended.and_then(|n| i32::try_from(n).ok()));
                active.extended_on = Set(None);
                active.meeting_on = Set(None);
                active.approved_on = Set(None);
            }
            active.updated_at = Set(now);
            let m = active.update(&txn).await?;
            super::stints::reopen(&txn, p.id, &branch, l.arrived).await?;
            if let (None, Some(f)) = (old.full_on, l.full) {
                let detail = "预备期满，转为正式党员（据介绍信）".to_owned();
                add_event(&txn, state, actor, p.id, EventKind::Confirmed, f, detail).await?;
            }
            m
        }
    };
    incoming::ActiveModel {
        person_id: Set(p.id),
        branch_id: Set(branch.id),
        branch_path: Set(branch.path.clone()),
        letter_no: Set(l.letter_no.clone()),
        issuer: Set(l.issuer.clone()),
        joined_on: Set(l.joined),
        full_on: Set(l.full),
        dues_paid_to: Set(l.dues_paid_to),
        arrived_on: Set(l.arrived),
        recorded_by: Set(actor.username.clone()),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let detail = format!("由{}转入{}，介绍信{}", l.issuer, branch.name, l.letter_no);
    add_event(&txn, state, actor, p.id, EventKind::TransferredIn, l.arrived, detail).await?;
    if p.org_id != Some(branch.id) {
        let from = match p.org_id {
            Some(id) => store::find(&txn, id).await?.map(|o| o.name).unwrap_or_default(),
            None => String::new(),
        };
        people::store::move_to_org(&txn, state, actor, &p, &from, &branch).await?;
    }
    people::store::set_political_status(&txn, state, actor, &p, political_status(&m)).await?;
    let event = Event::by(actor, "transfer.in").object("person", p.id).org(branch.path.clone()).summary(json!({
        "letter_no": l.letter_no, "issuer": l.issuer, "joined_on": l.joined.to_string(),
        "full_on": l.full.map(|d| d.to_string()), "dues_paid_to": l.dues_paid_to.format("%Y-%m").to_string(),
        "arrived_on": l.arrived.to_string(), "branch": branch.name, "category": l.category,
        "returning": before.is_some(),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(m)
}

/// The latest month a person's incoming letters say the dues were paid to: kept with the
/// payments recorded here when a payment is cancelled.
pub async fn stated_paid_to<C: sea_orm::ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<NaiveDate>> {
    Ok(incoming::Entity::find()
        .filter(incoming::Column::PersonId.eq(person_id))
        .order_by_desc(incoming::Column::DuesPaidTo)
        .one(db)
        .await?
        .map(|i| i.dues_paid_to))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一项从局外转入：介绍信编号、开具的党组织、转入日期、党费交至月份（YYYY-MM）和接收党支部")]
pub struct TransferInRow {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub branch_id: i32,
    pub branch_name: String,
    pub letter_no: String,
    pub issuer: String,
    pub joined_on: NaiveDate,
    pub full_on: Option<NaiveDate>,
    #[schema(example = "2026-07")]
    pub dues_paid_to: String,
    pub arrived_on: NaiveDate,
}

/// How many transfers in the list shows.
pub const RECENT: u64 = 100;

/// The latest transfers in from outside the bureau received by the actor's branches.
pub async fn recent(state: &AppState, actor: &Actor) -> AppResult<Vec<TransferInRow>> {
    actor.require(Permission::PersonWrite)?;
    let scope = actor.scope(Permission::PersonWrite);
    let rows = incoming::Entity::find()
        .filter(store::in_scope(incoming::Column::BranchPath, &scope))
        .order_by_desc(incoming::Column::Id)
        .limit(RECENT)
        .all(&state.db)
        .await?;
    let orgs = store::names(&state.db, &rows.iter().map(|r| r.branch_id).collect::<Vec<_>>()).await?;
    let people = people::names(&state.db, &rows.iter().map(|r| r.person_id).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|r| TransferInRow {
            id: r.id,
            person_id: r.person_id,
            person_name: people.get(&r.person_id).cloned().unwrap_or_default(),
            branch_id: r.branch_id,
            branch_name: orgs.get(&r.branch_id).cloned().unwrap_or_default(),
            letter_no: r.letter_no,
            issuer: r.issuer,
            joined_on: r.joined_on,
            full_on: r.full_on,
            dues_paid_to: r.dues_paid_to.format("%Y-%m").to_string(),
            arrived_on: r.arrived_on,
        })
        .collect())
}

/// The branches of the actor's scope, as receivers of a transfer in (names only).
pub async fn branch_options(state: &AppState, actor: &Actor) -> AppResult<Vec<(i32, String)>> {
    use crate::orgs::entity as org;
    let kinds = [crate::orgs::OrgKind::Branch.as_str(), crate::orgs::OrgKind::JointBranch.as_str()];
    let rows: Vec<(i32, String)> = org::Entity::find()
        .select_only()
        .column(org::Column::Id)
        .column(org::Column::Name)
        .filter(org::Column::DissolvedAt.is_null())
        .filter(org::Column::Kind.is_in(kinds))
        .filter(store::in_scope(org::Column::Path, &actor.scope(Permission::PersonWrite)))
        .order_by_asc(org::Column::Path)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(rows)
}
