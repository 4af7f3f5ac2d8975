//! Queries of the Party tables that several use cases, or other domains, need. Each use case
//! reads its own rows through the entities; what is shared lives here.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{event, member};
use crate::error::AppResult;

/// A person's membership, in whatever status (at most one per person).
pub async fn membership_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<member::Model>> {
    Ok(member::Entity::find().filter(member::Column::PersonId.eq(person_id)).one(db).await?)
}

/// A person's whole membership history, oldest first.
pub async fn events_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<event::Model>> {
    Ok(event::Entity::find()
        .filter(event::Column::PersonId.eq(person_id))
        .order_by_asc(event::Column::OnDate)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?)
}

/// Who belonged to branch `branch_id` on `on` by the membership history (the stint counting
/// that month, admitted by that day), with whether each was a full member that day (转正 on or
/// before it): for the attendance of the branch's meetings (`meetings`).
pub async fn members_on<C: ConnectionTrait>(
    db: &C,
    branch_id: i32,
    on: chrono::NaiveDate,
) -> AppResult<Vec<(i32, bool)>> {
    use super::entity::stint;
    let ids: Vec<i32> = stint::Entity::find()
        .filter(stint::Column::BranchId.eq(branch_id))
        .filter(super::stints::counting(crate::text::first_of_month(on)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.person_id)
        .collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        for m in member::Entity::find()
            .filter(member::Column::PersonId.is_in(chunk.to_vec()))
            .filter(member::Column::JoinedOn.lte(on))
            .all(db)
            .await?
        {
            out.push((m.person_id, m.full_on.is_some_and(|f| f <= on)));
        }
    }
    out.sort_unstable();
    out.dedup_by_key(|m| m.0);
    Ok(out)
}

/// The people placed in 党小组 `group_id` (now; places keep no history).
pub async fn group_people<C: ConnectionTrait>(db: &C, group_id: i32) -> AppResult<Vec<i32>> {
    use super::entity::group_member as gm;
    Ok(gm::Entity::find()
        .filter(gm::Column::GroupId.eq(group_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.person_id)
        .collect())
}

/// The members of organization `org_id`'s committee (now), with their posts.
pub async fn committee_people<C: ConnectionTrait>(db: &C, org_id: i32) -> AppResult<Vec<(i32, String)>> {
    use super::entity::committee;
    Ok(committee::Entity::find()
        .filter(committee::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.person_id, c.post))
        .collect())
}

/// The members in good standing of the branches in `scope` who paid no dues in any of the last
/// six months with dues due (党章第九条: six months in a row without paying dues is one of the
/// conditions of 自行脱党, research/domain.md §4.2 and §4.4), with the first month of that window
/// and each member's latest month paid (`None`: never recorded). For other domains' warnings;
/// the caller has checked its own authorization.
pub async fn dues_lapsed_in(
    state: &crate::state::AppState,
    scope: &crate::auth::Scope,
) -> AppResult<(chrono::NaiveDate, Vec<(i32, Option<chrono::NaiveDate>)>)> {
    use sea_orm::QuerySelect;
    let (window_start, ids) = super::dues::unpaid_six_months(state, scope).await?;
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, Option<chrono::NaiveDate>)> = member::Entity::find()
            .select_only()
            .column(member::Column::PersonId)
            .column(member::Column::DuesPaidTo)
            .filter(member::Column::PersonId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&state.db)
            .await?;
        out.extend(rows);
    }
    out.sort_unstable();
    Ok((window_start, out))
}

/// The person ids on the committee of each of `org_ids`, without posts: for tables over a whole
/// bureau.
pub async fn committee_people_of<C: ConnectionTrait>(
    db: &C,
    org_ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, Vec<i32>>> {
    use super::entity::committee;
    let mut out: std::collections::HashMap<i32, Vec<i32>> = std::collections::HashMap::new();
    for chunk in org_ids.chunks(500) {
        let rows: Vec<(i32, i32)> = committee::Entity::find()
            .select_only()
            .column(committee::Column::OrgId)
            .column(committee::Column::PersonId)
            .filter(committee::Column::OrgId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for (org, person) in rows {
            out.entry(org).or_default().push(person);
        }
    }
    Ok(out)
}
