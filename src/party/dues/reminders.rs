//! Six months in a row with dues due and nothing paid: one of the three facts of 党章第九条,
//! which `party::lapse` puts before the secretary, never a change of status. Months exempt by an
//! approved 免交 are not months of not paying.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::entity::{base, payment, relief};
use super::{base_for, due_fen, first_of_month, relief_for};
use crate::auth::Scope;
use crate::error::AppResult;
use crate::orgs::store;
use crate::party::MemberStatus;
use crate::party::entity::member;
use crate::state::AppState;

/// Members in good standing of the branches in `scope` with dues due and nothing paid in each
/// of the last six months (the first month of that window is returned too).
pub async fn unpaid_six_months(state: &AppState, scope: &Scope) -> AppResult<(NaiveDate, Vec<i32>)> {
    let this_month = first_of_month(state.clock.today());
    let Some(window_start) = this_month.checked_sub_months(Months::new(6)) else { return Ok((this_month, Vec::new())) };
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
        .filter(store::in_scope(member::Column::BranchPath, scope))
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
            .filter(base::Column::EffectiveMonth.lt(this_month))
            .all(&state.db)
            .await?;
        let mut bases: HashMap<i32, Vec<base::Model>> = HashMap::new();
        for b in with_base {
            bases.entry(b.person_id).or_default().push(b);
        }
        let mut reliefs: HashMap<i32, Vec<relief::Model>> = HashMap::new();
        for r in relief::Entity::find()
            .filter(relief::Column::PersonId.is_in(chunk.to_vec()))
            .filter(relief::Column::FromMonth.lt(this_month))
            .filter(relief::Column::ToMonth.gte(window_start))
            .all(&state.db)
            .await?
        {
            reliefs.entry(r.person_id).or_default().push(r);
        }
        // Only six months in a row with something due: a month exempt (免交) was not a month of
        // not paying.
        let months: Vec<NaiveDate> =
            (0..6u32).filter_map(|i| window_start.checked_add_months(Months::new(i))).collect();
        flagged.extend(chunk.iter().copied().filter(|id| {
            let Some(list) = bases.get(id) else { return false };
            let granted: &[relief::Model] = reliefs.get(id).map(Vec::as_slice).unwrap_or(&[]);
            months.iter().all(|m| base_for(list, *m).is_some_and(|b| due_fen(b, relief_for(granted, *m)) > 0))
        }));
    }
    Ok((window_start, flagged))
}
