//! A member follows their unit (`orgs::units`): when a unit's covering organization changes and
//! the party admin moves the unit's people with it, each member's organizational relationship
//! moves as an internal transfer decided at once by the same admin — a transfer row (已接收), the
//! membership's branch, the dues months (`stints`), a 转入 entry in the member's history, and the
//! posts the old branch gave them — exactly what accepting a transfer records
//! (`transfers::decide_transfer`). The roster moves the person itself.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::entity::{member, transfer};
use super::store::membership_of;
use super::{EventKind, MemberStatus, TransferStatus, is_branch_kind};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::module::{BoxFuture, FollowUnit};
use crate::state::AppState;

/// [`follow`] in the shape of [`crate::module::UnitFollower`].
pub fn follow_unit<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    f: FollowUnit<'a>,
) -> BoxFuture<'a, AppResult<bool>> {
    Box::pin(follow(txn, state, actor, f))
}

/// Moves a live membership from `f.from` to `f.to`; `false` when the person has none. Refused
/// (the whole move rolls back) when the new organization is not a branch (members are placed in
/// a 党支部 or 联合支部), when the membership is in another branch than the roster says, or
/// while a transfer of the member waits to be received.
pub async fn follow(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    f: FollowUnit<'_>,
) -> AppResult<bool> {
    let Some(m) = membership_of(txn, f.person_id).await?.filter(|m| m.status == MemberStatus::Active) else {
        return Ok(false);
    };
    let name = f.person_name;
    if m.branch_id != f.from.id {
        return Err(AppError::validation(
            "move_people",
            format!("{name} 的党员档案不在「{}」，与名册不一致，请先在其档案中核对组织关系", f.from.name),
        ));
    }
    let to = crate::orgs::store::find(txn, f.to.id).await?.filter(|o| o.dissolved_at.is_none());
    if !to.as_ref().is_some_and(|o| is_branch_kind(&o.kind)) {
        return Err(AppError::validation(
            "move_people",
            format!(
                "{name} 是党员，党员须编入党支部或联合支部，「{}」不是：请改选覆盖的党支部，或不移动人员、逐人办理组织关系转接",
                f.to.name
            ),
        ));
    }
    let pending = transfer::Entity::find()
        .filter(transfer::Column::PersonId.eq(f.person_id))
        .filter(transfer::Column::Status.eq(TransferStatus::Pending))
        .count(txn)
        .await?;
    if pending > 0 {
        return Err(AppError::conflict(
            "move_people",
            format!("{name} 有一项待接收的组织关系转接，请先在“组织关系转接”中处理，再移动本单位人员"),
        ));
    }
    let now = state.clock.now_db();
    let today = state.clock.today();
    let reason = format!("所在单位「{}」改由「{}」覆盖", f.unit, f.to.name);
    let by = (actor.user_id > 0).then_some(actor.user_id);
    transfer::ActiveModel {
        person_id: Set(f.person_id),
        from_org_id: Set(f.from.id),
        from_path: Set(f.from.path.clone()),
        to_org_id: Set(Some(f.to.id)),
        to_path: Set(Some(f.to.path.clone())),
        to_external: Set(None),
        reason: Set(reason.chars().take(200).collect()),
        status: Set(TransferStatus::Accepted),
        requested_by: Set(by),
        requested_at: Set(now),
        decided_by: Set(by),
        decided_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut active: member::ActiveModel = m.into();
    active.branch_id = Set(f.to.id);
    active.branch_path = Set(f.to.path.clone());
    active.updated_at = Set(now);
    active.update(txn).await?;
    super::stints::move_to(txn, f.person_id, f.to, today).await?;
    let detail = format!("{reason}，组织关系由{}转入{}", f.from.name, f.to.name);
    super::membership::add_event(txn, state, actor, f.person_id, EventKind::TransferredIn, today, detail).await?;
    let why = format!("组织关系随所在单位转入{}", f.to.name);
    super::committees::release_posts(txn, state, actor, f.person_id, Some(&f.to.path), &why).await?;
    Ok(true)
}
