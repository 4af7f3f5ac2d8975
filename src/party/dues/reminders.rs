//! The dues reminder: six months in a row with dues due and nothing paid. A reminder for the
//! secretary, never a change of status.

use std::collections::HashMap;

use chrono::Months;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::{base, payment};
use super::{base_for, first_of_month, monthly_fen};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::orgs::store;
use crate::party::MemberStatus;
use crate::party::entity::member;
use crate::state::AppState;
use crate::ui::blocks::Todo;

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
        .filter(member::Column::Status.eq(MemberStatus::Active))
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
                .is_some_and(|b| monthly_fen(b.base_fen, b.category) > 0)
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
