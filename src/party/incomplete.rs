//! Memberships to complete (待补录): full members imported from a roster that did not carry
//! their 转正 date. Incomplete data is accepted and listed here for someone to finish later
//! (the date is completed in the profile, `membership::confirm_full`); it is never an error.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::MemberStatus;
use super::entity::member;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::orgs::store;
use crate::state::AppState;
use crate::ui::blocks::Todo;

/// Rows per page of the list.
pub const PAGE_SIZE: u64 = 100;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "转正日期待补录的正式党员：人员编号、姓名、所在党支部、入党日期、预备期满之日（一般即转正日期）"
)]
pub struct Incomplete {
    pub person_id: i32,
    pub name: String,
    pub branch: String,
    pub joined_on: chrono::NaiveDate,
    pub probation_end: chrono::NaiveDate,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncompleteList {
    pub items: Vec<Incomplete>,
    pub total: u64,
    pub page: u64,
}

fn pending(actor: &Actor) -> sea_orm::Select<member::Entity> {
    member::Entity::find()
        .filter(member::Column::FullOnUnknown.eq(true))
        .filter(store::in_scope(member::Column::BranchPath, &actor.scope(Permission::PersonWrite)))
        .filter(member::Column::Status.eq(MemberStatus::Active))
}

/// One page of the members in the actor's write scope whose 转正 date is to be completed.
pub async fn list(state: &AppState, actor: &Actor, page: u64) -> AppResult<IncompleteList> {
    actor.require(Permission::PersonWrite)?;
    let total = pending(actor).count(&state.db).await?;
    let page = page.clamp(1, total.div_ceil(PAGE_SIZE).max(1));
    let rows = pending(actor)
        .order_by_asc(member::Column::BranchPath)
        .order_by_asc(member::Column::JoinedOn)
        .order_by_asc(member::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|m| m.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let branch_ids: Vec<i32> = rows.iter().map(|m| m.branch_id).collect();
    let branches = store::names(&state.db, &branch_ids).await?;
    let items = rows
        .into_iter()
        .map(|m| Incomplete {
            person_id: m.person_id,
            name: names.get(&m.person_id).cloned().unwrap_or_default(),
            branch: branches.get(&m.branch_id).cloned().unwrap_or_default(),
            joined_on: m.joined_on,
            probation_end: super::member_probation_end(&m),
        })
        .collect();
    Ok(IncompleteList { items, total, page })
}

/// One line on the home page while any 转正 date in the actor's write scope is to be completed.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let n = pending(actor).count(&state.db).await?;
    if n == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![Todo {
        title: format!("{n} 名正式党员的转正日期待补录（名册导入时没有转正日期）"),
        href: "/party/incomplete".into(),
        due: None,
        urgency: "normal",
    }])
}
