//! Terms of office (届期): founding date, term and the last election, the next election that
//! follows from them, the warnings about them and the 换届 reminders.

use chrono::{Months, NaiveDate};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity as org;
use super::{OrgKind, service, store};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::text::parse_date;
use crate::ui::blocks::Todo;

/// The usual term: five years for a committee (党委), three for the others.
pub fn default_term(kind: Option<OrgKind>) -> i32 {
    if kind == Some(OrgKind::Committee) { 5 } else { 3 }
}

pub fn next_election(o: &org::Model) -> Option<NaiveDate> {
    let term = o.term_years.unwrap_or_else(|| default_term(OrgKind::parse(&o.kind)));
    o.elected_on?.checked_add_months(Months::new(12 * term as u32))
}

/// An organization's term of office as its page shows it.
#[derive(Debug, Clone)]
pub struct Term {
    pub founded_on: Option<NaiveDate>,
    /// The registered term, or the usual one.
    pub term_years: i32,
    pub elected_on: Option<NaiveDate>,
    pub next_election: Option<NaiveDate>,
}

pub fn term(o: &org::Model) -> Term {
    Term {
        founded_on: o.founded_on,
        term_years: o.term_years.unwrap_or_else(|| default_term(OrgKind::parse(&o.kind))),
        elected_on: o.elected_on,
        next_election: next_election(o),
    }
}

/// Warnings about the term, for people to weigh (never enforced). Groups have no elections.
pub fn warnings(o: &org::Model, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    if OrgKind::parse(&o.kind) != Some(OrgKind::Group) {
        match next_election(o) {
            None => out.push("尚未登记上次换届时间，无法提醒换届".into()),
            Some(due) if due < today => out.push(format!("届期已于 {due} 届满，尚未登记换届")),
            _ => {}
        }
    }
    out
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "届期与换届（整条记录，未给或为空的项被清空）：`founded_on`、`elected_on` 为 `YYYY-MM-DD`，\
    不晚于今天；`term_years` 为字符串 \"3\" 或 \"5\"",
    example = json!({"founded_on": "2010-03-01", "term_years": "3", "elected_on": "2026-06-30"})
)]
pub struct TermInput {
    #[schema(schema_with = crate::openapi::schema::date)]
    pub founded_on: String,
    #[schema(schema_with = term_years_schema)]
    pub term_years: String,
    #[schema(schema_with = crate::openapi::schema::date)]
    pub elected_on: String,
}

fn term_years_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::one_of(&["3", "5"], true)
}

/// Records founding date, term and the last election (the next one follows from them).
/// Returns the organization as it now is.
pub async fn set_term(state: &AppState, actor: &Actor, id: i32, input: &TermInput) -> AppResult<org::Model> {
    let o = service::writable(state, actor, id).await?;
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let founded = parse_date(&input.founded_on).unwrap_or_else(|e| {
        errors.push(("founded_on".into(), e));
        None
    });
    let elected = parse_date(&input.elected_on).unwrap_or_else(|e| {
        errors.push(("elected_on".into(), e));
        None
    });
    let term: Option<i32> = match input.term_years.trim() {
        "" => None,
        t => match t.parse() {
            Ok(3) => Some(3),
            Ok(5) => Some(5),
            _ => {
                errors.push(("term_years".into(), "届期为 3 年或 5 年".into()));
                None
            }
        },
    };
    if founded.is_some_and(|f| f > today) {
        errors.push(("founded_on".into(), "成立日期不能晚于今天".into()));
    }
    if elected.is_some_and(|e| e > today) {
        errors.push(("elected_on".into(), "换届日期不能晚于今天".into()));
    }
    if let (Some(f), Some(e)) = (founded, elected)
        && e < f
    {
        errors.push(("elected_on".into(), "换届日期不能早于成立日期".into()));
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let before = json!({"founded_on": o.founded_on, "term_years": o.term_years, "elected_on": o.elected_on});
    let updated = write_in(&txn, state, &o, founded, term, elected).await?;
    let event = Event::by(actor, "org.term").object("org", o.id).org(o.path.clone()).summary(json!({
        "before": before, "after": {"founded_on": founded, "term_years": term, "elected_on": elected},
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Writes founding date, term and last election (checked by the caller) in `txn`. Not audited:
/// the caller's event says why.
pub async fn write_in(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    o: &org::Model,
    founded: Option<NaiveDate>,
    term: Option<i32>,
    elected: Option<NaiveDate>,
) -> AppResult<org::Model> {
    let mut active: org::ActiveModel = o.clone().into();
    active.founded_on = Set(founded);
    active.term_years = Set(term);
    active.elected_on = Set(elected);
    active.updated_at = Set(state.clock.now_db());
    Ok(active.update(txn).await?)
}

/// 换届提醒: organizations whose term ends within 90 days (or has ended).
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    let perm = if actor.can(Permission::OrgWrite) { Permission::OrgWrite } else { Permission::PersonWrite };
    if !actor.can(perm) {
        return Ok(Vec::new());
    }
    let today = state.clock.today();
    // Terms are at least 3 years: only organizations elected before this can be due in 90 days.
    let elected_before = (today + chrono::Duration::days(90)).checked_sub_months(Months::new(36)).unwrap_or(today);
    let orgs = org::Entity::find()
        .filter(store::in_scope(org::Column::Path, &actor.scope(perm)))
        .filter(org::Column::DissolvedAt.is_null())
        .filter(org::Column::ElectedOn.lte(elected_before))
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for o in orgs {
        let Some(due) = next_election(&o) else { continue };
        if due - today <= chrono::Duration::days(90) {
            let title = if due < today {
                format!("{} 的届期已于 {due} 届满，请尽快换届", o.name)
            } else {
                format!("{} 将于 {due} 届满，请做好换届准备", o.name)
            };
            let todo = Todo {
                title,
                href: format!("/orgs/{}", o.id),
                due: Some(due.to_string()),
                urgency: if due < today { "high" } else { "normal" },
            };
            out.push(super::summary::Pending { path: o.path, todo });
        }
    }
    super::summary::by_unit(state, &actor.scope(perm), out, |n| format!("{n} 个党组织 90 天内届满或已届满，须换届"))
        .await
}
