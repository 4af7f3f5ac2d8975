//! Party's pickers (`GET /party/options`): the receiving branch of a transfer, and the members
//! who may join a committee or a 党小组, built on the shared picker functions of `orgs::picker`.
//! People are searched in the database (`people::store::pick_among`), never loaded whole: the
//! root's committee picker reaches every member of the bureau.

use std::collections::HashMap;

use super::{committees, groups, transfers};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::orgs::OrgKind;
use crate::orgs::picker::{self, OptionsQuery, PickOption};
use crate::state::AppState;

/// Up to [`picker::PICK_LIMIT`] candidates matching `q`: for `transfer` the other branches of the
/// bureau for a member the actor may transfer (`for` = the person); for `transfer_in` the
/// branches of the actor's scope for a person the actor may receive (`for` = the person); for
/// `committee` the full members of an organization's tree the actor may restructure (`for` =
/// the organization); for `group` the members of a 党小组's branch who are in no group yet
/// (`for` = the group).
pub async fn options(state: &AppState, actor: &Actor, query: &OptionsQuery) -> AppResult<Vec<PickOption>> {
    match query.purpose.as_str() {
        "transfer" => {
            let person = query.for_id.ok_or(AppError::NotFound)?;
            let (_, m) = transfers::transferable(state, actor, person).await?;
            let all = transfers::branch_options(state).await?;
            let all = all.into_iter().filter(|(id, _)| *id != m.branch_id).collect();
            picker::org_labels(&state.db, &picker::matching(all, &query.q)).await
        }
        "transfer_in" => {
            let person = query.for_id.ok_or(AppError::NotFound)?;
            super::transfer_in::receivable(state, actor, person).await?;
            let all = super::transfer_in::branch_options(state, actor).await?;
            picker::org_labels(&state.db, &picker::matching(all, &query.q)).await
        }
        "committee" => {
            let o = picker::form_target(state, actor, query.for_id).await?;
            let (pool, many) = committees::candidates(state, &o).await?;
            people(state, pool, many, &query.q).await
        }
        "group" => {
            let g = picker::form_target(state, actor, query.for_id).await?;
            if OrgKind::parse(&g.kind) != Some(OrgKind::Group) {
                return Err(AppError::NotFound);
            }
            // One branch's members: a small pool.
            people(state, groups::candidates(&g), false, &query.q).await
        }
        _ => Err(AppError::bad_request(Some("purpose"), "purpose 须为 transfer、transfer_in、committee 或 group")),
    }
}

/// Suggestions for the people `among` selects that `q` finds, each with its kind and organization.
async fn people(
    state: &AppState,
    among: sea_orm::sea_query::SelectStatement,
    many: bool,
    q: &str,
) -> AppResult<Vec<PickOption>> {
    let rows = crate::people::store::pick_among(&state.db, among, many, q, picker::PICK_LIMIT as u64).await?;
    let org_ids: Vec<i32> = rows.iter().filter_map(|p| p.org_id).collect();
    let orgs: HashMap<i32, String> = crate::orgs::store::names(&state.db, &org_ids).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let org = p.org_id.and_then(|o| orgs.get(&o)).map(|o| format!(" · {o}")).unwrap_or_default();
            PickOption { id: p.id, value: format!("{}（#{}）", p.name, p.id), label: format!("{}{org}", p.kind) }
        })
        .collect())
}
