//! The months a member belonged to each branch (`member_stints`), so a month's dues ledger lists
//! who belonged to the branch in that month, whatever happened since. A member counts from the
//! month of admission, or for a transfer in from outside the bureau from the month the letter
//! arrived (dues owed before are the sending organization's); the month of an internal transfer
//! belongs to the receiving branch; a member who leaves the bureau or whose membership ends
//! still counts in that month.

use chrono::{Months, NaiveDate};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::entity::stint;
use crate::db::org_paths::OrgRef;
use crate::error::AppResult;
use crate::text::first_of_month;

/// Opens a stint in `branch` from the month of `on`.
pub async fn open<C: ConnectionTrait>(db: &C, person_id: i32, branch: &OrgRef, on: NaiveDate) -> AppResult<()> {
    stint::ActiveModel {
        person_id: Set(person_id),
        branch_id: Set(branch.id),
        branch_path: Set(branch.path.clone()),
        from_month: Set(first_of_month(on)),
        to_month: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Opens a stint in `branch` for someone who comes back to the bureau on `on` (a transfer in of
/// a member who once left): from the month of `on`, or from the month after the last one an
/// earlier stint counts when they come back within it, so no month counts twice.
pub async fn reopen<C: ConnectionTrait>(db: &C, person_id: i32, branch: &OrgRef, on: NaiveDate) -> AppResult<()> {
    let last = stint::Entity::find()
        .filter(stint::Column::PersonId.eq(person_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| s.to_month)
        .max();
    let from = match last.and_then(|m| m.checked_add_months(Months::new(1))) {
        Some(after) if after > first_of_month(on) => after,
        _ => first_of_month(on),
    };
    open(db, person_id, branch, from).await
}

/// Closes the person's open stint with `last` as its last month counted; a stint that would
/// count no month (it opened after `last`) is removed.
pub async fn close<C: ConnectionTrait>(db: &C, person_id: i32, last: NaiveDate) -> AppResult<()> {
    let last = first_of_month(last);
    let open = stint::Entity::find()
        .filter(stint::Column::PersonId.eq(person_id))
        .filter(stint::Column::ToMonth.is_null())
        .all(db)
        .await?;
    for s in open {
        if s.from_month > last {
            stint::Entity::delete_by_id(s.id).exec(db).await?;
        } else {
            let mut active: stint::ActiveModel = s.into();
            active.to_month = Set(Some(last));
            active.update(db).await?;
        }
    }
    Ok(())
}

/// An internal transfer accepted on `on`: the old branch counts the member up to the month
/// before, the new one from that month.
pub async fn move_to<C: ConnectionTrait>(db: &C, person_id: i32, to: &OrgRef, on: NaiveDate) -> AppResult<()> {
    let month = first_of_month(on);
    match month.checked_sub_months(Months::new(1)) {
        Some(before) => close(db, person_id, before).await?,
        None => close(db, person_id, month).await?,
    }
    open(db, person_id, to, on).await
}

/// The stints that count `month` (a first of month).
pub fn counting(month: NaiveDate) -> Condition {
    Condition::all()
        .add(stint::Column::FromMonth.lte(month))
        .add(Condition::any().add(stint::Column::ToMonth.is_null()).add(stint::Column::ToMonth.gte(month)))
}

/// The people counted in `month` in the subtree at `path`, as a subquery of person ids.
pub fn people_counted(path: &str, month: NaiveDate) -> SelectStatement {
    Query::select()
        .column(stint::Column::PersonId)
        .from(stint::Entity)
        .cond_where(crate::orgs::store::subtree(stint::Column::BranchPath, path))
        .cond_where(counting(month))
        .to_owned()
}

/// The stints that count `month` in the subtree at `path`.
pub async fn in_month<C: ConnectionTrait>(db: &C, path: &str, month: NaiveDate) -> AppResult<Vec<stint::Model>> {
    Ok(stint::Entity::find()
        .filter(crate::orgs::store::subtree(stint::Column::BranchPath, path))
        .filter(counting(month))
        .all(db)
        .await?)
}

/// `(branch_id, person_id)` of the stints that count `month` in the subtree at `path`: the two
/// columns alone, for tables over a whole bureau.
pub async fn members_in_month<C: ConnectionTrait>(db: &C, path: &str, month: NaiveDate) -> AppResult<Vec<(i32, i32)>> {
    Ok(stint::Entity::find()
        .select_only()
        .column(stint::Column::BranchId)
        .column(stint::Column::PersonId)
        .filter(crate::orgs::store::subtree(stint::Column::BranchPath, path))
        .filter(counting(month))
        .into_tuple()
        .all(db)
        .await?)
}

/// Those of `person_ids` that no stint counts in `month` — for refusing payments of months
/// before admission or after an ending.
pub async fn not_counted<C: ConnectionTrait>(db: &C, person_ids: &[i32], month: NaiveDate) -> AppResult<Vec<i32>> {
    let counted: Vec<i32> = stint::Entity::find()
        .filter(stint::Column::PersonId.is_in(person_ids.to_vec()))
        .filter(counting(first_of_month(month)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.person_id)
        .collect();
    Ok(person_ids.iter().copied().filter(|id| !counted.contains(id)).collect())
}
