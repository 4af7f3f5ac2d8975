//! Party's pickers (`GET /party/options`): the receiving branch of a transfer and the members
//! who may join a committee, built on the shared picker functions of `orgs::picker`.

use std::collections::HashMap;

use super::{committees, transfers};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::orgs::picker::{self, OptionsQuery, PickOption};
use crate::state::AppState;

/// Up to [`picker::PICK_LIMIT`] candidates matching `q`: for `transfer` the other branches of the
/// bureau for a member the actor may transfer (`for` = the person), for `committee` the members
/// of an organization's tree the actor may restructure (`for` = the organization).
pub async fn options(state: &AppState, actor: &Actor, query: &OptionsQuery) -> AppResult<Vec<PickOption>> {
    match query.purpose.as_str() {
        "transfer" => {
            let person = query.for_id.ok_or(AppError::NotFound)?;
            let (_, m) = transfers::transferable(state, actor, person).await?;
            let all = transfers::branch_options(state).await?;
            let all = all.into_iter().filter(|(id, _)| *id != m.branch_id).collect();
            picker::org_labels(&state.db, &picker::matching(all, &query.q)).await
        }
        "committee" => {
            let o = picker::form_target(state, actor, query.for_id).await?;
            let all = committees::candidates(state, &o).await?;
            people_labels(state, &picker::matching(all, &query.q)).await
        }
        _ => Err(AppError::bad_request(Some("purpose"), "purpose 须为 transfer 或 committee")),
    }
}

/// Suggestions for people, in `chosen`'s order, each with its kind and organization.
async fn people_labels(state: &AppState, chosen: &[i32]) -> AppResult<Vec<PickOption>> {
    let rows = crate::people::store::many_by_name(&state.db, chosen).await?;
    let org_ids: Vec<i32> = rows.iter().filter_map(|p| p.org_id).collect();
    let orgs = crate::orgs::store::names(&state.db, &org_ids).await?;
    let mut found: HashMap<i32, crate::people::entity::Model> = rows.into_iter().map(|p| (p.id, p)).collect();
    Ok(chosen
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|p| {
            let org = p.org_id.and_then(|o| orgs.get(&o)).map(|o| format!(" · {o}")).unwrap_or_default();
            PickOption { id: p.id, value: format!("{}（#{}）", p.name, p.id), label: format!("{}{org}", p.kind) }
        })
        .collect())
}
